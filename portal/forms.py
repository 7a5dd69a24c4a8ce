"""Form building blocks shared by the domains."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
