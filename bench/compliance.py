"""Benchmark: the compliance engine and the roster import at statewide scale (SQLite).

    .venv/bin/python bench/compliance.py            # 1,000 schools, 60,000 people, ~1.5M completions
    .venv/bin/python bench/compliance.py --scale 0.1  # a quick run

The dataset is built once in bench/data/statewide-<scale>.db (gitignored) with bulk inserts.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import models  # noqa: E402, F401  (registers every table)
from models.base import Base  # noqa: E402
from models.scoping import Scope, assigned_to_schools  # noqa: E402
from models.services.stores import hooks as store_hooks  # noqa: E402
from models.services.stores.reads import compliance_source, compliance_summary_source  # noqa: E402
from models.services.stores.refresh import refresh_all  # noqa: E402
from models.services.training.compliance import STATUSES, compliance_counts, compliance_rows  # noqa: E402

TODAY = date(2026, 10, 15)
DATA = ROOT / "bench" / "data"
ROLE_MIX = [("teacher", 0.70), ("counselor", 0.06), ("principal", 0.02), ("assistant_principal", 0.03),
            ("sro", 0.08), ("sro_supervisor", 0.01), ("security_officer", 0.05), ("staff", 0.05)]
REQS_PER_ROLE = 12


def build(path: Path, scale: float, seed: int = 2026) -> None:
    """Create the schema with SQLAlchemy, then fill it with raw executemany (fast)."""
    rng = random.Random(seed)
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    n_schools, n_people = max(2, int(1000 * scale)), max(20, int(60000 * scale))
    now = "2026-01-01 00:00:00"
    con.execute("INSERT INTO districts (id, name, state, time_zone, school_year_end_month,"
                " school_year_end_day, created_at, updated_at) VALUES (1, 'State', 'IL', 'America/Chicago',"
                " 6, 30, ?, ?)", (now, now))
    con.executemany("INSERT INTO schools (id, district_id, name, level, created_at, updated_at)"
                    " VALUES (?, 1, ?, 'high', ?, ?)",
                    [(i, f"School {i}", now, now) for i in range(1, n_schools + 1)])
    con.execute("INSERT INTO agencies (id, name, kind, created_at, updated_at) VALUES (1, 'State Police',"
                " 'police', ?, ?)", (now, now))
    # 12 requirements per role, each its own course; a third renew yearly/biennially.
    courses, reqs, req_roles = [], [], []
    rule_cycle = [("within_days", 365, None), ("within_days", 90, 12), ("before_start", None, 12),
                  ("within_days", 180, None), ("within_days", 60, 24), ("within_days", 365, None)]
    for r_i, (role, _) in enumerate(ROLE_MIX):
        for k in range(REQS_PER_ROLE):
            cid = r_i * REQS_PER_ROLE + k + 1
            courses.append((cid, f"R{r_i}-{k:02d}", f"{role} course {k}", 8.0, now, now))
            rule, days, months = rule_cycle[k % len(rule_cycle)]
            reqs.append((cid, cid, rule, days, months, 30, now, now))
            req_roles.append((cid, role))
    con.executemany("INSERT INTO courses (id, code, title, hours, issues_certificate, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)", courses)
    con.executemany("INSERT INTO requirements (id, course_id, due_rule, due_days, renewal_months,"
                    " due_soon_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", reqs)
    con.executemany("INSERT INTO requirement_roles (requirement_id, role) VALUES (?, ?)", req_roles)
    req_by_role = {role: [r for r in reqs if req_roles[r[0] - 1][1] == role] for role, _ in ROLE_MIX}
    roles = [r for r, _ in ROLE_MIX]
    weights = [w for _, w in ROLE_MIX]
    people, assignments, links, completions = [], [], [], []
    aid = 0
    for pid in range(1, n_people + 1):
        role = rng.choices(roles, weights)[0]
        agency = role in ("sro", "sro_supervisor")
        people.append((pid, f"First{pid}", f"Last{pid}", f"p{pid}@bench.example", role,
                       "agency" if agency else "district", 1 if agency else None,
                       f"LIC-{pid}" if agency else None, now, now))
        start = TODAY - timedelta(days=rng.randint(-60, 2200))
        school = rng.randint(1, n_schools)
        aid += 1
        ended = rng.random() < 0.03 and start < TODAY - timedelta(days=30)
        assignments.append((aid, pid, role, start.isoformat(),
                            (TODAY - timedelta(days=10)).isoformat() if ended else None, now, now))
        links.append((aid, school))
        if rng.random() < 0.05:  # a second, later assignment at another school
            aid += 1
            assignments.append((aid, pid, role, (start + timedelta(days=200)).isoformat(), None, now, now))
            links.append((aid, rng.randint(1, n_schools)))
        for req in req_by_role[role]:
            months = req[4]
            if rng.random() < 0.1:
                continue  # never completed
            first = start + timedelta(days=rng.randint(-30, 200))
            done = first
            while done <= TODAY:
                completions.append((pid, req[1], done.isoformat(), 8.0))
                if not months or rng.random() < 0.05:
                    break
                done = done + timedelta(days=months * 30 + rng.randint(-40, 20))
    con.executemany("INSERT INTO people (id, first_name, last_name, email, person_type, employer,"
                    " agency_id, licence_number, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", people)
    con.executemany("INSERT INTO assignments (id, person_id, role, start_date, end_date, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", assignments)
    con.executemany("INSERT INTO assignment_schools (assignment_id, school_id) VALUES (?, ?)", links)
    con.executemany("INSERT OR IGNORE INTO completions (person_id, course_id, completed_on, hours, source,"
                    " created_at) VALUES (?, ?, ?, ?, 'bench', '2026-01-01')", completions)
    con.commit()
    con.execute("ANALYZE")
    con.close()


def timed(label: str, fn, repeat: int = 3):
    """Best of `repeat` runs, printed in seconds."""
    best, result = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<48} {best:8.3f} s")
    return result


def write_csv(path: Path, db: Path, rows: int, seed: int = 7) -> None:
    """A roster of `rows` new completions (emails, course codes, recent dates)."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    people = con.execute("SELECT p.email, p.person_type FROM people p").fetchall()
    codes = {}
    for code, role in con.execute("SELECT c.code, rr.role FROM courses c JOIN requirements r ON"
                                  " r.course_id = c.id JOIN requirement_roles rr"
                                  " ON rr.requirement_id = r.id"):
        codes.setdefault(role, []).append(code)
    con.close()
    seen = set()
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Email", "Course code", "Completion date", "Hours", "Certificate number"])
        while len(seen) < rows:
            email, role = rng.choice(people)
            key = (email, rng.choice(codes[role]), (TODAY - timedelta(days=rng.randint(1, 20))).isoformat())
            if key not in seen:
                seen.add(key)
                out.writerow([*key, "8", f"CERT-{len(seen)}"])


def import_only(db: Path, csv_path: Path) -> None:
    """Child process: import the CSV and print the time (peak memory is read by the parent)."""
    from models.services.training.roster_import import import_roster

    engine = create_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        t0 = time.perf_counter()
        plan = import_roster(session, csv_path, csv_path.name, TODAY)
        session.commit()
        print(f"rows={plan.rows} added={plan.added} problems={len(plan.problems)} "
              f"seconds={time.perf_counter() - t0:.3f}")


def main() -> None:
    """Build (once) and time the engine and the import."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 60,000 people")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--import-only", nargs=2, metavar=("DB", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    store_hooks.install()  # no app here: the sessions below keep the stores current all the same
    if args.import_only:
        import_only(Path(args.import_only[0]), Path(args.import_only[1]))
        return
    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"statewide-{args.scale:g}.db"
    if args.rebuild or not db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        timed("build dataset", lambda: build(db, args.scale), repeat=1)
    con = sqlite3.connect(db)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("schools", "people", "assignments", "requirements", "completions")}
    con.close()
    print("dataset:", ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)  # tables added since the dataset was built (the stores)
    event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA cache_size=-200000"))
    with Session(engine) as session:
        counts = timed("district-wide counts per status (SQL)", lambda: compliance_counts(session, TODAY))
        print("   ", counts)
        rows = timed("district-wide rows fetched into Python", lambda: compliance_rows(session, TODAY))
        print(f"    {len(rows):,} person x requirement rows")
        stored = timed("refresh-stores: every person's rows, stored", lambda: refresh_stores(session),
                       repeat=1)
        print("   ", stored)
        # After the refresh: "people at a school" reads school_people, which the refresh fills.
        at_17 = assigned_to_schools([17], TODAY)
        timed("one school's board (rows)", lambda: compliance_rows(session, TODAY, person_filter=at_17),
              repeat=5)
        timed("one school's board (counts)",
              lambda: compliance_counts(session, TODAY, person_filter=at_17), repeat=5)
        per = compliance_summary_source(session, Scope.everyone(TODAY)).subquery()
        sums = select(*[func.sum(per.c[s]) for s in STATUSES])
        counts = timed("district-wide counts per status (from the store)",
                       lambda: session.execute(sums).one(), repeat=5)
        print("   ", dict(zip(STATUSES, counts, strict=True)))
        timed("district-wide rows fetched (from the store)",
              lambda: session.execute(compliance_source(session, Scope.everyone(TODAY))).all(), repeat=3)
        timed("one school's board rows (from the store)",
              lambda: session.execute(compliance_source(session, Scope.everyone(TODAY).at_schools([17])))
              .all(), repeat=5)
    engine.dispose()
    # The import runs on a copy with the stores built, so its 100,000 rows are new every run and the
    # time includes refreshing the stored rows of every person in the file.
    target = DATA / f"import-{args.scale:g}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(db), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    csv_path = DATA / "roster-100k.csv"
    rows = min(100_000, counts_total(db) if args.scale < 1 else 100_000)
    write_csv(csv_path, db, rows)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--import-only", str(target), str(csv_path)],
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    label = f"import {rows}-row CSV (child process)"
    print(f"{label:<48} {wall:8.3f} s   {out.stdout.strip()}")
    print(f"{'import peak memory (ru_maxrss)':<48} {peak:8.1f} MB")


def refresh_stores(session: Session) -> dict:
    """What the daily refresh-stores job does, committed."""
    out = refresh_all(session, TODAY)
    session.commit()
    return out


def counts_total(db: Path) -> int:
    """Rows for the import at small scales: 100,000 scaled down, at least 1,000."""
    con = sqlite3.connect(db)
    people = con.execute("SELECT count(*) FROM people").fetchone()[0]
    con.close()
    return max(1000, int(100_000 * people / 60000))


if __name__ == "__main__":
    main()
