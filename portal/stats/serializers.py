"""The follow-up figures as JSON for ``/api/v1/stats/…``: a count is ``{"count", "suppressed"}``,
and a hidden count is ``null`` with ``"suppressed": true``."""

from __future__ import annotations

from typing import Any

from portal.stats import figures
from portal.stats.queries import Scope


def _frame(scope: Scope) -> dict[str, Any]:
    return {"period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
            "filters": {"municipality": scope.municipality, "type": scope.type_code},
            "min_cell": figures.min_cell()}


def flows_json(scope: Scope) -> dict[str, Any]:
    flows = figures.flows(scope)
    requests = flows.by_measure["requests"]
    owners = _owner_codes(requests.table.columns)
    rows = []
    for home in requests.table.rows:
        for owner in requests.table.columns:
            rows.append({
                "home_municipality": home or None, "home_name": str(requests.row_labels[home]),
                "owner": {"name": requests.column_labels[owner], "municipality_code": owners.get(owner)},
                **{measure: flows.by_measure[measure].table.cell(home, owner).as_json()
                   for measure in figures.FLOW_MEASURES},
            })
    return {**_frame(scope), "rows": rows,
            "totals": {measure: flows.by_measure[measure].table.total.as_json() for measure in figures.FLOW_MEASURES},
            "placements_outside_home": flows.outside.as_json(), "placements_in_home": flows.inside.as_json(),
            "outside_share_percent": flows.outside_share}


def _owner_codes(ids) -> dict[int, str | None]:
    from portal.catalogue.models import Organisation
    from portal.extensions import db

    return dict(db.session.execute(db.select(Organisation.id, Organisation.municipality_code)
                                   .where(Organisation.id.in_(list(ids)))).all())


def _category(key: str) -> dict[str, Any]:
    status, value = key.split(":", 1)
    return {"status": status, "outcome": value if status == "completed" else None,
            "reason": value if status == "interrupted" else None}


def outcomes_json(scope: Scope, locale: str) -> dict[str, Any]:
    outcomes = figures.outcomes(scope, locale)
    gender, by_type = outcomes.by_gender.table, outcomes.by_type.table
    return {
        **_frame(scope),
        "by_gender": [{**_category(row), "gender": column, **gender.cell(row, column).as_json()}
                      for row in gender.rows for column in gender.columns],
        "by_type": [{**_category(row), "type": column, **by_type.cell(row, column).as_json()}
                    for row in by_type.rows for column in by_type.columns],
        "total": gender.total.as_json(),
    }


def funnel_json(scope: Scope) -> dict[str, Any]:
    funnel = figures.funnel(scope)
    return {
        **_frame(scope),
        "steps": {key: cell.as_json() for key, cell in funnel.steps.items()},
        "acceptance_rate_percent": funnel.acceptance_rate,
        "median_days": dict(funnel.waiting),
        "decline_reasons": {key: cell.as_json() for key, cell in funnel.decline_reasons.items()},
        "per_month": [{"month": month, **cell.as_json()} for month, cell in funnel.per_month.items()],
    }
