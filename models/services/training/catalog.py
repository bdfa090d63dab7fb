"""The course catalog and the requirements over it: validated edits, audited, with a preview from the engine.

Pages and the API call the same functions, so the same input gets the same sentence either way. A
requirement change is previewed by applying it inside a savepoint, asking the compliance engine
itself, and rolling back: the preview is what saving will do, because it is the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.audit import record_event
from models.errors import ValidationFailed
from models.people import ROLES, Assignment
from models.services.infra.text import text_problems
from models.services.infra.words import plural
from models.services.training.compliance import compliance_select, unmet_before_start
from models.training import (
    DEFAULT_DUE_SOON_DAYS,
    MAX_HOURS,
    PRESETS,
    Course,
    DistrictPreset,
    Requirement,
    RequirementRole,
)

DUE_RULES = {"before_start": "Before the assignment starts", "within_days": "Within N days of the start",
             "fixed_date": "By a fixed date"}
COURSE_LABELS = {"code": "Code", "title": "Title", "provider": "Provider", "topics": "Topics"}
MAX_DUE_DAYS, MAX_RENEWAL_MONTHS, MAX_DUE_SOON_DAYS, MAX_RECERT_WINDOW_DAYS = 3650, 120, 365, 730
OPEN = ("due_soon", "overdue", "expired", "not_yet_due")  # rows that ask something of the person


def _text(data: dict, name: str) -> str:
    return (data.get(name) or "").strip() if isinstance(data.get(name) or "", str) else ""


def _whole(data: dict, name: str, label: str, lo: int, hi: int, problems: list) -> int | None:
    """An optional whole number in [lo, hi]; a sentence in `problems` otherwise."""
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append((name, f"{label} must be a whole number."))
        return None
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except ValueError:
        number = None
    if number is None:
        problems.append((name, f"{label} must be a whole number."))
    elif not lo <= number <= hi:
        problems.append((name, f"{label} must be between {lo} and {hi:,}."))
        number = None
    return number


def save_course(session: Session, course: Course | None, data: dict[str, Any]) -> Course:
    """Create (`course` None) or change a course; raises ValidationFailed listing every problem.

    Equivalents hold both ways: making B equivalent to A makes A equivalent to B, and removing one
    removes both. Retiring a course (active off) keeps its completions and requirements.
    """
    problems: list[tuple[str | None, str]] = []
    clean = {name: _text(data, name) for name in COURSE_LABELS}
    problems += text_problems(Course.__table__, clean, COURSE_LABELS)
    if not clean["code"]:
        problems.append(("code", "Code is required."))
    elif session.scalar(select(Course.id).where(func.lower(Course.code) == clean["code"].lower(),
                                                Course.id != (course.id if course else -1))):
        problems.append(("code", f"Another course already has the code {clean['code']}."))
    if not clean["title"]:
        problems.append(("title", "Title is required."))
    hours = data.get("hours")
    try:
        hours = float(hours) if hours not in (None, "") else None
    except (TypeError, ValueError):
        hours = -1.0
    if hours is None or not 0 <= hours <= MAX_HOURS or hours != hours:
        problems.append(("hours", f"Hours must be a number from 0 to {MAX_HOURS}."))
    wanted = data.get("equivalent_ids") or []
    ids = [v for v in wanted if isinstance(v, int) and not isinstance(v, bool)]
    equivalents = list(session.scalars(select(Course).where(Course.id.in_(ids)))) if ids else []
    if len(ids) != len(wanted) or len(equivalents) != len(set(ids)):
        problems.append(("equivalent_ids", "One of the equivalent courses does not exist."))
    if course is not None and course.id in ids:
        problems.append(("equivalent_ids", "A course cannot be its own equivalent."))
    if problems:
        raise ValidationFailed(problems)
    course = course or Course()
    before = sorted(c.code for c in course.equivalents) if course.id else []
    course.code, course.title = clean["code"], clean["title"]
    course.provider, course.topics = clean["provider"] or None, clean["topics"] or None
    course.hours = hours
    course.issues_certificate = bool(data.get("issues_certificate", True))
    course.active = bool(data.get("active", True))
    session.add(course)
    session.flush()
    # Both directions through the ORM, so the store hooks see every course whose equivalents moved;
    # the link table is not audited row by row, so each course whose list changed gets one event.
    touched = {c for c in course.equivalents if c not in equivalents} | {
        c for c in equivalents if c not in course.equivalents}
    lists = {c: sorted(e.code for e in c.equivalents) for c in touched | {course}}
    lists[course] = before
    for other in list(course.equivalents):
        if other not in equivalents:
            course.equivalents.remove(other)
            if course in other.equivalents:
                other.equivalents.remove(course)
    for other in equivalents:
        if other not in course.equivalents:
            course.equivalents.append(other)
        if course not in other.equivalents:
            other.equivalents.append(course)
    for changed, old in lists.items():
        new = sorted(e.code for e in changed.equivalents)
        if new != old:
            record_event(session, "update", changed, before={"equivalents": old}, after={"equivalents": new})
    session.flush()
    return course


def _requirement_values(session: Session, req: Requirement | None, data: dict[str, Any]) -> dict:
    """The requirement's clean values; raises ValidationFailed listing every problem."""
    problems: list[tuple[str | None, str]] = []
    course_id = data.get("course_id")
    course = (session.get(Course, course_id) if isinstance(course_id, int) and not isinstance(course_id, bool)
              else None)
    if course is None:
        problems.append(("course_id", "Choose the course this requirement asks for."))
    elif not course.active and (req is None or req.course_id != course.id):
        problems.append(("course_id", f"{course.code} is retired; choose an active course."))
    roles = data.get("roles") or []
    if not roles or not all(isinstance(r, str) and r in ROLES for r in roles):
        problems.append(("roles", "Choose at least one role from the list."))
    rule = data.get("due_rule")
    if rule not in DUE_RULES:
        problems.append(("due_rule", "Choose when the course is due."))
    days = _whole(data, "due_days", "Days after the start", 0, MAX_DUE_DAYS, problems)
    if rule == "within_days" and days is None and not any(p[0] == "due_days" for p in problems):
        problems.append(("due_days", "Give the number of days after the assignment starts."))
    fixed = data.get("fixed_due_date")
    if fixed is not None and not isinstance(fixed, date):
        problems.append(("fixed_due_date", "The due date must be a date."))
        fixed = None
    if rule == "fixed_date" and fixed is None and not any(p[0] == "fixed_due_date" for p in problems):
        problems.append(("fixed_due_date", "Give the date the course is due by."))
    renewal = _whole(data, "renewal_months", "Renewal interval", 1, MAX_RENEWAL_MONTHS, problems)
    soon = _whole(data, "due_soon_days", "Due-soon window", 0, MAX_DUE_SOON_DAYS, problems)
    window = _whole(data, "recert_window_days", "Recertification window", 1, MAX_RECERT_WINDOW_DAYS, problems)
    if window is not None and renewal is None and not any(p[0] == "renewal_months" for p in problems):
        problems.append(("recert_window_days", "A recertification window needs a renewal interval."))
    grandfather = data.get("grandfather_date")
    if grandfather is not None and not isinstance(grandfather, date):
        problems.append(("grandfather_date", "The grandfather date must be a date."))
        grandfather = None
    preset = data.get("preset") or None
    if preset is not None and preset not in PRESETS:
        problems.append(("preset", "Choose national or one of the state presets."))
    note = _text(data, "note")
    problems += text_problems(Requirement.__table__, {"note": note}, {"note": "Note"})
    if problems:
        raise ValidationFailed(problems)
    return {"course_id": course.id, "due_rule": rule, "due_days": days if rule == "within_days" else None,
            "fixed_due_date": fixed if rule == "fixed_date" else None, "renewal_months": renewal,
            "grandfather_date": grandfather,
            "due_soon_days": DEFAULT_DUE_SOON_DAYS if soon is None else soon, "recert_window_days": window,
            "preset": preset,
            "note": note or None, "roles": sorted(set(roles))}


def save_requirement(session: Session, req: Requirement | None, data: dict[str, Any]) -> Requirement:
    """Create (`req` None) or change a requirement; raises ValidationFailed listing every problem."""
    values = _requirement_values(session, req, data)
    roles = values.pop("roles")
    req = req or Requirement()
    for name, value in values.items():
        setattr(req, name, value)
    if sorted(req.roles) != roles:
        req.role_links = [link for link in req.role_links if link.role in roles] + [
            RequirementRole(role=r) for r in roles if r not in req.roles]
    session.add(req)
    session.flush()
    return req


@dataclass(frozen=True)
class Preview:
    """What saving a requirement change does to the population, counted by the compliance engine."""

    becomes_due: int = 0  # people the requirement newly asks something of
    becomes_due_overdue: int = 0  # of those, overdue or expired today
    no_longer_required: int = 0
    status_changes: dict[str, int] = field(default_factory=dict)  # "overdue → complete": n
    stops_cleared: int = 0  # SROs cleared for placement before and not after
    becomes_cleared: int = 0

    def sentences(self) -> list[str]:
        """The preview in words, for the page and the API."""
        def people(n: int) -> str:
            return plural(n, "person", "people")

        def verb(n: int, singular: str, plural_form: str) -> str:
            return singular if n == 1 else plural_form

        out = [f"{people(self.becomes_due)} {verb(self.becomes_due, 'becomes', 'become')} due, "
               f"{self.becomes_due_overdue:,} of them overdue today."]
        if self.no_longer_required:
            out.append(f"{people(self.no_longer_required)} no longer "
                       f"{verb(self.no_longer_required, 'needs', 'need')} it.")
        out += [f"{people(n)} {verb(n, 'changes', 'change')} from {change}."
                for change, n in sorted(self.status_changes.items())]
        if self.stops_cleared:
            out.append(f"{plural(self.stops_cleared, 'SRO')} "
                       f"{verb(self.stops_cleared, 'stops', 'stop')} being cleared for placement.")
        if self.becomes_cleared:
            out.append(f"{plural(self.becomes_cleared, 'SRO')} "
                       f"{verb(self.becomes_cleared, 'becomes', 'become')} cleared for placement.")
        return out


def _rows(session: Session, requirement_id: int | None, course_id: int, today: date) -> dict[int, tuple]:
    """person_id -> (status, role) of the requirement's engine rows today."""
    if requirement_id is None:
        return {}
    sub = compliance_select(today, course_ids=[course_id]).subquery()
    return {p: (s, r) for p, s, r in session.execute(
        select(sub.c.person_id, sub.c.status, sub.c.role).where(sub.c.requirement_id == requirement_id))}


def _uncleared(session: Session, today: date) -> set[int]:
    """SROs (an assignment as SRO not ended by `today`) not cleared for placement today."""
    sros = select(Assignment.person_id).where(Assignment.role == "sro", or_(
        Assignment.end_date.is_(None), Assignment.end_date >= today)).distinct()
    return set(unmet_before_start(session, today, "sro", list(session.scalars(sros))))


def preview_requirement(session: Session, req: Requirement | None, data: dict[str, Any],
                        today: date) -> Preview:
    """What saving `data` would do, from the engine, with nothing kept; raises ValidationFailed."""
    before = _rows(session, req.id if req else None, req.course_id if req else 0, today)
    savepoint = session.begin_nested()
    try:
        saved = save_requirement(session, req, data)
        after = _rows(session, saved.id, saved.course_id, today)
        uncleared_after = _uncleared(session, today)
    finally:
        savepoint.rollback()
    if req is not None:
        session.refresh(req)  # the rollback expired it; read back what is stored
    uncleared_before = _uncleared(session, today)
    new = [p for p in after if p not in before and after[p][0] in OPEN]
    changes: dict[str, int] = {}
    for person in after.keys() & before.keys():
        if after[person][0] != before[person][0]:
            key = f"{before[person][0].replace('_', ' ')} to {after[person][0].replace('_', ' ')}"
            changes[key] = changes.get(key, 0) + 1
    return Preview(becomes_due=len(new),
                   becomes_due_overdue=sum(after[p][0] in ("overdue", "expired") for p in new),
                   no_longer_required=len(before.keys() - after.keys()), status_changes=changes,
                   stops_cleared=len(uncleared_after - uncleared_before),
                   becomes_cleared=len(uncleared_before - uncleared_after))


def offered_courses(session: Session) -> list[Course]:
    """Courses to offer for a new completion: active, and not only in state presets the district has off."""
    on = select(DistrictPreset.preset)
    wanted = select(Requirement.id).where(Requirement.course_id == Course.id,
                                          or_(Requirement.preset.is_(None), Requirement.preset.in_(on)))
    preset_only = select(Requirement.id).where(Requirement.course_id == Course.id)
    stmt = select(Course).where(Course.active, or_(wanted.exists(), ~preset_only.exists()))
    return list(session.scalars(stmt.order_by(Course.code)))
