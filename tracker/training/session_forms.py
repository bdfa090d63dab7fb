"""Forms for training sessions: scheduling, enrolling, cancelling and the check-off; the services check."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional

from models.training_sessions import Enrolment, TrainingSession
from tracker.forms import CheckedForm, int_or_none


class SessionForm(CheckedForm):
    """A scheduled class of a course."""

    tables = (TrainingSession,)

    course_id = SelectField("Course", coerce=int_or_none, validate_choice=False)
    held_on = DateField("Date", validators=[Optional()])
    starts_at = TimeField("Starts at (HH:MM)", validators=[Optional()])
    ends_at = TimeField("Ends at (HH:MM)", validators=[Optional()])
    location = StringField("Location (room and address)")
    online_url = StringField("Online link (https://…)")
    instructor = StringField("Instructor")
    capacity = IntegerField("Capacity (seats)", validators=[Optional()])
    hours = FloatField("Hours credited (leave empty for the course's hours)", validators=[Optional()])
    note = TextAreaField("Note")


class EnrolPersonForm(CheckedForm):
    """One person to enrol (the picker's button)."""

    person_id = IntegerField("Person", validators=[Optional()])


class EnrolGroupForm(CheckedForm):
    """Enrol the people at a school (in a role) who need the course most, up to the seats left."""

    school_id = SelectField("School", coerce=int_or_none, validate_choice=False)
    role = SelectField("Role", validate_choice=False)


class CancelSessionForm(CheckedForm):
    """Cancel a session, with an optional reason."""

    tables = (TrainingSession,)

    cancel_reason = TextAreaField("Reason (optional)")


class AttendanceForm(CheckedForm):
    """The check-off: `attendance_form` adds an attended box and a certificate number per enrolment."""

    tables = (Enrolment,)

    def _problems(self, field) -> list[str]:
        # Certificate numbers are checked by the close service against their column, naming the person.
        if field.short_name.endswith("_certificate_number"):
            return []
        return super()._problems(field)


def attendance_form(enrolments, **kwargs) -> AttendanceForm:
    """An AttendanceForm with `e<id>_attended` and `e<id>_certificate_number` per enrolment."""

    class Bound(AttendanceForm):
        pass

    for e in enrolments:
        setattr(Bound, f"e{e.id}_attended", BooleanField(f"{e.person.full_name} attended",
                                                         default=bool(e.attended)))
        setattr(Bound, f"e{e.id}_certificate_number",
                StringField(f"Certificate number ({e.person.full_name})", default=e.certificate_number or ""))
    return Bound(**kwargs)


def attendance_marks(form: AttendanceForm, enrolments) -> dict[int, dict]:
    """The form's check-off as the close service takes it: by enrolment id."""
    return {e.id: {"attended": bool(form[f"e{e.id}_attended"].data),
                   "certificate_number": form[f"e{e.id}_certificate_number"].data,
                   "field": f"e{e.id}_"} for e in enrolments}
