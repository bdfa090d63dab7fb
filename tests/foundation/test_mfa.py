"""Two-step sign-in: enrolment forced where the role requires it, codes that work once, recovery codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from models.accounts import User
from models.audit import AuditEvent
from tests.conftest import AuthActions, csrf_token

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.app_config(MFA_REQUIRED_ROLES="admin,hr", FIXED_NOW=NOW)


def _forget_g() -> None:
    """Empty `g` between clients: the test's app context outlives requests (login and CSRF cache there)."""
    from flask import g
    for name in list(vars(g)):
        g.pop(name)


def _fresh(app):
    _forget_g()
    return app.test_client()


def _signed_in(client) -> bool:
    _forget_g()
    return client.get("/").status_code == 200


def _post_code(client, path: str, code: str, page: str | None = None):
    _forget_g()
    token = csrf_token(client, page or path)
    _forget_g()
    return client.post(path, data={"code": code, "csrf_token": token})


def _enrol_at_sign_in(app, email: str) -> tuple[object, str, list[str]]:
    """Sign in as `email` (a required role, not yet enrolled) and enrol; the client, secret and codes."""
    client = _fresh(app)
    response = AuthActions(client).login(email)
    assert response.status_code == 302 and response.location == "/login/set-up-code"
    page = client.get("/login/set-up-code").get_data(as_text=True)
    secret = re.search(r'<code class="secret-value">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert "<svg" in page  # the QR code, drawn inline
    done = _post_code(client, "/login/set-up-code", pyotp.TOTP(secret).at(NOW))
    assert done.status_code == 200, done.get_data(as_text=True)[-500:]
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return client, secret, codes


def test_an_admin_without_totp_is_sent_to_enrolment_and_is_not_signed_in_until_done(app, world):
    """The password alone signs no admin in: enrolment first, and a wrong code there enrols nothing."""
    client = _fresh(app)
    response = AuthActions(client).login(world.emails["admin"])
    assert response.location == "/login/set-up-code"
    assert not _signed_in(client)  # a password alone is not a session
    page = client.get("/login/set-up-code").get_data(as_text=True)
    assert "Set up two-step sign-in" in page
    wrong = _post_code(client, "/login/set-up-code", "000000")
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert not _signed_in(client)
    enrolled, _, _ = _enrol_at_sign_in(app, world.emails["admin"])
    assert _signed_in(enrolled)


def test_with_totp_a_wrong_code_is_refused_and_a_code_works_only_once(app, session, world):
    """Enrolled: the password leads to the code page; a wrong code, a replayed code, then a fresh one."""
    _, secret, _ = _enrol_at_sign_in(app, world.emails["hr"])
    totp = pyotp.TOTP(secret)
    client = _fresh(app)
    assert AuthActions(client).login(world.emails["hr"]).location == "/login/code"
    wrong = _post_code(client, "/login/code", "123456" if totp.at(NOW) != "123456" else "654321")
    assert wrong.status_code == 422 and not _signed_in(client)
    # The enrolment used the code of NOW's time step: the same code again is refused...
    replay = _post_code(client, "/login/code", totp.at(NOW))
    assert replay.status_code == 422 and not _signed_in(client)
    # ...and the next step's code (the app 30 seconds later) signs in.
    app.config["FIXED_NOW"] = NOW + timedelta(seconds=30)
    right = _post_code(client, "/login/code", totp.at(NOW + timedelta(seconds=30)))
    assert right.status_code == 302 and _signed_in(client)


def test_a_recovery_code_signs_in_once(app, world):
    """Each recovery code replaces the app once; used, it is refused."""
    _, _, codes = _enrol_at_sign_in(app, world.emails["admin"])
    first = _fresh(app)
    AuthActions(first).login(world.emails["admin"])
    assert _post_code(first, "/login/code", codes[3].upper()).status_code == 302
    assert _signed_in(first)
    second = _fresh(app)
    AuthActions(second).login(world.emails["admin"])
    assert _post_code(second, "/login/code", codes[3]).status_code == 422
    assert not _signed_in(second)


def test_the_code_page_counts_attempts_per_account(app, world):
    """Six digits are not guessed by trying: past five codes in five minutes even the right one waits."""
    _, secret, _ = _enrol_at_sign_in(app, world.emails["admin"])
    client = _fresh(app)
    AuthActions(client).login(world.emails["admin"])
    for _ in range(5):
        _post_code(client, "/login/code", "000000")
    app.config["FIXED_NOW"] = NOW + timedelta(seconds=30)
    blocked = _post_code(client, "/login/code", pyotp.TOTP(secret).at(NOW + timedelta(seconds=30)))
    assert blocked.status_code == 422 and "Too many codes" in blocked.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_pending_sign_in_lapses_after_ten_minutes(app, world):
    """A password proven long ago no longer leads to a session: back to the login page."""
    _, secret, _ = _enrol_at_sign_in(app, world.emails["admin"])
    client = _fresh(app)
    AuthActions(client).login(world.emails["admin"])
    later = NOW + timedelta(minutes=11)
    app.config["FIXED_NOW"] = later
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"


def test_roles_not_required_sign_in_with_a_password_and_may_opt_in(app, world):
    """A coordinator goes straight in; once enrolled on the account page, sign-in asks for a code."""
    client = _fresh(app)
    assert AuthActions(client).login(world.emails["coordinator"]).location == "/"
    page = client.get("/account/security").get_data(as_text=True)
    secret = re.search(r'<code class="secret-value">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = _post_code(client, "/account/two-factor/enrol", pyotp.TOTP(secret).at(NOW), "/account/security")
    assert done.status_code == 200 and "recovery codes" in done.get_data(as_text=True)
    assert _signed_in(client)
    again = _fresh(app)
    assert AuthActions(again).login(world.emails["coordinator"]).location == "/login/code"
    # They may turn it off again (a required role may not), with a fresh code.
    later = NOW + timedelta(seconds=30)
    app.config["FIXED_NOW"] = later
    off = _post_code(client, "/account/two-factor/remove", pyotp.TOTP(secret).at(later), "/account/security")
    assert off.status_code == 302 and _signed_in(client)
    assert AuthActions(_fresh(app)).login(world.emails["coordinator"]).location == "/"


def test_an_admin_removes_a_lost_authenticator_and_its_sessions_end(app, session, world):
    """A lost phone: the admin removes it, the user's sessions end, the next sign-in enrols again."""
    hr_client, _, _ = _enrol_at_sign_in(app, world.emails["hr"])
    admin, _, _ = _enrol_at_sign_in(app, world.emails["admin"])
    hr = session.scalar(select(User).where(User.email == world.emails["hr"]))
    path = f"/admin/users/{hr.id}/two-factor/remove"
    _forget_g()
    token = csrf_token(admin, f"/admin/users/{hr.id}/edit")
    assert admin.post(path, data={"csrf_token": token}).status_code == 302
    assert not _signed_in(hr_client)
    assert AuthActions(_fresh(app)).login(world.emails["hr"]).location == "/login/set-up-code"
    assert _signed_in(admin)


def test_no_audit_row_holds_the_totp_secret(app, session, world):
    """The audit records that two-step sign-in was set up, never the secret."""
    _, secret, _ = _enrol_at_sign_in(app, world.emails["admin"])
    session.expire_all()
    rows = session.scalars(select(AuditEvent)).all()
    assert rows and not any(secret in repr((r.before, r.after)) for r in rows)
    admin = session.scalar(select(User).where(User.email == world.emails["admin"]))
    changed = [r for r in rows if r.entity_type == "users" and r.entity_id == admin.id
               and "totp_secret" in (r.after or {})]
    assert changed, "the enrolment is in the audit, as a change"


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app, world):
    """The account page's password change: the other device is signed out, this one stays."""
    here = _fresh(app)
    assert AuthActions(here).login(world.emails["coordinator"]).status_code == 302
    there = _fresh(app)
    assert AuthActions(there).login(world.emails["coordinator"]).status_code == 302
    _forget_g()
    token = csrf_token(here, "/account/security")
    bad = here.post("/account/password", data={"csrf_token": token, "current": "nope", "new": "short",
                                                "confirm": "x"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "not your current password" in text and "at least 10" in text
    from tests.conftest import PASSWORD
    _forget_g()
    new = "a-new-long-password"
    ok = here.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": new,
                                               "confirm": new})
    assert ok.status_code == 302
    assert _signed_in(here) and not _signed_in(there)
    assert AuthActions(_fresh(app)).login(world.emails["coordinator"], "a-new-long-password").location == "/"
