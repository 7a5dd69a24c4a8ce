"""Booking pages: request a place, interest form, inbox, my requests, request page, decisions.

Views parse the request and render; every check and change is in ``services`` and the
transitions table in ``states``.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.permissions import Action, require
from portal.agreements import eligibility
from portal.agreements import home as participant_home
from portal.booking import labels, services, states
from portal.booking.forms import (
    ActionForm,
    BookingRequestForm,
    InterestForm,
    MessageForm,
    form_age,
    home_municipality_choices,
    language_choices,
    min_fill_seconds,
    new_idempotency_key,
    sign_form_start,
)
from portal.booking.models import BookingSource, BookingStatus, Gender, Outcome, ReasonCode
from portal.booking.states import TRANSITIONS, Places
from portal.catalogue import services as catalogue_services
from portal.catalogue.models import Intervention, OrganisationKind, Unit
from portal.extensions import db, limiter
from portal.i18n import DEFAULT_LOCALE, current_locale_code, localized_route
from portal.i18n.content import localized_text
from portal.parsing import arg_int
from portal.templating import language_name

bp = Blueprint("booking", __name__)
logger = logging.getLogger("portal.booking")


@bp.app_context_processor
def booking_template_context():
    return {
        "unread_booking_notifications": _unread_notifications,
        "booking_labels": labels,
    }


def _unread_notifications() -> int:
    """The badge count for the current user (0 when unknown; never breaks a page)."""
    if not has_request_context() or not current_user.is_authenticated:
        return 0
    if "unread_booking_notifications" not in g:
        try:
            g.unread_booking_notifications = services.unread_count(current_user)
        except SQLAlchemyError:
            return 0
    return g.unread_booking_notifications


def _published_or_404(intervention_id: int) -> Intervention:
    intervention = catalogue_services.get_published(intervention_id)
    if intervention is None:
        abort(404)
    return intervention


# ------------------------------------------------------------------------------ request a place


def _prepare_request_form(form: BookingRequestForm) -> BookingRequestForm:
    form.preferred_language.choices = language_choices(language_name)
    form.home_municipality.choices = home_municipality_choices(services.region_municipalities())
    return form


def _own_municipality(user) -> str | None:
    """The requester's own municipality code where their organisation is a kommun."""
    organisation = getattr(user, "organisation", None)
    if organisation is not None and organisation.kind == OrganisationKind.KOMMUN:
        return organisation.municipality_code
    return None


def _request_data(form: BookingRequestForm) -> services.RequestData:
    return services.RequestData(
        participant_reference=form.participant_reference.data or "",
        gender=Gender(form.gender.data) if form.gender.data in Gender.__members__.values() else None,
        birth_year=form.birth_year.data,
        preferred_language=form.preferred_language.data or None,
        interpreter_needed=bool(form.interpreter_needed.data),
        adaptation_needs=form.adaptation_needs.data or "",
        wished_start=form.wished_start.data,
        message=form.message.data or "",
        home_municipality=form.home_municipality.data or None,
    )


def _field_error(form, error: services.BookingError) -> bool:
    """Put a service's refusal next to its field; False when the form has no such field."""
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        return False
    target.errors = list(target.errors) + [str(error.message)]
    return True


@localized_route(bp, "/interventions/<int:intervention_id>/request", methods=["GET", "POST"])
@login_required
def new_request(intervention_id: int):
    require(current_user, Action.REQUEST_BOOKING)
    intervention = _published_or_404(intervention_id)
    form = _prepare_request_form(BookingRequestForm())
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        form.home_municipality.data = participant_home.current_home() or ""
    error = None
    if form.validate_on_submit():
        try:
            submission = services.submit_request(current_user, intervention, _request_data(form),
                                                 idempotency_key=form.idempotency_key.data)
        except services.BookingError as exc:
            if not _field_error(form, exc):
                error = exc.message
        else:
            booking = submission.request
            if submission.created:
                flash(_("Your request has been sent to %(organisation)s. Its reference is %(reference)s.",
                        organisation=booking.owner_organisation.name, reference=booking.reference), "success")
            else:
                flash(_("This request was already sent. Its reference is %(reference)s.",
                        reference=booking.reference), "success")
            return redirect(url_for("booking.show_request", request_id=booking.id))
    return render_template(
        "booking/request_form.html", form=form, intervention=intervention, error=error,
        text=localized_text(intervention, current_locale_code()),
        verdict=eligibility.verdict(intervention, form.home_municipality.data or None, current_user.organisation)
        if eligibility.is_known_home(form.home_municipality.data) else None,
    ), (422 if form.is_submitted() else 200)


# ------------------------------------------------------------------------------ interest form


def _consent_text(intervention: Intervention) -> str:
    return _("I agree that %(organisation)s stores my name, contact details and message in order to "
             "contact me about “%(title)s”. They are deleted at the latest %(months)s months after "
             "my matter is closed.", organisation=intervention.organisation.name,
             title=localized_text(intervention, current_locale_code()).title.value,
             months=current_app.config["BOOKING_RETENTION_MONTHS"])


def _interest_rate_limit() -> str:
    return current_app.config.get("BOOKING_INTEREST_RATE_LIMIT", "10 per hour")


@localized_route(bp, "/interventions/<int:intervention_id>/interest", methods=["GET", "POST"])
@limiter.limit(_interest_rate_limit, methods=["POST"])
def new_interest(intervention_id: int):
    intervention = _published_or_404(intervention_id)
    if not intervention.accepts_own_application:
        abort(404)
    form = InterestForm()
    form.preferred_language.choices = language_choices(language_name)
    form.home_municipality.choices = home_municipality_choices(services.region_municipalities())
    consent_text = _consent_text(intervention)
    form.consent.label.text = consent_text
    error = None
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        form.started.data = sign_form_start(intervention.id)
    elif form.extra_info.data:
        # Only a bot fills in the hidden field: pretend success, store nothing.
        logger.info("interest form for intervention %s dropped: honeypot filled", intervention.id)
        flash(_("Thank you. Your interest has been sent."), "success")
        return redirect(url_for("catalogue.show_intervention", intervention_id=intervention.id))
    else:
        age = form_age(form.started.data, intervention.id)
        valid = form.validate_on_submit()
        if age is None:
            form.started.data = sign_form_start(intervention.id)
        # The field errors come first; "too fast or expired" only for a form that is otherwise right.
        if valid and (age is None or age < min_fill_seconds()):
            form.started.data = sign_form_start(intervention.id)
            error = _("The form was sent too quickly or has expired. Check what you wrote and send it again.")
        elif valid:
            data = services.InterestData(
                name=form.name.data or "", phone=form.phone.data or "", email=form.email.data or "",
                preferred_language=form.preferred_language.data or None, message=form.message.data or "",
                consent_text=consent_text if form.consent.data else "",
                home_municipality=form.home_municipality.data or None,
            )
            try:
                submission = services.submit_interest(intervention, data, idempotency_key=form.idempotency_key.data,
                                                      locale=current_locale_code())
            except services.BookingError as exc:
                if not _field_error(form, exc):
                    error = exc.message
            else:
                flash(_("Thank you. Your interest has been sent to %(organisation)s. Its reference is "
                        "%(reference)s; mention it if you contact them.",
                        organisation=intervention.organisation.name,
                        reference=submission.request.reference), "success")
                return redirect(url_for("catalogue.show_intervention", intervention_id=intervention.id))
    return render_template(
        "booking/interest_form.html", form=form, intervention=intervention, error=error,
        text=localized_text(intervention, current_locale_code()),
    ), (422 if request.method == "POST" else 200)


# ------------------------------------------------------------------------------ lists


def _int_arg(name: str) -> int | None:
    return arg_int(name)


def _page() -> int:
    return arg_int("page", 1)


@localized_route(bp, "/booking/inbox")
@login_required
def list_inbox():
    require(current_user, Action.DECIDE_BOOKING)
    tab = request.args.get("tab", "new")
    if tab not in services.TABS:
        tab = "new"
    source = request.args.get("source", "")
    filters = services.InboxFilters(
        tab=tab,
        statuses=[BookingStatus(value) for value in request.args.getlist("status")
                  if value in BookingStatus.__members__.values()],
        intervention_id=_int_arg("intervention"),
        unit_id=_int_arg("unit"),
        source=BookingSource(source) if source in BookingSource.__members__.values() else None,
        organisation_id=_int_arg("organisation"),
        reference=request.args.get("q", "")[:20],
    )
    statement, counts = services.inbox(current_user, filters)
    pagination = db.paginate(statement, page=_page(), per_page=current_app.config["PER_PAGE"], error_out=False)
    organisations = services.decidable_organisations(current_user)
    organisation_ids = [org.id for org in organisations]
    interventions = db.session.execute(
        db.select(Intervention).where(Intervention.organisation_id.in_(organisation_ids))
        .order_by(Intervention.title)
    ).scalars().all()
    units = db.session.execute(
        db.select(Unit).where(Unit.organisation_id.in_(organisation_ids)).order_by(Unit.name)
    ).scalars().all()
    return render_template(
        "booking/inbox.html", pagination=pagination, counts=counts, filters=filters,
        tabs=list(services.TABS), organisations=organisations, interventions=interventions, units=units,
    )


@localized_route(bp, "/booking/mine")
@login_required
def list_mine():
    require(current_user, Action.REQUEST_BOOKING)
    whole_organisation = request.args.get("scope") == "organisation" and \
        services.can_see_organisation_requests(current_user)
    statement = services.sent_requests(current_user, whole_organisation=whole_organisation)
    pagination = db.paginate(statement, page=_page(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "booking/mine.html", pagination=pagination, whole_organisation=whole_organisation,
        may_see_organisation=services.can_see_organisation_requests(current_user),
    )


# ------------------------------------------------------------------------------ one request


def _get_visible(request_id: int):
    booking = services.get_visible(current_user, request_id)
    if booking is None:
        abort(404)  # existence itself must not leak to other organisations
    return booking


def _render_request(booking, *, forms: dict | None = None, message_form: MessageForm | None = None,
                    error=None, waitlist_offered: bool = False, status: int = 200):
    actions = states.available(current_user, booking)
    action_forms = {step.name: _step_form(step, formdata=None) for step in actions}
    action_forms.update(forms or {})
    side = states.side_of(current_user, booking)
    may_write = side is not None and not booking.is_own_application and booking.anonymised_at is None
    return render_template(
        "booking/show.html", booking=booking, actions=actions, action_forms=action_forms,
        message_form=message_form or MessageForm(formdata=None), may_write=may_write, side=side,
        error=error, text=localized_text(booking.intervention, current_locale_code()),
        waitlist_offered=waitlist_offered,
    ), status


@localized_route(bp, "/booking/requests/<int:request_id>")
@login_required
def show_request(request_id: int):
    booking = _get_visible(request_id)
    services.mark_read(current_user, booking)
    return _render_request(booking)


def _step_form(step, **options) -> ActionForm:
    """The transition's form with only the fields its page shows: a value sent for any other
    field is neither validated (its error would be shown nowhere) nor used."""
    form = ActionForm(prefix=step.name, **options)
    # Accepting may carry the start details to the requester.
    with_note = step.needs_reason or step.needs_outcome or step.name in ("accept", "cancel", "withdraw")
    shown = {"note"} if with_note else set()
    if step.needs_reason:
        shown |= {"reason", "reason_text"}
    if step.needs_outcome:
        shown.add("outcome")
    if step.places is Places.GIVE_BACK:
        shown.add("keep_place")
    for name in ("note", "reason", "reason_text", "outcome", "keep_place"):
        if name not in shown:
            del form[name]
    return form


def _decision(form: ActionForm) -> services.Decision:
    def data(name: str):
        return form[name].data if name in form else None

    return services.Decision(
        note=data("note") or "",
        reason=ReasonCode(data("reason")) if data("reason") else None,
        reason_text=data("reason_text") or "",
        outcome=Outcome(data("outcome")) if data("outcome") else None,
        release_place=not data("keep_place"),
    )


def decide(request_id: int, action: str):
    """POST one transition (``booking.accept``, ``booking.decline``, …) on a request."""
    booking = _get_visible(request_id)
    step = TRANSITIONS[action]
    form = _step_form(step)
    offered = step in states.available(current_user, booking)
    if not form.validate_on_submit() and (offered or "csrf_token" in form.errors):
        return _render_request(booking, forms={action: form}, status=422)
    # A step the page does not offer has no form to correct: the service says why it is refused.
    try:
        services.transition(current_user, booking, action, _decision(form) if offered else services.Decision())
    except services.NotAllowed:
        abort(403)
    except services.InvalidData as exc:
        booking = _get_visible(request_id)
        if not _field_error(form, exc):
            return _render_request(booking, error=exc.message, status=422)
        return _render_request(booking, forms={action: form}, error=_("Correct the marked field and try again."),
                               status=422)
    except services.NoPlaceLeft as exc:
        booking = _get_visible(request_id)
        return _render_request(booking, error=exc.message, waitlist_offered=True, status=409)
    except services.BookingError as exc:
        booking = _get_visible(request_id)
        return _render_request(booking, error=exc.message, status=exc.status_code)
    flash(_("%(reference)s: %(status)s.", reference=booking.reference,
            status=labels.STATUS_LABELS[step.target.value]), "success")
    return redirect(url_for("booking.show_request", request_id=request_id))


def _register_decisions() -> None:
    """One POST endpoint per transition, named by its verb, in every interface language."""
    view = login_required(decide)
    for name in TRANSITIONS:
        rule = f"/booking/requests/<int:request_id>/{name}"
        bp.add_url_rule(rule, endpoint=name, view_func=view, methods=["POST"],
                        defaults={"lang_code": DEFAULT_LOCALE, "action": name})
        bp.add_url_rule("/<lang:lang_code>" + rule, endpoint=name, view_func=view, methods=["POST"],
                        defaults={"action": name})


_register_decisions()


@localized_route(bp, "/booking/requests/<int:request_id>/messages", methods=["POST"])
@login_required
def post_message(request_id: int):
    booking = _get_visible(request_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_request(booking, message_form=form, status=422)
    try:
        services.post_message(current_user, booking, form.body.data)
    except services.NotAllowed:
        abort(403)
    except services.BookingError as exc:
        booking = _get_visible(request_id)
        if not _field_error(form, exc):
            return _render_request(booking, message_form=form, error=exc.message, status=exc.status_code)
        return _render_request(booking, message_form=form, status=exc.status_code)
    flash(_("Your message has been sent."), "success")
    return redirect(url_for("booking.show_request", request_id=request_id) + "#messages")


# ------------------------------------------------------------------------------ notifications


@localized_route(bp, "/notifications")
@login_required
def list_notifications():
    return render_template("booking/notifications.html",
                           notifications=services.notifications_of(current_user))


@localized_route(bp, "/notifications/read", methods=["POST"])
@login_required
def read_notifications():
    services.mark_read(current_user)
    return redirect(url_for("booking.list_notifications"))
