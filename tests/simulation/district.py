"""A small district that lives a year: its people, and what its staff do on an ordinary day.

Everything goes through the services the web pages and the import use (one transaction per action,
as one request would); only the clock is chosen by the simulation.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.errors import DomainError, ValidationFailed
from models.evaluations import Evaluation
from models.notifications import EmailPreference, Flag
from models.org import Agency, District, School
from models.people import Assignment, Person
from models.scoping import Scope
from models.seed.evaluations import seed_templates
from models.seed.notifications import ensure_default_plan
from models.seed.training_catalog import seed_catalog
from models.services.evaluations import workflow as evaluation_svc
from models.services.people import directory as people_svc
from models.services.training import completions as training_svc
from models.services.training.roster_import import import_roster
from models.training import Completion, Course, Requirement
from tests.factories import make_user

SCHOOLS = (("North High", "high"), ("South High", "high"), ("Central Middle", "middle"),
           ("Lakeside Elementary", "elementary"))
STAFF_PER_SCHOOL = (("principal", 1), ("counselor", 2), ("teacher", 32), ("security_officer", 1))
SROS = 6  # plus one SRO supervisor, all employed by the police agency


@dataclass
class Staff:
    """The accounts that act in the simulation."""

    coordinator: User
    supervisor: User
    principals: dict[int, User]  # school id -> principal account
    rng: random.Random
    hired: int = 0
    log: list[str] = field(default_factory=list)


def build(session: Session, start: date, rng: random.Random) -> Staff:
    """About 150 people at four schools, the national catalog with a history, the evaluation forms."""
    district = District(name="Simulated Unified", state="IL", time_zone="America/Chicago")
    schools = [School(district=district, name=n, level=level) for n, level in SCHOOLS]
    agency = Agency(name="Simulated Police Department", kind="police")
    session.add_all([district, agency, *schools])
    session.flush()
    _, requirements = seed_catalog(session)
    seed_templates(session, start)
    ensure_default_plan(session)
    people = []
    for school in schools:
        for role, count in STAFF_PER_SCHOOL:
            for _ in range(count):
                people.append(_person(session, role, [school], start - timedelta(days=rng.randint(0, 2400))))
    for i in range(SROS):
        people.append(_person(session, "sro", [schools[i % len(schools)]],
                              start - timedelta(days=rng.randint(20, 2400)), agency=agency))
    people.append(_person(session, "sro_supervisor", schools, start - timedelta(days=3000), agency=agency))
    session.flush()
    national = [r for r in requirements if r.preset is None]
    for person in people:
        _history(session, person, national, start, rng)
    principals = {}
    for school in schools:
        boss = next(p for p in people
                    if p.person_type == "principal" and p.assignments[0].schools == [school])
        principals[school.id] = make_user(session, "principal", email=f"boss.{school.id}@sim.example",
                                          schools=[school], person=boss)
    coordinator = make_user(session, "coordinator", email="coordinator@sim.example")
    make_user(session, "hr", email="hr@sim.example")
    supervisor = make_user(session, "supervisor", email="sergeant@sim.example", agency=agency)
    # Offices that get a copy of many reminders read them in one daily digest, as do some people.
    readers = [u.email for u in (coordinator, supervisor, *principals.values())] + ["hr@sim.example"]
    for email in readers + [p.email for p in rng.sample(people, 12) if p.email not in readers]:
        session.add(EmailPreference(email=email, delivery="digest"))
    session.commit()
    return Staff(coordinator, supervisor, principals, rng)


def _person(session: Session, role: str, schools, start: date, agency=None) -> Person:
    n = session.info["sim_people"] = session.info.get("sim_people", 0) + 1
    person = Person(first_name=f"P{n}", last_name=f"{role.title()}{n}", email=f"p{n}@sim.example",
                    person_type=role, employer="agency" if agency else "district", agency=agency,
                    licence_number=f"SIM-{n}" if agency else None)
    person.assignments.append(Assignment(role=role, schools=list(schools), start_date=start))
    session.add(person)
    return person


def _history(session: Session, person: Person, requirements: list[Requirement], start: date,
             rng: random.Random) -> None:
    """Most people did their training on time and renewed it; some are late, some lapsed."""
    role = person.person_type
    began = person.assignments[0].start_date
    for req in requirements:
        if role not in req.roles or rng.random() < 0.2:
            continue
        due = began if req.due_rule == "before_start" else began + timedelta(days=req.due_days or 0)
        done = due - timedelta(days=rng.randint(1, 40))
        while done < start:
            session.add(Completion(person_id=person.id, course_id=req.course_id, completed_on=done,
                                   source="form"))
            if not req.renewal_months or rng.random() < 0.1:
                break
            done += timedelta(days=req.renewal_months * 30 - rng.randint(5, 25))


def _open_training_flags(session: Session) -> list[tuple[Person, int]]:
    """(person, course id) of each open training flag."""
    rows = session.execute(select(Flag.person_id, Flag.item_key)
                           .where(Flag.kind == "training", Flag.closed_on.is_(None)).order_by(Flag.id)).all()
    courses = {rid: cid for rid, cid in session.execute(select(Requirement.id, Requirement.course_id))}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({pid for pid, _ in rows})))}
    return [(people[pid], courses[int(key.split(":")[2])]) for pid, key in rows]


def _attempt(session: Session, staff: Staff, what: str, action) -> None:
    """One user action in its own transaction; a refusal is what the user would have read."""
    try:
        action()
        session.commit()
        staff.log.append(what)
    except (ValidationFailed, DomainError):
        session.rollback()


def ordinary_day(session: Session, staff: Staff, today: date) -> None:
    """What the district's staff do today: training, waivers, imports, hires, moves, evaluations."""
    rng = staff.rng
    flagged = _open_training_flags(session)
    for person, course_id in flagged:
        if rng.random() < 0.06:  # done, sometimes recorded days later
            done = today - timedelta(days=rng.choice((0, 0, 0, 1, 3, 9)))
            _attempt(session, staff, "completion", lambda p=person, c=course_id, d=done:
                     training_svc.record_completion(session, p, {"course_id": c, "completed_on": d}, today,
                                                    user_id=staff.coordinator.id))
        elif rng.random() < 0.002:
            req = session.scalar(select(Requirement.id).where(Requirement.course_id == course_id,
                                                             Requirement.preset.is_(None)))
            _attempt(session, staff, "waiver", lambda p=person, r=req: training_svc.grant_waiver(
                session, p, {"requirement_id": r, "reason": "Equivalent course on file"}, today,
                user_id=staff.coordinator.id, label=staff.coordinator.email))
    if today.day in (7, 21) and flagged:  # the coordinator's roster from the state academy
        picked = rng.sample(flagged, min(len(flagged), rng.randint(3, 12)))
        lines = ["Email,Course code,Completion date"]
        codes = {cid: code for cid, code in session.execute(select(Course.id, Course.code))}
        lines += [f"{p.email},{codes[c]},{(today - timedelta(days=rng.randint(0, 20))).isoformat()}"
                  for p, c in picked]
        data = ("\n".join(lines) + "\n").encode()
        _attempt(session, staff, "import", lambda: import_roster(session, io.BytesIO(data), "roster.csv",
                                                                 today, user_id=staff.coordinator.id))
    if rng.random() < 0.08:
        _hire(session, staff, today)
    if rng.random() < 0.05:
        _leave_or_move(session, staff, today)
    _evaluate(session, staff, today)


def _hire(session: Session, staff: Staff, today: date) -> None:
    rng = staff.rng
    staff.hired += 1
    school_ids = [rng.choice(list(staff.principals))]
    sro = rng.random() < 0.2
    agency_id = staff.supervisor.agency_id if sro else None
    data = {"first_name": "New", "last_name": f"Hire{staff.hired}", "email": f"hire{staff.hired}@sim.example",
            "person_type": "sro" if sro else "teacher", "employer": "agency" if sro else "district",
            "agency_id": agency_id, "licence_number": f"SIM-H{staff.hired}" if sro else None}

    def action():
        person = people_svc.create_person(session, data)
        # SROs start in two weeks, after their before-assignment training; teachers on Monday.
        start = today + timedelta(days=14 if sro else rng.randint(0, 5))
        people_svc.create_assignment(session, person, {"role": data["person_type"], "start_date": start,
                                                       "school_ids": school_ids}, today)
    _attempt(session, staff, "hire", action)


def _leave_or_move(session: Session, staff: Staff, today: date) -> None:
    rng = staff.rng
    current = session.scalars(select(Assignment).where(Assignment.end_date.is_(None),
                                                       Assignment.role.in_(("teacher", "counselor")),
                                                       Assignment.start_date < today)).all()
    if not current:
        return
    a = rng.choice(current)
    ids = [s.id for s in a.schools]

    def action():
        people_svc.update_assignment(session, a, {"role": a.role, "start_date": a.start_date,
                                                  "end_date": today, "school_ids": ids}, today)
        if rng.random() < 0.5:  # a teacher becomes a counselor (or the other way) at another school
            role = "counselor" if a.role == "teacher" else "teacher"
            people_svc.create_assignment(session, a.person, {
                "role": role, "start_date": today + timedelta(days=1),
                "school_ids": [rng.choice([s for s in staff.principals if s not in ids] or ids)]}, today)
    _attempt(session, staff, "move" if len(staff.log) % 2 else "leave", action)


def _account(session: Session, person_id: int) -> User:
    """The person's own account, made the first time they have something to acknowledge."""
    user = session.scalar(select(User).where(User.person_id == person_id))
    if user is None:
        person = session.get(Person, person_id)
        user = make_user(session, "staff", email=person.email, person=person)
    return user


def _evaluate(session: Session, staff: Staff, today: date) -> None:
    """Principals start and submit, the supervisor co-signs, people acknowledge (each now and then)."""
    from models.services.stores.reads import evaluation_due_source

    rng = staff.rng
    due = session.execute(evaluation_due_source(session, Scope.everyone(today))).all()
    for row in due:
        if row.status in ("due", "overdue") and row.evaluation_id is None and rng.random() < 0.02:
            boss = _principal_for(session, staff, row.person_id, today)
            if boss is not None:
                _attempt(session, staff, "evaluation started", lambda r=row, b=boss:
                         evaluation_svc.start_evaluation(session, person_id=r.person_id,
                                                         assignment_id=r.assignment_id, cycle=r.cycle,
                                                         evaluator=b, today=today))
    for ev in session.scalars(select(Evaluation).where(Evaluation.status != "final")).all():
        if rng.random() >= 0.2:
            continue
        if ev.status == "draft" and ev.evaluator is not None:
            data = {"version_id": ev.version_id, "goals": "Goals", "strengths": "Steady"}
            for r in ev.ratings:
                data[f"rating_{r.criterion_id}"] = rng.choice((3, 3, 4, 2))
                data[f"comment_{r.criterion_id}"] = "Discussed."
            _attempt(session, staff, "evaluation submitted", lambda e=ev, d=data:
                     evaluation_svc.save_evaluation(session, e, d, user=e.evaluator, today=today,
                                                    submit=True))
        elif ev.status == "submitted":
            _attempt(session, staff, "evaluation co-signed", lambda e=ev:
                     evaluation_svc.cosign_evaluation(session, e, user=staff.supervisor, today=today))
        elif ev.status == "signed":
            _attempt(session, staff, "evaluation acknowledged", lambda e=ev:
                     evaluation_svc.acknowledge_evaluation(session, e, user=_account(session, e.person_id),
                                                           response=None, today=today))


def _principal_for(session: Session, staff: Staff, person_id: int, today: date) -> User | None:
    """The principal account of one of the person's current schools (never the person themself)."""
    for a in session.get(Person, person_id).assignments:
        if a.end_date is None or a.end_date >= today:
            for school in a.schools:
                boss = staff.principals.get(school.id)
                if boss is not None and boss.person_id != person_id:
                    return boss
    return None
