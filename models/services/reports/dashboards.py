"""Figures for the home pages and charts: a few grouped, scoped queries each, never one per row."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from models.accounts import User
from models.hiring import OPEN_STAGES, STAGES, Candidate, Vacancy
from models.notifications import Flag
from models.org import School
from models.people import Person
from models.reports import ComplianceSnapshot
from models.scoping import Scope, person_scope, school_links
from models.services.hiring.vacancies import vacancy_scope
from models.services.reports.builders import visible_school_ids
from models.services.stores.reads import compliance_source, compliance_summary_source, evaluation_due_source
from models.services.stores.refresh import EXPIRING_DAYS
from models.services.training.compliance import MET, STATUSES
from models.training import Course


def _good(col):
    return func.sum(case((col.in_(MET), 1), else_=0))


def _by_school(ids: list[int], per_person, today: date):
    """Per school: the sums of per-person compliance counts over its current people."""
    links = school_links(ids, today).subquery("links")
    good = sum(per_person.c[s] for s in MET)
    return (select(School.id, School.name, func.sum(per_person.c.total), func.sum(good),
                   func.sum(per_person.c.overdue), func.sum(per_person.c.expired))
            .select_from(School)
            .outerjoin(links, links.c.school_id == School.id)
            .outerjoin(per_person, per_person.c.person_id == links.c.person_id)
            .where(School.id.in_(ids)).group_by(School.id, School.name).order_by(School.name))


def compliance_by_school(session: Session, user: User, today: date) -> list[dict]:
    """Per visible school: requirement rows, rows in good standing, rate, overdue and expired."""
    ids = visible_school_ids(session, user, today)
    # The user's own scope, as everywhere: the sums join through the school links as well.
    per_person = compliance_summary_source(session, Scope.for_user(user, today)).subquery("per_person")
    return [{"school_id": sid, "school": name, "total": int(total or 0), "good": int(good or 0),
             "rate": (int(good or 0) / total) if total else None,
             "overdue": int(over or 0), "expired": int(exp or 0)}
            for sid, name, total, good, over, exp in session.execute(_by_school(ids, per_person, today))]


def compliance_overview(session: Session, user: User, today: date, *, courses: bool = False) -> dict:
    """Counts per status, compliance by school and (optionally) by course and expiring in 30/60/90 days.

    Read from the per-person totals (compliance_people) when the store is current: a district of
    hundreds of schools sums a row per person instead of scanning a row per requirement.
    """
    per_person = compliance_summary_source(session, Scope.for_user(user, today)) \
        .subquery("per_person")
    sums = session.execute(select(*[func.sum(per_person.c[s]) for s in STATUSES],
                                  *[func.sum(per_person.c[f"expiring_{d}"]) for d in EXPIRING_DAYS])).one()
    out = {"counts": {s: int(v or 0) for s, v in zip(STATUSES, sums, strict=False)},
           "by_school": compliance_by_school(session, user, today), "by_course": [], "expiring": {}}
    if courses:
        out["expiring"] = {d: int(v or 0) for d, v in zip(EXPIRING_DAYS, sums[len(STATUSES):], strict=True)}
        out["by_course"] = compliance_by_course(session, user, today)
    return out


def compliance_by_course(session: Session, user: User, today: date) -> list[dict]:
    """Per course: requirement rows and the share in good standing."""
    sub = compliance_source(session, Scope.for_user(user, today)).subquery()
    stmt = (select(Course.code, Course.title, func.count(), _good(sub.c.status))
            .join(sub, sub.c.course_id == Course.id)
            .group_by(Course.code, Course.title).order_by(Course.code))
    return [{"code": code, "title": title, "total": n, "good": int(g or 0), "rate": int(g or 0) / n}
            for code, title, n, g in session.execute(stmt)]


def evaluation_counts(session: Session, user: User, today: date) -> dict[str, int]:
    """Evaluation items per status in the user's scope."""
    sub = evaluation_due_source(session, Scope.for_user(user, today)).subquery()
    counts = {"not_yet_due": 0, "due": 0, "overdue": 0, "complete": 0}
    counts.update(dict(session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()))
    return counts


def evaluations_by_school(session: Session, user: User, today: date) -> list[dict]:
    """Per visible school: evaluations due by today (or done) and those complete."""
    ids = visible_school_ids(session, user, today)
    sub = evaluation_due_source(session, Scope.for_user(user, today)).subquery()
    due = case((sub.c.due_date <= today, 1), (sub.c.status == "complete", 1), else_=0)
    # Totals per person first (the engine runs once), then summed over each school's people.
    per_person = (select(sub.c.person_id, func.sum(due).label("due"),
                         func.sum(case((sub.c.status == "complete", 1), else_=0)).label("complete"))
                  .group_by(sub.c.person_id).cte("per_person"))
    links = school_links(ids, today).subquery("links")
    stmt = (select(School.name, func.sum(per_person.c.due), func.sum(per_person.c.complete))
            .select_from(School)
            .outerjoin(links, links.c.school_id == School.id)
            .outerjoin(per_person, per_person.c.person_id == links.c.person_id)
            .where(School.id.in_(ids)).group_by(School.id, School.name).order_by(School.name))
    return [{"school": name, "due": int(d or 0), "complete": int(c or 0)}
            for name, d, c in session.execute(stmt)]


def hiring_summary(session: Session, user: User, today: date) -> dict:
    """Open vacancies and candidates by stage in the user's scope."""
    visible = vacancy_scope(user)
    open_vacancies = session.scalar(select(func.count(Vacancy.id)).where(visible, Vacancy.status == "open"))
    stages = dict(session.execute(select(Candidate.stage, func.count(Candidate.id))
                                  .join(Vacancy, Vacancy.id == Candidate.vacancy_id)
                                  .where(visible).group_by(Candidate.stage)).all())
    return {"open_vacancies": open_vacancies or 0,
            "stages": [(label, stages.get(key, 0)) for key, label in STAGES.items()],
            "in_progress": sum(stages.get(k, 0) for k in OPEN_STAGES)}


def funnel(summary: dict) -> list[tuple[str, int]]:
    """Cumulative funnel: everyone who reached each stage on the way to appointment."""
    counts = dict(summary["stages"])
    order = ["Applied", "Screened", "Interviewed", "Recommended", "Appointed"]
    reached = []
    for i, label in enumerate(order):
        reached.append((label, sum(counts.get(later, 0) for later in order[i:])))
    return reached


def open_flags(session: Session, user: User, today: date, limit: int = 20) -> tuple[int, list[Flag]]:
    """Open reminder flags for the people the user sees: how many, and the earliest due."""
    visible = select(Person.id).where(person_scope(user, today))
    cond = and_(Flag.closed_on.is_(None), Flag.person_id.in_(visible))
    total = session.scalar(select(func.count(Flag.id)).where(cond))
    flags = list(session.scalars(select(Flag).where(cond).options(selectinload(Flag.person))
                                 .order_by(Flag.due_date, Flag.id).limit(limit)))
    return total or 0, flags


def my_todo(session: Session, person_id: int, today: date) -> list[dict]:
    """A person's own open items (training and evaluations), soonest first."""
    sub = compliance_source(session, Scope.everyone(today), person_ids=[person_id]).subquery()
    items = [{"kind": "Training", "what": f"{code} {title}", "due": due_date, "status": status}
             for code, title, due_date, status in session.execute(
                 select(Course.code, Course.title, sub.c.act_by, sub.c.status)
                 .join(Course, Course.id == sub.c.course_id)
                 .where(sub.c.status.in_(("due_soon", "overdue", "expired", "not_yet_due"))))]
    ev = evaluation_due_source(session, Scope.everyone(today), person_ids=[person_id]).subquery()
    items += [{"kind": "Evaluation", "what": f"Evaluation ({cycle})", "due": due_date, "status": status}
              for cycle, due_date, status in session.execute(
                  select(ev.c.cycle, ev.c.due_date, ev.c.status).where(ev.c.status != "complete"))]
    return sorted(items, key=lambda i: (i["due"] or date.max, i["what"]))


def people_overview(session: Session, user: User, today: date, person_type: str = "sro") -> list[dict]:
    """Per visible person of a type: training rows overdue/expired/in good standing, evaluations open."""
    per = compliance_summary_source(session, Scope.for_user(user, today)).subquery()
    ev = evaluation_due_source(session, Scope.for_user(user, today)).subquery()
    c = select(per.c.person_id, per.c.total.label("n"),
               sum(per.c[s] for s in MET).label("good")).subquery()
    open_ = case((ev.c.status.in_(("due", "overdue")), 1), else_=0)
    e = (select(ev.c.person_id, func.sum(open_).label("open"),
                func.sum(case((ev.c.status == "overdue", 1), else_=0)).label("late"))
         .group_by(ev.c.person_id).subquery())
    stmt = (select(Person.id, Person.first_name, Person.last_name, c.c.n, c.c.good, e.c.open, e.c.late)
            .outerjoin(c, c.c.person_id == Person.id).outerjoin(e, e.c.person_id == Person.id)
            .where(person_scope(user, today), Person.person_type == person_type)
            .order_by(Person.last_name, Person.first_name))
    return [{"id": pid, "name": f"{last}, {first}", "requirements": n or 0, "good": int(g or 0),
             "evaluations_open": int(o or 0), "evaluations_late": int(late or 0)}
            for pid, first, last, n, g, o, late in session.execute(stmt)]


def compliance_trend(session: Session, user: User, today: date, days: int = 30):
    """Snapshots of the visible schools over the last `days` days: (day labels, [(school, rates)])."""
    ids = visible_school_ids(session, user, today)
    start = today - timedelta(days=days)
    rows = session.execute(select(School.name, ComplianceSnapshot.day, ComplianceSnapshot.total,
                                  ComplianceSnapshot.in_good_standing)
                           .join(School, School.id == ComplianceSnapshot.school_id)
                           .where(ComplianceSnapshot.school_id.in_(ids), ComplianceSnapshot.day > start,
                                  ComplianceSnapshot.day <= today)
                           .order_by(ComplianceSnapshot.day, School.name)).all()
    days_seen = sorted({d for _, d, _, _ in rows})
    by_school: dict[str, dict] = {}
    for name, day, total, good in rows:
        by_school.setdefault(name, {})[day] = 100 * good / total if total else None
    series = [(name, [vals.get(d) for d in days_seen]) for name, vals in sorted(by_school.items())]
    return [d.isoformat() for d in days_seen], series
