"""The account page: tokens and feed URLs are shown once, listed by prefix, and revocable by their owner."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.api_tokens import ApiToken, CalendarFeed
from tests.conftest import post_form


def test_create_use_and_revoke_a_token_from_the_account_page(client, auth, api, session, world):
    auth.login(world.emails["principal"])
    page = post_form(client, "/account/tokens", {"name": "HRIS sync"}, token_from="/account/")
    assert page.status_code == 200
    secret = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', page.get_data(as_text=True))[1]
    assert api.get("/people", secret).status_code == 200
    listing = client.get("/account/").get_data(as_text=True)
    assert "HRIS sync" in listing and secret[:10] in listing and secret not in listing
    token = session.scalar(select(ApiToken))
    post_form(client, f"/account/tokens/{token.id}/revoke", {}, token_from="/account/")
    assert api.get("/people", secret).status_code == 401


def test_token_needs_a_name(client, auth, session, world):
    auth.login(world.emails["hr"])
    page = post_form(client, "/account/tokens", {"name": " "}, token_from="/account/")
    assert page.status_code == 422
    assert "Give the token a name" in page.get_data(as_text=True)
    assert session.scalar(select(ApiToken)) is None


def test_feed_url_created_and_revoked_from_account_page(client, auth, session, world, training):
    auth.login(world.emails["staff"])
    page = post_form(client, "/account/feeds", {}, token_from="/account/").get_data(as_text=True)
    url = re.search(r'id="new-feed" type="text" readonly value="http://localhost([^"]+)"', page)[1]
    assert client.get(url).status_code == 200
    feed = session.scalar(select(CalendarFeed))
    post_form(client, f"/account/feeds/{feed.id}/revoke", {}, token_from="/account/")
    assert client.get(url).status_code == 404


def test_cannot_revoke_someone_elses_token(client, auth, session, tokens, api, world):
    admin_token = session.scalar(select(ApiToken).join(ApiToken.user).where(ApiToken.name == "test")
                                 .order_by(ApiToken.id))
    auth.login(world.emails["staff"])
    response = post_form(client, f"/account/tokens/{admin_token.id}/revoke", {}, token_from="/account/")
    assert response.status_code == 404
    assert api.get("/people", tokens.admin).status_code == 200
