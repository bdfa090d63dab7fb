"""Reports: a scoped select() -> pandas DataFrame, shown as an HTML table and downloaded as CSV/XLSX.

Every builder takes the user and reads through the user's models.scoping.Scope (its people and its
schools; a school filter narrows it with Scope.at_schools), so a principal's report (and its download)
holds only their schools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from models.accounts import User
from models.hiring import STAGES, Candidate, Vacancy, vacancy_schools
from models.org import School
from models.people import PERSON_TYPES, Person
from models.scoping import Scope, person_scope, school_links
from models.services.hiring.vacancies import vacancy_scope
from models.services.stores.hooks import flush_pending
from models.services.stores.reads import (
    compliance_course_ids,
    compliance_source,
    compliance_summary_source,
    evaluation_due_source,
    training_hours_source,
)
from models.services.training.compliance import STATUS_LABELS
from models.training import Course

FEW_PEOPLE = 2000  # a frame about this many people reads just their names (an IN list), not the scope
EVAL_LABELS = {"not_yet_due": "Not yet due", "due": "Due", "overdue": "Overdue", "complete": "Complete"}


def visible_school_ids(session: Session, user: User, today: date) -> list[int]:
    """Ids of the schools `user` may see (one query; keeps later statements free of correlation)."""
    return list(session.scalars(select(School.id).where(Scope.for_user(user, today).school_condition())))


def _report_scope(session: Session, user: User, today: date, school_id: int | None) -> Scope:
    """The user's Scope, narrowed to the people at one school if asked for (a school not visible: nobody)."""
    scope = Scope.for_user(user, today)
    if not school_id:
        return scope
    return scope.at_schools([school_id] if school_id in visible_school_ids(session, user, today) else [])


def _read(session: Session, stmt) -> pd.DataFrame:
    flush_pending(session)  # pandas reads through the connection, past the session's read hook
    return pd.read_sql(stmt, session.connection())


def _name():
    """SQL: the "Last, First" text the reports show and sort by."""
    return Person.last_name + ", " + Person.first_name


def _read_page(session: Session, stmt, params: dict, *order, total=None) -> tuple[pd.DataFrame, int | None]:
    """Rows of `stmt`; with params["limit"] (an HTML page) only that page's rows in report order.

    Returns the frame and the number of rows in all (None when not limited: the frame's length);
    `total` may give that number from a cheaper statement. A district-wide report has hundreds of
    thousands of rows; the page shows a hundred of them.
    """
    limit = params.get("limit")
    if not limit:
        return _read(session, stmt), None
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(*order).limit(limit).offset(params.get("offset") or 0)
    return _read(session, page), total


def _done(frame: pd.DataFrame, total: int | None) -> pd.DataFrame:
    """The report frame, with the count of all its rows in attrs["total"] (for "first N of M")."""
    frame.attrs["total"] = len(frame) if total is None else total
    return frame


def school_names(session: Session, user: User, today: date, school_id: int | None = None,
                 person_ids: list[int] | None = None) -> pd.DataFrame:
    """person_id -> 'School A; School B': the visible schools each person is at (current or upcoming)."""
    ids = visible_school_ids(session, user, today)
    if school_id:
        ids = [i for i in ids if i == school_id]
    links = school_links(ids, today).subquery()
    stmt = select(links.c.person_id, School.name).join(School, School.id == links.c.school_id)
    if person_ids is not None:
        stmt = stmt.where(links.c.person_id.in_(person_ids))
    names: dict[int, list[str]] = {}
    for person_id, name in session.execute(stmt.order_by(School.name)):
        names.setdefault(person_id, []).append(name)
    # Joined in Python: a pandas groupby with a Python join runs per group (0.7 s for 12,000 people).
    return pd.DataFrame({"person_id": pd.Series(list(names), dtype="int64"),
                         "Schools": pd.Series(["; ".join(v) for v in names.values()], dtype="object")})


def _with_people(session, user, today, frame, school_id=None) -> pd.DataFrame:
    """Add the person's name, type and visible schools to a frame with a person_id column."""
    cond = person_scope(user, today)
    ids = [int(i) for i in frame["person_id"].unique()]
    few = bool(school_id) or len(ids) <= FEW_PEOPLE
    if few:  # one school's or one page's frame: read only its people, not everyone the user sees
        cond = and_(cond, Person.id.in_(ids))
    people = _read(session, select(Person.id.label("person_id"),
                                   (Person.last_name + ", " + Person.first_name).label("Person"),
                                   Person.person_type).where(cond))
    people["Type"] = people.pop("person_type").map(lambda t: PERSON_TYPES.get(t, t))
    merged = frame.merge(people, on="person_id", how="inner")
    names = school_names(session, user, today, school_id, ids if few else None)
    merged = merged.merge(names, on="person_id", how="left")
    merged["Schools"] = merged["Schools"].fillna("")
    return merged


def _summed(session, user, today, params, *columns) -> int:
    """Sum of compliance_people columns over the report's scope (a row count without the rows)."""
    scope = _report_scope(session, user, today, params.get("school"))
    per = compliance_summary_source(session, scope).subquery()
    return int(session.scalar(select(func.sum(sum(per.c[c] for c in columns)))) or 0)


def compliance_matrix(session, user, today, params) -> pd.DataFrame:
    """People × requirements (course codes), each cell the compliance status."""
    scope = _report_scope(session, user, today, params.get("school"))
    total = codes = None
    if params.get("limit"):  # a page: some people by name, with every requirement in scope as a column
        people = compliance_summary_source(session, scope).subquery()  # people with rows
        total = session.scalar(select(func.count()).select_from(people))
        page = (select(Person.id).where(Person.id.in_(select(people.c.person_id)))
                .order_by(_name(), Person.id).limit(params["limit"]).offset(params.get("offset") or 0))
        codes = sorted(session.scalars(select(Course.code).where(
            Course.id.in_(compliance_course_ids(session, scope, people=total)))))
        # The page's people came from the scoped totals: read just their rows (a school condition
        # here would make the database walk every row in the scope first).
        sub = compliance_source(session, Scope.for_user(user, today),
                                person_ids=list(session.scalars(page))).subquery()
    else:
        sub = compliance_source(session, scope).subquery()
    # Course codes are mapped here: joining courses lets SQLite walk the course index instead.
    rows = _read(session, select(sub.c.person_id, sub.c.course_id, sub.c.status))
    if rows.empty:
        return _done(pd.DataFrame(columns=["Person", "Type", "Schools", *(codes or [])]), total)
    rows["code"] = rows.pop("course_id").map(dict(session.execute(select(Course.id, Course.code)).all()))
    rows["status"] = rows["status"].map(STATUS_LABELS)
    # One cell per person and course (two requirements for one course show the first).
    wide = rows.drop_duplicates(["person_id", "code"]).pivot(index="person_id", columns="code",
                                                             values="status")
    wide = wide.reindex(codes or sorted(wide.columns), axis=1).fillna("—").reset_index()
    wide.columns.name = None
    out = _with_people(session, user, today, wide, params.get("school"))
    return _done(out[["Person", "Type", "Schools", *[c for c in wide.columns if c != "person_id"]]]
                 .sort_values("Person", kind="stable"), total)


def _status_list(session, user, today, params, statuses, *, expiring_by=None) -> pd.DataFrame:
    sub = compliance_source(session, _report_scope(session, user, today, params.get("school"))).subquery()
    stmt = (select(sub.c.person_id, Course.code.label("Course"), Course.title.label("Title"),
                   sub.c.act_by.label("Due"), sub.c.completed_on.label("Completed"),
                   sub.c.expires_on.label("Expires"), sub.c.status)
            .join(Course, Course.id == sub.c.course_id).join(Person, Person.id == sub.c.person_id)
            .where(sub.c.status.in_(statuses)))
    first = sub.c.act_by
    if expiring_by is not None:
        stmt = stmt.where(sub.c.expires_on.is_not(None), sub.c.expires_on <= expiring_by)
        first = sub.c.expires_on
    total = None
    if params.get("limit"):  # the row count from the per-person totals, not by counting rows
        days = (expiring_by - today).days if expiring_by is not None else None
        total = _summed(session, user, today, params, *([f"expiring_{days}"] if days else statuses))
    rows, total = _read_page(session, stmt, params, first.nulls_last(), _name(), Person.id, Course.code,
                             total=total)
    rows["Status"] = rows.pop("status").map(STATUS_LABELS)
    out = _with_people(session, user, today, rows, params.get("school"))
    out = out[["Person", "Type", "Schools", "Course", "Title", "Due", "Completed", "Expires", "Status"]]
    return _done(out.sort_values(["Expires" if expiring_by else "Due", "Person"], kind="stable"), total)


def overdue_list(session, user, today, params) -> pd.DataFrame:
    """Requirements overdue or expired, earliest due first."""
    return _status_list(session, user, today, params, ("overdue", "expired"))


def expiring_certifications(session, user, today, params) -> pd.DataFrame:
    """Completions still valid that expire within the next N days (30, 60 or 90)."""
    days = params.get("days") if params.get("days") in (30, 60, 90) else 90
    frame = _status_list(session, user, today, params, ("complete", "due_soon"),
                         expiring_by=today + timedelta(days=days))
    return _done(frame.drop(columns=["Due"]), frame.attrs["total"])


def training_hours(session, user, today, params) -> pd.DataFrame:
    """Training hours per person per calendar year (hours recorded, else the course's hours)."""
    scope = _report_scope(session, user, today, params.get("school"))
    h = training_hours_source(session, scope).subquery()
    stmt = (select(h.c.person_id, h.c.year.label("Year"), h.c.courses.label("Courses"),
                   h.c.hours.label("Hours"))
            .join(Person, Person.id == h.c.person_id).where(scope.condition()))
    if params.get("year"):
        stmt = stmt.where(h.c.year == params["year"])
    rows, total = _read_page(session, stmt, params, h.c.year.desc(), _name(), Person.id)
    rows["Year"] = rows["Year"].astype("int64")
    out = _with_people(session, user, today, rows, params.get("school"))
    return _done(out[["Person", "Type", "Schools", "Year", "Courses", "Hours"]]
                 .sort_values(["Year", "Person"], ascending=[False, True], kind="stable"), total)


def evaluation_completion(session, user, today, params) -> pd.DataFrame:
    """Every evaluation due item in this and last school year, with its status."""
    # Items belong to assignments: one school's report holds the items of assignments there.
    school = params.get("school")
    at = None if not school else [school] if school in visible_school_ids(session, user, today) else []
    sub = evaluation_due_source(session, Scope.for_user(user, today), assignment_school_ids=at).subquery()
    stmt = select(sub.c.person_id, sub.c.audience, sub.c.cycle.label("Cycle"), sub.c.due_date.label("Due"),
                  sub.c.status).join(Person, Person.id == sub.c.person_id)
    rows, total = _read_page(session, stmt, params, sub.c.due_date, _name(), Person.id, sub.c.cycle)
    rows["Audience"] = rows.pop("audience").map({"sro": "SRO", "school_personnel": "School personnel"})
    rows["Status"] = rows.pop("status").map(EVAL_LABELS)
    out = _with_people(session, user, today, rows, params.get("school"))
    return _done(out[["Person", "Type", "Schools", "Audience", "Cycle", "Due", "Status"]]
                 .sort_values(["Due", "Person"], kind="stable"), total)


def hiring_funnel(session, user, today, params) -> pd.DataFrame:
    """Candidates per vacancy and stage (counts only, no names)."""
    stmt = (select(Vacancy.id, Vacancy.title.label("Vacancy"), Vacancy.status.label("Status"),
                   Vacancy.opened_on.label("Opened"), Candidate.stage, func.count(Candidate.id).label("n"))
            .outerjoin(Candidate, Candidate.vacancy_id == Vacancy.id)
            .where(vacancy_scope(user))
            .group_by(Vacancy.id, Vacancy.title, Vacancy.status, Vacancy.opened_on, Candidate.stage))
    if params.get("school"):
        stmt = stmt.where(Vacancy.id.in_(select(vacancy_schools.c.vacancy_id)
                                         .where(vacancy_schools.c.school_id == params["school"])))
    rows = _read(session, stmt)
    base = rows[["id", "Vacancy", "Status", "Opened"]].drop_duplicates("id")
    counts = rows.dropna(subset=["stage"]).pivot_table(index="id", columns="stage", values="n",
                                                       aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=list(STAGES), fill_value=0).rename(columns=STAGES)
    out = base.merge(counts, left_on="id", right_index=True, how="left").fillna(
        dict.fromkeys(STAGES.values(), 0))
    for label in STAGES.values():
        out[label] = out[label].astype("int64")
    out["Status"] = out["Status"].str.capitalize()
    return out.drop(columns=["id"]).sort_values("Opened", ascending=False, kind="stable")


@dataclass(frozen=True)
class ReportSpec:
    """A report: its key in URLs, its title, what it shows, its builder and the capability it needs."""

    key: str
    title: str
    description: str
    build: Callable[..., pd.DataFrame]
    capability: str = "see_reports"


REPORTS = {spec.key: spec for spec in (
    ReportSpec("compliance-matrix", "Compliance matrix", "Each person against each training requirement.",
               compliance_matrix),
    ReportSpec("overdue", "Overdue training", "Requirements overdue or expired.", overdue_list),
    ReportSpec("expiring", "Expiring certifications", "Completions that expire within 30, 60 or 90 days.",
               expiring_certifications),
    ReportSpec("training-hours", "Training hours", "Hours of training per person per year.", training_hours),
    ReportSpec("evaluations", "Evaluation completion", "Evaluations due this and last school year.",
               evaluation_completion, "see_evaluations"),
    ReportSpec("hiring-funnel", "Hiring funnel", "Candidates at each stage for each vacancy.", hiring_funnel,
               "see_vacancy"),
)}
