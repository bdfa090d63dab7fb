"""The stored engine rows (compliance, per-person totals, evaluation due) follow every kind of write.

Every test in the suite also checks, on teardown, that the stores equal what the engines compute
(tests/conftest.py); these tests name each write path and check the visible effect as well.
"""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jobs.registry import get_job
from models.evaluations import CycleRule
from models.org import District
from models.scoping import Scope
from models.services.stores import checks as store_checks
from models.services.stores import hooks as store_hooks
from models.services.stores import reads as store_reads
from models.services.stores import refresh as stores
from models.services.training.completions import set_presets
from models.services.training.compliance import compliance_rows, compliance_select
from models.services.training.roster_import import import_roster
from models.stores import (
    compliance_items,
    compliance_people,
    evaluation_due_items,
    school_people,
    store_states,
)
from models.training import RequirementRole
from tests.conftest import PG_URL, TODAY
from tests.factories import make_assignment, make_district, make_person, make_school
from tests.training.factories import make_completion, make_course, make_requirement, make_waiver, overdue_sros


@pytest.fixture
def world(session):
    """Two SROs at one school, a requirement due 30 days after a start 60 days ago (overdue)."""
    return overdue_sros(session, 2, TODAY)


def stored(session, person) -> dict[int, str]:
    """requirement_id -> status in the store for one person."""
    t = compliance_items
    stmt = select(t.c.requirement_id, t.c.status).where(t.c.person_id == person.id)
    return dict(session.execute(stmt).all())


def totals(session, person):
    """The person's compliance_people row."""
    t = compliance_people
    return session.execute(select(t).where(t.c.person_id == person.id)).first()


def assert_in_step(session):
    """Store == engines, for the store's day."""
    assert store_checks.differences(session) == {"compliance": 0, "evaluation_due": 0, "school_people": 0}


def test_differences_count_every_kind_of_drift_behind_the_apps_back(session, world):
    assert_in_step(session)
    sam = world["people"][0]
    session.execute(compliance_items.update().where(compliance_items.c.person_id == sam.id)
                    .values(status="complete"))  # one row changed: missing and extra
    session.execute(compliance_people.delete().where(compliance_people.c.person_id == sam.id))
    session.execute(school_people.delete().where(school_people.c.person_id == sam.id))
    gone = session.execute(evaluation_due_items.delete().where(evaluation_due_items.c.person_id == sam.id))
    drift = store_checks.differences(session)
    assert gone.rowcount > 0
    assert drift == {"compliance": 3, "evaluation_due": gone.rowcount, "school_people": 1}
    session.rollback()
    assert_in_step(session)


def test_completion_and_waiver_refresh_that_person(session, world):
    a, b = world["people"]
    req = world["req"]
    assert stored(session, a) == {req.id: "overdue"} == stored(session, b)
    assert totals(session, a).overdue == 1
    make_completion(session, a, world["course"], TODAY - timedelta(days=1))
    session.commit()
    assert stored(session, a) == {req.id: "complete"}
    assert (totals(session, a).complete, totals(session, a).overdue) == (1, 0)
    assert stored(session, b) == {req.id: "overdue"}  # the other person is untouched
    waiver = make_waiver(session, b, req)
    session.commit()
    assert stored(session, b) == {req.id: "waived"}
    session.delete(waiver)
    session.commit()
    assert stored(session, b) == {req.id: "overdue"}
    assert_in_step(session)


def test_assignment_end_and_person_deletion_remove_rows(session, world):
    a, b = world["people"]
    world["assignments"][0].end_date = TODAY - timedelta(days=1)
    session.commit()
    assert stored(session, a) == {} and totals(session, a) is None
    session.delete(b)
    session.commit()
    assert stored(session, b) == {}
    assert_in_step(session)


def test_requirement_role_preset_and_equivalent_changes_refresh_everyone(session, world):
    a, b = world["people"]
    req = world["req"]
    req.due_days = 90  # start 60 days ago + 90: due in 30 days, inside the 30-day window
    session.commit()
    assert stored(session, a) == {req.id: "due_soon"} == stored(session, b)
    tx = make_requirement(session, make_course(session, code="TX-1"), roles=("sro",), preset="TX")
    session.commit()
    assert tx.id not in stored(session, a)  # a preset the district has not switched on
    set_presets(session, {"TX"})
    session.commit()
    assert tx.id in stored(session, a)
    other = make_course(session, code="ALT-40")
    make_completion(session, a, other, TODAY - timedelta(days=3))
    session.commit()
    assert stored(session, a)[req.id] == "due_soon"
    world["course"].equivalents = [other]
    session.commit()
    assert stored(session, a)[req.id] == "complete"
    session.delete(session.scalar(select(RequirementRole).where(RequirementRole.requirement_id == req.id)))
    session.commit()
    assert req.id not in stored(session, a)
    assert_in_step(session)


def test_rolled_back_write_leaves_the_store_as_it_was(session, world):
    a, _ = world["people"]
    make_completion(session, a, world["course"], TODAY)
    session.rollback()
    assert stored(session, a) == {world["req"].id: "overdue"}
    assert_in_step(session)


def test_roster_import_bulk_insert_refreshes_the_people_in_it(session, world):
    a, b = world["people"]
    csv = (f"email,course_code,completed_on\n{a.email},SRO-40,{TODAY - timedelta(days=2)}\n"
           f"{b.email},SRO-40,{TODAY - timedelta(days=2)}\n")
    plan = import_roster(session, io.BytesIO(csv.encode()), "roster.csv", TODAY)
    assert plan.ok, plan.problems
    session.commit()
    assert stored(session, a) == {world["req"].id: "complete"} == stored(session, b)
    assert_in_step(session)


def test_bulk_import_marks_the_stores_out_of_date_for_the_refresh_job(session, world, monkeypatch):
    """Above BULK_PEOPLE people the import defers to refresh-stores; pages stay right meanwhile."""
    monkeypatch.setattr(stores, "BULK_PEOPLE", 1)
    a, b = world["people"]
    csv = (f"email,course_code,completed_on\n{a.email},SRO-40,{TODAY - timedelta(days=2)}\n"
           f"{b.email},SRO-40,{TODAY - timedelta(days=2)}\n")
    assert import_roster(session, io.BytesIO(csv.encode()), "roster.csv", TODAY).ok
    session.commit()
    assert stores.store_day(session, stores.COMPLIANCE) is None  # out of date: pages use the engine
    assert "completions" in str(store_reads.compliance_source(session, Scope.everyone(TODAY)).compile())
    assert get_job("refresh-stores").target(session, TODAY) == {"refreshed": True}
    session.commit()
    assert stored(session, a) == {world["req"].id: "complete"} == stored(session, b)
    assert get_job("refresh-stores").target(session, TODAY) == {"refreshed": False}
    assert_in_step(session)


def test_cycle_rules_and_school_year_end_refresh_evaluation_items(session, world):
    t = evaluation_due_items
    a, _ = world["people"]
    start = world["assignments"][0].start_date

    def first_review_due():
        return session.scalar(select(t.c.due_date).where(t.c.person_id == a.id, t.c.cycle == "first-review"))

    assert first_review_due() == start + timedelta(days=90)
    session.add(CycleRule(audience="sro", annual=True, first_review_days=10))
    session.commit()
    assert first_review_due() == start + timedelta(days=10)
    session.scalar(select(District)).school_year_end_month = 12
    session.commit()
    assert "2026-2027" not in set(session.scalars(select(t.c.cycle).where(t.c.person_id == a.id)))
    assert_in_step(session)


def test_pages_read_the_store_only_when_it_is_current(session, world):
    current = str(store_reads.compliance_source(session, Scope.everyone(TODAY)).compile())
    assert "compliance_items" in current and "completions" not in current
    tomorrow = Scope.everyone(TODAY + timedelta(days=1))
    other_day = str(store_reads.compliance_source(session, tomorrow).compile())
    assert "completions" in other_day and "compliance_items" not in other_day
    # Same rows either way.
    everyone = Scope.everyone(TODAY)
    from_store = sorted(tuple(r) for r in session.execute(store_reads.compliance_source(session, everyone)))
    computed = sorted(tuple(r) for r in session.execute(compliance_select(TODAY)))
    assert from_store == computed


def test_refresh_job_moves_the_store_to_the_new_day(session, world):
    a, _ = world["people"]
    tomorrow = TODAY + timedelta(days=31)  # the due date has long passed; after 31 days nothing else
    get_job("refresh-stores").target(session, tomorrow)
    session.commit()
    assert session.scalar(select(store_states.c.as_of).where(store_states.c.name == "compliance")) == tomorrow
    assert stored(session, a) == {r.requirement_id: r.status for r in compliance_rows(session, tomorrow,
                                                                                       person_ids=[a.id])}
    assert stores.ensure_current(session, tomorrow) is False
    assert_in_step(session)


ops = st.lists(st.tuples(st.sampled_from(("complete", "unwaive", "waive", "end", "reopen", "due_days",
                                          "renewal", "role")),
                         st.integers(0, 2), st.integers(0, 400)), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_random_writes_keep_the_store_equal_to_the_engines(session, steps):
    """Any sequence of ORM writes (each committed) leaves store == engine, per person and in totals."""
    if session.scalar(select(District.id)) is None:
        make_district(session)
        school = make_school(session)
        course = make_course(session, code="P-1")
        make_requirement(session, course, roles=("sro", "teacher"), due_days=30, renewal_months=12)
        for n in range(3):
            person = make_person(session, person_type=("sro", "teacher")[n % 2])
            make_assignment(session, person, [school], start_date=TODAY - timedelta(days=100 * n + 5))
        session.commit()
    from models.people import Assignment, Person
    from models.training import Completion, Course, Requirement, Waiver

    people = list(session.scalars(select(Person).order_by(Person.id)))
    req = session.scalar(select(Requirement))
    course = session.scalar(select(Course))
    for op, who, n in steps:
        person = people[who]
        day = TODAY - timedelta(days=n)
        if op == "complete":
            if not session.scalar(select(Completion.id).where(Completion.person_id == person.id,
                                                              Completion.completed_on == day)):
                make_completion(session, person, course, day)
        elif op == "unwaive":
            for w in session.scalars(select(Waiver).where(Waiver.person_id == person.id)):
                session.delete(w)
        elif op == "waive":
            if session.scalar(select(Waiver).where(Waiver.person_id == person.id)) is None:
                make_waiver(session, person, req)
        elif op in ("end", "reopen"):
            for a in session.scalars(select(Assignment).where(Assignment.person_id == person.id)):
                a.end_date = max(day, a.start_date) if op == "end" else None
        elif op == "due_days":
            req.due_days = n
        elif op == "renewal":
            req.renewal_months = (n % 24) or None
        elif op == "role":
            roles = {link.role for link in req.role_links}
            req.role_links = [RequirementRole(role=r) for r in ({"sro", "teacher"} - roles or {"sro"})]
        session.commit()
    assert_in_step(session)


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has one writer")
def test_concurrent_writes_for_one_person_both_land(app, session, world):
    """Two transactions refreshing the same person's rows: the second waits for the first."""
    from sqlalchemy.orm import Session

    from models import db
    from models.training import Completion

    a, _ = world["people"]
    course_id, person_id = world["course"].id, a.id
    first = Session(db.engine)
    first.add(Completion(person_id=person_id, course_id=course_id, completed_on=TODAY - timedelta(days=5)))
    first.flush()
    # Stores are refreshed at commit, or at a read of them inside the transaction: read them here, so
    # the first transaction holds the store lock until its commit.
    assert store_hooks.pending(first) is not None
    first.execute(select(compliance_items.c.status).where(compliance_items.c.person_id == person_id)).all()
    assert store_hooks.pending(first) is None
    errors = []

    def second():
        with app.app_context(), Session(db.engine) as other:
            other.add(Completion(person_id=person_id, course_id=course_id, completed_on=TODAY))
            try:
                other.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive()  # waiting for the first transaction
    first.commit()
    first.close()
    thread.join(10)
    assert not errors
    session.expire_all()
    assert stored(session, a) == {world["req"].id: "complete"}
    assert_in_step(session)
