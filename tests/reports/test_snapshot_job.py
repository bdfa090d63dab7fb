"""The daily compliance snapshot: one row per school per day, and a re-run changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jobs import snapshot_compliance
from jobs.registry import get_job
from models.reports import ComplianceSnapshot
from tests.conftest import TODAY


def test_snapshot_stores_each_school_once_per_day(session, rw):
    assert snapshot_compliance.run(session, TODAY) == {"schools": 2, "skipped": 0}
    session.commit()
    rows = {s.school_id: s for s in session.scalars(select(ComplianceSnapshot))}
    a, b = rows[rw.school_a], rows[rw.school_b]
    assert (a.total, a.in_good_standing, a.due_soon) == (2, 2, 1)
    assert (b.total, b.in_good_standing, b.overdue, b.expired) == (2, 0, 1, 1)
    assert snapshot_compliance.run(session, TODAY) == {"schools": 0, "skipped": 2}
    session.commit()
    assert len(session.scalars(select(ComplianceSnapshot)).all()) == 2
    assert get_job("snapshot-compliance").target is snapshot_compliance.run


def test_database_refuses_a_second_snapshot_for_the_same_day(session, rw):
    session.add(ComplianceSnapshot(school_id=rw.school_a, day=TODAY))
    session.add(ComplianceSnapshot(school_id=rw.school_a, day=TODAY))
    with pytest.raises(IntegrityError):
        session.flush()
