"""Forms for the admin pages."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import Optional

from models.notifications import RECIPIENT_ROLES, ReminderStep
from tracker.forms import CheckedForm
from tracker.widgets import MultiCheckboxField


class ReminderStepForm(CheckedForm):
    """One step of the reminder plan (the service checks the values)."""

    tables = (ReminderStep,)

    label = StringField("Name")
    offset_days = IntegerField("Days from the due date (negative = before)", validators=[Optional()])
    repeat_days = IntegerField("Repeat every N days (empty = once)", validators=[Optional()])
    recipients = MultiCheckboxField("Who receives it", choices=list(RECIPIENT_ROLES.items()))
    escalation = BooleanField("Escalation (cannot be unsubscribed from; always sent singly)")
    active = BooleanField("Active")


class ActionForm(CheckedForm):
    """An empty form: a CSRF-protected button."""
