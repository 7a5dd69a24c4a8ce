"""Who may use an intervention: one verdict for a participant's home municipality and a referrer.

``verdict(intervention, home, referrer_organisation, today)`` answers the three questions a
case officer has before sending a request: may a resident of ``home`` take part at all,
what does it cost the home municipality per week (and under which agreement), and may
the officer's organisation refer to it. Expired agreements (outside their validity) count
for nothing. Every page, the API, the booking service and the search filter ask here.

The home municipality is an SCB code of a municipality in the region, ``HOME_OTHER``
(a municipality outside the region) or None (not stated: no verdict).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.agreements.models import Agreement, agreement_members
from portal.catalogue.models import Intervention, OpenTo, ReferralRule
from portal.catalogue.taxonomy import _reference_data
from portal.extensions import db
from portal.organisations import Organisation, OrganisationKind
from portal.timeutil import today as _today

HOME_OTHER = "other"  # the same value as portal.booking.models.HOME_OTHER

# Which referrer term an organisation of each kind refers as ("who may refer").
REFERRER_OF_KIND = {
    OrganisationKind.KOMMUN: "socialtjansten",
    OrganisationKind.ARBETSFORMEDLINGEN: "arbetsformedlingen",
    OrganisationKind.FORSAKRINGSKASSAN: "forsakringskassan",
    OrganisationKind.REGION: "varden",
}

OPEN_TO_LABELS = {
    OpenTo.OWN.value: _l("Only residents of the owner's municipality"),
    OpenTo.AGREEMENT.value: _l("Residents of the owner's municipality and of municipalities with an agreement"),
    OpenTo.REGION.value: _l("Residents of any municipality in the region"),
    OpenTo.ANYONE.value: _l("Anyone, wherever they live"),
}
REFERRAL_RULE_LABELS = {
    ReferralRule.REFUSE.value: _l("Refuse them"),
    ReferralRule.WARN.value: _l("Send them marked as exceptions, for us to decide on"),
}


@dataclass(frozen=True)
class AgreementTerms:
    """What the verdict needs of an agreement (plain data, shared between requests)."""

    id: int
    name: str
    price_per_week_sek: int
    valid_from: date | None
    valid_until: date | None
    members: frozenset[int]

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Place:
    """A municipality of the region: its organisation's id and name."""

    organisation_id: int
    code: str
    name: str  # "Osby", from "Osby kommun"


@dataclass(frozen=True)
class Verdict:
    open: bool
    price_per_week_sek: int | None  # what the home municipality pays per week; None when not open
    agreement_id: int | None
    agreement_name: str | None
    reason: str  # in the interface language of the moment
    may_refer: bool = True
    referral_rule: ReferralRule = ReferralRule.WARN
    referral_reason: str = ""

    @property
    def referral_refused(self) -> bool:
        return not self.may_refer and self.referral_rule == ReferralRule.REFUSE

    @property
    def refused(self) -> bool:
        """A request is refused: not open, or not a referrer, and the owner takes no exceptions."""
        return (not self.open or not self.may_refer) and self.referral_rule == ReferralRule.REFUSE

    @property
    def exception(self) -> bool:
        """A request is sent marked as an exception, for the owner to decide on."""
        return (not self.open or not self.may_refer) and self.referral_rule == ReferralRule.WARN

    @property
    def refusal(self) -> str:
        """Why a request cannot be sent (or is an exception), in plain words."""
        return " ".join(part for part in ((self.reason if not self.open else ""),
                                          (self.referral_reason if not self.may_refer else "")) if part)

    def as_json(self) -> dict[str, Any]:
        return {"open": self.open, "price_per_week_sek": self.price_per_week_sek,
                "agreement": self.agreement_name, "reason": self.reason}


# --------------------------------------------------------------------------- places


def municipality_name(organisation: Organisation | None) -> str:
    """"Kristianstads kommun" → "Kristianstad", "Osby kommun" → "Osby" (else the name as it is)."""
    if organisation is None:
        return ""
    return _short_name(organisation.name, organisation.kind)


def _short_name(name: str, kind: OrganisationKind) -> str:
    if kind == OrganisationKind.KOMMUN and name.endswith(" kommun"):
        stem = name[: -len(" kommun")]
        if stem.endswith("s") and stem[-2:-1].lower() not in "aeiouyåäösxz":
            stem = stem[:-1]
        return stem
    return name


def region_municipalities() -> dict[str, Place]:
    """Municipality code → the region's municipality (organisations of kind kommun); shared
    between requests like the other reference data (a write forgets it)."""
    return _reference_data("region_places", _read_places)


def _read_places() -> dict[str, Place]:
    rows = db.session.execute(
        db.select(Organisation.id, Organisation.municipality_code, Organisation.name, Organisation.kind)
        .where(Organisation.kind == OrganisationKind.KOMMUN, Organisation.municipality_code.is_not(None))
        .order_by(Organisation.name)
    ).all()
    return {code: Place(organisation_id, code, _short_name(name, kind)) for organisation_id, code, name, kind in rows}


def all_agreement_terms() -> list[AgreementTerms]:
    return _reference_data("agreement_terms", _read_agreements)


def _read_agreements() -> list[AgreementTerms]:
    members: dict[int, set[int]] = {}
    for agreement_id, organisation_id in db.session.execute(
            db.select(agreement_members.c.agreement_id, agreement_members.c.organisation_id)).all():
        members.setdefault(agreement_id, set()).add(organisation_id)
    rows = db.session.execute(db.select(Agreement.id, Agreement.name, Agreement.price_per_week_sek,
                                        Agreement.valid_from, Agreement.valid_until).order_by(Agreement.name)).all()
    return [AgreementTerms(row.id, row.name, row.price_per_week_sek, row.valid_from, row.valid_until,
                           frozenset(members.get(row.id, ()))) for row in rows]


def valid_agreements(day: date | None = None) -> list[AgreementTerms]:
    day = day or _today()
    return [agreement for agreement in all_agreement_terms() if agreement.is_valid_on(day)]


def is_known_home(code: str | None) -> bool:
    return code == HOME_OTHER or (bool(code) and code in region_municipalities())


def home_name(code: str | None) -> str:
    if code == HOME_OTHER:
        return _("another municipality")
    place = region_municipalities().get(code or "")
    return place.name if place else (code or "")


def owner_area(owner: Organisation, municipalities: dict[str, Place] | None = None) -> set[str]:
    """The municipality codes whose residents are the owner's own: a municipality's code;
    a region's every municipality; none for other organisations."""
    if owner.kind == OrganisationKind.REGION:
        return set(municipalities if municipalities is not None else region_municipalities())
    return {owner.municipality_code} if owner.municipality_code else set()


def agreement_between(owner_id: int, home_organisation_id: int | None,
                      day: date | None = None) -> AgreementTerms | None:
    """The valid agreement with both as members (the cheapest, then by name), else None."""
    if home_organisation_id is None or home_organisation_id == owner_id:
        return None
    found = [agreement for agreement in valid_agreements(day)
             if {owner_id, home_organisation_id} <= agreement.members]
    return min(found, key=lambda agreement: (agreement.price_per_week_sek, agreement.name)) if found else None


def partner_organisation_ids(home: str | None, day: date | None = None) -> set[int]:
    """The organisations with a valid agreement with the home municipality (for the search filter)."""
    place = region_municipalities().get(home or "")
    if place is None:
        return set()
    ids: set[int] = set()
    for agreement in valid_agreements(day):
        if place.organisation_id in agreement.members:
            ids |= agreement.members
    ids.discard(place.organisation_id)
    return ids


# --------------------------------------------------------------------------- verdict


def _price_text(price: int) -> str:
    return format_decimal(price)


def verdict(intervention: Intervention, home: str | None, referrer_organisation: Organisation | None = None,
            today: date | None = None, *, with_price: bool = True) -> Verdict | None:
    """The verdict for a resident of ``home``, referred by ``referrer_organisation``; None
    when no home municipality is stated. Without ``with_price`` (a visitor, who may not see
    prices) the price is None and the reason does not name it."""
    if not home:
        return None
    day = today or _today()
    owner = intervention.organisation
    municipalities = region_municipalities()
    place = municipalities.get(home)
    where = home_name(home)
    own = home in owner_area(owner, municipalities)
    agreement = None if own else agreement_between(owner.id, place.organisation_id if place else None, day)
    open_to = intervention.open_to or OpenTo.ANYONE
    if own:
        is_open = True
    elif open_to == OpenTo.OWN:
        is_open = False
    elif open_to == OpenTo.AGREEMENT:
        is_open = agreement is not None
    elif open_to == OpenTo.REGION:
        is_open = place is not None
    else:
        is_open = True
    price: int | None
    if not is_open:
        price, agreement = None, None
        reason = _closed_reason(open_to, owner)
    elif own:
        price = 0
        reason = _("Open to residents of %(home)s: it is their own municipality's intervention, free of charge.",
                   home=where) if owner.kind == OrganisationKind.KOMMUN else _(
            "Open to residents of %(home)s, free of charge.", home=where)
    else:
        other = intervention.price_per_week_other_sek
        if agreement is not None:
            price = other if other is not None else agreement.price_per_week_sek
        else:
            price = other if other is not None else (intervention.price_per_week_sek or 0)
        reason = _open_reason(where, price, agreement) if with_price else _open_reason_without_price(where, agreement)
        if not with_price:
            price = None
    may_refer, referral_reason = _referral(intervention, referrer_organisation)
    return Verdict(open=is_open, price_per_week_sek=price, agreement_id=agreement.id if agreement else None,
                   agreement_name=agreement.name if agreement else None, reason=reason,
                   may_refer=may_refer, referral_rule=intervention.referral_rule or ReferralRule.WARN,
                   referral_reason=referral_reason)


def _open_reason(where: str, price: int, agreement: AgreementTerms | None) -> str:
    if agreement is not None and price == 0:
        return _("Open to residents of %(home)s — free under the %(agreement)s agreement.",
                 home=where, agreement=agreement.name)
    if agreement is not None:
        return _("Open to residents of %(home)s at %(price)s kr per week under the %(agreement)s agreement, "
                 "paid by %(home)s.", home=where, price=_price_text(price), agreement=agreement.name)
    if price == 0:
        return _("Open to residents of %(home)s, free of charge.", home=where)
    return _("Open to residents of %(home)s at %(price)s kr per week, paid by %(home)s.",
             home=where, price=_price_text(price))


def _open_reason_without_price(where: str, agreement: AgreementTerms | None) -> str:
    if agreement is not None:
        return _("Open to residents of %(home)s under the %(agreement)s agreement.", home=where,
                 agreement=agreement.name)
    return _("Open to residents of %(home)s.", home=where)


def _closed_reason(open_to: OpenTo, owner: Organisation) -> str:
    owner_place = municipality_name(owner)
    if open_to == OpenTo.OWN:
        return _("Only for residents of %(owner)s.", owner=owner_place)
    if open_to == OpenTo.AGREEMENT:
        return _("Only for residents of %(owner)s and of municipalities with an agreement with it.",
                 owner=owner_place)
    return _("Only for residents of the region's municipalities.")


def _referral(intervention: Intervention, organisation: Organisation | None) -> tuple[bool, str]:
    """Whether ``organisation`` may refer (the owner always may; no list: anyone may)."""
    if organisation is None:
        return True, ""
    codes = {term.code for term in intervention.referrers} - {"egen_anmalan"}
    if not codes or organisation.id == intervention.organisation_id:
        return True, ""
    if REFERRER_OF_KIND.get(organisation.kind) in codes:
        return True, ""
    names = ", ".join(term.label(_locale()) for term in intervention.referrers if term.code != "egen_anmalan")
    if intervention.referral_rule == ReferralRule.REFUSE:
        return False, _("Only %(referrers)s may refer to this intervention, so %(organisation)s cannot send a "
                        "request.", referrers=names, organisation=organisation.name)
    return False, _("Only %(referrers)s usually refer to this intervention. A request from %(organisation)s "
                    "is sent as an exception for the owner to decide on.", referrers=names,
                    organisation=organisation.name)


def _locale() -> str:
    from portal.i18n import current_locale_code

    try:
        return current_locale_code()
    except RuntimeError:
        return "sv"


def search_keys(home: str | None, day: date | None = None) -> list[str]:
    """The search engine's ``eligible`` values that a resident of ``home`` may use.

    A document carries (see ``eligibility_keys``): "anyone"; "region" when open to the
    region; "home:<code>" for each municipality whose residents are the owner's own;
    "partners:<owner id>" when open to agreement partners. Partners are computed here,
    from the agreements valid today, so a changed agreement needs no re-indexing.
    """
    if not home:
        return []
    keys = ["anyone", f"home:{home}"]
    if home in region_municipalities():
        keys.append("region")
        keys.extend(f"partners:{organisation_id}" for organisation_id in sorted(partner_organisation_ids(home, day)))
    return keys


def eligibility_keys(intervention: Intervention) -> list[str]:
    """What the search document of ``intervention`` carries for the eligibility filter."""
    open_to = intervention.open_to or OpenTo.ANYONE
    keys = [f"home:{code}" for code in sorted(owner_area(intervention.organisation))]
    if open_to == OpenTo.ANYONE:
        keys.append("anyone")
    if open_to in (OpenTo.ANYONE, OpenTo.REGION):
        keys.append("region")
    if open_to == OpenTo.AGREEMENT:
        keys.append(f"partners:{intervention.organisation_id}")
    return keys
