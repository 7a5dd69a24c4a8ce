"""Who may see which figures, and the period and filters a request asks for.

Views and the API call ``dashboard_scope`` or ``public_scope`` with the query parameters;
a bad parameter raises ``InvalidInput`` and a refused one ``PermissionDenied``, both before
any figure is computed, so a refused request reveals nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.permissions import Action, require, scope_of
from portal.accounts.permissions import Scope as PermissionScope
from portal.catalogue.models import Organisation, TaxonomyTerm, Vocabulary
from portal.exceptions import InvalidInput, NotFound, PermissionDenied
from portal.extensions import db
from portal.parsing import parse_int
from portal.stats.queries import Scope
from portal.timeutil import today

MAX_YEARS = 10
MUNICIPALITY_CODE = re.compile(r"^[0-9]{4}$")
TYPE_CODE = re.compile(r"^[a-z0-9_-]{1,50}$")


def default_period(on: date | None = None) -> tuple[date, date]:
    """The last twelve months up to and including today."""
    end = on or today()
    return end - relativedelta(months=12) + timedelta(days=1), end


def _date(args, name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_l("Give the date as YYYY-MM-DD."), name) from None


def parse_filters(args: Any) -> Scope:
    """Period (``from``, ``to``), owning ``municipality`` and intervention ``type`` of a request."""
    start_default, end_default = default_period()
    start, end = _date(args, "from", start_default), _date(args, "to", end_default)
    if not (1900 <= start.year <= 2100 and 1900 <= end.year <= 2100):
        raise InvalidInput(_l("Give a date between the years 1900 and 2100."), "from")
    if start > end:
        raise InvalidInput(_l("The start of the period must come before its end."), "from")
    if end - start > timedelta(days=366 * MAX_YEARS):
        raise InvalidInput(_l("Choose a period of at most %(num)s years.", num=MAX_YEARS), "from")
    municipality = (args.get("municipality") or "").strip() or None
    if municipality is not None and not (MUNICIPALITY_CODE.match(municipality) and db.session.execute(
            db.select(Organisation.id).where(Organisation.municipality_code == municipality)).first()):
        raise InvalidInput(_l("Choose a municipality from the list."), "municipality")
    type_code = (args.get("type") or "").strip() or None
    if type_code is not None and not (TYPE_CODE.match(type_code) and db.session.execute(
            db.select(TaxonomyTerm.id).where(TaxonomyTerm.vocabulary == Vocabulary.TYPE,
                                             TaxonomyTerm.code == type_code)).first()):
        raise InvalidInput(_l("Choose a type from the list."), "type")
    return Scope(start, end, municipality, type_code)


def dashboard_scope(actor: Any, args: Any) -> Scope:
    """The figures ``actor`` may see: the region's (or one organisation's) for a region
    administrator, their own organisation's (both directions) for an organisation administrator."""
    require(actor, Action.VIEW_STATISTICS)
    raw = (args.get("organisation") or "").strip()
    organisation_id = None
    if raw:
        organisation_id = parse_int(raw, minimum=1)
        if organisation_id is None:
            raise InvalidInput(_l("Choose an organisation from the list."), "organisation")
    if scope_of(actor, Action.VIEW_STATISTICS) is not PermissionScope.ALL:
        if organisation_id not in (None, actor.organisation_id) or actor.organisation_id is None:
            raise PermissionDenied(_l("You may see the figures of your own organisation only."))
        organisation_id = actor.organisation_id
    elif organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise InvalidInput(_l("Choose an organisation from the list."), "organisation")
    scope = parse_filters(args)
    return Scope(scope.start, scope.end, scope.municipality, scope.type_code, organisation_id)


def public_scope(args: Any) -> Scope:
    """The region's figures for anyone, when the region publishes them (``STATS_PUBLIC``)."""
    if not current_app.config.get("STATS_PUBLIC", True):
        raise NotFound(_l("The follow-up figures are not published."))
    return parse_filters(args)


def api_scope(actor: Any, args: Any) -> Scope:
    """The API: the region's figures, for anyone when published, else for region administrators."""
    if scope_of(actor, Action.VIEW_STATISTICS) is PermissionScope.ALL:
        return parse_filters(args)
    return public_scope(args)


def organisation_name(scope: Scope) -> str | None:
    if scope.organisation_id is None:
        return None
    organisation = db.session.get(Organisation, scope.organisation_id)
    return organisation.name if organisation else None
