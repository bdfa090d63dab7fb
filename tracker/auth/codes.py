"""The second factor's form and helpers, shared by the sign-in pages and the account page."""

import segno
from flask import current_app
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.api.limits import count
from tracker.forms import CheckedForm

ENROL_SECRET = "_mfa_new_secret"  # noqa: S105 - the session key the secret is kept under
WRONG_CODE = "That code is not right, or was already used. Enter the newest code from your app."
DEFAULT_MFA_LIMIT = "5/300"  # codes per seconds, per account: six digits cannot be walked through


def qr_svg(uri: str) -> Markup:
    """The otpauth address as an inline SVG QR code (no image request, nothing sent elsewhere)."""
    # segno writes the SVG itself from the QR matrix; no user text reaches it but inside the encoded data.
    svg = segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704


def too_many(user_id: int) -> bool:
    """Count one code attempt for the account; True past MFA_RATE_LIMIT."""
    return not count(f"mfa:{user_id}", current_app.config.get("MFA_RATE_LIMIT", DEFAULT_MFA_LIMIT)).allowed


class CodeForm(CheckedForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField("Code", validators=[DataRequired("Enter the code."), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True})
