"""The compliance engine on hand-written histories: each status, equivalents, renewals, scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from models.scoping import assigned_to_schools
from models.services.training.compliance import (
    STATUSES,
    compliance_counts,
    compliance_rows,
    person_compliance_summary,
    unmet_before_assignment,
)
from models.training import DistrictPreset, course_equivalents
from tests.conftest import TODAY
from tests.factories import make_assignment, make_person, make_school
from tests.training.factories import make_completion, make_course, make_requirement, make_waiver


def _status(session, person, req, today=TODAY):
    rows = [r for r in compliance_rows(session, today, person_ids=[person.id])
            if r.requirement_id == req.id]
    return rows[0].status if rows else None


@pytest.fixture
def sro(session):
    school = make_school(session)
    person = make_person(session, person_type="sro")
    make_assignment(session, person, [school], start_date=date(2024, 9, 1))
    return person


def test_renewal_two_days_before_expiry_shows_complete(session, sro):
    course = make_course(session)
    req = make_requirement(session, course, renewal_months=12)
    make_completion(session, sro, course, date(2025, 10, 17))  # expires 2026-10-17
    assert _status(session, sro, req) == "due_soon"  # expiring within the window
    make_completion(session, sro, course, TODAY)  # the renewal, two days before expiry
    row = compliance_rows(session, TODAY, person_ids=[sro.id])[0]
    assert row.status == "complete"
    assert row.completed_on == TODAY and row.expires_on == date(2027, 10, 15)


def test_lapsed_completion_shows_expired(session, sro):
    course = make_course(session)
    req = make_requirement(session, course, renewal_months=12)
    make_completion(session, sro, course, date(2025, 10, 14))  # expired 2026-10-14
    assert _status(session, sro, req) == "expired"
    assert _status(session, sro, req, date(2026, 10, 14)) == "due_soon"  # valid through that day


def test_equivalent_course_satisfies_requirement(session, sro):
    course, other = make_course(session), make_course(session)
    session.execute(course_equivalents.insert().values(course_id=course.id,
                                                       equivalent_course_id=other.id))
    req = make_requirement(session, course)
    assert _status(session, sro, req) == "overdue"
    make_completion(session, sro, other, date(2025, 3, 1))
    assert _status(session, sro, req) == "complete"


def test_waiver_shows_waived(session, sro):
    req = make_requirement(session, make_course(session))
    make_waiver(session, sro, req)
    assert _status(session, sro, req) == "waived"


def test_person_assigned_before_grandfather_date_is_not_due(session, sro):
    req = make_requirement(session, make_course(session), grandfather_date=date(2024, 11, 2))
    assert _status(session, sro, req) is None
    newcomer = make_person(session, person_type="sro")
    make_assignment(session, newcomer, [make_school(session)], start_date=date(2024, 11, 2))
    assert _status(session, newcomer, req) == "overdue"


def test_due_rules_give_due_dates(session, sro):
    before = make_requirement(session, make_course(session), due_rule="before_start", due_days=None)
    within = make_requirement(session, make_course(session), due_days=90)
    fixed = make_requirement(session, make_course(session), due_rule="fixed_date", due_days=None,
                             fixed_due_date=date(2026, 11, 1))
    rows = {r.requirement_id: r for r in compliance_rows(session, TODAY, person_ids=[sro.id])}
    assert rows[before.id].due_date == date(2024, 9, 1)
    assert rows[within.id].due_date == date(2024, 11, 30)
    assert rows[fixed.id].due_date == date(2026, 11, 1) and rows[fixed.id].status == "due_soon"


def test_several_assignments_union_each_requirement_once(session):
    person = make_person(session, person_type="principal")
    make_assignment(session, person, [make_school(session)], role="principal",
                    start_date=date(2026, 1, 1))
    make_assignment(session, person, [make_school(session)], role="counselor",
                    start_date=date(2025, 1, 1))
    make_assignment(session, person, [make_school(session)], role="teacher",
                    start_date=date(2020, 1, 1), end_date=date(2026, 6, 30))  # ended: ignored
    shared = make_requirement(session, make_course(session), roles=("principal", "counselor"))
    only_teacher = make_requirement(session, make_course(session), roles=("teacher",))
    rows = compliance_rows(session, TODAY, person_ids=[person.id])
    assert [r.requirement_id for r in rows] == [shared.id]
    assert rows[0].role == "counselor" and rows[0].due_date == date(2026, 1, 1)
    assert only_teacher.id not in {r.requirement_id for r in rows}


def test_presets_apply_only_when_switched_on(session, sro):
    req = make_requirement(session, make_course(session), preset="TX")
    assert _status(session, sro, req) is None
    district_id = sro.assignments[0].schools[0].district_id
    session.add(DistrictPreset(district_id=district_id, preset="TX"))
    session.flush()
    assert _status(session, sro, req) == "overdue"


def test_scope_by_school_and_counts(session, sro):
    req = make_requirement(session, make_course(session), roles=("sro", "teacher"))
    teacher = make_person(session)
    other_school = make_school(session)
    make_assignment(session, teacher, [other_school], start_date=date(2026, 10, 1))
    counts = compliance_counts(session, TODAY)
    assert set(counts) == set(STATUSES)
    assert counts["overdue"] == 1 and counts["not_yet_due"] == 1
    at_other = assigned_to_schools([other_school.id], TODAY)
    assert compliance_counts(session, TODAY, person_filter=at_other)["overdue"] == 0
    assert _status(session, teacher, req) == "not_yet_due"
    summary = person_compliance_summary(session, sro.id, TODAY)
    assert summary == {"counts": {**dict.fromkeys(STATUSES, 0), "overdue": 1}, "total": 1,
                       "compliant": False}


def test_unmet_before_assignment_names_missing_courses(session, sro):
    course = make_course(session, code="MOU-X")
    make_requirement(session, course, due_rule="before_start", due_days=None, renewal_months=12)
    assert unmet_before_assignment(session, sro.id, "sro", TODAY) == ["MOU-X"]
    make_completion(session, sro, course, date(2025, 10, 1))  # lapsed on 2026-10-01
    assert unmet_before_assignment(session, sro.id, "sro", TODAY) == ["MOU-X"]
    make_completion(session, sro, course, date(2026, 9, 1))
    assert unmet_before_assignment(session, sro.id, "sro", TODAY) == []
    assert unmet_before_assignment(session, sro.id, "teacher", TODAY) == []
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "placement_exception")) is None
