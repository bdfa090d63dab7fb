"""Acceptance with the real Step 4 and Step 5 engines: flags, reminders once, completion stops them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from jobs import flag_overdue, send_email
from models.notifications import Flag, OutboxMessage
from tests.factories import make_agency, make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement

DAY = date(2026, 10, 15)


def _sro_with_training_due(session, due_in_days=14):
    """An SRO whose YMHFA course is due `due_in_days` from DAY (30 days after a recent start)."""
    school = make_school(session, "Adams High")
    agency = make_agency(session, "Metro PD")
    sro = make_person(session, first_name="Sam", last_name="Officer", email="sam@example.org",
                      person_type="sro", agency=agency, licence_number="L-77")
    make_assignment(session, sro, [school], start_date=DAY + timedelta(days=due_in_days - 30))
    course = make_course(session, "YMHFA", title="Youth Mental Health First Aid")
    make_requirement(session, course, roles=("sro",), due_rule="within_days", due_days=30)
    make_user(session, "principal", email="boss@example.org", schools=[school])
    make_user(session, "supervisor", email="sarge@example.org", agency=agency)
    make_user(session, "coordinator", email="coord@example.org")
    make_user(session, "hr", email="hr@example.org")
    session.commit()
    return sro, course


def _day(session, smtp, day):
    summary = flag_overdue.run(session, day)
    session.commit()
    send_email.run(session, day, settings=smtp.settings())
    return summary


def _training_mail(smtp):
    return [(m["To"], m["Subject"]) for m in smtp.handler.messages() if "YMHFA" in m["Subject"]]


def test_real_engine_reminder_once_per_step(session, smtp):
    _sro_with_training_due(session)
    _day(session, smtp, DAY)
    _day(session, smtp, DAY)
    assert _training_mail(smtp) == [("sam@example.org",
                                     "Reminder: YMHFA Youth Mental Health First Aid is due on 2026-10-29")]
    _day(session, smtp, DAY + timedelta(days=7))
    _day(session, smtp, DAY + timedelta(days=7))
    assert len(_training_mail(smtp)) == 2
    flag = session.scalar(select(Flag).where(Flag.kind == "training"))
    assert flag.status == "due_soon" and flag.first_flagged_on == DAY and flag.current_step == "before-7"


def test_completing_training_closes_flag_and_stops_reminders(session, smtp):
    sro, course = _sro_with_training_due(session, due_in_days=-10)  # already overdue
    _day(session, smtp, DAY)
    first = _training_mail(smtp)
    assert ("sam@example.org", "Overdue: YMHFA Youth Mental Health First Aid was due on 2026-10-05") in first
    assert {to for to, _ in first} == {"sam@example.org", "boss@example.org", "sarge@example.org",
                                       "coord@example.org"}
    make_completion(session, sro, course, DAY)
    session.commit()  # the flag closes with the completion, not at the next daily run
    flag = session.scalar(select(Flag).where(Flag.kind == "training"))
    assert flag.closed_on == DAY
    summary = _day(session, smtp, DAY + timedelta(days=1))
    assert summary["flags_closed"] == 0 and summary["messages_queued"] == 0
    for later in (7, 14, 21, 40):  # the next weekly steps and the escalation would have come here
        _day(session, smtp, DAY + timedelta(days=later))
    assert len(_training_mail(smtp)) == len(first)
    assert session.scalar(select(func.count(OutboxMessage.id))
                          .where(OutboxMessage.item_key.like("training:%"))) == len(first)


def test_evaluation_due_from_engine_is_flagged(session, smtp):
    school = make_school(session, "Adams High")
    teacher = make_person(session, email="tia@example.org")
    make_assignment(session, teacher, [school], start_date=DAY - timedelta(days=83))  # review due in 7 days
    make_user(session, "principal", email="boss@example.org", schools=[school])
    session.commit()
    _day(session, smtp, DAY)
    flag = session.scalar(select(Flag).where(Flag.kind == "evaluation", Flag.closed_on.is_(None)))
    assert flag is not None and flag.status == "due" and flag.current_step == "before-7"
    assert ("tia@example.org", "Reminder: Evaluation (first review) is due on 2026-10-22") in [
        (m["To"], m["Subject"]) for m in smtp.handler.messages()]
