"""The region administrator's agreement pages: list, create, edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import Action, require
from portal.agreements import eligibility, home, services
from portal.agreements.forms import KIND_LABELS, AgreementForm, HomeForm
from portal.agreements.models import Agreement, AgreementKind
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.i18n import localized_route
from portal.organisations import Organisation
from portal.timeutil import today
from portal.urls import safe_redirect_target

bp = Blueprint("agreements", __name__)


@bp.app_template_global("eligibility_verdict")
def eligibility_verdict(intervention) -> eligibility.Verdict | None:
    return home.current_verdict(intervention)


@bp.app_template_global("home_municipality_name")
def home_municipality_name(code: str | None) -> str:
    return eligibility.home_name(code)


@bp.app_template_global("participant_home")
def participant_home() -> dict | None:
    """What the "The participant lives in …" bar shows (None: not for this user)."""
    if not home.may_state_home():
        return None
    places = eligibility.region_municipalities()
    return {"code": home.current_home() or "", "name": eligibility.home_name(home.current_home()),
            "choices": [(place.code, place.name) for place in sorted(places.values(), key=lambda p: p.name)]
            + [(eligibility.HOME_OTHER, _("Another municipality"))]}


@localized_route(bp, "/participant/home", methods=["POST"])
@login_required
def set_home():
    """Change the participant's home municipality in one step, then back to the page."""
    require(current_user, Action.VIEW_INTERNAL)
    form = HomeForm()
    form.home.choices = [("", "")] + [(code, code) for code in eligibility.region_municipalities()] + [
        (eligibility.HOME_OTHER, "")]
    target = safe_redirect_target(request.form.get("next")) or url_for("search.search_page")
    if not form.validate_on_submit():
        flash(_("Choose a municipality from the list."), "error")
        return redirect(target)
    home.set_home(form.home.data or None)
    # A search page's own filter for the earlier home no longer applies.
    return redirect(_without_home_args(target))


def _without_home_args(target: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("open_to", "eligible", "page")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _prepared(form: AgreementForm) -> AgreementForm:
    organisations = db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars()
    form.members.choices = [(organisation.id, organisation.name) for organisation in organisations]
    return form


def _values(form: AgreementForm) -> services.AgreementValues:
    chosen = set(form.members.data or [])
    members = [organisation for organisation in db.session.execute(
        db.select(Organisation).where(Organisation.id.in_(chosen))).scalars()] if chosen else []
    return services.AgreementValues(
        name=form.name.data or "", kind=AgreementKind(form.kind.data), members=members,
        price_per_week_sek=form.price_per_week_sek.data, valid_from=form.valid_from.data,
        valid_until=form.valid_until.data)


def _show_errors(form: AgreementForm, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None) or form.name
        field.errors = [*field.errors, str(message)]


@localized_route(bp, "/admin/agreements")
@login_required
def list_agreements():
    require(current_user, Action.MANAGE_AGREEMENTS)
    return render_template("agreements/list.html", agreements=services.all_agreements(),
                           kind_labels=KIND_LABELS, today=today())


def _figures_scope():
    """The period and filters of the figures, after the permission (a refusal reveals nothing)."""
    from portal.stats.services import parse_filters

    require(current_user, Action.MANAGE_AGREEMENTS)
    return parse_filters(request.args)


def _figures_query(scope) -> dict:
    values = {"from": scope.start.isoformat(), "to": scope.end.isoformat()}
    if scope.municipality:
        values["municipality"] = scope.municipality
    if scope.type_code:
        values["type"] = scope.type_code
    return values


@localized_route(bp, "/admin/agreements/figures")
@login_required
def agreement_figures():
    """Flows by agreement and the weekly prices home municipalities committed to other owners."""
    from portal.agreements.statistics import TABLE_CAPTIONS, agreement_figures
    from portal.booking.services import region_municipalities
    from portal.catalogue.models import Vocabulary
    from portal.catalogue.taxonomy import terms
    from portal.stats.figures import min_cell

    scope = _figures_scope()
    return render_template("agreements/figures.html", figures=agreement_figures(current_user, scope),
                           captions=TABLE_CAPTIONS, scope=scope, query=_figures_query(scope),
                           min_cell=min_cell(), municipalities=region_municipalities(),
                           types=terms(Vocabulary.TYPE))


@localized_route(bp, "/admin/agreements/figures/<name>.csv")
@login_required
def agreement_figures_csv(name: str):
    """One table of the figures as CSV, in the follow-up's format."""
    from portal.agreements.statistics import TABLES, agreement_figures, table_rows
    from portal.stats.exports import rows_response

    scope = _figures_scope()
    if name not in TABLES:
        abort(404)
    return rows_response(table_rows(name, agreement_figures(current_user, scope)), name, scope)


def _save(form: AgreementForm, save, message):
    """A valid form saved by ``save(values)``: back to the list with ``message(agreement)``;
    None when the form or the service found errors (they are on the form, nothing changed)."""
    if not form.validate_on_submit():
        return None
    try:
        agreement = save(_values(form))
    except InvalidInput as exc:
        db.session.rollback()
        _show_errors(form, exc.errors)
        return None
    flash(message(agreement), "success")
    return redirect(url_for("agreements.list_agreements"))


@localized_route(bp, "/admin/agreements/new", methods=["GET", "POST"])
@login_required
def create_agreement():
    require(current_user, Action.MANAGE_AGREEMENTS)
    form = _prepared(AgreementForm())
    saved = _save(form, lambda values: services.create_agreement(current_user, values),
                  lambda agreement: _("The agreement %(name)s has been created.", name=agreement.name))
    if saved is not None:
        return saved
    return render_template("agreements/form.html", form=form, agreement=None), (422 if form.errors else 200)


@localized_route(bp, "/admin/agreements/<int:agreement_id>", methods=["GET", "POST"])
@login_required
def edit_agreement(agreement_id: int):
    require(current_user, Action.MANAGE_AGREEMENTS)
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        abort(404)
    if request.method == "POST":
        form = _prepared(AgreementForm())
    else:
        form = _prepared(AgreementForm(data={
            "name": agreement.name, "kind": agreement.kind.value, "members": sorted(agreement.member_ids),
            "price_per_week_sek": agreement.price_per_week_sek, "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until}))
    saved = _save(form, lambda values: services.update_agreement(current_user, agreement, values),
                  lambda saved: _("The changes to the agreement %(name)s have been saved.", name=saved.name))
    if saved is not None:
        return saved
    agreement = db.session.get(Agreement, agreement_id)
    return render_template("agreements/form.html", form=form, agreement=agreement), (422 if form.errors else 200)
