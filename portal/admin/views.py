"""Region administration pages: organisations, units, taxonomy and the audit log.

Only region administrators (``Action.MANAGE_REGION``; the audit log ``Action.VIEW_AUDIT``)
see these pages; everyone else gets 403 before anything is loaded or changed.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import Action, require
from portal.admin import services
from portal.admin.forms import (
    ORGANISATION_KIND_LABELS,
    VOCABULARY_LABELS,
    NewTermForm,
    OrganisationForm,
    TermForm,
    UnitForm,
    label_field_name,
)
from portal.catalogue.models import Organisation, TaxonomyTerm, Unit
from portal.extensions import db
from portal.i18n import LANGUAGES, localized_route
from portal.parsing import arg_int

bp = Blueprint("admin", __name__)


def _show_errors(form, errors: dict) -> None:
    """Put the service's messages next to the fields they belong to."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:  # a message about the record as a whole goes to its first field
            field = next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
        field.errors = [*field.errors, str(message)]


def _get_or_404(model, record_id: int):
    obj = db.session.get(model, record_id)
    if obj is None:
        abort(404)
    return obj


# ----------------------------------------------------------------------- organisations


@localized_route(bp, "/admin/organisations")
@login_required
def organisations():
    require(current_user, Action.MANAGE_REGION)
    items = db.session.execute(db.select(Organisation).order_by(Organisation.name)).scalars().all()
    from portal.booking.held_mail import held_counts

    return render_template("admin/organisations.html", organisations=items,
                           kind_labels=ORGANISATION_KIND_LABELS, held_counts=held_counts())


@localized_route(bp, "/admin/organisations/new", methods=["GET", "POST"])
@login_required
def create_organisation():
    require(current_user, Action.MANAGE_REGION)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(current_user, form.data)
        except services.InvalidInput as exc:
            _show_errors(form, exc.errors)
        else:
            flash(_("%(name)s has been created.", name=organisation.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@localized_route(bp, "/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int):
    require(current_user, Action.MANAGE_REGION)
    organisation = _get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(current_user, organisation, form.data)
        except services.InvalidInput as exc:
            db.session.rollback()  # nothing half-changed stays in the session
            _show_errors(form, exc.errors)
        else:
            flash(_("The changes to %(name)s have been saved.", name=organisation.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form,
                           organisation=_get_or_404(Organisation, organisation_id))


# ------------------------------------------------------------------------------- units


@localized_route(bp, "/admin/organisations/<int:organisation_id>/units")
@login_required
def units(organisation_id: int):
    require(current_user, Action.MANAGE_REGION)
    organisation = _get_or_404(Organisation, organisation_id)
    return render_template("admin/units.html", organisation=organisation, units=organisation.units)


@localized_route(bp, "/admin/organisations/<int:organisation_id>/units/new",
                 methods=["GET", "POST"])
@login_required
def create_unit(organisation_id: int):
    require(current_user, Action.MANAGE_REGION)
    organisation = _get_or_404(Organisation, organisation_id)
    form = UnitForm()
    if form.validate_on_submit():
        try:
            unit = services.create_unit(current_user, organisation, form.data)
        except services.InvalidInput as exc:
            _show_errors(form, exc.errors)
            organisation = _get_or_404(Organisation, organisation_id)
        else:
            flash(_("%(name)s has been created.", name=unit.name), "success")
            return redirect(url_for("admin.units", organisation_id=organisation_id))
    return render_template("admin/unit_form.html", form=form, organisation=organisation, unit=None)


@localized_route(bp, "/admin/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int):
    require(current_user, Action.MANAGE_REGION)
    unit = _get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        try:
            services.update_unit(current_user, unit, form.data)
        except services.InvalidInput as exc:
            db.session.rollback()
            _show_errors(form, exc.errors)
        else:
            flash(_("The changes to %(name)s have been saved.", name=unit.name), "success")
            return redirect(url_for("admin.units", organisation_id=unit.organisation_id))
    unit = _get_or_404(Unit, unit_id)
    return render_template("admin/unit_form.html", form=form, organisation=unit.organisation,
                           unit=unit)


# ---------------------------------------------------------------------------- taxonomy


@localized_route(bp, "/admin/taxonomy")
@login_required
def taxonomy():
    require(current_user, Action.MANAGE_REGION)
    return render_template("admin/taxonomy.html", vocabularies=services.all_terms(),
                           vocabulary_labels=VOCABULARY_LABELS, locales=list(LANGUAGES.values()))


@localized_route(bp, "/admin/taxonomy/new", methods=["GET", "POST"])
@login_required
def create_term():
    require(current_user, Action.MANAGE_REGION)
    form = NewTermForm()
    if request.method == "GET" and request.args.get("vocabulary") in VOCABULARY_LABELS:
        form.vocabulary.data = request.args["vocabulary"]
    if form.validate_on_submit():
        try:
            term = services.create_term(current_user, form.vocabulary.data, form.code.data,
                                        form.position.data, form.labels())
        except services.InvalidInput as exc:
            _show_errors(form, exc.errors)
        else:
            flash(_("The term %(code)s has been created.", code=term.code), "success")
            return redirect(url_for("admin.taxonomy"))
    return render_template("admin/term_form.html", form=form, term=None,
                           vocabulary_labels=VOCABULARY_LABELS)


@localized_route(bp, "/admin/taxonomy/<int:term_id>", methods=["GET", "POST"])
@login_required
def edit_term(term_id: int):
    require(current_user, Action.MANAGE_REGION)
    term = _get_or_404(TaxonomyTerm, term_id)
    data = {"position": term.position}
    data |= {label_field_name(label.locale): label.label for label in term.labels}
    form = TermForm(data=data)
    if form.validate_on_submit():
        try:
            services.update_term(current_user, term, form.position.data, form.labels())
        except services.InvalidInput as exc:
            db.session.rollback()
            _show_errors(form, exc.errors)
        else:
            flash(_("The labels of %(code)s have been saved.", code=term.code), "success")
            return redirect(url_for("admin.taxonomy"))
    return render_template("admin/term_form.html", form=form,
                           term=_get_or_404(TaxonomyTerm, term_id),
                           vocabulary_labels=VOCABULARY_LABELS)


# --------------------------------------------------------------------------- audit log


def _int_arg(name: str) -> int | None:
    return arg_int(name)


@localized_route(bp, "/admin/audit")
@login_required
def audit_log():
    require(current_user, Action.VIEW_AUDIT)
    filters = services.AuditFilter(
        action=request.args.get("action") or None,
        record_type=request.args.get("record_type") or None,
        organisation_id=_int_arg("organisation"),
        security_only=request.args.get("kind") == "security",
    )
    page = db.paginate(
        services.audit_events(current_user, filters),
        page=_int_arg("page") or 1,
        per_page=current_app.config.get("PER_PAGE", 20),
        error_out=False,
    )
    actions, record_types = services.audit_choices()
    organisation_list = db.session.execute(
        db.select(Organisation).order_by(Organisation.name)).scalars().all()
    return render_template(
        "admin/audit.html",
        page=page,
        filters=filters,
        actions=actions,
        record_types=record_types,
        organisations=organisation_list,
        organisation_names={org.id: org.name for org in organisation_list},
        format_datetime=format_datetime,
        change_text=change_text,
    )


def change_text(value) -> str:
    """One changed field of an audit event: ``[old, new]`` as "old → new", lists joined."""
    def text(item) -> str:
        return "–" if item is None or item == "" else str(item)

    if isinstance(value, list) and len(value) == 2:
        return f"{text(value[0])} → {text(value[1])}"
    if isinstance(value, list):
        return ", ".join(text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {text(item)}" for key, item in value.items())
    return text(value)
