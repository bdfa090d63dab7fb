"""HR sets the evaluation cycle; the due query follows; bad input changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from models.evaluations import CycleRule
from models.org import District
from models.services.evaluations.due import evaluation_due_rows
from tests.conftest import TODAY, post_form
from tests.factories import make_assignment, make_person, make_school, make_user

VALID = {"year_end_month": "6", "year_end_day": "15", "sro_annual": "y",
         "sro_first_review_days": "60", "school_personnel_annual": "y",
         "school_personnel_first_review_days": ""}


def build_setup(session):
    school = make_school(session, "Adams High")
    teacher = make_person(session, person_type="teacher")
    make_assignment(session, teacher, [school], start_date=date(2026, 9, 1))
    make_user(session, "hr", email="hr@example.org")
    make_user(session, "coordinator", email="coord@example.org")
    session.commit()
    return teacher.id


@pytest.fixture
def setup(app, session, snapshot):
    """The teacher above (their id), built once per run on SQLite and copied into each test's database."""
    return snapshot(build_setup, session)


@pytest.mark.parametrize("role,status", [("hr", 200), ("coordinator", 403)])
def test_cycle_page_is_for_hr_and_admins(client, auth, setup, role, status):
    auth.login("hr@example.org" if role == "hr" else "coord@example.org")
    assert client.get("/evaluations/cycles").status_code == status


def test_saving_cycles_changes_due_dates_and_is_audited(client, auth, session, setup):
    auth.login("hr@example.org")
    before = {r.cycle for r in evaluation_due_rows(session, TODAY, person_ids=[setup])}
    assert "first-review" in before
    response = post_form(client, "/evaluations/cycles", VALID)
    assert response.status_code == 302
    session.expire_all()
    district = session.scalar(select(District))
    assert (district.school_year_end_month, district.school_year_end_day) == (6, 15)
    rule = session.scalar(select(CycleRule).where(CycleRule.audience == "school_personnel"))
    assert rule.first_review_days is None and rule.annual
    cycles = {r.cycle: r.due_date for r in evaluation_due_rows(session, TODAY, person_ids=[setup])}
    assert "first-review" not in cycles and date(2027, 6, 15) in cycles.values()
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "districts",
                                                   AuditEvent.action == "update")) is not None


def test_bad_cycle_settings_show_every_problem_and_change_nothing(client, auth, session, setup):
    auth.login("hr@example.org")
    html = post_form(client, "/evaluations/cycles", {**VALID, "year_end_month": "2", "year_end_day": "30",
                                                     "sro_first_review_days": "900"}).get_data(as_text=True)
    assert "must be a real calendar day" in html and "1 to 365 days" in html
    session.expire_all()
    assert session.scalar(select(District)).school_year_end_month == 6
    assert session.scalar(select(CycleRule.id)) is None
