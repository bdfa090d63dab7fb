"""Flags and reminders exactly once, with an injected source of due items (the engine-free core)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from jobs import flag_overdue, send_email
from models.notifications import DeliveryAttempt, Flag, OutboxMessage
from tests.factories import make_person, make_school, make_user
from tests.jobs.conftest import DueTraining

DAY = date(2026, 10, 15)


def _world(session):
    school = make_school(session, "Adams High")
    person = make_person(session, first_name="Tess", last_name="Teacher", email="tess@example.org")
    from tests.factories import make_assignment

    make_assignment(session, person, [school])
    make_user(session, "principal", email="boss@example.org", schools=[school])
    make_user(session, "coordinator", email="coord@example.org")
    make_user(session, "hr", email="hr@example.org")
    session.commit()
    return person


def _day(session, smtp, day, source):
    flag_overdue.run(session, day, sources=[source])
    session.commit()
    return send_email.run(session, day, settings=smtp.settings())


def test_running_twice_delivers_once_then_next_step_one_more(session, smtp):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=14))
    _day(session, smtp, DAY, source)
    _day(session, smtp, DAY, source)
    assert [r for r, _ in smtp.handler.received] == [["tess@example.org"]]
    _day(session, smtp, DAY + timedelta(days=3), source)  # still the 14-day step: nothing new
    assert len(smtp.handler.received) == 1
    _day(session, smtp, DAY + timedelta(days=7), source)
    _day(session, smtp, DAY + timedelta(days=7), source)
    subjects = [m["Subject"] for m in smtp.handler.messages()]
    assert len(subjects) == 2 and all("YMHFA" in s for s in subjects)
    assert session.scalar(select(func.count(OutboxMessage.id))) == 2
    flag = session.scalar(select(Flag).where(Flag.kind == "training"))
    assert flag.first_flagged_on == DAY and flag.current_step == "before-7" and flag.closed_on is None


def test_overdue_copies_principal_and_coordinator_and_escalates_to_hr(session, smtp):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY - timedelta(days=35), status="overdue")
    _day(session, smtp, DAY, source)
    got = sorted(r[0] for r, _ in smtp.handler.received)
    assert got == ["boss@example.org", "coord@example.org", "hr@example.org", "tess@example.org"]
    esc = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "hr@example.org"))
    assert esc.escalation and esc.step == "escalation"
    _day(session, smtp, DAY + timedelta(days=1), source)  # same week: nothing new
    assert len(smtp.handler.received) == 4
    _day(session, smtp, DAY + timedelta(days=7), source)  # next weekly step: 3 more, no 2nd escalation
    assert len(smtp.handler.received) == 7


def test_message_is_multipart_with_stable_id_link_and_no_sensitive_details(session, smtp):
    person = _world(session)
    person.licence_number = "SECRET-LIC-9"
    session.commit()
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    _day(session, smtp, DAY, source)
    msg = smtp.handler.messages()[0]
    row = session.scalar(select(OutboxMessage))
    from models.services.reminders.mailer import message_id

    assert msg["Message-ID"] == message_id(row, "district.example")
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert f"https://tracker.example/people/{person.id}" in text and "YMHFA" in text
    assert f'href="https://tracker.example/people/{person.id}"' in html
    assert "SECRET-LIC-9" not in text + html and "tess@example.org" not in text


def test_smtp_down_then_up_loses_nothing_and_delivers_once(session, smtp_down):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    source.add(person.id, DAY + timedelta(days=14), label="BIAS-DIS Implicit bias")
    summary = _day(session, smtp_down, DAY, source)
    assert summary["deferred"] == 2 and summary["sent"] == 0
    rows = session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"pending"} and all(r.next_attempt_at for r in rows)
    assert all("refused" in r.last_error for r in rows)
    smtp_down.start()
    early = send_email.run(session, DAY, settings=smtp_down.settings())  # backoff not over yet
    assert early["sent"] == 0
    later = rows[0].next_attempt_at + timedelta(seconds=1)
    send_email.run(session, DAY, settings=smtp_down.settings(), now=later)
    send_email.run(session, DAY, settings=smtp_down.settings(), now=later + timedelta(hours=1))
    assert len(smtp_down.handler.received) == 2
    assert session.scalar(select(func.count(DeliveryAttempt.id))) == 4  # 2 refused + 2 sent


def test_451_then_250_delivers_once(session, smtp):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    smtp.handler.script = ["451 4.3.0 Try again later"]
    first = _day(session, smtp, DAY, source)
    assert first["deferred"] == 1 and smtp.handler.received == []
    row = session.scalar(select(OutboxMessage))
    assert row.status == "pending" and row.last_error.startswith("451")
    later = row.next_attempt_at + timedelta(seconds=1)
    send_email.run(session, DAY, settings=smtp.settings(), now=later)
    send_email.run(session, DAY, settings=smtp.settings(), now=later + timedelta(hours=1))
    assert len(smtp.handler.received) == 1
    session.refresh(row)
    assert row.status == "sent" and row.attempts == 2
    assert [a.outcome for a in row.attempt_log] == ["temporary", "sent"]


def test_550_parks_with_reason_after_one_attempt(session, smtp):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    smtp.handler.script = ["550 5.1.1 Mailbox unavailable"]
    summary = _day(session, smtp, DAY, source)
    assert summary["parked"] == 1
    row = session.scalar(select(OutboxMessage))
    assert row.status == "parked" and row.attempts == 1 and "550 5.1.1 Mailbox unavailable" in row.last_error
    send_email.run(session, DAY, settings=smtp.settings(), now=row.created_at + timedelta(days=2))
    assert smtp.handler.received == [] and session.scalar(select(func.count(DeliveryAttempt.id))) == 1


def test_resolved_item_closes_flag_and_cancels_queued_reminder_in_the_same_transaction(session, smtp):
    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    flag_overdue.run(session, DAY, sources=[source])
    session.commit()
    assert session.scalar(select(OutboxMessage)).status == "pending"
    source.complete_all(DAY)  # recorded before any sender ran: the flag closes with the completion
    assert session.scalar(select(Flag).where(Flag.kind == "training")).closed_on == DAY
    assert session.scalar(select(OutboxMessage)).status == "cancelled"
    summary = flag_overdue.run(session, DAY + timedelta(days=1), sources=[source])
    session.commit()
    send_email.run(session, DAY, settings=smtp.settings())
    assert summary["flags_closed"] == 0 and summary["messages_queued"] == 0
    assert smtp.handler.received == []


def test_no_mail_server_sends_nothing_and_keeps_what_would_have_been(session):
    from models.services.reminders.mailer import MailSettings

    person = _world(session)
    source = DueTraining(session)
    source.add(person.id, DAY + timedelta(days=7))
    flag_overdue.run(session, DAY, sources=[source])
    session.commit()
    summary = send_email.run(session, DAY, settings=MailSettings(server=""))
    row = session.scalar(select(OutboxMessage))
    assert summary["skipped"] == 1 and row.status == "skipped" and row.subject.startswith("Reminder: YMHFA")
