"""Form building blocks shared by the domains."""

from __future__ import annotations

import math
import re

from flask import has_request_context, request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import FloatField, IntegerField, SelectField, SelectMultipleField, widgets
from wtforms.validators import DataRequired, Email, Length, StopValidation, ValidationError

from portal.parsing import INT32_MAX, INT32_MIN, parse_int


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a group of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Our own messages, so that they are in every interface language (WTForms ships no Somali or
# Tigrinya catalogue).
REQUIRED = _l("This field is required.")
BETWEEN = _l("Give a number from %(min)s to %(max)s.")
AT_LEAST = _l("Give a number of at least %(min)s.")
WHOLE_NUMBER = _l("Give a whole number, with digits only.")
DECIMAL_NUMBER = _l("Give a number, such as 56.03.")
NOT_A_CHOICE = _l("Not a valid choice.")
_DIGITS = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:[.,][0-9]{1,15})?")


def _range_message(minimum: int, maximum: int) -> str:
    return str(BETWEEN) % {"min": minimum, "max": maximum}


class ChoiceField(SelectField):
    """A single choice whose ``data`` is always one of its choices, so that a view can convert
    it to its enum safely: a blank value (" " too) is "" (or None when the field is missing),
    which ``Optional()`` accepts as "not given"; an unknown value is refused with a message
    even when the field is optional."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip(), *valuelist[1:]]
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            if self.data in (None, "") and not self.process_errors:
                raise  # blank: Optional() may accept it
            raise StopValidation(exc.args[0] if exc.args else NOT_A_CHOICE) from exc


class _TypedNumber:
    """What the number fields share: a blank value is no value, and one message per field."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        self.data = None
        if raw != "":
            self.data = self.parse(raw)  # raises ValueError with the message to show

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the one message of process_formdata is enough


class WholeNumberField(_TypedNumber, IntegerField):
    """A whole number of ASCII digits within the database's integer range (or narrower).

    "1.5", "NaN", "²" and a 400-digit number are refused with a message instead of reaching
    a validator, a view or the database.
    """

    def __init__(self, label=None, validators=None, minimum: int = INT32_MIN, maximum: int = INT32_MAX,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: str) -> int:
        value = parse_int(raw, self.minimum, self.maximum)
        if value is None:
            if _DIGITS.fullmatch(raw):
                raise ValueError(_range_message(self.minimum, self.maximum))
            raise ValueError(WHOLE_NUMBER)
        return value


class DecimalNumberField(_TypedNumber, FloatField):
    """A finite decimal number (a decimal comma is accepted): no NaN, no infinity, no exponent."""

    def parse(self, raw: str) -> float:
        if not _DECIMAL.fullmatch(raw):
            raise ValueError(DECIMAL_NUMBER)
        number = float(raw.replace(",", "."))
        if not math.isfinite(number):
            raise ValueError(DECIMAL_NUMBER)
        return number


def required() -> DataRequired:
    return DataRequired(REQUIRED)


def valid_email() -> Email:
    return Email(_l("Enter a valid e-mail address."))


def at_most(num: int) -> Length:
    return Length(max=num, message=_l("At most %(num)s characters.", num=num))


# WTForms' own messages for values it cannot read, marked here so that they are extracted
# into our catalogues: WTForms ships no Somali or Tigrinya translation of them.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid float value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("'%(value)s' is not a valid choice for this field."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
)


class _CatalogueTranslations:
    """WTForms' messages looked up in the portal's catalogues, unformatted: WTForms fills
    in its own placeholders."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class PortalForm(FlaskForm):
    """The base of every form in the portal.

    On a page opened after a re-login, the form is filled with what the user had typed
    when their session expired (see ``portal.accounts.sessions``).
    """

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()

    def __init__(self, formdata=_Auto, **kwargs):
        if formdata is _Auto and has_request_context() and request.method == "GET":
            from portal.accounts.sessions import restored_formdata

            formdata = restored_formdata() or _Auto
        super().__init__(formdata=formdata, **kwargs)
