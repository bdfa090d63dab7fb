"""Sessions that end: a cookie replayed after logout, a reset or a change of role gets the login page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.accounts import User
from models.services.accounts.users import save_user
from tests.conftest import PASSWORD, AuthActions, csrf_token, fresh_client


def _new_client(app):
    """A client as a new browser would be."""
    return fresh_client(app)


def _signed_in(app, email: str):
    """A new client signed in as `email`."""
    client = _new_client(app)
    assert AuthActions(client).login(email).status_code == 302
    return client


def _replay(app, client):
    """Another client carrying a copy of `client`'s session cookie (a stolen or second-device cookie)."""
    other = _new_client(app)
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value, domain=cookie.domain)
    return other


def _reaches_home(client) -> bool:
    """Whether the client's session still signs it in (the home page, not the login redirect)."""
    from flask import g
    for name in list(vars(g)):
        g.pop(name)
    response = client.get("/")
    assert response.status_code == 200 or response.location.startswith("/login"), response.location
    return response.status_code == 200


def test_a_cookie_replayed_after_logout_gets_the_login_page(app, world):
    """Logging out ends the session everywhere: a copy of the cookie taken before no longer signs in."""
    client = _signed_in(app, world.emails["hr"])
    copy = _replay(app, client)
    assert _reaches_home(copy)
    assert AuthActions(client).logout().status_code == 302
    assert not _reaches_home(copy)
    # Signing in again works, with a new session.
    assert _reaches_home(_signed_in(app, world.emails["hr"]))


def test_a_password_reset_or_change_ends_every_other_session(app, session, world):
    """An admin's reset through the users page, and a change made elsewhere, end the user's sessions."""
    staff = _signed_in(app, world.emails["staff"])
    admin = _signed_in(app, world.emails["admin"])
    user = session.scalar(select(User).where(User.email == world.emails["staff"]))
    token = csrf_token(admin, f"/admin/users/{user.id}/edit")
    response = admin.post(f"/admin/users/{user.id}/edit", data={
        "csrf_token": token, "email": user.email, "role": "staff", "person_email": "alice@example.org",
        "active": "y", "password": "a-brand-new-password"})
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    assert not _reaches_home(staff)
    assert _reaches_home(admin)  # the admin's own session goes on
    again = _new_client(app)
    assert AuthActions(again).login(world.emails["staff"], "a-brand-new-password").status_code == 302
    # A password changed in another session (the service every change goes through) ends this one.
    session.expire_all()
    session.get(User, user.id).set_password(PASSWORD)
    session.commit()
    assert not _reaches_home(again)


@pytest.mark.parametrize("change", ["role", "deactivate", "schools"])
def test_a_change_of_what_the_account_may_see_ends_its_sessions(app, session, world, change):
    """Role, schools and deactivation changes end the account's sessions; an unrelated save does not."""
    principal = _signed_in(app, world.emails["principal"])
    user = session.scalar(select(User).where(User.email == world.emails["principal"]))
    schools = [s.id for s in user.schools]
    same = {"email": user.email, "role": "principal", "school_ids": schools, "active": True}
    save_user(session, same, user)
    session.commit()
    assert _reaches_home(principal)
    data = dict(same)
    if change == "role":
        data.update(role="hr", school_ids=[])
    elif change == "deactivate":
        data["active"] = False
    else:
        data["school_ids"] = [world.school_a, world.school_b]
    save_user(session, data, user)
    session.commit()
    assert not _reaches_home(principal)


def test_a_forged_forwarded_for_header_changes_nothing(app, world):
    """Without trusted proxies the header is ignored: the session stays, the login limit counts the client."""
    client = _signed_in(app, world.emails["hr"])
    assert client.get("/", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    attacker = _new_client(app)
    refused = 0
    for n in range(12):
        token = csrf_token(attacker)
        response = attacker.post("/login", headers={"X-Forwarded-For": f"198.51.100.{n}"},
                                 data={"email": world.emails["coordinator"], "password": "wrong",
                                       "csrf_token": token})
        refused += response.status_code == 429
    assert refused >= 2  # ten attempts per client and email, whatever the header claims


@pytest.mark.app_config(TRUSTED_PROXIES=1)
def test_one_trusted_proxy_supplies_the_client_address(app):
    """With TRUSTED_PROXIES=1 the proxy's X-Forwarded-For names the client (ProxyFix)."""
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["addr"] == "203.0.113.7"


@pytest.mark.parametrize("target", ["/.//evil.example", "//evil.example", "/./evil/../..//x.example",
                                    "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(app, world, target):
    """After login a `next` that a browser would resolve to another host sends the user home instead."""
    response = AuthActions(_new_client(app)).login(world.emails["hr"], next=target)
    assert response.status_code == 302
    assert response.location == "/", response.location


def test_next_keeps_a_page_on_the_site(app, world):
    """An ordinary `next` is followed."""
    response = AuthActions(app.test_client()).login(world.emails["hr"], next="/people/?q=a")
    assert response.location == "/people/?q=a"


def test_a_session_ends_after_the_idle_time_and_the_absolute_lifetime(app, world):
    """Idle past SESSION_IDLE_MINUTES, or signed in longer than SESSION_MAX_HOURS: the login page."""
    from datetime import UTC, datetime, timedelta
    start = datetime(2026, 10, 15, 8, tzinfo=UTC)
    app.config.update(FIXED_NOW=start, SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=2)
    client = _signed_in(app, world.emails["hr"])
    for minutes in (20, 45, 70, 95, 119):  # active every 25 minutes: never idle for 30
        app.config["FIXED_NOW"] = start + timedelta(minutes=minutes)
        assert _reaches_home(client), minutes
    app.config["FIXED_NOW"] = start + timedelta(minutes=121)  # past the two hours, though active
    assert not _reaches_home(client)
    idle = _signed_in(app, world.emails["hr"])  # signed in at 121 minutes
    app.config["FIXED_NOW"] = start + timedelta(minutes=121 + 31)
    assert not _reaches_home(idle)
