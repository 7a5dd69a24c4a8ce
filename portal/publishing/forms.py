"""The editor's intervention form, with translations beside the Swedish text."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.forms import (
    AT_LEAST,
    BETWEEN,
    REQUIRED,
    ChoiceField,
    DecimalNumberField,
    MultiCheckboxField,
    PortalForm,
    WholeNumberField,
    at_most,
    required,
    valid_email,
)
from portal.i18n import TRANSLATION_LOCALES


class TranslationForm(PortalForm):
    class Meta:
        csrf = False  # part of the enclosing form, which carries the token

    title = StringField(_l("Title"), validators=[Optional(), at_most(200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), at_most(1000)])
    description = TextAreaField(_l("Description"), validators=[Optional(), at_most(20000)])

    def validate_title(self, field):
        if not field.data and (self.summary.data or self.description.data):
            raise ValidationError(_l("A translation needs a title."))


def _parse_dates(text: str) -> list[date]:
    dates = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if part:
            dates.append(date.fromisoformat(part))
    return sorted(set(dates))


class InterventionForm(PortalForm):
    version = WholeNumberField(_l("Version of the record"), widget=HiddenInput(), minimum=0)
    organisation = ChoiceField(_l("Organisation"), coerce=int)
    unit = ChoiceField(_l("Unit"), coerce=int)
    title = StringField(_l("Title"), validators=[required(), at_most(200)])
    summary = TextAreaField(_l("Summary"), validators=[required(), at_most(1000)])
    description = TextAreaField(_l("Description"), validators=[Optional(), at_most(20000)])
    type = ChoiceField(_l("Type of intervention"), validators=[required()])
    target_groups = MultiCheckboxField(_l("Target groups"))
    referrers = MultiCheckboxField(_l("Who may refer"))
    languages = MultiCheckboxField(_l("Delivered in"), validators=[required()])
    delivery_format = ChoiceField(_l("Format"))
    intake = ChoiceField(_l("Intake"))
    start_dates = StringField(_l("Start dates"))
    enrolment_open = BooleanField(_l("Open for new participants"), default=True)
    wait_weeks = WholeNumberField(_l("Estimated wait in weeks"), validators=[Optional(), NumberRange(0, 520, BETWEEN)])
    closed_periods = StringField(_l("Closed periods"), validators=[Optional(), at_most(500)])
    duration_weeks = WholeNumberField(_l("Length in weeks"), validators=[Optional(), NumberRange(1, 520, BETWEEN)])
    hours_per_week = WholeNumberField(_l("Hours per week"), validators=[Optional(), NumberRange(0, 60, BETWEEN)])
    capacity = WholeNumberField(_l("Number of places"),
                            validators=[InputRequired(REQUIRED), NumberRange(0, 100000, BETWEEN)])
    places_available = WholeNumberField(_l("Places available now"),
                                    validators=[InputRequired(REQUIRED), NumberRange(0, 100000, BETWEEN)])
    eligibility = TextAreaField(_l("Who can take part"), validators=[Optional(), at_most(5000)])
    price_per_week_sek = WholeNumberField(_l("Price per week for other organisations (SEK)"),
                                      validators=[InputRequired(REQUIRED), NumberRange(0, 1000000, BETWEEN)], default=0)
    price_per_week_other_sek = WholeNumberField(
        _l("Price per week for residents of other municipalities, when it differs from the agreement's (SEK)"),
        validators=[Optional(), NumberRange(0, 1000000, BETWEEN)])
    open_to = ChoiceField(_l("Open to"), default="anyone", validators=[required()])
    referral_rule = ChoiceField(_l("Requests for residents it is not open to, or from others than those who may refer"),
                                default="warn",
                                validators=[required()])
    referral_instructions = TextAreaField(_l("Referral instructions (for case officers)"),
                                          validators=[Optional(), at_most(5000)])
    accessibility = TextAreaField(_l("Accessibility and adaptations"), validators=[Optional(), at_most(5000)])
    address = StringField(_l("Street address"), validators=[Optional(), at_most(200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), at_most(10)])
    city = StringField(_l("Town"), validators=[Optional(), at_most(100)])
    lat = DecimalNumberField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90, BETWEEN)])
    lon = DecimalNumberField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180, BETWEEN)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), at_most(200)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), valid_email(), at_most(254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), at_most(40)])
    valid_from = DateField(_l("Offered from"), validators=[Optional()])
    valid_until = DateField(_l("Offered until"), validators=[Optional()])
    confirm = BooleanField(_l("I confirm that the information is correct today"))

    def validate_places_available(self, field):
        if self.capacity.data is not None and field.data is not None and field.data > self.capacity.data:
            raise ValidationError(_l("Cannot be more than the number of places."))

    def validate_start_dates(self, field):
        try:
            _parse_dates(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Write dates as YYYY-MM-DD, separated by commas.")) from exc

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("Cannot be before the first day it is offered."))

    @property
    def parsed_start_dates(self) -> list[date]:
        return _parse_dates(self.start_dates.data or "")


# One sub-form per translation language, added to the class once at import time.
for _locale in TRANSLATION_LOCALES:
    setattr(InterventionForm, f"translation_{_locale}", FormField(TranslationForm, label=_locale))


class PlacesForm(PortalForm):
    places_available = WholeNumberField(_l("Places available"),
                                    validators=[InputRequired(REQUIRED), NumberRange(0, message=AT_LEAST)])


class StatusForm(PortalForm):
    action = HiddenField(validators=[required()])


class ImportForm(PortalForm):
    file = FileField(_l("File to import (CSV or JSON)"), validators=[FileRequired()])
