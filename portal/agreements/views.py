"""The region administrator's agreement pages: list, create, edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import Action, require
from portal.agreements import services
from portal.agreements.forms import KIND_LABELS, AgreementForm
from portal.agreements.models import Agreement, AgreementKind
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.i18n import localized_route
from portal.organisations import Organisation
from portal.timeutil import today

bp = Blueprint("agreements", __name__)


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


@localized_route(bp, "/admin/agreements/new", methods=["GET", "POST"])
@login_required
def create_agreement():
    require(current_user, Action.MANAGE_AGREEMENTS)
    form = _prepared(AgreementForm())
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(current_user, _values(form))
        except InvalidInput as exc:
            db.session.rollback()
            _show_errors(form, exc.errors)
        else:
            flash(_("The agreement %(name)s has been created.", name=agreement.name), "success")
            return redirect(url_for("agreements.list_agreements"))
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
    if form.validate_on_submit():
        try:
            services.update_agreement(current_user, agreement, _values(form))
        except InvalidInput as exc:
            db.session.rollback()
            _show_errors(form, exc.errors)
        else:
            flash(_("The changes to the agreement %(name)s have been saved.", name=agreement.name), "success")
            return redirect(url_for("agreements.list_agreements"))
    agreement = db.session.get(Agreement, agreement_id)
    return render_template("agreements/form.html", form=form, agreement=agreement), (422 if form.errors else 200)
