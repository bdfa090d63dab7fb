"""Form fields the standard set lacks."""

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of labelled checkboxes (easier than a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        """Unknown values are reported by the service, in its words."""
