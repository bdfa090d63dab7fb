"""API fixtures: the foundation's small world plus a token per role, and a JSON client helper."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from models.accounts import User
from models.services.api_tokens import create_api_token
from tests.foundation.conftest import world  # noqa: F401 - re-exported fixture

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


def make_token(session, email: str, name: str = "test") -> str:
    """A token's plaintext for the user with `email`."""
    user = session.query(User).filter_by(email=email).one()
    _, secret = create_api_token(session, user, name, NOW)
    session.commit()
    return secret


@pytest.fixture
def tokens(session, world):  # noqa: F811
    """One API token per role in the world."""
    return SimpleNamespace(**{role: make_token(session, email) for role, email in world.emails.items()})


class Api:
    """Calls the API with a bearer token."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, token: str | None, **kwargs):
        """GET /api/v1 + path."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(f"/api/v1{path}", headers=headers, **kwargs)

    def post(self, path: str, token: str | None, body, **kwargs):
        """POST JSON to /api/v1 + path."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(f"/api/v1{path}", headers=headers, json=body, **kwargs)


@pytest.fixture
def api(client):
    """API helper bound to the test client."""
    return Api(client)
