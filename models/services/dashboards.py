"""Figures for the home pages and charts: a few grouped, scoped queries each, never one per row."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import String, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session, selectinload

from models.accounts import User
from models.hiring import OPEN_STAGES, STAGES, Candidate, Vacancy
from models.notifications import Flag
from models.org import School
from models.people import Assignment, Person, assignment_schools
from models.reports import ComplianceSnapshot
from models.scoping import not_ended, person_scope
from models.services.compliance import MET, STATUSES, compliance_select
from models.services.evaluation_due import evaluation_due_select
from models.services.reports import visible_school_ids, visible_vacancies
from models.training import Course


def _good(col):
    return func.sum(case((col.in_(MET), 1), else_=0))


def _school_links(ids: list[int], today: date):
    """(person_id, school_id) for current assignments at the given schools."""
    return (select(Assignment.person_id, assignment_schools.c.school_id).distinct()
            .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id)
            .where(not_ended(today), assignment_schools.c.school_id.in_(ids))).subquery("links")


def status_counts(session: Session, user: User, today: date, **scope) -> dict[str, int]:
    """Compliance rows per status in the user's scope."""
    sub = compliance_select(today, person_filter=person_scope(user, today), **scope).subquery()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()))
    return counts


def compliance_by_school(session: Session, user: User, today: date) -> list[dict]:
    """Per visible school: requirement rows, rows in good standing, rate, overdue and expired."""
    ids = visible_school_ids(session, user, today)
    sub = compliance_select(today, person_filter=person_scope(user, today)).subquery()
    # Totals per person first (the engine runs once), then summed over each school's people.
    per_person = (select(sub.c.person_id, func.count().label("n"), _good(sub.c.status).label("good"),
                         func.sum(case((sub.c.status == "overdue", 1), else_=0)).label("overdue"),
                         func.sum(case((sub.c.status == "expired", 1), else_=0)).label("expired"))
                  .group_by(sub.c.person_id).cte("per_person"))
    links = _school_links(ids, today)
    stmt = (select(School.id, School.name, func.sum(per_person.c.n), func.sum(per_person.c.good),
                   func.sum(per_person.c.overdue), func.sum(per_person.c.expired))
            .select_from(School)
            .outerjoin(links, links.c.school_id == School.id)
            .outerjoin(per_person, per_person.c.person_id == links.c.person_id)
            .where(School.id.in_(ids)).group_by(School.id, School.name).order_by(School.name))
    return [{"school_id": sid, "school": name, "total": int(total or 0), "good": int(good or 0),
             "rate": (int(good or 0) / total) if total else None,
             "overdue": int(over or 0), "expired": int(exp or 0)}
            for sid, name, total, good, over, exp in session.execute(stmt)]


def compliance_overview(session: Session, user: User, today: date, *, courses: bool = False) -> dict:
    """The figures of status_counts, compliance_by_school and (optionally) by course and expiring.

    One statement: the engine runs once and its rows are aggregated several ways (same results as
    calling those functions one by one).
    """
    ids = visible_school_ids(session, user, today)
    rows = compliance_select(today, person_filter=person_scope(user, today)).cte("engine_rows")
    r, none = rows.c, cast(null(), String)

    def part(kind, key, label, sort, *values):
        values = values + (literal(0),) * (4 - len(values))
        return select(literal(kind).label("kind"), cast(key, String).label("k"), label.label("label"),
                      sort.label("sort"), *[v.label(f"v{i}") for i, v in enumerate(values)])

    per_person = (select(r.person_id, func.count().label("n"), _good(r.status).label("good"),
                         func.sum(case((r.status == "overdue", 1), else_=0)).label("overdue"),
                         func.sum(case((r.status == "expired", 1), else_=0)).label("expired"))
                  .group_by(r.person_id).subquery("per_person"))
    links = _school_links(ids, today)
    parts = [part("status", r.status, none, none, func.count()).group_by(r.status),
             part("school", School.id, School.name, School.name, func.sum(per_person.c.n),
                  func.sum(per_person.c.good), func.sum(per_person.c.overdue),
                  func.sum(per_person.c.expired))
             .select_from(School).outerjoin(links, links.c.school_id == School.id)
             .outerjoin(per_person, per_person.c.person_id == links.c.person_id)
             .where(School.id.in_(ids)).group_by(School.id, School.name)]
    if courses:
        parts.append(part("course", Course.code, Course.title, Course.code, func.count(), _good(r.status))
                     .select_from(Course).join(rows, r.course_id == Course.id)
                     .group_by(Course.code, Course.title))
        valid = r.status.in_(("complete", "due_soon"))
        parts.append(part("expiring", literal("x"), none, none, *[
            func.sum(case((and_(valid, r.expires_on >= today, r.expires_on <= today + timedelta(days=d)), 1),
                          else_=0)) for d in (30, 60, 90)]))
    union = union_all(*parts).subquery()
    out = {"counts": dict.fromkeys(STATUSES, 0), "by_school": [], "by_course": [], "expiring": {}}
    for kind, key, label, _, a, b, c, d in session.execute(
            select(union).order_by(union.c.kind, union.c.sort)):
        a, b, c, d = (int(v or 0) for v in (a, b, c, d))
        if kind == "status":
            out["counts"][key] = a
        elif kind == "school":
            out["by_school"].append({"school_id": int(key), "school": label, "total": a, "good": b,
                                     "rate": b / a if a else None, "overdue": c, "expired": d})
        elif kind == "course":
            out["by_course"].append({"code": key, "title": label, "total": a, "good": b, "rate": b / a})
        else:
            out["expiring"] = {30: a, 60: b, 90: c}
    if courses and not out["expiring"]:
        out["expiring"] = {30: 0, 60: 0, 90: 0}
    return out


def compliance_by_course(session: Session, user: User, today: date) -> list[dict]:
    """Per course: requirement rows and the share in good standing."""
    sub = compliance_select(today, person_filter=person_scope(user, today)).subquery()
    stmt = (select(Course.code, Course.title, func.count(), _good(sub.c.status))
            .join(sub, sub.c.course_id == Course.id)
            .group_by(Course.code, Course.title).order_by(Course.code))
    return [{"code": code, "title": title, "total": n, "good": int(g or 0), "rate": int(g or 0) / n}
            for code, title, n, g in session.execute(stmt)]


def expiring_counts(session: Session, user: User, today: date) -> dict[int, int]:
    """Valid completions expiring within 30, 60 and 90 days."""
    sub = compliance_select(today, person_filter=person_scope(user, today)).subquery()
    sums = [func.sum(case((and_(sub.c.expires_on >= today, sub.c.expires_on <= today + timedelta(days=d)), 1),
                          else_=0)) for d in (30, 60, 90)]
    row = session.execute(select(*sums).where(sub.c.status.in_(("complete", "due_soon")))).one()
    return {d: int(v or 0) for d, v in zip((30, 60, 90), row, strict=True)}


def evaluation_counts(session: Session, user: User, today: date, **scope) -> dict[str, int]:
    """Evaluation items per status in the user's scope."""
    sub = evaluation_due_select(today, person_filter=person_scope(user, today), **scope).subquery()
    counts = {"not_yet_due": 0, "due": 0, "overdue": 0, "complete": 0}
    counts.update(dict(session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)).all()))
    return counts


def evaluations_by_school(session: Session, user: User, today: date) -> list[dict]:
    """Per visible school: evaluations due by today (or done) and those complete."""
    ids = visible_school_ids(session, user, today)
    sub = evaluation_due_select(today, person_filter=person_scope(user, today)).subquery()
    due = case((sub.c.due_date <= today, 1), (sub.c.status == "complete", 1), else_=0)
    # Totals per person first (the engine runs once), then summed over each school's people.
    per_person = (select(sub.c.person_id, func.sum(due).label("due"),
                         func.sum(case((sub.c.status == "complete", 1), else_=0)).label("complete"))
                  .group_by(sub.c.person_id).cte("per_person"))
    links = _school_links(ids, today)
    stmt = (select(School.name, func.sum(per_person.c.due), func.sum(per_person.c.complete))
            .select_from(School)
            .outerjoin(links, links.c.school_id == School.id)
            .outerjoin(per_person, per_person.c.person_id == links.c.person_id)
            .where(School.id.in_(ids)).group_by(School.id, School.name).order_by(School.name))
    return [{"school": name, "due": int(d or 0), "complete": int(c or 0)}
            for name, d, c in session.execute(stmt)]


def hiring_summary(session: Session, user: User, today: date) -> dict:
    """Open vacancies and candidates by stage in the user's scope."""
    visible = visible_vacancies(session, user, today)
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
    sub = compliance_select(today, person_ids=[person_id]).subquery()
    items = [{"kind": "Training", "what": f"{code} {title}", "due": due_date, "status": status}
             for code, title, due_date, status in session.execute(
                 select(Course.code, Course.title, sub.c.due_date, sub.c.status)
                 .join(Course, Course.id == sub.c.course_id)
                 .where(sub.c.status.in_(("due_soon", "overdue", "expired", "not_yet_due"))))]
    ev = evaluation_due_select(today, person_ids=[person_id]).subquery()
    items += [{"kind": "Evaluation", "what": f"Evaluation ({cycle})", "due": due_date, "status": status}
              for cycle, due_date, status in session.execute(
                  select(ev.c.cycle, ev.c.due_date, ev.c.status).where(ev.c.status != "complete"))]
    return sorted(items, key=lambda i: (i["due"] or date.max, i["what"]))


def people_overview(session: Session, user: User, today: date, person_type: str = "sro") -> list[dict]:
    """Per visible person of a type: training rows overdue/expired/in good standing, evaluations open."""
    comp = compliance_select(today, person_filter=person_scope(user, today)).subquery()
    ev = evaluation_due_select(today, person_filter=person_scope(user, today)).subquery()
    c = (select(comp.c.person_id, func.count().label("n"), _good(comp.c.status).label("good"))
         .group_by(comp.c.person_id).subquery())
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
