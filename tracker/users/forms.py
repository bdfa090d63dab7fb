"""Admin form for user accounts."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField

from models.accounts import ROLE_LABELS, User
from tracker.forms import CheckedForm, int_or_none
from tracker.widgets import MultiCheckboxField


class UserForm(CheckedForm):
    """An account: login, role, and what scopes it."""

    tables = (User,)

    email = EmailField("Login email")
    role = SelectField("Role", choices=list(ROLE_LABELS.items()))
    school_ids = MultiCheckboxField("Schools (principals)", coerce=int)
    agency_id = SelectField("Agency (supervisors)", coerce=int_or_none, validate_choice=False)
    person_email = EmailField("Linked person's email (required for staff)")
    password = PasswordField("Password (at least 10 characters; leave empty to keep it)")
    active = BooleanField("Account is active", default=True)
