"""Training sessions (issue 15, item 2): scheduling, enrolment by need, invitations, check-off and close.

Adams High has 25 teachers, all overdue on the mental-health course (due 2026-01-01, never done);
the session is held on the test day, 09:00–17:00 Chicago time, in room 101, with 30 seats. Burr
Middle has one overdue teacher of its own. Tests pass `today` and `now` in; the emails go through
the outbox to a real aiosmtpd server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlalchemy import event, func, select

from models.audit import AuditEvent
from models.errors import DomainError, ValidationFailed
from models.notifications import OutboxMessage
from models.people import Person
from models.scoping import Scope
from models.services.accounts.api_tokens import create_calendar_feed
from models.services.training import session_close
from models.services.training import sessions as svc
from models.services.training.compliance import compliance_rows
from models.training import Completion, Course
from models.training_sessions import Enrolment, TrainingSession
from tests.accounts.conftest import deliver
from tests.conftest import TODAY, AuthActions, csrf_token, fresh_client
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.smtp import smtp  # noqa: F401 - fixture: the scripted aiosmtpd server on loopback
from tests.training.factories import make_completion, make_course, make_requirement

NOW = datetime(2026, 10, 15, 13, 0, tzinfo=UTC)
EVERYONE = Scope.everyone(TODAY)


def _session_data(course_id: int, **overrides) -> dict:
    return {"course_id": course_id, "held_on": TODAY, "starts_at": time(9), "ends_at": time(17),
            "location": "Adams High, room 101", "online_url": None, "instructor": "Dana Instructor",
            "capacity": 30, "hours": None, "note": None, **overrides}


@pytest.fixture
def world(session):
    adams, burr = make_school(session, "Adams High"), make_school(session, "Burr Middle")
    course = make_course(session, "YMHFA-T", title="Youth Mental Health First Aid", hours=8)
    make_requirement(session, course, roles=("teacher",), due_days=365, renewal_months=12)
    teachers = []
    for n in range(25):
        person = make_person(session, first_name=f"Tess{n:02d}", last_name=f"Teacher{n:02d}",
                             email=f"tess{n:02d}@district.example")
        make_assignment(session, person, [adams], start_date=date(2025, 1, 1))
        teachers.append(person.id)
    burr_teacher = make_person(session, first_name="Bo", last_name="Burrows", email="bo@district.example")
    make_assignment(session, burr_teacher, [burr], start_date=date(2025, 1, 1))
    coordinator = make_user(session, "coordinator", email="coordinator@district.example")
    make_user(session, "principal", email="principal.a@district.example", schools=[adams])
    make_user(session, "principal", email="principal.b@district.example", schools=[burr])
    make_user(session, "staff", email="tess00@district.example", person=session.get(Person, teachers[0]))
    ts = svc.save_session(session, None, _session_data(course.id), user_id=coordinator.id)
    session.commit()
    return SimpleNamespace(adams=adams.id, burr=burr.id, course=course.id, teachers=teachers,
                           burr_teacher=burr_teacher.id, session=ts.id, coordinator=coordinator.id)


def _signed_in(app, email):
    client = fresh_client(app)
    assert AuthActions(client).login(email).status_code == 302
    return client


def _statuses(session, person_ids) -> dict[int, str]:
    return {r.person_id: r.status for r in compliance_rows(session, TODAY, person_ids=person_ids)}


def _enrol_all(session, world):
    ts = session.get(TrainingSession, world.session)
    added, left_out = svc.enrol_people(session, ts, world.teachers, EVERYONE, today=TODAY, now=NOW,
                                       user_id=world.coordinator)
    session.commit()
    assert (len(added), left_out) == (25, 0)
    return ts


class StatementCounter:
    """Counts the SQL statements sent while it is active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _seen(self, conn, cursor, statement, *args):
        self.count += 1
        self.statements = [*getattr(self, "statements", []), statement[:150]]

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _close(session, ts, attended: set[int], numbers=None):
    enrolments = session_close.session_enrolments(session, ts)
    marks = {e.id: {"attended": e.person_id in attended, "field": f"e{e.id}_",
                    "certificate_number": (numbers or {}).get(e.person_id, "")} for e in enrolments}
    return session_close.close_session(session, ts, marks, today=TODAY, now=NOW, user_id=None)


def test_closing_a_session_of_25_with_22_attended_writes_22_completions_and_3_stay_due(app, session, world):
    ts = _enrol_all(session, world)
    attended = set(world.teachers[:22])
    audits_before = session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.entity_type == "completions"))
    with StatementCounter(session.get_bind()) as counted:
        written = _close(session, ts, attended, {world.teachers[0]: "CERT-0001"})
    session.commit()
    assert written == 22
    rows = session.execute(select(Completion.person_id, Completion.completed_on, Completion.hours,
                                  Completion.source, Completion.certificate_number)
                           .where(Completion.course_id == world.course)).all()
    assert {r.person_id for r in rows} == attended
    assert {(r.completed_on, r.hours, r.source) for r in rows} == {(TODAY, 8, "session")}
    assert {r.certificate_number for r in rows} == {"CERT-0001", None}
    audits = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "completions", AuditEvent.action == "create"))
    assert audits - audits_before == 22
    statuses = _statuses(session, world.teachers)
    assert {p for p, s in statuses.items() if s == "complete"} == attended
    assert {p: s for p, s in statuses.items() if p not in attended} == \
        dict.fromkeys(world.teachers[22:], "overdue")
    assert session.get(TrainingSession, world.session).status == "closed"
    no_shows = session.scalars(select(Enrolment).where(Enrolment.attended.is_(False))).all()
    assert {e.person_id for e in no_shows} == set(world.teachers[22:])
    assert all(e.completion_id is None for e in no_shows)
    # Set-based: no read per attendee. PostgreSQL also takes the 22 inserts as one statement; SQLite
    # gets one INSERT per row from the ORM (it needs each new id back and SQLite's RETURNING order is
    # not guaranteed), all inside the same transaction.
    reads = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) < 10, "\n".join(reads)
    if session.get_bind().dialect.name == "postgresql":
        assert counted.count < 22, "\n".join(counted.statements)


def test_one_invalid_attendee_row_writes_nothing_and_every_problem_is_shown(app, session, world):
    ts = _enrol_all(session, world)
    bad = {world.teachers[3]: "AB\x00CD", world.teachers[7]: "X" * 101}
    with pytest.raises(ValidationFailed) as refused:
        _close(session, ts, set(world.teachers[:22]), bad)
    session.rollback()
    messages = [m for _, m in refused.value.problems]
    assert any(m.startswith("Tess03 Teacher03: Certificate number contains an invisible") for m in messages)
    assert any(m.startswith("Tess07 Teacher07: Certificate number is too long: at most 100")
               for m in messages)
    assert session.scalar(select(func.count()).select_from(Completion)) == 0
    assert session.get(TrainingSession, world.session).status == "scheduled"
    assert set(_statuses(session, world.teachers).values()) == {"overdue"}


def test_the_check_off_page_closes_the_session_or_shows_every_problem(app, session, world):
    ts = _enrol_all(session, world)
    enrolments = {e.person_id: e.id for e in session_close.session_enrolments(session, ts)}
    client = _signed_in(app, "coordinator@district.example")
    path = f"/training/sessions/{world.session}/attendance"
    page = client.get(path).get_data(as_text=True)
    assert "Tess24 Teacher24" in page
    token = csrf_token(client, path)
    form = {"csrf_token": token, "action": "close"}
    form |= {f"e{enrolments[p]}_attended": "y" for p in world.teachers[:22]}
    numbers = {f"e{enrolments[world.teachers[1]]}_certificate_number": "A\x00",
               f"e{enrolments[world.teachers[2]]}_certificate_number": "9" * 150}
    refused = client.post(path, data=form | numbers)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "nothing was saved" in body
    assert "Tess01 Teacher01: Certificate number contains an invisible" in body
    assert "Tess02 Teacher02: Certificate number is too long" in body
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Completion)) == 0
    closed = client.post(path, data=form)
    assert closed.status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Completion)) == 22
    assert session.get(TrainingSession, world.session).status == "closed"


def test_enrolment_by_school_and_role_takes_the_neediest_first_up_to_capacity(app, session, world):
    adams = session.get(Person, world.teachers[0]).assignments[0].schools[0]
    course = session.get(TrainingSession, world.session).course
    ts = svc.save_session(session, None, _session_data(course.id, held_on=date(2026, 10, 20), capacity=3),
                          user_id=None)

    def teacher(name, start, completed=None):
        person = make_person(session, first_name=name, last_name="Needs")
        make_assignment(session, person, [adams], start_date=start)
        if completed:
            make_completion(session, person, course, completed)
        return person.id

    # The fixture's 25 overdue teachers are complete here, so the school holds one person per status.
    for pid in world.teachers:
        make_completion(session, session.get(Person, pid), course, date(2026, 5, 1))
    expired = teacher("Exp", date(2023, 1, 1), completed=date(2024, 6, 1))
    overdue = teacher("Ove", date(2025, 1, 1))
    due_soon = teacher("Soo", date(2025, 10, 25))
    not_yet = teacher("Not", date(2026, 6, 1))
    counselor = make_person(session, first_name="Cou", last_name="Needs", person_type="counselor")
    make_assignment(session, counselor, [adams], start_date=date(2025, 1, 1))
    session.commit()
    assert _statuses(session, [expired, overdue, due_soon, not_yet]) == {
        expired: "expired", overdue: "overdue", due_soon: "due_soon", not_yet: "not_yet_due"}

    added, waiting = svc.enrol_by_school_and_role(session, ts, EVERYONE, school_id=adams.id, role="teacher",
                                                  today=TODAY, now=NOW, user_id=None)
    session.commit()
    assert [e.person_id for e in added] == [overdue, expired, due_soon]
    assert waiting == 1
    with pytest.raises(DomainError, match="full"):
        svc.enrol_by_school_and_role(session, ts, EVERYONE, school_id=adams.id, role="teacher",
                                     today=TODAY, now=NOW, user_id=None)
    session.rollback()
    svc.save_session(session, ts, _session_data(course.id, held_on=date(2026, 10, 20), capacity=10),
                     user_id=None)
    added, waiting = svc.enrol_by_school_and_role(session, ts, EVERYONE, school_id=adams.id, role="teacher",
                                                  today=TODAY, now=NOW, user_id=None)
    session.commit()
    assert ([e.person_id for e in added], waiting) == ([not_yet], 0)  # the complete ones are not needed
    # Nobody twice: asking again for people already enrolled adds nobody.
    again, _ = svc.enrol_people(session, ts, [overdue, not_yet, counselor.id], EVERYONE, today=TODAY,
                                now=NOW, user_id=None)
    session.commit()
    assert [e.person_id for e in again] == [counselor.id]
    seats = session.scalars(select(Enrolment.person_id).where(Enrolment.session_id == ts.id)).all()
    assert sorted(seats) == sorted([overdue, expired, due_soon, not_yet, counselor.id])


def test_enrolment_refuses_people_outside_the_scope(app, session, world):
    ts = session.get(TrainingSession, world.session)
    outside = Scope.for_user(_user(session, "principal.b@district.example"), TODAY)
    with pytest.raises(ValidationFailed, match="Choose people from the list"):
        svc.enrol_people(session, ts, [world.teachers[0]], outside, today=TODAY, now=NOW, user_id=None)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 0


def _user(session, email):
    from models.accounts import User

    return session.scalar(select(User).where(User.email == email))


def test_the_invitation_email_carries_a_valid_ics(app, session, world, smtp):  # noqa: F811
    course = session.get(TrainingSession, world.session).course
    ts = svc.save_session(session, None, _session_data(course.id, held_on=date(2026, 10, 20),
                                                       starts_at=time(9, 30), ends_at=time(12, 0),
                                                       online_url="https://meet.example/ymhfa"),
                          user_id=None)
    svc.enrol_people(session, ts, world.teachers[:2], EVERYONE, today=TODAY, now=NOW, user_id=None)
    session.commit()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.step == "session-invite")) == 2
    messages = deliver(session, smtp, NOW)
    assert sorted(m["To"] for m in messages) == ["tess00@district.example", "tess01@district.example"]
    message = next(m for m in messages if m["To"] == "tess00@district.example")
    assert message["Subject"] == "Training session: YMHFA-T on 2026-10-20"
    text = message.get_body(("plain",)).get_content()
    assert "Hello Tess00," in text and "Adams High, room 101" in text and "09:30–12:00" in text
    files = [part for part in message.iter_attachments() if part.get_filename() == "session.ics"]
    assert len(files) == 1 and files[0].get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(files[0].get_payload(decode=True))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    vevent = events[0]
    # 09:30 in Chicago on 2026-10-20 (daylight time, UTC-5) is 14:30 UTC.
    assert vevent.decoded("dtstart") == datetime(2026, 10, 20, 14, 30, tzinfo=UTC)
    assert vevent.decoded("dtend") == datetime(2026, 10, 20, 17, 0, tzinfo=UTC)
    assert str(vevent["summary"]) == "YMHFA-T Youth Mental Health First Aid"
    assert str(vevent["uid"]) == f"session-{ts.id}@secure-tracker"
    assert str(vevent["location"]) == "Adams High, room 101 / https://meet.example/ymhfa"
    assert vevent.decoded("dtstamp") == NOW
    assert str(calendar["version"]) == "2.0" and calendar.get("prodid")


def test_sessions_show_on_the_course_page_transcript_and_own_calendar_feed(app, session, world):
    course = session.get(TrainingSession, world.session).course
    upcoming = svc.save_session(session, None, _session_data(course.id, held_on=date(2026, 11, 3),
                                                             location="District office"), user_id=None)
    svc.enrol_people(session, upcoming, [world.teachers[0]], EVERYONE, today=TODAY, now=NOW, user_id=None)
    staff = _user(session, "tess00@district.example")
    _, secret = create_calendar_feed(session, staff, NOW)
    session.commit()
    coordinator = _signed_in(app, "coordinator@district.example")
    course_page = coordinator.get(f"/training/courses/{world.course}").get_data(as_text=True)
    assert "Upcoming sessions" in course_page and "2026-11-03, 09:00–17:00" in course_page
    assert f"/training/sessions/{upcoming.id}" in course_page
    transcript = coordinator.get(f"/training/people/{world.teachers[0]}").get_data(as_text=True)
    assert "Training sessions" in transcript and "District office" in transcript
    feed = fresh_client(app).get(f"/calendar/{secret}.ics")
    assert feed.status_code == 200
    events = {str(e["uid"]): e for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    event_ = events[f"session-{upcoming.id}@secure-tracker"]
    assert event_.decoded("dtstart") == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)  # 09:00 CST
    assert str(event_["location"]) == "District office"
    assert f"session-{world.session}@secure-tracker" not in events  # not enrolled in that one


def test_the_pages_scope_enrolments_and_refuse_who_may_not(app, session, world):
    ts = session.get(TrainingSession, world.session)
    svc.enrol_people(session, ts, [world.teachers[0], world.burr_teacher], EVERYONE, today=TODAY, now=NOW,
                     user_id=None)
    session.commit()
    path = f"/training/sessions/{world.session}"
    principal_b = _signed_in(app, "principal.b@district.example")
    page = principal_b.get(path).get_data(as_text=True)
    assert "Burrows" in page and "Teacher00" not in page
    roster = principal_b.get(f"{path}/roster").get_data(as_text=True)
    assert "Bo Burrows" in roster and "Teacher00" not in roster
    for forbidden in (f"{path}/attendance", f"{path}/edit", "/training/sessions/new"):
        assert principal_b.get(forbidden).status_code == 403
    token = csrf_token(principal_b, path)
    assert principal_b.post(f"{path}/enrol", data={"csrf_token": token,
                                                   "person_id": world.burr_teacher}).status_code == 403
    assert principal_b.get("/training/sessions/999999").status_code == 404
    staff = _signed_in(app, "tess00@district.example")
    assert staff.get(path).status_code == 403
    coordinator = _signed_in(app, "coordinator@district.example")
    assert coordinator.post(f"{path}/cancel", data={}).status_code == 400  # no CSRF token
    assert session.get(TrainingSession, world.session).status == "scheduled"
    full = coordinator.get(path).get_data(as_text=True)
    assert "Teacher00" in full and "Burrows" in full and "2 of 30 taken" in full


def test_scheduling_through_the_form_checks_every_field(app, session, world):
    coordinator = _signed_in(app, "coordinator@district.example")
    token = csrf_token(coordinator, "/training/sessions/new")
    bad = coordinator.post("/training/sessions/new", data={
        "csrf_token": token, "course_id": world.course, "held_on": "2026-11-10", "starts_at": "13:00",
        "ends_at": "12:00", "capacity": "0", "instructor": "", "location": "", "online_url": "ftp://x"})
    body = bad.get_data(as_text=True)
    for sentence in ("The session must end after it starts.", "Capacity must be between 1 and 500.",
                     "Name the instructor.", "The online link must start with https://"):
        assert sentence in body
    good = coordinator.post("/training/sessions/new", data={
        "csrf_token": token, "course_id": world.course, "held_on": "2026-11-10", "starts_at": "08:30",
        "ends_at": "12:00", "capacity": "12", "instructor": "Dana", "location": "Room 4"})
    assert good.status_code == 302
    created = session.scalar(select(TrainingSession).where(TrainingSession.held_on == date(2026, 11, 10)))
    assert (created.starts_at, created.capacity, created.location) == (time(8, 30), 12, "Room 4")
    token = csrf_token(coordinator, f"/training/sessions/{created.id}")
    assert coordinator.post(f"/training/sessions/{created.id}/cancel",
                            data={"csrf_token": token, "cancel_reason": "Instructor ill"}).status_code == 302
    session.expire_all()
    assert session.get(TrainingSession, created.id).status == "cancelled"
    with pytest.raises(DomainError, match="cancelled"):
        svc.enrol_people(session, session.get(TrainingSession, created.id), [world.teachers[0]], EVERYONE,
                         today=TODAY, now=NOW, user_id=None)


def test_a_retired_course_takes_no_new_session_but_its_sessions_stay_editable(session, world):
    """Retiring a course (the catalog) keeps its scheduled sessions; a new one for it is refused."""
    course = session.get(Course, world.course)
    course.active = False
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        svc.save_session(session, None, _session_data(course.id), user_id=world.coordinator)
    assert ("course_id", "YMHFA-T is retired; choose an active course.") in refused.value.problems
    ts = session.get(TrainingSession, world.session)
    svc.save_session(session, ts, _session_data(course.id, capacity=40), user_id=world.coordinator)
    assert ts.capacity == 40
    with pytest.raises(ValidationFailed) as too_long:
        svc.save_session(session, ts, _session_data(course.id, hours=500), user_id=world.coordinator)
    assert ("hours", "Hours must be above 0 and at most 200.") in too_long.value.problems
    session.rollback()
