"""Form building blocks shared by the domains."""

from __future__ import annotations

from wtforms import SelectMultipleField, widgets


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a group of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
