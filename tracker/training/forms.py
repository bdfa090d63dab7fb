"""Forms for completions, waivers and roster imports; the services do the checking."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FloatField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from tracker.widgets import MultiCheckboxField


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class CompletionForm(FlaskForm):
    """One completed course, with an optional certificate file."""

    course_id = SelectField("Course", coerce=_int_or_none, validate_choice=False)
    completed_on = DateField("Completed on", validators=[Optional()])
    hours = FloatField("Hours (leave empty for the course's hours)", validators=[Optional()])
    certificate_number = StringField("Certificate number")
    certificate = FileField("Certificate file (PDF, PNG or JPEG, at most 5 MB)")


class WaiverForm(FlaskForm):
    """A waiver of one requirement for one person."""

    requirement_id = SelectField("Requirement", coerce=_int_or_none, validate_choice=False)
    reason = TextAreaField("Reason")


class ImportForm(FlaskForm):
    """A roster file to import."""

    file = FileField("Roster file (.csv or .xlsx)")


class VerifyForm(FlaskForm):
    """An empty form: its CSRF token protects the verify button."""


class PresetsForm(FlaskForm):
    """Which state presets the district uses."""

    presets = MultiCheckboxField("State presets switched on")
