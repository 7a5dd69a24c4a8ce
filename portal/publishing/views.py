"""Editor pages: the organisation's interventions, create, edit, preview, status, places."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal.accounts.permissions import Action, can, require, require_submitted_organisation
from portal.agreements.eligibility import OPEN_TO_LABELS, REFERRAL_RULE_LABELS
from portal.catalogue.labels import FORMAT_LABELS, INTAKE_LABELS, STATUS_LABELS
from portal.catalogue.models import Intervention, Organisation, Unit, Vocabulary
from portal.catalogue.taxonomy import terms
from portal.extensions import db
from portal.i18n import SPOKEN_LANGUAGES, TRANSLATION_LOCALES, current_locale_code, localized_route
from portal.i18n.content import localized_text
from portal.publishing import freshness, services
from portal.publishing.blueprint import bp
from portal.publishing.forms import (
    InterventionForm,
    PlacesForm,
    StatusForm,
)
from portal.templating import language_name
from portal.urls import safe_redirect_target


def editable_organisations() -> list[Organisation]:
    statement = db.select(Organisation).order_by(Organisation.name)
    if not can(current_user, Action.MANAGE_REGION):
        statement = statement.where(Organisation.id == current_user.organisation_id)
    return list(db.session.execute(statement).scalars())


def get_editable(intervention_id: int) -> Intervention:
    """The intervention, if the current user may edit it; 404 otherwise (drafts must not leak)."""
    intervention = db.session.get(Intervention, intervention_id)
    if intervention is None:
        abort(404)
    require(current_user, Action.EDIT_INTERVENTION, intervention, hide=True)
    return intervention


@localized_route(bp, "/manage/interventions")
@login_required
def list_interventions():
    require(current_user, Action.EDIT_INTERVENTION)
    organisation_ids = [org.id for org in editable_organisations()]
    interventions = db.session.execute(
        db.select(Intervention)
        .where(Intervention.organisation_id.in_(organisation_ids))
        .options(selectinload(Intervention.translations), selectinload(Intervention.organisation))
        .order_by(Intervention.updated_at.desc())
    ).scalars().all()
    return render_template(
        "publishing/list.html",
        interventions=interventions,
        needs_review=freshness.review_list(list(interventions)),
        translation_locales=TRANSLATION_LOCALES,
        places_form=PlacesForm,
        status_actions=services.STATUS_ACTIONS,
    )


def prepare_form(form: InterventionForm) -> InterventionForm:
    locale = current_locale_code()
    organisations = editable_organisations()
    form.organisation.choices = [(org.id, org.name) for org in organisations]
    units = db.session.execute(
        db.select(Unit).where(Unit.organisation_id.in_([org.id for org in organisations])).order_by(Unit.name)
    ).scalars()
    many = len(organisations) > 1
    form.unit.choices = [(0, _("No particular unit"))] + [
        (unit.id, f"{unit.organisation.name}: {unit.name}" if many else unit.name) for unit in units
    ]
    form.type.choices = [(t.code, t.label(locale)) for t in terms(Vocabulary.TYPE)]
    form.target_groups.choices = [(t.code, t.label(locale)) for t in terms(Vocabulary.TARGET_GROUP)]
    form.referrers.choices = [(t.code, t.label(locale)) for t in terms(Vocabulary.REFERRER)]
    form.languages.choices = [(code, language_name(code)) for code in SPOKEN_LANGUAGES]
    form.delivery_format.choices = [(key, str(label)) for key, label in FORMAT_LABELS.items()]
    form.intake.choices = [(key, str(label)) for key, label in INTAKE_LABELS.items()]
    form.open_to.choices = [(key, str(label)) for key, label in OPEN_TO_LABELS.items()]
    form.referral_rule.choices = [(key, str(label)) for key, label in REFERRAL_RULE_LABELS.items()]
    return form


def form_data(intervention: Intervention) -> dict:
    data = {name: getattr(intervention, name) for name in services.TEXT_FIELDS + services.PLAIN_FIELDS}
    data.update(
        version=intervention.version,
        organisation=intervention.organisation_id,
        unit=intervention.unit_id or 0,
        type=intervention.type.code,
        target_groups=[t.code for t in intervention.target_groups],
        referrers=[t.code for t in intervention.referrers],
        languages=intervention.language_codes,
        delivery_format=intervention.delivery_format.value,
        intake=intervention.intake.value,
        open_to=intervention.open_to.value,
        referral_rule=intervention.referral_rule.value,
        start_dates=", ".join(start.starts_on.isoformat() for start in intervention.start_dates),
    )
    for locale in TRANSLATION_LOCALES:
        translation = intervention.translation(locale)
        data[f"translation_{locale}"] = {
            "title": translation.title if translation else "",
            "summary": translation.summary if translation else "",
            "description": translation.description if translation else "",
        }
    return data


def data_from_form(form: InterventionForm) -> services.InterventionData:
    organisation = db.session.get(Organisation, form.organisation.data)
    unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
    if unit is not None and unit.organisation_id != organisation.id:
        unit = None
    by_code = {vocabulary: {t.code: t for t in terms(vocabulary)} for vocabulary in Vocabulary}
    return services.InterventionData(
        organisation=organisation,
        unit=unit,
        type=by_code[Vocabulary.TYPE][form.type.data],
        target_groups=[by_code[Vocabulary.TARGET_GROUP][code] for code in form.target_groups.data],
        referrers=[by_code[Vocabulary.REFERRER][code] for code in form.referrers.data],
        languages=list(form.languages.data),
        start_dates=form.parsed_start_dates,
        texts={name: getattr(form, name).data for name in services.TEXT_FIELDS},
        values={
            name: (float(getattr(form, name).data) if name in ("lat", "lon") and getattr(form, name).data is not None
                   else getattr(form, name).data)
            for name in services.PLAIN_FIELDS
        },
        translations={locale: getattr(form, f"translation_{locale}").data for locale in TRANSLATION_LOCALES},
        confirm=form.confirm.data,
    )


def render_form(form: InterventionForm, intervention: Intervention | None = None, conflict: bool = False,
                status: int = 200):
    return render_template(
        "publishing/form.html",
        form=form,
        intervention=intervention,
        conflict=conflict,
        translation_locales=TRANSLATION_LOCALES,
    ), status


@localized_route(bp, "/manage/interventions/new", methods=["GET", "POST"])
@login_required
def new_intervention():
    require(current_user, Action.EDIT_INTERVENTION)
    if request.method == "POST":
        require_submitted_organisation(current_user, Action.EDIT_INTERVENTION, request.form.get("organisation"))
    form = prepare_form(InterventionForm())
    if request.method == "GET":
        form.organisation.data = current_user.organisation_id
    if form.validate_on_submit():
        intervention = services.create_intervention(current_user, data_from_form(form))
        flash(_("The intervention is saved as a draft."), "success")
        return redirect(url_for("publishing.edit_intervention", intervention_id=intervention.id))
    return render_form(form, status=422 if form.is_submitted() else 200)


@localized_route(bp, "/manage/interventions/<int:intervention_id>/edit", methods=["GET", "POST"])
@login_required
def edit_intervention(intervention_id: int):
    intervention = get_editable(intervention_id)
    if request.method == "POST":
        require_submitted_organisation(current_user, Action.EDIT_INTERVENTION, request.form.get("organisation"))
    if request.method == "GET":
        return render_form(prepare_form(InterventionForm(data=form_data(intervention))), intervention)
    form = prepare_form(InterventionForm())
    if not form.validate_on_submit():
        return render_form(form, intervention, status=422)
    try:
        expected = int(form.version.data or 0)
        services.update_intervention(current_user, intervention, data_from_form(form), expected)
    except services.EditConflict:
        db.session.rollback()
        intervention = get_editable(intervention_id)
        # Keep everything the editor typed; the next save deliberately overwrites.
        form.version.data, form.version.raw_data = intervention.version, None
        return render_form(form, intervention, conflict=True, status=409)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("publishing.edit_intervention", intervention_id=intervention.id))


@localized_route(bp, "/manage/interventions/<int:intervention_id>/preview")
@login_required
def preview_intervention(intervention_id: int):
    intervention = get_editable(intervention_id)
    return render_template(
        "catalogue/detail.html",
        intervention=intervention,
        text=localized_text(intervention, current_locale_code()),
        own_application=intervention.accepts_own_application,
        preview=True,
    )


@localized_route(bp, "/manage/interventions/<int:intervention_id>/status", methods=["POST"])
@login_required
def change_status(intervention_id: int):
    intervention = get_editable(intervention_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(current_user, intervention, form.action.data)
    except services.InvalidChange:
        flash(_("That change is not possible for an intervention with this status."), "error")
    else:
        flash(_("The status of “%(title)s” is now: %(status)s.", title=intervention.title,
                status=_status_label(intervention.status.value)), "success")
    return redirect(safe_redirect_target(request.form.get("next")) or url_for("publishing.list_interventions"))


def _status_label(value: str) -> str:
    return str(STATUS_LABELS[value])


@localized_route(bp, "/manage/interventions/<int:intervention_id>/places", methods=["POST"])
@login_required
def update_places(intervention_id: int):
    intervention = get_editable(intervention_id)
    form = PlacesForm(prefix=f"places-{intervention.id}")
    if form.validate_on_submit():
        try:
            services.set_places(current_user, intervention, form.places_available.data)
        except services.InvalidChange:
            form.places_available.errors.append("")
        else:
            flash(_("“%(title)s” now has %(num)s places available.", title=intervention.title,
                    num=intervention.places_available), "success")
            return redirect(url_for("publishing.list_interventions"))
    flash(_("Places available must be a whole number from 0 to %(capacity)s.", capacity=intervention.capacity),
          "error")
    return redirect(url_for("publishing.list_interventions"))


@localized_route(bp, "/manage/interventions/<int:intervention_id>/duplicate", methods=["POST"])
@login_required
def duplicate_intervention(intervention_id: int):
    intervention = get_editable(intervention_id)
    copy = services.duplicate(current_user, intervention, _("Copy of "))
    flash(_("A draft copy was created. Change what differs and publish it."), "success")
    return redirect(url_for("publishing.edit_intervention", intervention_id=copy.id))



@localized_route(bp, "/manage/interventions/<int:intervention_id>/confirm", methods=["POST"])
@login_required
def confirm_intervention(intervention_id: int):
    """"Still correct", from the list, the edit page or the page a reminder's link opens."""
    intervention = get_editable(intervention_id)
    freshness.confirm(current_user, intervention)
    flash(_("“%(title)s” is confirmed as still correct today.", title=intervention.title), "success")
    return redirect(safe_redirect_target(request.form.get("next")) or url_for("publishing.list_interventions"))


@localized_route(bp, "/manage/interventions/<int:intervention_id>/confirm/<token>")
@login_required
def confirm_from_link(intervention_id: int, token: str):
    """A reminder's signed link: it opens, for an editor of the owner only, one "Still correct" button."""
    if not freshness.token_names(token, intervention_id):
        abort(404)
    intervention = get_editable(intervention_id)
    return render_template("publishing/confirm.html", intervention=intervention)
