"""Forms on the account page; the services do the checking."""

from wtforms import StringField

from models.api_tokens import ApiToken
from tracker.forms import CheckedForm


class TokenForm(CheckedForm):
    """Name a new API token."""

    tables = (ApiToken,)

    name = StringField("Token name (what will use it, e.g. “HRIS nightly sync”)")


class ActionForm(CheckedForm):
    """An empty form whose CSRF token protects the create/revoke buttons."""
