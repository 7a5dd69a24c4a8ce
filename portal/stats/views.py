"""Follow-up pages: the dashboard (region or own organisation), the public /statistik page,
their charts (SVG) and CSV files. Views parse and render; ``services`` decides who sees what."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import Action, scope_of
from portal.accounts.permissions import Scope as PermissionScope
from portal.booking.labels import REASON_LABELS
from portal.booking.services import region_municipalities
from portal.catalogue.models import Organisation, Vocabulary
from portal.catalogue.taxonomy import terms
from portal.exceptions import NotFound
from portal.extensions import db
from portal.i18n import current_locale_code, localized_route
from portal.stats import charts, exports, figures, queries, services, targets
from portal.stats.cache import cached
from portal.stats.queries import Scope

bp = Blueprint("stats", __name__)

CHARTS = ("outcomes", "flows", "months")


def _report(scope: Scope, *, public: bool) -> dict:
    locale = current_locale_code()
    return cached("report", scope, locale, public, compute=lambda: _compute_report(scope, locale, public=public))


def _compute_report(scope: Scope, locale: str, *, public: bool) -> dict:
    with queries.one_reading():
        return _read_report(scope, locale, public=public)


def _read_report(scope: Scope, locale: str, *, public: bool) -> dict:
    flows = figures.flows(scope)
    report = {
        "scope": scope, "public": public, "min_cell": figures.min_cell(),
        "headline": figures.headline(scope, flows), "flows": flows,
        "outcomes": figures.outcomes(scope, locale), "funnel": figures.funnel(scope),
        "funnel_labels": figures.FUNNEL_LABELS, "reason_labels": REASON_LABELS,
        "measure_labels": figures.FLOW_MEASURE_LABELS,
    }
    if not public:
        report["capacity"] = figures.capacity(scope, locale)
    report["target_periods"] = targets.target_periods(scope) if scope.organisation_id is None else []
    return report


def _filter_choices() -> dict:
    return {"municipalities": region_municipalities(), "types": terms(Vocabulary.TYPE)}


def _query(scope: Scope) -> dict:
    values = {"from": scope.start.isoformat(), "to": scope.end.isoformat()}
    if scope.municipality:
        values["municipality"] = scope.municipality
    if scope.type_code:
        values["type"] = scope.type_code
    if scope.organisation_id is not None and not request.endpoint.startswith("stats.public"):
        values["organisation"] = scope.organisation_id
    return values


@localized_route(bp, "/stats")
@login_required
def dashboard():
    scope = services.dashboard_scope(current_user, request.args)
    organisations = []
    if scope_of(current_user, Action.VIEW_STATISTICS) is PermissionScope.ALL:
        organisations = list(db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars())
    return render_template("stats/dashboard.html", **_report(scope, public=False), **_filter_choices(),
                           organisations=organisations, organisation_name=services.organisation_name(scope),
                           query=_query(scope), chart_endpoint="stats.chart", csv_endpoint="stats.csv_file")


@localized_route(bp, "/statistik")
def public():
    scope = services.public_scope(request.args)
    return render_template("stats/public.html", **_report(scope, public=True), **_filter_choices(),
                           query=_query(scope), chart_endpoint="stats.public_chart",
                           csv_endpoint="stats.public_csv_file")


def _chart(scope: Scope, name: str) -> Response:
    if name not in CHARTS:
        raise NotFound()
    report = _report(scope, public=request.endpoint == "stats.public_chart")
    if name == "outcomes":
        svg = charts.bars(report["outcomes"].by_gender, _("Outcomes by gender"))
    elif name == "flows":
        svg = charts.matrix(report["flows"].by_measure["requests"],
                            _("Requests by home municipality (rows) and owner (columns)"))
    else:
        svg = charts.line(report["funnel"].per_month, _("Requests per month"), _("Requests"))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@localized_route(bp, "/stats/charts/<name>.svg")
@login_required
def chart(name: str):
    return _chart(services.dashboard_scope(current_user, request.args), name)


@localized_route(bp, "/statistik/charts/<name>.svg")
def public_chart(name: str):
    return _chart(services.public_scope(request.args), name)


@localized_route(bp, "/stats/<name>.csv")
@login_required
def csv_file(name: str):
    return exports.csv_response(name, services.dashboard_scope(current_user, request.args), public=False)


@localized_route(bp, "/statistik/<name>.csv")
def public_csv_file(name: str):
    return exports.csv_response(name, services.public_scope(request.args), public=True)


@bp.app_context_processor
def _statistics_link() -> dict:
    def statistics_url() -> str:
        if scope_of(current_user, Action.VIEW_STATISTICS) is not None:
            return url_for("stats.dashboard")
        return url_for("stats.public") if current_app.config.get("STATS_PUBLIC", True) else ""

    return {"statistics_url": statistics_url}


# ------------------------------------------------------------------------------ follow-up prompts


@localized_route(bp, "/follow-up")
@login_required
def follow_up_list():
    from portal.stats.follow_up import open_prompts

    return render_template("stats/follow_up_list.html", prompts=open_prompts(current_user))


@localized_route(bp, "/follow-up/<int:prompt_id>", methods=["GET", "POST"])
@login_required
def answer_follow_up(prompt_id: int):
    from portal.exceptions import InvalidInput
    from portal.stats import follow_up

    prompt = follow_up.get_own(current_user, prompt_id)
    error = None
    if request.method == "POST":
        try:
            follow_up.answer_prompt(current_user, prompt_id, request.form.get("answer"))
        except InvalidInput as exc:
            error = exc.message
        else:
            flash(_("Thank you. Your answer is counted in the follow-up."), "success")
            return redirect(url_for("stats.follow_up_list"))
    return render_template("stats/follow_up_answer.html", prompt=prompt, error=error,
                           answers=follow_up.ANSWER_LABELS), (422 if error else 200)


# ------------------------------------------------------------------------------ targets


@localized_route(bp, "/stats/targets", methods=["GET", "POST"])
@login_required
def edit_targets():
    from datetime import date

    from portal.accounts.permissions import require
    from portal.exceptions import InvalidInput
    from portal.parsing import parse_int
    from portal.stats import targets
    from portal.stats.models import TargetMeasure

    require(current_user, Action.MANAGE_REGION)
    errors: dict = {}
    values = {}
    if request.method == "POST":
        try:
            start = date.fromisoformat(request.form.get("period_start", ""))
            end = date.fromisoformat(request.form.get("period_end", ""))
        except ValueError:
            errors["period_start"] = _("Give the date as YYYY-MM-DD.")
        for measure in TargetMeasure:
            raw = (request.form.get(measure.value) or "").strip()
            values[measure] = parse_int(raw, minimum=0, maximum=targets.MAX_TARGET) if raw else None
            if raw and values[measure] is None:
                errors[measure.value] = _("Give a whole number from 0 to %(num)s.", num=targets.MAX_TARGET)
        if not errors:
            try:
                targets.set_targets(current_user, start, end, values)
            except InvalidInput as exc:
                errors[exc.field or "period_start"] = exc.message
            else:
                flash(_("The targets have been saved."), "success")
                return redirect(url_for("stats.edit_targets"))
    return render_template("stats/targets.html", periods=targets.target_periods(), errors=errors,
                           form=request.form, measures=targets.MEASURE_LABELS,
                           defaults=targets.APPLICATION_TARGETS), (422 if errors else 200)

