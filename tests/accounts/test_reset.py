"""Forgot password: the same answer for every email, a link that arrives by SMTP, works once and expires."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.credentials import AccountLink
from models.notifications import OutboxMessage
from tests.accounts.conftest import NOW, deliver, link_path
from tests.conftest import AuthActions, csrf_token, fresh_client, post_form

NEW = "a-brand-new-passphrase"


def _forgot(client, email: str):
    return post_form(client, "/forgot-password", {"email": email})


def _answer(response) -> str:
    """The page's main content, without the per-request CSRF token."""
    html = response.get_data(as_text=True)
    return html[html.index("<main"):html.index("</main>")]


def test_reset_link_arrives_works_once_and_the_old_password_stops(app, session, roster, smtp):
    client = fresh_client(app)
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    assert _forgot(client, "CAL@district.example ").status_code == 200
    (message,) = deliver(session, smtp)
    assert message["To"] == "cal@district.example"
    assert message["Subject"] == "Reset your SECURe Tracker password"
    path = link_path(message)
    assert path.startswith("/reset/")
    # The outbox keeps the link's id, never a working link.
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.step == "reset"))
    assert path.rsplit("/", 1)[1] not in repr(row.context) and row.status == "sent"

    page = client.get(path)
    assert page.status_code == 200 and "cal@district.example" in page.get_data(as_text=True)
    # Every problem at once, nothing used up.
    refused = post_form(client, path, {"new": "short", "confirm": "other"})
    assert "at least 10 characters" in refused.get_data(as_text=True)
    mismatch = post_form(client, path, {"new": NEW, "confirm": NEW + "x"})
    assert "not the same" in mismatch.get_data(as_text=True)
    done = post_form(client, path, {"new": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location == "/"
    assert client.get("/").status_code == 200  # signed in

    again = fresh_client(app)
    used = again.get(path)
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)
    token = csrf_token(again, "/forgot-password")
    replay = again.post(path, data={"new": "another-passphrase", "confirm": "another-passphrase",
                                    "csrf_token": token})
    assert replay.status_code == 410
    assert AuthActions(fresh_client(app)).login("cal@district.example").status_code == 200  # old: refused
    assert AuthActions(fresh_client(app)).login("cal@district.example", NEW).status_code == 302


def test_a_reset_link_expires_and_a_newer_one_replaces_it(app, session, roster, smtp):
    client = fresh_client(app)
    _forgot(client, "cal@district.example")
    _forgot(client, "cal@district.example")
    first, second = (link_path(m) for m in deliver(session, smtp))
    assert first != second
    superseded = client.get(first)
    assert superseded.status_code == 410 and "expired" in superseded.get_data(as_text=True)
    assert client.get(second).status_code == 200
    app.config["FIXED_NOW"] = NOW + timedelta(minutes=61)
    expired = client.get(second)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    token = csrf_token(client, "/forgot-password")
    assert client.post(second, data={"new": NEW, "confirm": NEW, "csrf_token": token}).status_code == 410


@pytest.mark.parametrize("path", ["/reset/not-a-token", "/reset/" + "x" * 5000, "/welcome/MQ.forged",
                                  "/reset/%00%E2%80%AE"])
def test_a_tampered_link_is_a_404_with_a_sentence(client, roster, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_an_invitation_link_does_not_open_the_reset_page(app, session, roster, smtp):
    client = fresh_client(app)
    _forgot(client, "cal@district.example")
    (message,) = deliver(session, smtp)
    token = link_path(message).rsplit("/", 1)[1]
    assert client.get(f"/welcome/{token}").status_code == 404


@pytest.mark.app_config(FORGOT_PASSWORD_RATE_LIMIT="100/900", FORGOT_PASSWORD_MIN_SECONDS=0.2)
def test_forgot_password_answers_the_same_for_known_and_unknown_emails(app, session, roster):
    client = fresh_client(app)
    known, unknown = {"answers": set(), "times": []}, {"answers": set(), "times": []}
    for _ in range(6):
        for email, into in (("cal@district.example", known), ("nobody@district.example", unknown)):
            token = csrf_token(client, "/forgot-password")
            started = time.perf_counter()
            response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
            into["times"].append(time.perf_counter() - started)
            assert response.status_code == 200
            into["answers"].add(_answer(response))
    assert known["answers"] == unknown["answers"] and len(known["answers"]) == 1
    assert "If an active account uses that email" in next(iter(known["answers"]))
    # Both wait for the same floor; the known email's extra work (a link queued) hides under it.
    assert min(known["times"] + unknown["times"]) >= 0.2
    assert abs(statistics.median(known["times"]) - statistics.median(unknown["times"])) < 0.05
    # At most RESET_EMAILS_PER_HOUR links an hour for one account, however often it is asked.
    assert session.scalar(select(func.count()).select_from(AccountLink)) == 3


def test_forgot_password_is_limited_per_client_whatever_the_email(app, roster):
    client = fresh_client(app)
    statuses = [_forgot(client, f"guess{n}@district.example").status_code for n in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_a_switched_off_account_gets_no_link(app, session, roster, smtp):
    from models.accounts import User

    session.get(User, roster.staff).active = False
    session.commit()
    _forgot(fresh_client(app), "cal@district.example")
    assert deliver(session, smtp) == []


def test_unsubscribing_does_not_stop_a_password_link(app, session, roster, smtp):
    from models.services.reminders.email_prefs import unsubscribe

    client = fresh_client(app)
    _forgot(client, "cal@district.example")
    unsubscribe(session, "cal@district.example", NOW)
    session.commit()
    (message,) = deliver(session, smtp)
    assert message["To"] == "cal@district.example"
