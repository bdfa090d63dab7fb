"""Benchmark: every dashboard and report page on the statewide dataset, through the Flask test client.

    .venv/bin/python bench/pages.py                 # 1,000 schools, 60,000 people; 20 requests per page
    .venv/bin/python bench/pages.py --scale 0.1 --repeat 5
    .venv/bin/python bench/pages.py --only principal-17 --match /reports/overdue

Reuses bench/compliance.py's dataset (bench/data/statewide-<scale>.db, built if missing) through a copy,
bench/data/pages-<scale>.db, to which it adds users, 30 days of compliance snapshots and some open
flags. Prints p50/p95 per page and the SQL statements each request issued (counted with a
before_cursor_execute listener: a constant count whatever the scope means no query per row).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compliance import DATA, TODAY, build  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from config import TestConfig  # noqa: E402
from models import db  # noqa: E402
from models.accounts import User  # noqa: E402
from models.notifications import Flag  # noqa: E402
from models.org import School  # noqa: E402
from models.people import Assignment, Person, assignment_schools  # noqa: E402
from models.reports import ComplianceSnapshot  # noqa: E402
from models.services.reports.builders import REPORTS  # noqa: E402
from models.services.stores.refresh import STORES, refresh_all, store_day  # noqa: E402
from models.stores import school_people, training_hours  # noqa: E402
from tracker import create_app  # noqa: E402

PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway dataset
ONE_SCHOOL, DISTRICT_SCHOOLS = 17, 200
TARGET_MS = 300
TYPES = {"admin": "admin", "coordinator": "coordinator", "hr": "hr", "principal-17": "principal",
         "principal-200": "principal", "supervisor": "supervisor", "staff": "staff"}


def dataset(scale: float) -> Path:
    """The pages copy of the statewide dataset (built from bench/compliance.py's builder if missing)."""
    DATA.mkdir(parents=True, exist_ok=True)
    source = DATA / f"statewide-{scale:g}.db"
    target = DATA / f"pages-{scale:g}.db"
    if not target.exists():
        if not source.exists():
            print("building the statewide dataset (bench/compliance.py's builder) ...", flush=True)
            build(source, scale)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
    return target


def make_app(path: Path):
    """The app on the dataset file, today pinned to the dataset's today."""
    attrs = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "FIXED_TODAY": TODAY,
             "UPLOAD_DIR": str(DATA / "uploads")}
    return create_app(type("BenchConfig", (TestConfig,), attrs))


def upgrade_schema(engine) -> None:
    """Bring an older dataset file up to the models: missing nullable columns and missing indexes."""
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            have = {row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
            for col in table.columns:
                if col.name not in have and col.nullable:
                    kind = col.type.compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {kind}')
    for table in db.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def prepare(app) -> dict[str, int]:
    """Missing tables and indexes, the bench users, snapshots and flags (idempotent); ids of key people."""
    with app.app_context():
        db.create_all()
        upgrade_schema(db.engine)
        s = db.session
        at_17 = (select(Assignment.person_id).join(assignment_schools,
                                                   assignment_schools.c.assignment_id == Assignment.id)
                 .where(assignment_schools.c.school_id == ONE_SCHOOL, Assignment.end_date.is_(None)))
        staff_id = s.scalar(at_17.where(Assignment.role == "teacher").order_by(Assignment.person_id))
        sro_id = s.scalar(select(Person.id).where(Person.person_type == "sro").order_by(Person.id))
        if s.scalar(select(User.id).where(User.email == "admin@bench.example")) is None:
            schools = {sc.id: sc for sc in s.scalars(select(School).where(School.id <= DISTRICT_SCHOOLS))}
            users = [User(email=f"{key}@bench.example", role=role) for key, role in TYPES.items()]
            by_key = dict(zip(TYPES, users, strict=True))
            by_key["principal-17"].schools = [schools[ONE_SCHOOL]]
            by_key["principal-200"].schools = list(schools.values())
            by_key["supervisor"].agency_id = 1
            by_key["supervisor"].person_id = sro_id
            by_key["staff"].person_id = staff_id
            for user in users:
                user.set_password(PASSWORD)
            s.add_all(users)
            s.commit()
        if s.scalar(select(ComplianceSnapshot.id).limit(1)) is None:
            ids = list(s.scalars(select(School.id)))
            s.execute(ComplianceSnapshot.__table__.insert(), [
                {"school_id": sid, "day": TODAY - timedelta(days=d), "total": 700,
                 "in_good_standing": 500 + (sid * 7 + d * 3) % 150, "overdue": 40, "expired": 30,
                 "due_soon": 20} for sid in ids for d in range(30)])
            people = list(s.scalars(select(Person.id).where(Person.id % 10 == 0)))
            s.execute(Flag.__table__.insert(), [
                {"item_key": f"bench-{pid}", "kind": "training", "person_id": pid, "label": "Bench flag",
                 "due_date": TODAY - timedelta(days=pid % 40), "status": "overdue",
                 "first_flagged_on": TODAY - timedelta(days=pid % 30)} for pid in people])
            s.commit()
        empty = any(s.scalar(select(t.c.person_id).limit(1)) is None for t in (school_people, training_hours))
        if empty or not all(store_day(s, store) == TODAY for store in STORES):
            t0 = time.perf_counter()
            counts = refresh_all(s, TODAY)
            s.commit()
            print(f"stores refreshed for {TODAY}: {counts} in {time.perf_counter() - t0:.1f} s", flush=True)
        return {"staff": staff_id, "sro": sro_id, "course": 1}  # course 1: teachers' first requirement


def report_pages(school: int | None = None) -> list[str]:
    """Every report as HTML, CSV and XLSX (optionally for one school), plus the other report pages."""
    q = f"school={school}&" if school else ""
    pages = [] if school else ["/reports/", "/reports/charts", "/reports/outcomes",
                               "/reports/outcomes?format=csv", "/reports/outcomes?format=xlsx"]
    for key in REPORTS:
        pages += [f"/reports/{key}?{q}".rstrip("?&"), f"/reports/{key}?{q}format=csv",
                  f"/reports/{key}?{q}format=xlsx"]
    return pages


def plan(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(scope label, user key, path) for every page measured."""
    one, district = "one school", f"{DISTRICT_SCHOOLS}-school district"
    training = [f"/training/?school={ONE_SCHOOL}", f"/training/courses/{ids['course']}",
                f"/training/people/{ids['staff']}"]
    rows = [(one, "principal-17", p) for p in ["/", *report_pages(), *training]]
    rows += [(district, "principal-200", p)
             for p in ["/", *report_pages(), f"/training/courses/{ids['course']}", "/training/"]]
    rows += [(one, "coordinator", p) for p in report_pages(ONE_SCHOOL) + [training[0], training[2]]]
    rows += [("own record", "staff", "/"), ("agency SROs (statewide)", "supervisor", "/"),
             ("agency SROs (statewide)", "supervisor", "/reports/overdue")]
    rows += [("statewide (1,000 schools)", key, p) for key, p in
             [("hr", "/"), ("coordinator", "/"), ("admin", "/"), ("admin", "/reports/annual"),
              ("admin", "/reports/self-assessment"), ("coordinator", "/reports/charts"),
              ("coordinator", "/reports/overdue"), ("coordinator", "/training/"),
              ("coordinator", training[1]),
              # The board as a spreadsheet: a name search, a sort by person, a deep page, an export.
              ("coordinator", "/training/?q=smith"), ("coordinator", "/training/?sort=person"),
              ("coordinator", "/training/?status=overdue&sort=person&page=20"),
              ("coordinator", f"/training/?school={ONE_SCHOOL}&format=csv")]]
    return rows


def login(app, key: str):
    """A test client signed in as the bench user `key`."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    resp = client.post("/login", data={"email": f"{key}@bench.example", "password": PASSWORD,
                                       "csrf_token": token})
    assert resp.status_code == 302, f"login failed for {key}"
    return client


def main() -> None:
    """Measure every page and print p50/p95 and statements per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="measure only this user key")
    parser.add_argument("--match", default="", help="measure only paths containing this text")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds per page after which a slow page stops (at least 3 requests)")
    args = parser.parse_args()
    app = make_app(dataset(args.scale))
    ids = prepare(app)
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.__setitem__(0, statements[0] + 1))
    clients: dict[str, object] = {}
    print(f"{'scope':<26} {'user':<14} {'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} {'n':>3}  size")
    missed = []
    for scope, key, path in plan(ids):
        if (args.only and key != args.only) or args.match not in path:
            continue
        client = clients.get(key) or clients.setdefault(key, login(app, key))
        heavy = scope.startswith("statewide") or scope.startswith("agency")
        times, counts = [], set()
        for _ in range(args.repeat):
            if len(times) >= 3 and sum(times) > 1000 * args.budget:
                break  # a slow page: enough samples to see it misses
            statements[0] = 0
            t0 = time.perf_counter()
            resp = client.get(path)
            body = resp.get_data()
            times.append(1000 * (time.perf_counter() - t0))
            counts.add(statements[0])
            assert resp.status_code == 200, f"{path} as {key}: {resp.status_code}"
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
        sql = "/".join(str(c) for c in sorted(counts))
        print(f"{scope:<26} {key:<14} {path:<52} {p50:8.0f} {p95:8.0f} {sql:>4} {len(times):>3}"
              f"  {len(body):,}", flush=True)
        if p95 >= TARGET_MS and not heavy:
            missed.append((scope, key, path, p95))
    print(f"\n{len(missed)} page(s) at or over {TARGET_MS} ms p95 in the one-school / district scopes")
    for scope, key, path, p95 in missed:
        print(f"  {scope:<26} {key:<14} {path:<52} {p95:8.0f}")


if __name__ == "__main__":
    main()
