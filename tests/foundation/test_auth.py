"""Login, logout, CSRF, safe redirects, lockout, password hashing and security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import Config, ProductionConfig
from models.accounts import User, dummy_password_hash
from tests.conftest import csrf_token


def test_login_then_logout(client, auth, world):
    response = auth.login(world.emails["hr"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused_with_400(client, world):
    response = client.post("/login", data={"email": world.emails["hr"],
                                           "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


def test_form_post_without_csrf_when_logged_in_is_refused(client, auth, session, world):
    auth.login(world.emails["hr"])
    before = session.scalar(select(User.id).order_by(User.id.desc()))
    response = client.post("/people/new", data={"first_name": "X", "last_name": "Y",
                                                "email": "xy@example.org"})
    assert response.status_code == 400
    assert session.scalar(select(User.id).order_by(User.id.desc())) == before


def test_next_to_other_host_lands_on_home(client, auth, world):
    response = auth.login(world.emails["hr"], next="https://evil.example.com/phish")
    assert response.headers["Location"] == "/"
    auth.logout()
    response = auth.login(world.emails["hr"], next="//evil.example.com/")
    assert response.headers["Location"] == "/"


def test_next_within_site_is_followed(client, auth, world):
    response = auth.login(world.emails["hr"], next="/people/?q=al")
    assert response.headers["Location"] == "/people/?q=al"


def test_unknown_email_and_wrong_password_get_same_message(client, auth, world):
    unknown = auth.login("nobody@example.org").get_data(as_text=True)
    wrong = auth.login(world.emails["hr"], password="wrong-password").get_data(as_text=True)
    message = "That email and password do not match an active account."
    assert message in unknown and message in wrong


def test_wrong_passwords_from_one_client_do_not_lock_the_real_user_out(app, world):
    """Guesses slow only the guesser: after the limit that client gets 429, the user signs in elsewhere."""
    from flask import g

    from tests.conftest import AuthActions
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [AuthActions(attacker).login(world.emails["admin"], password="wrong-password").status_code
                for _ in range(12)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429  # refused, then throttled
    for name in list(vars(g)):
        g.pop(name)
    user = app.test_client()
    user.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    assert AuthActions(user).login(world.emails["admin"]).status_code == 302
    assert user.get("/").status_code == 200


@pytest.mark.app_config(LOGIN_ACCOUNT_LIMIT="4/300", LOGIN_MAX_DELAY_SECONDS=0.4)
def test_guesses_from_many_clients_slow_the_account_with_a_delay_but_never_lock_it(app, world):
    """Spread over many addresses, guesses at one email each wait longer; the real password still works."""
    import time

    from flask import g

    from tests.conftest import PASSWORD, AuthActions

    def attempt(address: str, password: str, email: str = world.emails["admin"]):
        for name in list(vars(g)):
            g.pop(name)
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        start = time.perf_counter()
        status = AuthActions(client).login(email, password=password).status_code
        return status, time.perf_counter() - start

    quick = [attempt(f"198.51.100.{n}", "wrong-password") for n in range(4)]
    assert all(status == 200 for status, _ in quick)
    slowed = [attempt(f"198.51.100.{n}", "wrong-password") for n in range(10, 13)]
    assert all(status == 200 for status, _ in slowed)  # refused as wrong, never 429 or locked
    assert all(seconds >= 0.25 for _, seconds in slowed), slowed
    status, seconds = attempt("203.0.113.20", PASSWORD)
    assert status == 302 and seconds >= 0.25  # slowed, not stopped
    # An email nobody has is slowed the same way, so the delay tells nothing about which emails exist.
    for n in range(6):
        status, seconds = attempt(f"192.0.2.{n}", "x", email="nobody@example.org")
    assert status == 200 and seconds >= 0.25


@pytest.mark.app_config(PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)  # production's, not tests'
def test_passwords_are_stored_hashed(session, world):
    user = session.scalar(select(User).where(User.email == world.emails["hr"]))
    assert user.password_hash.startswith("scrypt:")
    assert "correct-horse-battery" not in user.password_hash


def test_production_hashes_passwords_with_scrypt(app):
    assert Config.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    user = User(email="x@example.org", role="staff")
    user.set_password("correct-horse-battery")  # no app: the model's own default
    assert user.password_hash.startswith("scrypt:32768:8:1$") and user.check_password("correct-horse-battery")
    with app.app_context():  # the tests' cheap method, read from the app's config
        user.set_password("correct-horse-battery")
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    # Unknown emails are checked against a stand-in hash made with the same (costly) method.
    assert dummy_password_hash("scrypt").startswith("scrypt:32768:8:1$")


def test_security_headers_and_cookie_flags(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_post(client, auth, world):
    auth.login(world.emails["hr"])
    assert client.get("/logout").status_code == 405
    assert csrf_token(client, "/")
