"""Demo training data: the catalog and requirement sets, and a realistic history for the demo people.

Most people are complete; some renewals fall due soon, a few requirements are overdue, a few
certificates have lapsed, two requirements are waived, and many completions are verified by the
coordinator. Every demo SRO is cleared for placement; the officer the hiring demo appoints to start
in two weeks has no training yet and so is the one SRO shown as not cleared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from models.accounts import User
from models.people import Person
from models.seed.roster import FIRST, LAST, SRO_PLAN, STAFF_PLAN
from models.seed.training_catalog import seed_catalog
from models.services.infra.sqldates import add_months_py
from models.services.stores.refresh import refresh_people
from models.training import Completion, Course, Requirement, Waiver

COORDINATOR = "coordinator@riverside.example"
# (plan index of the person, course code, reason)
WAIVERS = [
    (2, "YMHFA", "Licensed clinical counselor who teaches the district's mental health first aid "
                 "sessions; her clinical crisis-intervention certification is on file."),
    (16, "LEGAL-UPD", "Former district legal counsel; the superintendent approved a waiver of the "
                      "legal update for this school year."),
]


def demo_emails() -> list[str]:
    """E-mail addresses of the foundation's demo people, in plan order."""
    emails = []
    for i, (role, *_rest) in enumerate(STAFF_PLAN + SRO_PLAN):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        domain = "riversidepd.example" if role in ("sro", "sro_supervisor") else "riverside.example"
        emails.append(f"{first.lower()}.{last.lower()}@{domain}")
    return emails


def seed_training(session: Session, today: date) -> bool:
    """Add the catalog, the requirement sets and the demo history; False if the catalog is there."""
    if session.scalar(select(Course.id).where(Course.code == "NASRO-BASIC")):
        return False
    courses, requirements = seed_catalog(session)
    national = [r for r in requirements if r.preset is None]
    emails = demo_emails()
    people = {p.email: p for p in session.scalars(
        select(Person).where(Person.email.in_(emails)).options(selectinload(Person.assignments)))}
    if not people:  # no demo district: the catalog alone
        return True
    coordinator_id = session.scalar(select(User.id).where(User.email == COORDINATOR))
    waived = {(i, code) for i, code, _ in WAIVERS}
    rows = []
    for index, email in enumerate(emails):
        person = people.get(email)
        if person is None:
            continue
        for req_index, req in enumerate(national):
            if (index, req.course.code) in waived:
                continue
            for n, done in enumerate(_history(person, index, req_index, req, today)):
                rows.append(_completion(person, req.course, done, today,
                                        coordinator_id if (index + n) % 3 else None))
    if rows:
        session.execute(insert(Completion), rows)  # bulk: bypasses the flush hook that keeps stores
        refresh_people(session.connection(), {row["person_id"] for row in rows})
    by_code = {r.course.code: r for r in national}
    for index, code, reason in WAIVERS:
        person = people.get(emails[index])
        if person is not None:
            session.add(Waiver(person_id=person.id, requirement_id=by_code[code].id, reason=reason,
                               granted_on=today - timedelta(days=40 + index),
                               granted_by_user_id=coordinator_id, granted_by_label=COORDINATOR))
    session.flush()
    return True


def _applicable_start(person: Person, req: Requirement, today: date) -> tuple[date, date] | None:
    """(first start in one of the requirement's roles, last day the person held it) or None."""
    roles = set(req.roles)
    held = [a for a in person.assignments if a.role in roles and a.start_date <= today]
    if not held:
        return None
    start = min(a.start_date for a in held)
    ends = [a.end_date for a in held]
    last_day = today if any(e is None or e >= today for e in ends) else max(ends)
    return start, last_day


def _history(person: Person, index: int, req_index: int, req: Requirement, today: date) -> list[date]:
    """Completion dates (oldest first) for one demo person and one national requirement."""
    held = _applicable_start(person, req, today)
    if held is None:
        return []
    start, last_day = held
    pick = (index * 7 + req_index * 3) % 17
    if req.course.code == "MOU-JOINT" and req.roles and "sro" in {a.role for a in person.assignments}:
        pick = max(pick, 3)  # every demo SRO is cleared for placement
    if req.due_rule == "before_start":
        due = start
        first = start - timedelta(days=5 + pick)
    else:
        due = start + timedelta(days=req.due_days)
        first = start + timedelta(days=min(req.due_days - 3, 10 + 4 * pick))
    if first > last_day or (pick == 0 and due < today):
        return []  # not done yet (not yet due or due soon), or overdue
    dates = [first]
    while req.renewal_months:
        following = add_months_py(dates[-1], req.renewal_months) - timedelta(days=3 + pick)
        if following > last_day:
            break
        dates.append(following)
    if pick in (1, 2) and req.renewal_months and len(dates) > 1:
        dates.pop()  # this renewal was missed: the certificate has lapsed
    return dates


def _completion(person: Person, course: Course, done: date, today: date, verifier: int | None) -> dict:
    """One completion row for a bulk insert; verified a week after it was recorded, if at all."""
    checked = done + timedelta(days=7)
    verified = verifier is not None and checked <= today
    return {
        "person_id": person.id, "course_id": course.id, "completed_on": done, "hours": course.hours,
        "certificate_number": f"{course.code}-{done.year}-{person.id:05d}" if course.issues_certificate
        else None,
        "source": "form",
        "verified_by_user_id": verifier if verified else None,
        "verified_at": datetime.combine(checked, time(15, 30), tzinfo=UTC) if verified else None,
        "created_at": datetime.combine(done + timedelta(days=1), time(14, 0), tzinfo=UTC),
    }
