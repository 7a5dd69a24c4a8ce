"""``flask portal import --format hsds FILE``: an HSDS 3.0 services list into the catalogue.

The file is another region's export or this portal's: a JSON list of services, an HSDS
``Page`` (``{"contents": [...]}``) or ndjson, one service a line. Each service is turned
into a record of the existing import format and goes through the one write path of
``portal.catalogue.importer`` (the same validation, row errors, dry run, audit and index
jobs as ``flask portal import``). The service's HSDS id becomes the external id, so that a
service keeps its id from portal to portal and importing the same file again updates it.

What HSDS has no field for is left to the defaults: capacity and free places 0, delivery
on site. The owner is found by the organisation's municipality code (an
``organization_identifiers`` entry of type ``kommunkod``, else a service area whose extent
is a municipality code). Attributes in our vocabularies (type, target_group, referrer) map
to our codes; a service with no type of ours is "ovrigt".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from portal.catalogue.importer import ImportFileError, _genitive_s
from portal.hsds.mapping import HOURS_PER_WEEK, MUNICIPALITY_CODE_TYPE, split_eligibility_description

FALLBACK_TYPE = "ovrigt"
SUMMARY_MAX = 1000
MUNICIPALITY_CODE = re.compile(r"^\d{4}$")
STATUSES = {  # HSDS status → (our status, enrolment open)
    "active": ("published", True),
    "temporarily closed": ("published", False),
    "inactive": ("archived", False),
    "defunct": ("archived", False),
}


def read_services(path: Path | str) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"not HSDS JSON or ndjson: line {exc.lineno}: {exc.msg}") from exc
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError("the file must hold a list of HSDS services (JSON list, Page or ndjson)")
    return data


def records_from_services(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record_from_service(service) for service in services]


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def municipality_code(service: dict[str, Any]) -> str | None:
    organization = service.get("organization") if isinstance(service.get("organization"), dict) else {}
    for identifier in _list(organization.get("organization_identifiers")):
        if identifier.get("identifier_type") == MUNICIPALITY_CODE_TYPE:
            return _text(identifier.get("identifier")) or None
    for area in _list(service.get("service_areas")):
        extent = _text(area.get("extent"))
        if MUNICIPALITY_CODE.match(extent):
            return extent
    return None


def municipality_name(organization_name: str) -> str:
    """"Kristianstads kommun" → "Kristianstad": the importer names a new organisation from it."""
    name = organization_name.strip()
    if not name.endswith(" kommun"):
        return name
    base = name[: -len(" kommun")]
    if base.endswith("s") and _genitive_s(base[:-1]) == "s":
        base = base[:-1]
    return base


def _split_description(text: str) -> tuple[str, str]:
    summary, _, description = text.partition("\n\n")
    if len(summary) > SUMMARY_MAX:
        return summary[: SUMMARY_MAX - 1].rstrip() + "…", text
    return summary, description


def _codes(service: dict[str, Any], vocabulary: str) -> list[str]:
    codes = []
    for attribute in _list(service.get("attributes")):
        term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
        kind = attribute.get("link_type") or term.get("taxonomy")
        code = _text(attribute.get("value")) or _text(term.get("code"))
        if kind == vocabulary and code:
            codes.append(code)
    return codes


def _place(service: dict[str, Any]) -> dict[str, Any]:
    for link in _list(service.get("service_at_locations")):
        location = link.get("location") if isinstance(link.get("location"), dict) else {}
        if location.get("location_type", "physical") != "physical":
            continue
        address = next(iter(_list(location.get("addresses"))), {})
        accessibility = next(iter(_list(location.get("accessibility"))), {})
        return {
            "unit": _text(location.get("name")),
            "address": _text(address.get("address_1")),
            "postcode": _text(address.get("postal_code")),
            "city": _text(address.get("city")),
            "lat": location.get("latitude"),
            "lon": location.get("longitude"),
            "accessibility": _text(accessibility.get("description")),
        }
    return {}


def _schedule_fields(service: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"start_dates": []}
    for schedule in _list(service.get("schedules")):
        start = _text(schedule.get("dtstart"))[:10]
        if start:
            fields["start_dates"].append(start)
        elif schedule.get("freq") == "WEEKLY":
            if schedule.get("count") is not None:
                fields["duration_weeks"] = schedule["count"]
            for attribute in _list(schedule.get("attributes")):
                if attribute.get("link_type") == HOURS_PER_WEEK:
                    fields["hours_per_week"] = attribute.get("value")
    return fields


def _contact(service: dict[str, Any]) -> dict[str, Any]:
    contact = next(iter(_list(service.get("contacts"))), {})
    phone = next(iter(_list(contact.get("phones"))), {})
    return {
        "contact_name": _text(contact.get("name")),
        "contact_email": _text(contact.get("email")) or _text(service.get("email")),
        "contact_phone": _text(phone.get("number")),
    }


def _price(service: dict[str, Any]) -> int | None:
    for option in _list(service.get("cost_options")):
        amount = option.get("amount")
        if option.get("currency") == "SEK" and isinstance(amount, int | float) and amount >= 0:
            return int(amount)
    return None


def record_from_service(service: dict[str, Any]) -> dict[str, Any]:
    """One HSDS service as a record of the import format (the importer validates it)."""
    organization = service.get("organization") if isinstance(service.get("organization"), dict) else {}
    summary, description = _split_description(_text(service.get("description")))
    status, enrolment_open = STATUSES.get(_text(service.get("status")), ("published", True))
    types = _codes(service, "type")
    eligibility, open_to = split_eligibility_description(_text(service.get("eligibility_description")))
    record: dict[str, Any] = {
        "id": service.get("id"),
        "municipality_code": municipality_code(service),
        "municipality": municipality_name(_text(organization.get("name"))),
        "title": _text(service.get("name")),
        "summary": summary,
        "description": description,
        "type": types[0] if types else FALLBACK_TYPE,
        "target_groups": _codes(service, "target_group"),
        "referrers": _codes(service, "referrer"),
        "languages": [_text(language.get("code")).split("-")[0].lower()
                      for language in _list(service.get("languages")) if _text(language.get("code"))],
        "capacity": 0,
        "places_available": 0,
        "status": status,
        "enrolment_open": enrolment_open,
        "eligibility": eligibility,
        "open_to": open_to,
        "closed_periods": _text(service.get("alert")),
        "confirmed_on": _text(service.get("assured_date"))[:10] or None,
        "cost_per_week_sek": _price(service),
        **_place(service),
        **_schedule_fields(service),
        **_contact(service),
    }
    return {key: value for key, value in record.items() if value not in (None, "")}
