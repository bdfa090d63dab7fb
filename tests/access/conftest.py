"""The access walk's world: two schools' people, records in every state, a panel, tokens and feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobs import flag_overdue
from models.accounts import User
from models.evaluations import EvaluationTemplate
from models.hiring import SelectionCriterion, Vacancy
from models.notifications import OutboxMessage, ReminderStep
from models.org import Agency, School
from models.people import Assignment, Person
from models.reports import SelfAssessmentItem
from models.scoping import Scope
from models.seed.evaluations import seed_templates
from models.seed.notifications import seed_reminder_plan
from models.seed.reports import seed_self_assessment
from models.services.accounts.api_tokens import (
    create_api_token,
    create_calendar_feed,
    revoke_calendar_feed,
)
from models.services.evaluations import workflow as eval_svc
from models.services.hiring.panel import add_member
from models.services.training.completions import store_certificate
from models.services.training.sessions import enrol_people, save_session
from models.training import Completion, Course, Requirement
from tests.conftest import TODAY
from tests.evaluations.conftest import ratings
from tests.factories import make_user
from tests.foundation.conftest import world  # noqa: F401 - fixture
from tests.reports.conftest import rw  # noqa: F401 - fixture
from tests.training.factories import make_completion

# Routes this generator does not drive, each with where it is tested instead.


def build_pw(session, rw, upload_dir):  # noqa: F811
    """The reporting world plus the users above, evaluations, a panel, certificates, tokens and feeds.

    Evaluations: Sam's draft and his submitted one (school A), Alice's final one (A), Bob's draft (B).
    Vacancy A's panel: the principal (school administrator), the panelist (teacher), a parent without
    an account. Certificates: on new completions of Sam (A) and Bob (B); Alice's PBIS has none.
    """
    users = {u.role: u for u in session.scalars(select(User))}
    school_b = session.get(School, rw.school_b)
    other_agency = session.scalar(select(Agency).where(Agency.id != rw.agency))
    sam, alice, bob = (session.get(Person, i) for i in (rw.sro, rw.teacher_a, rw.teacher_b))
    sam.last_name = "Oakes"  # not "Officer", a word SRO pages show ("Officer licence"): leaks stay exact
    users["principal_b"] = make_user(session, "principal", email="principal.b@example.org",
                                     schools=[school_b])
    users["supervisor_other"] = make_user(session, "supervisor", email="supervisor.other@example.org",
                                          agency=other_agency)
    users["sro"] = make_user(session, "staff", email="sro@example.org", person=sam)
    users["panelist"] = make_user(session, "staff", email="panelist@example.org")
    seed_templates(session)
    seed_reminder_plan(session, TODAY)
    seed_self_assessment(session, TODAY)
    criterion = SelectionCriterion(role="sro", title="Works well with students", kind="preference")
    session.add(criterion)

    def start(person, evaluator, cycle="2025-2026"):
        assignment = session.scalar(select(Assignment.id).where(Assignment.person_id == person.id))
        return eval_svc.start_evaluation(session, person_id=person.id, assignment_id=assignment, cycle=cycle,
                                         evaluator=evaluator, today=TODAY)

    def submit(ev):
        eval_svc.save_evaluation(session, ev, ratings(ev, [3] * len(ev.ratings)), user=users["principal"],
                                 today=TODAY, submit=True)

    draft_a, draft_b = start(sam, users["principal"]), start(bob, users["principal_b"])
    submitted_a = start(sam, users["principal"], cycle="2026-2027")
    submit(submitted_a)
    final_a = start(alice, users["principal"])
    submit(final_a)
    eval_svc.acknowledge_evaluation(session, final_a, user=users["staff"], response=None, today=TODAY)

    vacancies = {v.title: v for v in session.scalars(select(Vacancy))}
    vacancy_a, vacancy_b = vacancies["SRO, Adams High"], vacancies["Teacher, Burr"]
    seats = {seat: add_member(session, vacancy_a, {"seat": seat, "user_id": u and u.id, "name": name}).id
             for seat, u, name in (("school_administrator", users["principal"], "Principal Adams"),
                                   ("teacher", users["panelist"], "Terry Teacher"),
                                   ("parent", None, "Pat Parent"))}

    basic = session.get(Course, rw.basic)
    name, kind = store_certificate(upload_dir, b"%PDF-1.4 certificate")
    certificates = [make_completion(session, person, basic, date(2026, 2, 1), certificate_file=name,
                                    certificate_type=kind, certificate_name="certificate.pdf").id
                    for person in (sam, bob)]
    plain = session.scalar(select(Completion.id).where(Completion.person_id == alice.id))
    # A session of the basic course with a seat for Alice (school A) and one for Bob (school B).
    course_session = save_session(session, None, {
        "course_id": basic.id, "held_on": date(2026, 10, 20), "starts_at": time(9), "ends_at": time(12),
        "location": "District office", "instructor": "Dana Instructor", "capacity": 20}, user_id=None)
    enrol_people(session, course_session, [alice.id, bob.id], Scope.everyone(TODAY), today=TODAY,
                 now=datetime(2026, 10, 15, 12, tzinfo=UTC), user_id=None)

    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    tokens, token_ids, feeds, feed_ids = {}, {}, {}, {}
    for key, user in users.items():
        token, tokens[key] = create_api_token(session, user, "access test", now)
        feed, feeds[key] = create_calendar_feed(session, user, now)
        token_ids[key], feed_ids[key] = token.id, feed.id
    revoked, revoked_secret = create_calendar_feed(session, users["admin"], now)
    revoke_calendar_feed(session, revoked, now)
    session.commit()
    flag_overdue.run(session, TODAY)  # flags the world's due items and queues their reminders
    session.commit()
    assert session.scalar(select(OutboxMessage.id).limit(1)), "the outbox holds no message"

    people = (rw.teacher_a, rw.teacher_b, rw.sro, rw.other_sro)
    return SimpleNamespace(
        **(vars(rw) | {"emails": {key: u.email for key, u in users.items()}}), people=people,
        assignments={p: session.scalar(select(Assignment.id).where(Assignment.person_id == p))
                     for p in people},
        evaluations=(draft_a.id, submitted_a.id, final_a.id, draft_b.id),
        vacancy_a=vacancy_a.id, vacancy_b=vacancy_b.id, seats=tuple(seats.values()),
        candidate_a=vacancy_a.candidates[0].id, candidate_b=vacancy_b.candidates[0].id,
        completions=(*certificates, plain), tokens=tokens, token_ids=token_ids, feeds=feeds,
        feed_ids=feed_ids, revoked_feed=revoked_secret,
        objects={"course_id": rw.basic, "requirement_id": session.scalar(select(Requirement.id)),
                 "agency_id": rw.agency, "user_id": users["staff"].id, "criterion_id": criterion.id,
                 "template_id": session.scalar(select(EvaluationTemplate.id).limit(1)),
                 "step_id": session.scalar(select(ReminderStep.id).limit(1)),
                 "item_id": session.scalar(select(SelfAssessmentItem.id).limit(1)),
                 "message_id": session.scalar(select(OutboxMessage.id).limit(1)),
                 "session_id": course_session.id},
    )


@pytest.fixture
def pw(app, rw, session, snapshot):  # noqa: F811
    """The world above, built once per run on SQLite and copied (certificates too) into each test."""
    return snapshot(build_pw, session, rw, app.config["UPLOAD_DIR"])


