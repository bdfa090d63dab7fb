"""Forms for completions, waivers and roster imports; the services do the checking."""

from flask_wtf.file import FileField
from wtforms import DateField, FloatField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models.training import Completion
from tracker.forms import CheckedForm, int_or_none
from tracker.widgets import MultiCheckboxField


class CompletionForm(CheckedForm):
    """One completed course, with an optional certificate file."""

    tables = (Completion,)

    course_id = SelectField("Course", coerce=int_or_none, validate_choice=False)
    completed_on = DateField("Completed on", validators=[Optional()])
    hours = FloatField("Hours (leave empty for the course's hours)", validators=[Optional()])
    certificate_number = StringField("Certificate number")
    certificate = FileField("Certificate file (PDF, PNG or JPEG, at most 5 MB)")


class WaiverForm(CheckedForm):
    """A waiver of one requirement for one person."""

    requirement_id = SelectField("Requirement", coerce=int_or_none, validate_choice=False)
    reason = TextAreaField("Reason")


class ImportForm(CheckedForm):
    """A roster file to import."""

    file = FileField("Roster file (.csv or .xlsx)")


class ConfirmImportForm(CheckedForm):
    """The preview's one button: the token names the held upload it confirms."""

    token = HiddenField("Preview")


class VerifyForm(CheckedForm):
    """An empty form: its CSRF token protects the verify button."""


class PresetsForm(CheckedForm):
    """Which state presets the district uses."""

    presets = MultiCheckboxField("State presets switched on")
