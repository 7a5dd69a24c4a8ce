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

from portal.agreements.models import Agreement
from portal.catalogue.models import Intervention, OpenTo, ReferralRule
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
    ReferralRule.REFUSE.value: _l("Refuse requests from anyone else"),
    ReferralRule.WARN.value: _l("Warn, and let me decide on each request"),
}


@dataclass(frozen=True)
class Verdict:
    open: bool
    price_per_week_sek: int | None  # what the home municipality pays per week; None when not open
    agreement: Agreement | None
    reason: str  # in the interface language of the moment
    may_refer: bool = True
    referral_rule: ReferralRule = ReferralRule.WARN
    referral_reason: str = ""

    @property
    def agreement_name(self) -> str | None:
        return self.agreement.name if self.agreement is not None else None

    @property
    def referral_refused(self) -> bool:
        return not self.may_refer and self.referral_rule == ReferralRule.REFUSE

    def as_json(self) -> dict[str, Any]:
        return {"open": self.open, "price_per_week_sek": self.price_per_week_sek,
                "agreement": self.agreement_name, "reason": self.reason}


# --------------------------------------------------------------------------- places


def municipality_name(organisation: Organisation | None) -> str:
    """"Kristianstads kommun" → "Kristianstad", "Osby kommun" → "Osby" (else the name as it is)."""
    if organisation is None:
        return ""
    name = organisation.name
    if organisation.kind == OrganisationKind.KOMMUN and name.endswith(" kommun"):
        stem = name[: -len(" kommun")]
        if stem.endswith("s") and stem[-2:-1].lower() not in "aeiouyåäösxz":
            stem = stem[:-1]
        return stem
    return name


def region_municipalities() -> dict[str, Organisation]:
    """Municipality code → the region's municipality (organisation of kind kommun)."""
    rows = db.session.execute(
        db.select(Organisation).where(Organisation.kind == OrganisationKind.KOMMUN,
                                      Organisation.municipality_code.is_not(None))
    ).scalars()
    return {organisation.municipality_code: organisation for organisation in rows}


def is_known_home(code: str | None) -> bool:
    return code == HOME_OTHER or (bool(code) and code in region_municipalities())


def home_name(code: str | None) -> str:
    if code == HOME_OTHER:
        return _("another municipality")
    return municipality_name(region_municipalities().get(code or ""))


def owner_area(owner: Organisation, municipalities: dict[str, Organisation] | None = None) -> set[str]:
    """The municipality codes whose residents are the owner's own: a municipality's code;
    a region's every municipality; none for other organisations."""
    if owner.kind == OrganisationKind.REGION:
        return set(municipalities if municipalities is not None else region_municipalities())
    return {owner.municipality_code} if owner.municipality_code else set()


def valid_agreements(day: date | None = None) -> list[Agreement]:
    day = day or _today()
    return [agreement for agreement in db.session.execute(db.select(Agreement)).scalars()
            if agreement.is_valid_on(day)]


def agreement_between(owner: Organisation, home_organisation: Organisation | None,
                      day: date | None = None) -> Agreement | None:
    """The valid agreement with both as members (the cheapest, then by name), else None."""
    if home_organisation is None or home_organisation.id == owner.id:
        return None
    found = [agreement for agreement in valid_agreements(day)
             if {owner.id, home_organisation.id} <= agreement.member_ids]
    return min(found, key=lambda agreement: (agreement.price_per_week_sek, agreement.name)) if found else None


def partner_organisation_ids(home: str | None, day: date | None = None) -> set[int]:
    """The organisations with a valid agreement with the home municipality (for the search filter)."""
    home_organisation = region_municipalities().get(home or "")
    if home_organisation is None:
        return set()
    ids: set[int] = set()
    for agreement in valid_agreements(day):
        members = agreement.member_ids
        if home_organisation.id in members:
            ids |= members
    ids.discard(home_organisation.id)
    return ids


# --------------------------------------------------------------------------- verdict


def _price_text(price: int) -> str:
    return format_decimal(price)


def verdict(intervention: Intervention, home: str | None, referrer_organisation: Organisation | None = None,
            today: date | None = None) -> Verdict | None:
    """The verdict for a resident of ``home``, referred by ``referrer_organisation``; None
    when no home municipality is stated."""
    if not home:
        return None
    day = today or _today()
    owner = intervention.organisation
    municipalities = region_municipalities()
    home_organisation = municipalities.get(home)
    where = home_name(home) if home_organisation is not None or home == HOME_OTHER else home
    own = home in owner_area(owner, municipalities)
    agreement = agreement_between(owner, home_organisation, day) if not own else None
    open_to = intervention.open_to or OpenTo.ANYONE
    if own:
        is_open = True
    elif open_to == OpenTo.OWN:
        is_open = False
    elif open_to == OpenTo.AGREEMENT:
        is_open = agreement is not None
    elif open_to == OpenTo.REGION:
        is_open = home_organisation is not None
    else:
        is_open = True
    price: int | None
    if not is_open:
        price, agreement = None, None
        reason = _closed_reason(open_to, owner, municipalities)
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
        reason = _open_reason(where, price, agreement)
    may_refer, referral_reason = _referral(intervention, referrer_organisation)
    return Verdict(open=is_open, price_per_week_sek=price, agreement=agreement, reason=reason,
                   may_refer=may_refer, referral_rule=intervention.referral_rule or ReferralRule.WARN,
                   referral_reason=referral_reason)


def _open_reason(where: str, price: int, agreement: Agreement | None) -> str:
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


def _closed_reason(open_to: OpenTo, owner: Organisation, municipalities: dict[str, Organisation]) -> str:
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
