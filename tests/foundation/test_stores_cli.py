"""`flask stores check`: no drift on the demo data; drift made behind the app's back is named and repaired."""

from __future__ import annotations

from sqlalchemy import select

from models import db
from models.notifications import Flag
from models.services.stores import checks as store_checks
from models.stores import compliance_items, school_people


def behind_the_apps_back(sql: str, **params) -> int:
    """Raw SQL on its own connection and transaction, as a script or a manual fix would run it."""
    with db.engine.begin() as conn:
        return conn.exec_driver_sql(sql, params if not params else tuple(params.values())).rowcount


def test_check_on_demo_data_then_drift_is_named_repaired_and_gone(runner, session):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    clean = runner.invoke(args=["stores", "check"])
    assert (clean.exit_code, clean.output) == (0, "no drift\n")

    item = session.execute(select(compliance_items.c.person_id, compliance_items.c.requirement_id)
                           .order_by(compliance_items.c.person_id).limit(1)).one()
    link = session.execute(select(school_people).order_by(school_people.c.assignment_id).limit(1)).one()
    flag = session.scalar(select(Flag.id).where(Flag.kind == "training", Flag.closed_on.is_(None))
                          .order_by(Flag.id).limit(1))
    session.rollback()  # let go of the read transaction (PostgreSQL: the writers below must not wait)
    mark = "%s" if db.engine.dialect.name == "postgresql" else "?"
    assert behind_the_apps_back(f"DELETE FROM compliance_items WHERE person_id = {mark} AND "
                                f"requirement_id = {mark}", p=item.person_id, r=item.requirement_id) == 1
    assert behind_the_apps_back(f"UPDATE school_people SET end_date = '2001-01-01' WHERE school_id = {mark}"
                                f" AND person_id = {mark} AND assignment_id = {mark}", s=link.school_id,
                                p=link.person_id, a=link.assignment_id) == 1
    assert behind_the_apps_back(f"UPDATE flags SET closed_on = '2001-01-01' WHERE id = {mark}", f=flag) == 1

    drifted = runner.invoke(args=["stores", "check"])
    assert drifted.exit_code == 1, drifted.output
    lines = drifted.output.splitlines()
    assert lines[0] == ("compliance: 1 compliance rows, per-person totals or training hours differ "
                        "from the compliance engine")
    assert lines[1].startswith("school_people: 2 school links")  # the old row missing, the changed one extra
    assert lines[2] == "flags_training: 1 open training flags differ from what the compliance engine reports"
    assert lines[3].startswith("repaired: stores rebuilt and flags reconciled (compliance=")
    assert len(lines) == 4  # nothing left after the repair
    session.expire_all()
    assert store_checks.drift(session) == {}

    again = runner.invoke(args=["stores", "check"])
    assert (again.exit_code, again.output) == (0, "no drift\n")
