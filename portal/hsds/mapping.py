"""Our catalogue as HSDS 3.0 records: the one place the mapping lives.

- intervention → ``service`` (status from our status and enrolment; ``assured_date`` from
  the last confirmation; eligibility; languages; schedules for cohort starts and hours;
  the owner's municipality as ``service_area``; whose residents may take part as the last
  paragraph of ``eligibility_description`` (unless anyone may; read back on import); type,
  target groups and referrers as ``attributes`` linking taxonomy terms);
- organisation → ``organization`` (the municipality code as an organization identifier);
- the intervention's address (else its unit's) → ``location`` and ``service_at_location``;
- vocabularies → ``taxonomy`` and ``taxonomy_term`` with our codes.

Internal fields (price for other organisations → ``cost_options``, referral instructions
→ ``application_process``) appear only when ``internal`` is true, i.e. for a logged-in
case officer; the open feed and the export never carry them. Text fields are in ``lang``
where translated, else in Swedish. When service areas (#11) and statistics arrive, they
are mapped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from flask_babel import force_locale, gettext

from portal.catalogue.models import (
    Intervention,
    InterventionStatus,
    OpenTo,
    Organisation,
    OrganisationKind,
    TaxonomyTerm,
    Vocabulary,
)
from portal.hsds.ids import (
    hsds_id,
    organisation_key,
    organization_id,
    service_id,
    taxonomy_id,
    taxonomy_term_id,
)
from portal.i18n.content import localized_text
from portal.urls import external_url

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://openreferral.org/imls/hsds/"
HSDS_OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
COUNTRY = "SE"
HOURS_PER_WEEK = "hours_per_week"  # link_type of the attribute carrying a schedule's weekly hours
MUNICIPALITY_CODE_SCHEME = "SE-SCB-KOMMUNKOD"
MUNICIPALITY_CODE_TYPE = "kommunkod"

# Län by the first two digits of the municipality code (SCB).
COUNTIES = {
    "01": "Stockholms län", "03": "Uppsala län", "04": "Södermanlands län", "05": "Östergötlands län",
    "06": "Jönköpings län", "07": "Kronobergs län", "08": "Kalmar län", "09": "Gotlands län",
    "10": "Blekinge län", "12": "Skåne län", "13": "Hallands län", "14": "Västra Götalands län",
    "17": "Värmlands län", "18": "Örebro län", "19": "Västmanlands län", "20": "Dalarnas län",
    "21": "Gävleborgs län", "22": "Västernorrlands län", "23": "Jämtlands län",
    "24": "Västerbottens län", "25": "Norrbottens län",
}

# Which interventions the feed holds: never drafts; paused and archived ones are there so a
# consumer syncing with modified_after learns that a service closed.
FEED_STATUSES = (InterventionStatus.PUBLISHED, InterventionStatus.PAUSED, InterventionStatus.ARCHIVED)


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """HSDS string fields may be absent but not null: drop empty values."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def timestamp(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def hsds_status(item: Intervention) -> str:
    if item.status == InterventionStatus.ARCHIVED:
        return "inactive"
    if item.status == InterventionStatus.PAUSED or not item.enrolment_open:
        return "temporarily closed"
    return "active"


@lru_cache(maxsize=16)
def _language_names(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).languages)


# -------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """Where an intervention is held: its own address, else its unit's."""

    organisation: Organisation
    name: str | None
    address: str
    postcode: str | None
    city: str | None
    lat: float | None
    lon: float | None
    accessibility: str

    @property
    def id(self) -> str:
        return hsds_id("location", organisation_key(self.organisation), self.name or "",
                       self.address, self.postcode or "", self.city or "")


def place_of(item: Intervention) -> Place | None:
    unit = item.unit
    if item.address:
        address, postcode, city = item.address, item.postcode, item.city
    elif unit is not None and unit.address:
        address, postcode, city = unit.address, unit.postcode, unit.city
    else:
        return None
    return Place(item.organisation, unit.name if unit else None, address, postcode, city,
                 item.lat, item.lon, item.accessibility)


def location_json(place: Place) -> dict[str, Any]:
    county = COUNTIES.get((place.organisation.municipality_code or "")[:2], "")
    return compact({
        "id": place.id,
        "location_type": "physical",
        "organization_id": organization_id(place.organisation),
        "name": place.name,
        "latitude": place.lat,
        "longitude": place.lon,
        "addresses": [{
            "id": hsds_id("address", place.id),
            "location_id": place.id,
            "address_1": place.address,
            "city": place.city or "",
            "state_province": county,
            "postal_code": place.postcode or "",
            "country": COUNTRY,
            "address_type": "physical",
        }],
        "accessibility": [{"id": hsds_id("accessibility", place.id), "location_id": place.id,
                           "description": place.accessibility}] if place.accessibility else [],
    })


def service_at_location_id(item: Intervention, place: Place) -> str:
    return hsds_id("service_at_location", service_id(item), place.id)


# ---------------------------------------------------------------------- taxonomies


def taxonomy_json(vocabulary: Vocabulary, lang: str) -> dict[str, Any]:
    from portal.admin.forms import VOCABULARY_LABELS

    with force_locale(lang):
        name = str(VOCABULARY_LABELS[vocabulary.value])
    return {
        "id": taxonomy_id(vocabulary),
        "name": name,
        "description": name,
        "version": "1",
    }


def taxonomy_term_json(term: TaxonomyTerm, lang: str) -> dict[str, Any]:
    label = term.label(lang)
    return {
        "id": taxonomy_term_id(term.vocabulary, term.code),
        "code": term.code,
        "name": label,
        "description": label,
        "taxonomy": term.vocabulary.value,
        "taxonomy_id": taxonomy_id(term.vocabulary),
        "language": lang,
    }


def _attribute(item: Intervention, term: TaxonomyTerm, lang: str) -> dict[str, Any]:
    sid = service_id(item)
    return {
        "id": hsds_id("attribute", sid, term.vocabulary.value, term.code),
        "link_id": sid,
        "link_type": term.vocabulary.value,
        "link_entity": "service",
        "taxonomy_term_id": taxonomy_term_id(term.vocabulary, term.code),
        "value": term.code,
        "taxonomy_term": taxonomy_term_json(term, lang),
    }


def terms_of(item: Intervention) -> list[TaxonomyTerm]:
    return [item.type, *item.target_groups, *item.referrers]


# ------------------------------------------------------------------- organisations


def organization_json(organisation: Organisation, lang: str) -> dict[str, Any]:
    from portal.admin.forms import ORGANISATION_KIND_LABELS

    with force_locale(lang):
        kind = str(ORGANISATION_KIND_LABELS[organisation.kind.value])
    return compact({
        "id": organization_id(organisation),
        "name": organisation.name,
        "description": kind,
        "email": organisation.booking_email,
        "website": organisation.website,
    })


def organization_full_json(organisation: Organisation, lang: str,
                           services: Iterable[dict[str, Any]]) -> dict[str, Any]:
    oid = organization_id(organisation)
    data = organization_json(organisation, lang)
    if organisation.municipality_code:
        data["organization_identifiers"] = [{
            "id": hsds_id("organization_identifier", oid, MUNICIPALITY_CODE_TYPE),
            "organization_id": oid,
            "identifier_scheme": MUNICIPALITY_CODE_SCHEME,
            "identifier_type": MUNICIPALITY_CODE_TYPE,
            "identifier": organisation.municipality_code,
        }]
    data["services"] = list(services)
    return data


# ------------------------------------------------------------------------ services


def service_minimal_json(item: Intervention, lang: str) -> dict[str, Any]:
    return compact({
        "id": service_id(item),
        "name": localized_text(item, lang).title.value,
        "status": hsds_status(item),
        "last_modified": timestamp(item.updated_at),
    })


def service_json(item: Intervention, lang: str, internal: bool) -> dict[str, Any]:
    """The one-to-one fields of a service (the ``service_list`` shape)."""
    text = localized_text(item, lang)
    description = "\n\n".join(part for part in (text.summary.value, text.description.value) if part)
    with force_locale(lang):
        process = [gettext("Who may refer: %(referrers)s",
                           referrers=", ".join(term.label(lang) for term in item.referrers))
                   ] if item.referrers else []
    if internal and item.referral_instructions:
        process.append(item.referral_instructions)
    return compact({
        "id": service_id(item),
        "organization_id": organization_id(item.organisation),
        "name": text.title.value,
        "description": description,
        "url": external_url("catalogue.show_intervention", intervention_id=item.id, lang_code=lang),
        "email": item.contact_email,
        "status": hsds_status(item),
        "application_process": "\n\n".join(process),
        "eligibility_description": eligibility_description(item, lang),
        "alert": item.closed_periods,
        "assured_date": day(item.confirmed_on),
        "last_modified": timestamp(item.updated_at),
    })


def eligibility_description(item: Intervention, lang: str) -> str:
    """The eligibility text, then whose residents may take part (unless anyone may), in ``lang``."""
    from portal.agreements.eligibility import OPEN_TO_LABELS

    parts = [item.eligibility or ""]
    open_to = item.open_to or OpenTo.ANYONE
    if open_to != OpenTo.ANYONE:
        with force_locale(lang):
            parts.append(str(OPEN_TO_LABELS[open_to.value]))
    return "\n\n".join(part for part in parts if part)


def split_eligibility_description(text: str) -> tuple[str, str | None]:
    """The reverse of ``eligibility_description``: (the eligibility text, the ``OpenTo`` value or
    None) — a last paragraph that is one of our openness labels, in any of our languages."""
    from portal.agreements.eligibility import OPEN_TO_LABELS
    from portal.i18n import LANGUAGES

    head, _sep, last = text.rpartition("\n\n")
    last = last.strip()
    for code in LANGUAGES:
        with force_locale(code):
            for value, label in OPEN_TO_LABELS.items():
                if str(label) == last:
                    return head.strip(), value
    return text, None


def service_full_json(item: Intervention, lang: str, internal: bool, *,
                      with_organization: bool = True) -> dict[str, Any]:
    """A fully nested service (the compiled ``service`` shape)."""
    sid = service_id(item)
    data = service_json(item, lang, internal)
    place = place_of(item)
    names = _language_names(lang)
    data |= compact({
        "languages": [{"id": hsds_id("language", sid, code), "service_id": sid, "code": code,
                       "name": names.get(code) or code} for code in item.language_codes],
        "attributes": [_attribute(item, term, lang) for term in terms_of(item)],
        "schedules": _schedules(item, lang),
        "service_areas": _service_areas(item),
        "contacts": _contacts(item),
        "service_at_locations": [compact({
            "id": service_at_location_id(item, place),
            "service_id": sid,
            "location_id": place.id,
            "location": location_json(place),
        })] if place else [],
        "cost_options": _cost_options(item, lang) if internal else [],
    })
    if with_organization:
        data["organization"] = organization_json(item.organisation, lang)
    return data


def service_at_location_json(item: Intervention, place: Place, lang: str, internal: bool,
                             full: bool) -> dict[str, Any]:
    data = {
        "id": service_at_location_id(item, place),
        "service_id": service_id(item),
        "location_id": place.id,
    }
    if full:
        data["location"] = location_json(place)
        data["service"] = service_json(item, lang, internal)
    return data


def _schedules(item: Intervention, lang: str) -> list[dict[str, Any]]:
    sid = service_id(item)
    schedules = []
    with force_locale(lang):
        for start in item.start_dates:
            schedules.append({
                "id": hsds_id("schedule", sid, "start", start.starts_on.isoformat()),
                "service_id": sid,
                "dtstart": start.starts_on.isoformat(),
                "valid_from": start.starts_on.isoformat(),
                "description": gettext("Starts %(date)s", date=start.starts_on.isoformat()),
            })
        if item.hours_per_week is not None or item.duration_weeks:
            parts = []
            if item.hours_per_week is not None:
                parts.append(gettext("Hours a week: %(hours)s", hours=item.hours_per_week))
            if item.duration_weeks:
                parts.append(gettext("Duration in weeks: %(weeks)s", weeks=item.duration_weeks))
            weekly_id = hsds_id("schedule", sid, "weekly")
            schedules.append(compact({
                "id": weekly_id,
                "service_id": sid,
                "freq": "WEEKLY",
                "interval": 1,
                "count": item.duration_weeks,
                "description": ", ".join(parts),
                "attributes": [{
                    "id": hsds_id("attribute", weekly_id, HOURS_PER_WEEK),
                    "link_id": weekly_id,
                    "link_type": HOURS_PER_WEEK,
                    "link_entity": "schedule",
                    "value": str(item.hours_per_week),
                }] if item.hours_per_week is not None else [],
            }))
    return schedules


def _service_areas(item: Intervention) -> list[dict[str, Any]]:
    organisation = item.organisation
    if organisation.kind != OrganisationKind.KOMMUN or not organisation.municipality_code:
        return []
    sid = service_id(item)
    return [{
        "id": hsds_id("service_area", sid, organisation.municipality_code),
        "service_id": sid,
        "name": organisation.name,
        "extent": organisation.municipality_code,
        "extent_type": "text",
    }]


def _contacts(item: Intervention) -> list[dict[str, Any]]:
    if not (item.contact_name or item.contact_email or item.contact_phone):
        return []
    sid = service_id(item)
    contact_id = hsds_id("contact", sid)
    return [compact({
        "id": contact_id,
        "service_id": sid,
        "name": item.contact_name,
        "email": item.contact_email,
        "phones": [{"id": hsds_id("phone", contact_id), "contact_id": contact_id,
                    "number": item.contact_phone}] if item.contact_phone else [],
    })]


def _cost_options(item: Intervention, lang: str) -> list[dict[str, Any]]:
    sid = service_id(item)
    with force_locale(lang):
        option = gettext("Price per week for other organisations")
    return [{
        "id": hsds_id("cost_option", sid, "week"),
        "service_id": sid,
        "option": option,
        "currency": "SEK",
        "amount": item.price_per_week_sek,
        "amount_description": option,
    }]
