"""Forms on the sign-in and security page."""

from wtforms import PasswordField
from wtforms.validators import Length

from tracker.forms import CheckedForm


class PasswordChangeForm(CheckedForm):
    """The current password and the new one twice (the service checks them)."""

    current = PasswordField("Current password", validators=[Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("New password (at least 10 characters)", validators=[Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[Length(max=200)],
                            render_kw={"autocomplete": "new-password"})
