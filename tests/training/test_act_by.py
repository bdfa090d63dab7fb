"""A renewal is due when its completion expires: one fixture, every place that shows "Due" (issue 15, item 3).

Rene Renewal became an SRO on 2016-01-22, so the de-escalation requirement (within 365 days, renewed every
12 months) was first due on 2017-01-21. He last completed it on 2025-11-05: the renewal is due 2026-11-05.
The board, transcript, person page, his home page, the expiring report's CSV, the flag, the reminder
email that reaches the SMTP server and his calendar feed all show 2026-11-05, and none shows 2017-01-21.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobs import flag_overdue
from models.notifications import Flag
from models.seed.notifications import seed_reminder_plan
from models.services.accounts.api_tokens import create_calendar_feed
from models.services.training.compliance import compliance_rows
from models.training import Requirement
from tests.accounts.conftest import deliver
from tests.conftest import TODAY, AuthActions, fresh_client
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.smtp import smtp  # noqa: F401 - fixture: the scripted aiosmtpd server on loopback
from tests.training.factories import make_completion, make_course, make_requirement

FIRST_DUE, RENEWAL_DUE = "2017-01-21", "2026-11-05"
NOW = datetime(2026, 10, 15, 9, tzinfo=UTC)


@pytest.fixture
def renewal(session):
    school = make_school(session, "Adams High")
    rene = make_person(session, first_name="Rene", last_name="Renewal", person_type="sro",
                       email="rene@example.org")
    make_assignment(session, rene, [school], start_date=date(2016, 1, 22))
    course = make_course(session, "DEESC", title="De-escalation")
    requirement = make_requirement(session, course, due_days=365, renewal_months=12, due_soon_days=30)
    make_completion(session, rene, course, date(2025, 11, 5))
    own = make_user(session, "staff", email="rene@example.org", person=rene)
    make_user(session, "coordinator", email="coordinator@example.org")
    seed_reminder_plan(session, TODAY)
    _, secret = create_calendar_feed(session, own, NOW)
    session.commit()
    return SimpleNamespace(person=rene.id, requirement=requirement.id, feed=secret)


def _signed_in(app, email):
    client = fresh_client(app)
    assert AuthActions(client).login(email).status_code == 302
    return client


def _shows_renewal_date(text: str, where: str) -> None:
    assert RENEWAL_DUE in text, f"{where} does not show {RENEWAL_DUE}"
    assert FIRST_DUE not in text, f"{where} shows the first due date {FIRST_DUE}"


def test_the_engine_gives_the_expiry_as_the_date_to_act_by(session, renewal):
    (row,) = compliance_rows(session, TODAY, person_ids=[renewal.person])
    assert (row.due_date.isoformat(), row.expires_on.isoformat(), row.status) == (FIRST_DUE, RENEWAL_DUE,
                                                                                  "due_soon")
    assert row.act_by.isoformat() == RENEWAL_DUE


def test_every_page_export_flag_email_and_feed_shows_the_renewal_date(app, session, renewal, smtp):  # noqa: F811
    coordinator = _signed_in(app, "coordinator@example.org")
    for path, where in (("/training/", "the board"), (f"/training/people/{renewal.person}", "the transcript"),
                        (f"/people/{renewal.person}", "the person page"),
                        ("/reports/expiring?format=csv", "the expiring report's CSV")):
        response = coordinator.get(path)
        assert response.status_code == 200, (where, response.status_code)
        _shows_renewal_date(response.get_data(as_text=True), where)
    home = _signed_in(app, "rene@example.org").get("/")
    _shows_renewal_date(home.get_data(as_text=True), "his home page")

    flag_overdue.run(session, TODAY)
    session.commit()
    flag = session.scalar(select(Flag).where(Flag.person_id == renewal.person))
    assert flag.due_date.isoformat() == RENEWAL_DUE and flag.item_key.endswith(RENEWAL_DUE)
    messages = [m for m in deliver(session, smtp, NOW)
                if m["To"] == "rene@example.org" and "De-escalation" in m["Subject"]]
    assert messages, "no training reminder reached the SMTP server"
    for message in messages:
        _shows_renewal_date(message.get_body(("plain",)).get_content(), "the reminder email")

    feed = fresh_client(app).get(f"/calendar/{renewal.feed}.ics")
    assert feed.status_code == 200
    ics = feed.get_data(as_text=True)
    assert f"DTSTART;VALUE=DATE:{RENEWAL_DUE.replace('-', '')}" in ics and "20170121" not in ics


def test_a_recertification_window_shows_when_the_renewal_opens(app, session, renewal):
    """A 14-day window on the 2026-11-05 renewal opens on 2026-10-22: the board and transcript say so."""
    session.get(Requirement, renewal.requirement).recert_window_days = 14
    session.commit()
    (row,) = compliance_rows(session, TODAY, person_ids=[renewal.person])
    assert row.renewal_opens.isoformat() == "2026-10-22" and row.act_by.isoformat() == RENEWAL_DUE
    coordinator = _signed_in(app, "coordinator@example.org")
    for path in ("/training/", f"/training/people/{renewal.person}"):
        assert "renewal opens 2026-10-22" in coordinator.get(path).get_data(as_text=True), path
