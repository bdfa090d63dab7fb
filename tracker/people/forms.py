"""Forms for people and assignments; the services do the checking."""

from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models.people import EMPLOYERS, PERSON_TYPES, ROLES, Person
from tracker.forms import CheckedForm, int_or_none
from tracker.widgets import MultiCheckboxField


class PersonForm(CheckedForm):
    """A person's details."""

    tables = (Person,)

    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = EmailField("Email")
    phone = StringField("Phone (optional)")
    person_type = SelectField("Person type", choices=list(PERSON_TYPES.items()))
    employer = SelectField("Employer", choices=list(EMPLOYERS.items()))
    agency_id = SelectField("Agency (when employed by an agency)", coerce=int_or_none,
                            validate_choice=False)
    licence_number = StringField("Officer licence number (SROs)")
    # Shown when adding a person only: an account of their own, so they see their record.
    send_invitation = BooleanField("Invite them to sign in (an email with a link to set a password)",
                                   default=True)


class AssignmentForm(CheckedForm):
    """A placement in a role at one or more schools."""

    role = SelectField("Role", choices=list(ROLES.items()))
    school_ids = MultiCheckboxField("Schools", coerce=int)
    start_date = DateField("Start date", validators=[Optional()],
                           render_kw={"placeholder": "YYYY-MM-DD"})
    end_date = DateField("End date (leave empty while it lasts)", validators=[Optional()])
    notes = TextAreaField("Notes")
    placement_exception_reason = TextAreaField(
        "Placement exception reason (only for an SRO starting before the required training)")


class DeleteForm(CheckedForm):
    """An empty form: its CSRF token protects delete buttons."""
