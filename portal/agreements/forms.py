"""The region administrator's agreement form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from portal.forms import (
    BETWEEN,
    REQUIRED,
    ChoiceField,
    MultiCheckboxField,
    PortalForm,
    WholeNumberField,
    at_most,
    required,
)

KIND_LABELS = {
    "regional": _l("Regional (several organisations)"),
    "bilateral": _l("Bilateral (two organisations)"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AgreementForm(PortalForm):
    name = StringField(_l("Name of the agreement"), validators=[required(), at_most(200)], filters=[_strip])
    kind = ChoiceField(_l("Kind of agreement"),
                       choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()],
                       validators=[required()])
    members = MultiCheckboxField(_l("Member organisations"), coerce=int)
    price_per_week_sek = WholeNumberField(
        _l("Default price per week the home municipality pays the owner (SEK)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 1_000_000, BETWEEN)], default=0)
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("Cannot be before the first day it is valid."))


class HomeForm(PortalForm):
    """"The participant lives in …" (choices: the region's municipalities, another, not stated)."""

    home = ChoiceField(_l("The participant lives in"), validators=[Optional()])
