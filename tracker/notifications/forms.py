"""Forms for email preferences and unsubscribing."""

from __future__ import annotations

from wtforms import BooleanField, RadioField

from models.notifications import DELIVERY_CHOICES
from tracker.forms import CheckedForm


class EmailPreferenceForm(CheckedForm):
    """Single emails or a daily digest; optional reminders on or off."""

    delivery = RadioField("How do you want reminders?", choices=list(DELIVERY_CHOICES.items()),
                          default="single")
    subscribed = BooleanField("Send me optional reminders (escalations are always sent)", default=True)
