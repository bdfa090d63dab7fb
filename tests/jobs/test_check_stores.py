"""The weekly check-stores job: reports and repairs drift between the stores (and flags) and the engines."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from jobs import check_stores, runs
from jobs.registry import get_job
from models import db
from models.notifications import Flag
from models.stores import compliance_items, evaluation_due_items
from tests.conftest import TODAY
from tests.factories import make_assignment, make_district, make_person, make_school, make_user
from tests.training.factories import make_course, make_requirement


def small_world(session) -> None:
    """Two overdue SROs at one school (training and evaluations due)."""
    make_district(session)
    school = make_school(session)
    make_requirement(session, make_course(session, code="SRO-40"), roles=("sro",), due_days=30)
    for _ in range(2):
        make_assignment(session, make_person(session, person_type="sro"), [school],
                        start_date=TODAY - timedelta(days=60))
    session.commit()


def test_check_stores_without_and_with_drift(session, caplog):
    small_world(session)
    assert check_stores.run(session, TODAY) == {"drift": 0}
    first_flag = session.scalar(select(Flag.id).where(Flag.kind == "training").order_by(Flag.id))
    session.commit()
    with db.engine.begin() as conn:  # behind the app's back
        conn.execute(compliance_items.update().values(status="complete"))
        gone = conn.execute(evaluation_due_items.delete()).rowcount
        conn.execute(Flag.__table__.update().where(Flag.id == first_flag).values(closed_on=TODAY))
    with caplog.at_level(logging.WARNING, logger="jobs.check_stores"):
        summary = check_stores.run(session, TODAY)
    session.commit()
    # Two compliance rows changed (two missing plus two extra), the evaluation rows gone, a flag closed.
    assert summary == {"drift": 4 + gone + 1, "drift_compliance": 4, "drift_evaluation_due": gone,
                       "drift_flags_training": 1, "repaired": True, "remaining": 0}
    assert gone > 0
    assert "stored rows drifted from the engines" in caplog.text
    assert check_stores.run(session, TODAY) == {"drift": 0}


def test_check_stores_is_listed_run_by_hand_and_scheduled_weekly(runner, client, auth, session):
    small_world(session)
    make_user(session, "admin", email="admin@example.org")
    session.commit()
    listed = runner.invoke(args=["jobs", "list"])
    assert "check-stores" in listed.output
    ran = runner.invoke(args=["jobs", "run", "check-stores"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip() == f"check-stores for {TODAY.isoformat()}: drift=0"
    auth.login("admin@example.org")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "check-stores" in page and "weekly (sun) at 03:00" in page
    spec, zone = get_job("check-stores"), ZoneInfo("UTC")
    assert runs.time_today(spec, zone, date(2026, 10, 18)).hour == 3  # a Sunday
    assert runs.time_today(spec, zone, TODAY) is None  # a Thursday: catch-up leaves it alone
