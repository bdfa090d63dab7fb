"""Bulk import of completions from CSV or XLSX rosters (pandas at the edge, set-based inserts).

Every row is checked first; if any row has a problem nothing is written. Rows already recorded
(same person, course and completion date) are skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.errors import ValidationFailed
from models.people import Person
from models.services.stores.refresh import refresh_people
from models.services.training.roster_files import read_table
from models.training import MAX_HOURS, Completion, Course

CHUNK = 5000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Roster headings we recognise (lower-case, spaces for punctuation) -> our field.
ALIASES = {
    "email": ("email", "e mail", "email address", "work email"),
    "licence": ("licence number", "license number", "licence", "license", "licence no",
                "license no", "officer licence", "officer license", "peace officer license"),
    "name": ("name", "full name", "employee name", "officer name", "person"),
    "first_name": ("first name", "first"),
    "last_name": ("last name", "last", "surname"),
    "course": ("course code", "code", "course", "course title", "title", "course name"),
    "completed_on": ("completion date", "completed on", "completed", "date completed", "date"),
    "hours": ("hours", "credit hours", "contact hours"),
    "certificate_number": ("certificate number", "certificate no", "certificate", "cert no",
                           "certificate id"),
}

# The template's headings, one recognised name per field (first and last name columns also work in
# place of "Name"), and its example row: placeholder values but for the course, a catalog code.
TEMPLATE_HEADINGS = ("Email", "Licence number", "Name", "Course code", "Completion date", "Hours",
                     "Certificate number")
TEMPLATE_EXAMPLE = ("alex.example@example.org", "LIC-12345", "Alex Example", "YMHFA", None, 8, "CERT-0001")


@dataclass
class ImportPlan:
    """What a roster would do: its problems by row, and the clean rows ready to insert."""

    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (file row number, message)
    records: list[dict] = field(default_factory=list)
    added: int = 0
    notices: list[str] = field(default_factory=list)  # how the file was read; not problems
    recorded: list[int] = field(default_factory=list)  # indexes of `records` already in the database

    @property
    def ok(self) -> bool:
        """Whether the file can be imported."""
        return not self.problems

    @property
    def new_records(self) -> list[dict]:
        """The clean rows not yet recorded: what importing would add."""
        skip = set(self.recorded)
        return [r for i, r in enumerate(self.records) if i not in skip]

    def fingerprint(self) -> str:
        """A digest of exactly what importing would write and skip, to tell whether it has changed."""
        rows = [[r["person_id"], r["course_id"], r["completed_on"].isoformat(), r["hours"],
                 r["certificate_number"]] for r in self.records]
        text = json.dumps({"rows": rows, "recorded": self.recorded, "problems": self.problems})
        return hashlib.sha256(text.encode()).hexdigest()


def _norm(heading) -> str:
    return " ".join(str(heading).strip().lower().replace("_", " ").replace("-", " ")
                    .replace("#", "no").replace(".", " ").split())


def roster_template(today: date) -> pd.DataFrame:
    """The roster to fill in: the headings the importer recognises and one example row, dated today."""
    example = [today if value is None else value for value in TEMPLATE_EXAMPLE]
    return pd.DataFrame([example], columns=list(TEMPLATE_HEADINGS))


def read_roster(source, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV or XLSX roster into text columns named by our fields, with notices on how it was read."""
    try:
        data = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    except OSError:
        raise ValidationFailed([("file", "The file could not be opened.")]) from None
    df, notices = read_table(data, filename)
    found = {}
    for column in df.columns:
        for ours, names in ALIASES.items():
            if _norm(column) in names and ours not in found:
                found[ours] = column
    problems = []
    if not {"email", "licence", "name", "first_name"} & set(found):
        problems.append(("file", "No column names the person (email, licence number or name)."))
    for ours, label in (("course", "course code or title"), ("completed_on", "completion date")):
        if ours not in found:
            problems.append(("file", f"No column gives the {label}."))
    if problems:
        raise ValidationFailed(problems)
    out = pd.DataFrame({ours: df[col].fillna("").astype(str).str.strip() for ours, col in found.items()})
    return out, notices


def _people_lookup(session: Session):
    by_email, by_licence, by_name = {}, {}, {}
    for pid, email, licence, first, last in session.execute(
            select(Person.id, Person.email, Person.licence_number, Person.first_name, Person.last_name)):
        by_email[email.lower()] = pid
        if licence:
            by_licence[licence.strip().lower()] = pid
        key = f"{first} {last}".strip().lower()
        by_name[key] = None if key in by_name else pid  # None: ambiguous
    return by_email, by_licence, by_name


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series([""] * len(df), index=df.index)


def check_roster(session: Session, df: pd.DataFrame, today: date) -> ImportPlan:
    """Match people and courses, parse dates and hours, and list every problem by row."""
    plan = ImportPlan(rows=len(df))
    by_email, by_licence, by_name = _people_lookup(session)
    courses = session.execute(select(Course.id, Course.code, Course.title, Course.hours)).all()
    course_by = {c.code.lower(): c.id for c in courses} | {c.title.lower(): c.id for c in courses}
    default_hours = {c.id: c.hours for c in courses}

    email = _column(df, "email").str.lower()
    person = email.map(by_email)
    person = person.fillna(_column(df, "licence").str.lower().map(by_licence))
    name = _column(df, "name")
    if "first_name" in df:
        name = name.where(name != "", _column(df, "first_name") + " " + _column(df, "last_name"))
    person = person.fillna(name.str.strip().str.lower().map(by_name))
    course = _column(df, "course").str.lower().map(course_by)
    raw_date = _column(df, "completed_on")
    when = pd.to_datetime(raw_date, format="ISO8601", errors="coerce")
    retry = when.isna() & (raw_date != "")
    if retry.any():
        when[retry] = pd.to_datetime(raw_date[retry], format="mixed", errors="coerce")
    raw_hours = _column(df, "hours")
    hours = pd.to_numeric(raw_hours.replace("", None), errors="coerce")
    when_day = when.dt.date
    bad_when = when.isna()
    future = ~bad_when & (when_day > today)
    bad_hours = (raw_hours != "") & (hours.isna() | (hours <= 0) | (hours > MAX_HOURS))
    key = pd.DataFrame({"p": person, "c": course, "d": when_day})
    dup = key.notna().all(axis=1) & key.duplicated(keep="first")

    failing = person.isna() | course.isna() | bad_when | future | bad_hours | dup
    for i in failing[failing].index:
        row = int(i) + 2  # line number in the file: the heading is line 1
        who = email[i] or _column(df, "licence")[i] or name[i]
        if pd.isna(person[i]):
            plan.problems.append((row, f"Unknown person “{who}”." if who else "No person given."))
        if pd.isna(course[i]):
            plan.problems.append((row, f"Unknown course “{df['course'][i]}”."))
        if bad_when[i]:
            plan.problems.append((row, f"Cannot read the completion date “{raw_date[i]}”."))
        elif future[i]:
            plan.problems.append((row, f"The completion date {when_day[i]} is in the future."))
        if bad_hours[i]:
            plan.problems.append((row, f"Hours “{raw_hours[i]}” must be a number above 0 and at "
                                       f"most {MAX_HOURS}."))
        if dup[i]:
            plan.problems.append((row, "Duplicate of an earlier row in this file (same person, "
                                       "course and date)."))
    if plan.problems:
        return plan
    cert = _column(df, "certificate_number")
    hours = hours.where(hours.notna(), course.map(default_hours))
    plan.records = [
        {"person_id": int(p), "course_id": int(c), "completed_on": d, "hours": float(h),
         "certificate_number": n or None, "source": "import"}
        for p, c, d, h, n in zip(person, course, when_day, hours, cert, strict=True)
    ]
    plan.recorded = _already_recorded(session, plan.records)
    return plan


def _already_recorded(session: Session, records: list[dict]) -> list[int]:
    """Indexes of the records whose person, course and date are already recorded (they are skipped)."""
    keys = {(r["person_id"], r["course_id"], r["completed_on"]) for r in records}
    pairs = sorted({(p, c) for p, c, _ in keys})
    found = set()
    key = tuple_(Completion.person_id, Completion.course_id)
    for start in range(0, len(pairs), CHUNK):
        found.update(tuple(row) for row in session.execute(
            select(Completion.person_id, Completion.course_id, Completion.completed_on)
            .where(key.in_(pairs[start:start + CHUNK]))))
    return [i for i, r in enumerate(records)
            if (r["person_id"], r["course_id"], r["completed_on"]) in found]


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert(Completion) if dialect == "postgresql" else sqlite.insert(Completion))
    return stmt.on_conflict_do_nothing(
        index_elements=["person_id", "course_id", "completed_on"])


def apply_plan(session: Session, plan: ImportPlan, *, filename: str, user_id: int | None = None,
               progress: Callable[[int], None] | None = None) -> int:
    """Insert the plan's rows in chunks, skipping those already recorded; returns how many were added."""
    if not plan.ok:
        raise ValidationFailed([("file", f"Row {r}: {m}") for r, m in plan.problems])
    count = select(func.count()).select_from(Completion)
    before = session.scalar(count)
    stmt = _insert(session)
    for start in range(0, len(plan.records), CHUNK):
        chunk = [{**r, "recorded_by_user_id": user_id} for r in plan.records[start:start + CHUNK]]
        session.execute(stmt, chunk)
        if progress:
            progress(len(chunk))
    plan.added = session.scalar(count) - before
    if plan.added:  # the bulk insert bypasses the flush hook that keeps the stored compliance rows
        refresh_people(session.connection(), {r["person_id"] for r in plan.records})
    session.add(AuditEvent(actor_user_id=session.info.get("actor_user_id"),
                           actor_label=session.info.get("actor_label", "system"),
                           action="import", entity_type="completions", entity_id=None,
                           after={"file": filename, "rows": plan.rows, "added": plan.added}))
    session.flush()
    return plan.added


def plan_roster(session: Session, source, filename: str, today: date) -> ImportPlan:
    """Read and check a roster, keeping the notices about how the file was read."""
    df, notices = read_roster(source, filename)
    plan = check_roster(session, df, today)
    plan.notices = notices
    return plan


def import_roster(session: Session, source, filename: str, today: date, **kwargs) -> ImportPlan:
    """Read, check and (if nothing is wrong) insert a roster; the caller commits or rolls back."""
    plan = plan_roster(session, source, filename, today)
    if plan.ok:
        apply_plan(session, plan, filename=filename, **kwargs)
    return plan
