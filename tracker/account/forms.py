"""Forms on the account page; the services do the checking."""

from flask_wtf import FlaskForm
from wtforms import StringField


class TokenForm(FlaskForm):
    """Name a new API token."""

    name = StringField("Token name (what will use it, e.g. “HRIS nightly sync”)")


class ActionForm(FlaskForm):
    """An empty form whose CSRF token protects the create/revoke buttons."""
