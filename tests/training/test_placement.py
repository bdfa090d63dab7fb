"""Cleared for placement: an SRO without the before-assignment training needs an audited exception."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.errors import ValidationFailed
from models.people import Assignment
from models.services.people import directory as svc
from tests.conftest import TODAY
from tests.factories import make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement


@pytest.fixture
def world(session):
    school = make_school(session)
    sro = make_person(session, person_type="sro")
    course = make_course(session, code="MOU-JOINT")
    make_requirement(session, course, roles=("sro", "principal"), due_rule="before_start",
                     due_days=None, renewal_months=12)
    return school, sro, course


def _data(school, **extra):
    return {"role": "sro", "school_ids": [school.id], "start_date": TODAY, **extra}


def test_sro_without_training_cannot_be_placed(session, world):
    school, sro, _ = world
    with pytest.raises(ValidationFailed) as err:
        svc.create_assignment(session, sro, _data(school), TODAY)
    assert "MOU-JOINT" in str(err.value)
    assert err.value.problems[0][0] == "placement_exception_reason"
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_exception_places_sro_and_is_audited(session, world):
    school, sro, _ = world
    a = svc.create_assignment(session, sro, _data(school, placement_exception_reason="Court order"),
                              TODAY)
    assert a.placement_exception_reason == "Court order"
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "placement_exception"))
    assert ev.entity_type == "assignments" and ev.entity_id == a.id and ev.reason == "Court order"


def test_trained_sro_and_future_start_need_no_exception(session, world):
    school, sro, course = world
    future = svc.create_assignment(session, sro, _data(school, start_date=date(2026, 12, 1)), TODAY)
    assert future.placement_exception_reason is None
    make_completion(session, sro, course, date(2026, 9, 1))
    svc.create_assignment(session, sro, _data(school), TODAY)
    assert session.scalar(select(func.count()).where(AuditEvent.action == "placement_exception")) == 0


def test_placement_form_requires_reason(client, auth, session, world, app):
    from tests.conftest import post_form

    school, sro, _ = world
    make_user(session, "hr", email="hr@x.org")
    session.commit()
    auth.login("hr@x.org")
    url = f"/people/{sro.id}/assignments/new"
    resp = post_form(client, url, {"role": "sro", "school_ids": [school.id],
                                   "start_date": TODAY.isoformat()})
    assert resp.status_code == 200 and "MOU-JOINT" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0
    resp = post_form(client, url, {"role": "sro", "school_ids": [school.id],
                                   "start_date": TODAY.isoformat(),
                                   "placement_exception_reason": "Interim cover"})
    assert resp.status_code == 302
    assert session.scalar(select(func.count()).where(AuditEvent.action == "placement_exception")) == 1
