"""What a test asks after a sign-in attempt: who is signed in, what the page said, what was stored."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from models.accounts import User
from models.credentials import SsoIdentity


def page_text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def signed_in_user_id(client) -> int | None:
    """The account this client's session is signed in as, asked of the app (None: sent to log in)."""
    response = client.get("/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return None
    assert response.status_code == 200
    with client.session_transaction() as cookie:
        return int(cookie["_user_id"].split(".")[0])


def identities(session) -> list[tuple[int, str, str]]:
    """Every SSO identity: (account, issuer, subject)."""
    return [tuple(r) for r in session.execute(
        select(SsoIdentity.user_id, SsoIdentity.issuer, SsoIdentity.subject).order_by(SsoIdentity.id))]


def account_count(session) -> int:
    """How many accounts exist."""
    return session.scalar(select(func.count(User.id)))


def refused_with(client, callback_url: str, *sentences: str) -> str:
    """Follow a callback that must be refused: back at the login page, saying why, nobody signed in."""
    response = client.get(callback_url)
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/login"
    text = page_text(client.get("/login"))
    for sentence in sentences:
        assert sentence in text, text[text.find("flash"):][:600]
    assert signed_in_user_id(client) is None
    return text
