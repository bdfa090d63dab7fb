"""Sign-in forms: the login, "forgot password", and a new password set through an emailed link."""

from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired

from models.accounts import User
from tracker.forms import CheckedForm


class LoginForm(CheckedForm):
    """Email and password."""

    tables = (User,)

    email = EmailField("Email", validators=[DataRequired("Enter your email.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    next = HiddenField()


class ForgotPasswordForm(CheckedForm):
    """The email of the account whose password is forgotten."""

    tables = (User,)

    email = EmailField("Email", validators=[DataRequired("Enter the email you sign in with.")])


class SetPasswordForm(CheckedForm):
    """A new password, typed twice (the service checks both)."""

    new = PasswordField("New password", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", render_kw={"autocomplete": "new-password"})
