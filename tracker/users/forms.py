"""Admin form for user accounts."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField

from models.accounts import ROLE_LABELS
from tracker.people.forms import _int_or_none
from tracker.widgets import MultiCheckboxField


class UserForm(FlaskForm):
    """An account: login, role, and what scopes it."""

    email = EmailField("Login email")
    role = SelectField("Role", choices=list(ROLE_LABELS.items()))
    school_ids = MultiCheckboxField("Schools (principals)", coerce=int)
    agency_id = SelectField("Agency (supervisors)", coerce=_int_or_none, validate_choice=False)
    person_email = EmailField("Linked person's email (required for staff)")
    password = PasswordField("Password (at least 10 characters; leave empty to keep it)")
    active = BooleanField("Account is active", default=True)
