"""Admin pages (admin only), email settings, one-click unsubscribe and flags on the person page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jobs import flag_overdue, send_digests, send_email
from models.notifications import EmailPreference, OutboxMessage, ReminderStep
from models.seed.notifications import ensure_default_plan
from models.services.reminders.email_prefs import unsubscribe_token
from tests.conftest import csrf_token, post_form
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.jobs.conftest import DueTraining

DAY = date(2026, 10, 15)
ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff")
ADMIN_ONLY = {"anonymous": 302, "admin": 200, "hr": 403, "coordinator": 403, "principal": 403,
              "supervisor": 403, "staff": 403}
ALL = {r: 200 for r in ROLES} | {"anonymous": 302}
PAGES = [("/admin/jobs", ADMIN_ONLY), ("/admin/outbox", ADMIN_ONLY), ("/admin/outbox/{message}", ADMIN_ONLY),
         ("/admin/reminders", ADMIN_ONLY), ("/admin/reminders/{step}/edit", ADMIN_ONLY),
         ("/account/email", ALL)]


@pytest.fixture
def outbox_world(session):
    school = make_school(session, "Adams High")
    person = make_person(session, first_name="Tess", last_name="Teacher", email="tess@example.org")
    make_assignment(session, person, [school])
    users = {role: make_user(session, role, email=f"{role}@example.org", schools=[school]
                             if role == "principal" else ()) for role in ROLES[1:]}
    users["staff"].person = person
    ensure_default_plan(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    flag_overdue.run(session, DAY, sources=[source])
    session.commit()
    return {"message": session.scalar(select(OutboxMessage.id)),
            "step": session.scalar(select(ReminderStep.id)), "person": person.id, "source": source}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,expected", PAGES, ids=[p for p, _ in PAGES])
def test_admin_pages_access_by_role(client, auth, outbox_world, role, path, expected):
    if role != "anonymous":
        assert auth.login(f"{role}@example.org").status_code == 302
    response = client.get(path.format(**outbox_world))
    assert response.status_code == expected[role], (role, path)


def test_forbidden_plan_edit_is_refused_and_changes_nothing(client, auth, session, outbox_world):
    auth.login("hr@example.org")
    url = f"/admin/reminders/{outbox_world['step']}/edit"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/"), "label": "Hacked",
                                      "offset_days": "-1", "recipients": "hr", "active": "y"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(ReminderStep, outbox_world["step"]).label != "Hacked"


def test_outbox_page_shows_what_would_have_been_sent_without_mail_server(client, auth, session, outbox_world):
    send_email.run(session, DAY)  # default settings: no MAIL_SERVER
    auth.login("admin@example.org")
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "No mail server is configured" in html and "Reminder: YMHFA" in html
    assert "Not sent (no mail server) (1)" in html
    detail = client.get(f"/admin/outbox/{outbox_world['message']}").get_data(as_text=True)
    assert f"/people/{outbox_world['person']}" in detail


def test_admin_edits_reminder_plan_and_sees_every_problem(client, auth, session, outbox_world):
    auth.login("admin@example.org")
    step = session.scalar(select(ReminderStep).where(ReminderStep.kind == "training",
                                                     ReminderStep.code == "escalation"))
    url = f"/admin/reminders/{step.id}/edit"
    bad = post_form(client, url, {"label": "", "offset_days": "-3", "repeat_days": "500",
                                  "escalation": "y"})
    text = bad.get_data(as_text=True)
    for message in ("Give the step a name", "Repeat every must be", "at least one recipient",
                    "must come after the due date"):
        assert message in text
    ok = post_form(client, url, {"label": "HR after 45 days", "offset_days": "45",
                                 "recipients": ["hr", "principal"], "escalation": "y", "active": "y"})
    assert ok.status_code == 302
    session.expire_all()
    step = session.get(ReminderStep, step.id)
    assert (step.offset_days, step.recipients, step.label) == (45, "principal,hr", "HR after 45 days")


def test_email_preference_digest_and_person_flags(client, auth, session, outbox_world):
    auth.login("staff@example.org")
    response = post_form(client, "/account/email", {"delivery": "digest", "subscribed": "y"})
    assert response.status_code == 302
    pref = session.scalar(select(EmailPreference).where(EmailPreference.email == "tess@example.org"))
    assert pref.delivery == "digest" and pref.unsubscribed_at is None
    page = client.get(f"/people/{outbox_world['person']}").get_data(as_text=True)
    assert "Flags and reminders" in page and "YMHFA" in page and "Due soon" in page


def test_digest_unsubscribe_ignores_get_works_on_post_and_refuses_tampering(client, session, smtp,
                                                                          outbox_world):
    session.add(EmailPreference(email="tess@example.org", delivery="digest"))
    session.commit()
    outbox_world["source"].add(outbox_world["person"], DAY + timedelta(days=14),
                               label="PBIS-STAFF Non-punitive")
    flag_overdue.run(session, DAY, sources=[outbox_world["source"]])
    session.commit()
    # Only the reminder queued before the switch to digest goes out singly; the new one is held.
    assert send_email.run(session, DAY, settings=smtp.settings())["sent"] == 1
    held = session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("%PBIS%")))
    assert held.status == "held"
    summary = send_digests.run(session, DAY, settings=smtp.settings())
    assert summary == {"digests": 1, "reminders": 1, "sent": 1, "deferred": 0, "parked": 0}
    assert send_digests.run(session, DAY, settings=smtp.settings())["digests"] == 0  # once a day
    msg = smtp.handler.messages()[-1]
    assert msg["Subject"] == "Your SECURe Tracker reminders for 2026-10-15"
    assert "PBIS-STAFF" in msg.get_body(("plain",)).get_content()
    link = msg["List-Unsubscribe"].strip("<>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("https://tracker.example")
    assert path == "/unsubscribe/" + unsubscribe_token("test-secret", "tess@example.org")

    got = client.get(path)
    assert got.status_code == 200 and "Unsubscribe from optional reminders?" in got.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(EmailPreference.unsubscribed_at)) is None  # GET changed nothing

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.post(tampered).status_code == 400
    forged = "/unsubscribe/" + unsubscribe_token("someone-elses-secret", "tess@example.org")
    assert client.post(forged).status_code == 400
    session.expire_all()
    assert session.scalar(select(EmailPreference.unsubscribed_at)) is None

    done = client.post(path)  # one-click: no session, no CSRF token, just the signed link
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(EmailPreference.unsubscribed_at)) is not None


def test_unsubscribed_still_gets_escalations_but_not_optional_reminders(session, smtp, outbox_world):
    session.add(EmailPreference(email="hr@example.org", delivery="digest", unsubscribed_at=None))
    from models.base import utcnow
    from models.services.reminders.email_prefs import unsubscribe

    unsubscribe(session, "tess@example.org", utcnow())
    unsubscribe(session, "hr@example.org", utcnow())
    session.commit()
    source = outbox_world["source"]
    source.add(outbox_world["person"], DAY - timedelta(days=31), label="LEGAL-UPD Legal update",
               status="overdue")
    flag_overdue.run(session, DAY, sources=[source])
    session.commit()
    send_email.run(session, DAY, settings=smtp.settings())
    got = sorted((r[0], m["Subject"].split(":")[0]) for (r, _), m in zip(smtp.handler.received,
                                                                       smtp.handler.messages(), strict=True))
    assert ("hr@example.org", "Escalation") in got
    assert not any(to == "tess@example.org" for to, _ in got)
