"""Forms for completions, waivers and roster imports; the services do the checking."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from models.training import Completion, Course, Requirement, Waiver
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


class BulkForm(CheckedForm):
    """The board's bulk actions on the selected rows; `back` returns to the same filtered view."""

    tables = (Waiver,)

    reason = TextAreaField("Reason for the waivers (one reason for every selected row)")
    back = HiddenField()


class CourseForm(CheckedForm):
    """A course of the catalog (the service checks the values and the equivalents)."""

    tables = (Course,)

    code = StringField("Code")
    title = StringField("Title")
    provider = StringField("Provider (optional)")
    hours = FloatField("Hours", validators=[Optional()])
    topics = TextAreaField("Topics (optional)")
    issues_certificate = BooleanField("Issues a certificate", default=True)
    active = BooleanField("Active (untick to retire: its history stays)", default=True)
    equivalent_ids = MultiCheckboxField("Equivalent courses (completing one counts for the other, both ways)",
                                        coerce=int)


class RequirementForm(CheckedForm):
    """A requirement: which course, for which roles, when due, how often renewed."""

    tables = (Requirement,)

    course_id = SelectField("Course", coerce=int_or_none, validate_choice=False)
    roles = MultiCheckboxField("Roles it applies to")
    due_rule = SelectField("Due")
    due_days = IntegerField("Days after the assignment starts (when due within N days)",
                            validators=[Optional()])
    fixed_due_date = DateField("Due by (when due by a fixed date)", validators=[Optional()])
    renewal_months = IntegerField("Renew every N months (empty: once)", validators=[Optional()])
    grandfather_date = DateField("Exempt if assigned before (optional)", validators=[Optional()])
    due_soon_days = IntegerField("Due-soon window, days", validators=[Optional()])
    recert_window_days = IntegerField("Recertification window: opens N days before expiry (optional)",
                                      validators=[Optional()])
    preset = SelectField("Applies")
    note = TextAreaField("Note (optional)")
