"""A provider that keeps the email out of the ID token: the app asks its userinfo endpoint instead."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.accounts import User
from tests.sso.helpers import identities, refused_with, signed_in_user_id
from tests.sso.local_provider import DOMAIN, LocalProvider, callback_for, free_port


@pytest.fixture(scope="module")
def userinfo_provider(tmp_path_factory, oidc_provider):
    """A second provider instance (its own issuer and keys) that puts only sub, amr and acr in ID tokens."""
    provider = LocalProvider(port=free_port(), live_port=oidc_provider.live_port, email_in_id_token=False,
                             folder=tmp_path_factory.mktemp("userinfo-provider")).start()
    yield provider
    provider.stop()


@pytest.fixture
def app_config(userinfo_provider) -> dict:
    """This module's apps trust the second provider only."""
    return {"OIDC_PROVIDERS": userinfo_provider.settings()}


def test_email_from_userinfo_finds_the_roster_person(client, db_session, roster, userinfo_provider):
    """Jordan's email arrives from userinfo: the same just-in-time staff account, linked to that issuer."""
    client.get(callback_for(client, "jordan"))
    with db_session() as session:
        user = session.scalar(select(User).where(User.email == f"jordan.lee@{DOMAIN}"))
        assert user.role == "staff" and user.person_id == roster.jordan
        assert identities(session) == [(user.id, userinfo_provider.issuer, "jordan")]
    assert signed_in_user_id(client) == user.id


def test_unverified_email_from_userinfo_is_refused(client, roster):
    """email_verified false in userinfo counts as much as in the ID token."""
    refused_with(client, callback_for(client, "unverified"), "has not confirmed that")
