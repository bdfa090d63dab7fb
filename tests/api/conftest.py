"""API fixtures: the foundation's small world plus a token per role, and a JSON client helper."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from models.accounts import User
from models.services.accounts.api_tokens import create_api_token
from tests.foundation.conftest import world  # noqa: F401 - re-exported fixture

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


def make_token(session, email: str, name: str = "test") -> str:
    """A token's plaintext for the user with `email`."""
    user = session.query(User).filter_by(email=email).one()
    _, secret = create_api_token(session, user, name, NOW)
    session.commit()
    return secret


def build_tokens(session, world):  # noqa: F811
    """One API token per role in the world."""
    return SimpleNamespace(**{role: make_token(session, email) for role, email in world.emails.items()})


@pytest.fixture
def tokens(session, world, snapshot):  # noqa: F811
    """The tokens above, made once per run on SQLite and copied into each test's database."""
    return snapshot(build_tokens, session, world)


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


def build_training(session, world):  # noqa: F811
    """Courses and requirements over the world: the SRO and the teachers have items due."""
    from datetime import date

    from tests.training.factories import make_course, make_requirement

    basic = make_course(session, "NASRO-BASIC", title="NASRO Basic SRO Course")
    pbis = make_course(session, "PBIS-STAFF", title="Non-punitive discipline")
    bias = make_course(session, "BIAS-DIS", title="Implicit bias")
    reqs = SimpleNamespace(
        basic=make_requirement(session, basic, roles=("sro",), due_days=365),  # due 2026-09-01
        pbis=make_requirement(session, pbis, roles=("teacher",), due_days=60),  # due 2025-10-31
        bias=make_requirement(session, bias, roles=("teacher", "sro"), due_rule="fixed_date", due_days=None,
                              fixed_due_date=date(2026, 12, 1)),
    )
    session.commit()
    return SimpleNamespace(courses=SimpleNamespace(basic=basic.id, pbis=pbis.id, bias=bias.id),
                           reqs=SimpleNamespace(**{k: v.id for k, v in vars(reqs).items()}))


@pytest.fixture
def training(session, world, snapshot):  # noqa: F811
    """The courses above, made once per run on SQLite and copied into each test's database."""
    return snapshot(build_training, session, world)
