"""Form building blocks shared by the domains."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets
from wtforms.validators import DataRequired, Email, Length


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a group of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Our own messages, so that they are in every interface language (WTForms ships no Somali or
# Tigrinya catalogue).
REQUIRED = _l("This field is required.")
BETWEEN = _l("Give a number from %(min)s to %(max)s.")
AT_LEAST = _l("Give a number of at least %(min)s.")


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
    """The base of every form in the portal."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()
