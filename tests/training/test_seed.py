"""The training demo seed: catalog, requirement sets, presets off, and a realistic, idempotent history."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from models.people import Assignment
from models.seed.demo import seed_all
from models.seed.training import seed_training
from models.services.training.compliance import compliance_rows, unmet_before_assignment
from models.training import Completion, Course, DistrictPreset, Requirement, Waiver
from tests.conftest import TODAY


def _counts(session):
    return [session.scalar(select(func.count()).select_from(t))
            for t in (Course, Requirement, Completion, Waiver)]


def _not_cleared(session):
    sros = session.scalars(select(Assignment.person_id).distinct().where(
        Assignment.role == "sro",
        (Assignment.end_date.is_(None)) | (Assignment.end_date >= TODAY))).all()
    return [p for p in sros if unmet_before_assignment(session, p, "sro", TODAY)]


def test_demo_seed_has_every_status_and_one_sro_not_cleared(session):
    assert seed_all(session, TODAY) is True
    session.commit()
    statuses = Counter(r.status for r in compliance_rows(session, TODAY))
    for status in ("complete", "due_soon", "overdue", "expired", "waived"):
        assert statuses[status] > 0, statuses
    assert statuses["complete"] > sum(statuses.values()) / 2, statuses  # most people are complete
    assert len(_not_cleared(session)) == 1
    assert session.scalar(select(func.count()).select_from(Completion)
                          .where(Completion.verified_at.is_not(None))) > 0
    assert session.scalar(select(func.count()).select_from(DistrictPreset)) == 0


def test_catalog_and_presets_from_the_domain_reference(session):
    seed_training(session, TODAY)
    course = session.scalar(select(Course).where(Course.code == "NASRO-BASIC"))
    assert (course.hours, course.issues_certificate) == (40, True)
    tx = session.scalar(select(Course).where(Course.code == "TX-SBLE"))
    assert [c.code for c in tx.equivalents] == ["NASRO-ADV"]
    presets = {r.preset for r in session.scalars(select(Requirement))}
    assert presets == {None, "TX", "IL", "OH", "NC"}
    ohio = session.scalar(select(Requirement).join(Course).where(Course.code == "OH-SRO"))
    assert ohio.grandfather_date.isoformat() == "2018-11-02"
    mou = session.scalar(select(Requirement).join(Course).where(Course.code == "MOU-JOINT"))
    assert (mou.due_rule, mou.renewal_months) == ("before_start", 12)
    assert set(mou.roles) == {"sro", "sro_supervisor", "principal", "assistant_principal"}


def test_seed_twice_changes_nothing(session):
    seed_all(session, TODAY)
    session.commit()
    before = _counts(session)
    assert seed_training(session, TODAY) is False
    assert seed_all(session, TODAY) is False
    session.commit()
    assert _counts(session) == before
