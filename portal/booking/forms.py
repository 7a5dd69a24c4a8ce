"""Forms of the booking domain: request a place, interest form, decisions, messages."""

from __future__ import annotations

import secrets
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.booking.labels import GENDER_LABELS, OUTCOME_LABELS, REASON_LABELS
from portal.booking.privacy import looks_like_personnummer
from portal.booking.services import PERSONNUMMER_MESSAGE
from portal.forms import ChoiceField, PortalForm, WholeNumberField, at_most, required, valid_email
from portal.i18n import SPOKEN_LANGUAGES
from portal.timeutil import today

INTEREST_SALT = "booking-interest-form"
MIN_FILL_SECONDS = 3  # a human needs at least this long to fill in the interest form
MAX_FORM_AGE_SECONDS = 6 * 3600


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def no_personnummer(_form, field) -> None:
    if looks_like_personnummer(field.data if isinstance(field.data, str) else None):
        raise ValidationError(PERSONNUMMER_MESSAGE)


def home_municipality_choices(municipalities) -> list[tuple[str, str]]:
    """The region's municipalities, then "another municipality" and "not stated"."""
    from portal.booking.models import HOME_OTHER

    return ([(organisation.municipality_code, organisation.name) for organisation in municipalities]
            + [(HOME_OTHER, _l("Another municipality")), ("", _l("Not stated"))])


def language_choices(language_name) -> list[tuple[str, str]]:
    return [("", _l("Not stated"))] + [(code, language_name(code)) for code in SPOKEN_LANGUAGES]


class BookingRequestForm(PortalForm):
    idempotency_key = HiddenField()
    participant_reference = StringField(
        _l("Your reference for the participant"),
        validators=[required(), at_most(40), no_personnummer],
    )
    gender = ChoiceField(_l("Gender"), default="not_stated")
    home_municipality = ChoiceField(_l("The participant's home municipality"), validators=[Optional()])
    birth_year = WholeNumberField(_l("Year of birth"), validators=[Optional()])
    preferred_language = ChoiceField(_l("Preferred language"), validators=[Optional()])
    interpreter_needed = BooleanField(_l("Needs an interpreter"))
    adaptation_needs = TextAreaField(_l("Adaptation needs"), validators=[Optional(), at_most(4000),
                                                                          no_personnummer])
    wished_start = DateField(_l("Wished start"), validators=[Optional()])
    message = TextAreaField(_l("Message to the organisation"), validators=[Optional(), at_most(4000),
                                                                            no_personnummer])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = list(GENDER_LABELS.items())

    def validate_birth_year(self, field):
        this_year = today().year
        if field.data is not None and not this_year - 100 <= field.data <= this_year:
            raise ValidationError(_l("Give a year between %(first)s and %(last)s.", first=this_year - 100,
                                     last=this_year))

    def validate_wished_start(self, field):
        if field.data is not None and field.data < today():
            raise ValidationError(_l("The wished start cannot be in the past."))


class InterestForm(PortalForm):
    idempotency_key = HiddenField()
    started = HiddenField()  # signed time the form was shown: too fast means a bot
    extra_info = StringField(_l("Leave this field empty"))  # honeypot, hidden from people
    name = StringField(_l("Your name"), validators=[required(), at_most(200), no_personnummer])
    phone = StringField(_l("Phone"), validators=[Optional(), at_most(40)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), valid_email(), at_most(254)])
    preferred_language = ChoiceField(_l("Preferred language"), validators=[Optional()])
    home_municipality = ChoiceField(_l("Your home municipality"), validators=[Optional()])
    message = TextAreaField(_l("Message"), validators=[Optional(), at_most(2000), no_personnummer])
    consent = BooleanField(validators=[InputRequired(_l("Your consent is needed to send the form."))])

    def validate_phone(self, field):
        if field.data and not all(char.isdigit() or char in " +-()" for char in field.data):
            raise ValidationError(_l("Write the phone number with digits only."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = list(self.email.errors) + [
                _l("Give a phone number or an e-mail address, so that they can contact you.")]
            return False
        return valid


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INTEREST_SALT)


def sign_form_start(intervention_id: int) -> str:
    return _serializer().dumps(intervention_id)


def form_age(token: str | None, intervention_id: int) -> float | None:
    """Seconds since the form was shown, or None when the token is missing, forged or stale."""
    if not token:
        return None
    try:
        value, signed_at = _serializer().loads(token, max_age=MAX_FORM_AGE_SECONDS, return_timestamp=True)
    except (BadSignature, SignatureExpired):
        return None
    if value != intervention_id:
        return None
    return time.time() - signed_at.timestamp()


def min_fill_seconds() -> float:
    return float(current_app.config.get("BOOKING_INTEREST_MIN_SECONDS", MIN_FILL_SECONDS))


class ActionForm(PortalForm):
    """The details of one transition; the template shows the fields the transition needs."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), at_most(4000), no_personnummer])
    reason = ChoiceField(_l("Reason"), validators=[Optional()])
    reason_text = StringField(_l("Describe the reason"), validators=[Optional(), at_most(1000),
                                                                     no_personnummer])
    outcome = ChoiceField(_l("What did the participant go on to?"), validators=[Optional()])
    keep_place = BooleanField(_l("Do not give the place back (places available stays as it is)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are set here: WTForms deprecates tuples passed to the field's constructor.
        self.reason.choices = [("", _l("Choose a reason"))] + list(REASON_LABELS.items())
        self.outcome.choices = [("", _l("Choose"))] + list(OUTCOME_LABELS.items())


class MessageForm(PortalForm):
    body = TextAreaField(_l("Message"), validators=[required(), at_most(4000), no_personnummer])
