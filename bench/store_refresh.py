"""Benchmark: the store refresh work of multi-flush writes (an API batch of completions, one flush each).

    .venv/bin/python bench/store_refresh.py               # 200 completions for 200 people at 4 schools
    .venv/bin/python bench/store_refresh.py --items 500

Builds a small district in a temporary SQLite file, then records the batch through post_completions
(the API's write path: one flush per completion) and commits. Prints the wall time and the SQL
statements issued by the batch and its commit, and how many of them wrote the stored tables.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, true  # noqa: E402

from config import TestConfig  # noqa: E402
from models import db  # noqa: E402
from models.accounts import User  # noqa: E402
from models.org import District, School  # noqa: E402
from models.people import Assignment, Person  # noqa: E402
from models.services.stores.refresh import refresh_all  # noqa: E402
from models.services.training.completion_batches import post_completions  # noqa: E402
from models.training import Course, Requirement, RequirementRole  # noqa: E402
from tracker import create_app  # noqa: E402

TODAY = date(2026, 10, 15)
STORE_TABLES = ("compliance_items", "compliance_people", "evaluation_due_items", "training_hours",
                "school_people", "flags")


def build(session, people: int) -> tuple[User, list[int]]:
    """A district: 4 schools, `people` SROs, 3 courses each required; a coordinator account."""
    district = District(name="Bench District", state="TX", time_zone="UTC")
    schools = [School(name=f"School {i}", district=district) for i in range(4)]
    courses = [Course(code=f"SRO-{i}", title=f"Course {i}", hours=8) for i in range(3)]
    session.add_all(schools + courses)
    for c in courses:
        session.add(Requirement(course=c, due_rule="within_days", due_days=30, due_soon_days=30,
                                role_links=[RequirementRole(role="sro")]))
    staff = [Person(first_name=f"P{i}", last_name="Bench", email=f"p{i}@bench.example",
                    person_type="sro", employer="district") for i in range(people)]
    session.add_all(staff)
    session.flush()
    session.add_all([Assignment(person=p, role="sro", start_date=TODAY - timedelta(days=60),
                                schools=[schools[i % 4]]) for i, p in enumerate(staff)])
    user = User(email="coordinator@bench.example", role="coordinator")
    user.set_password("bench-password-1")
    session.add(user)
    session.commit()
    refresh_all(session, TODAY)
    session.commit()
    return user, [p.id for p in staff]


def main() -> None:
    """Build the district, then time one batch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db",
                                                     "FIXED_TODAY": TODAY})
        app = create_app(config)
        with app.app_context():
            db.create_all()
            user, ids = build(db.session, args.items)
            items = [{"external_id": f"x-{n}", "person_id": pid, "course_code": "SRO-0",
                      "completed_on": TODAY - timedelta(days=1), "hours": 8, "certificate_number": None}
                     for n, pid in enumerate(ids)]
            statements = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda conn, cur, sql, params, ctx, many: statements.append(sql))
            start = time.perf_counter()
            post_completions(db.session, user, "lms", items, TODAY, true())
            db.session.commit()
            elapsed = time.perf_counter() - start
            writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))
                      and any(t in s.split("(")[0] for t in STORE_TABLES)]
            print(f"{args.items} completions, one flush each: {elapsed * 1000:.0f} ms, "
                  f"{len(statements)} statements, {len(writes)} of them writing the stored tables")


if __name__ == "__main__":
    main()
