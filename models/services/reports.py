"""Reports: a scoped select() -> pandas DataFrame, shown as an HTML table and downloaded as CSV/XLSX.

Every builder takes the user and filters people through models.scoping.person_scope and schools
through school_scope, so a principal's report (and its download) holds only their schools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from models.accounts import User
from models.hiring import STAGES, Candidate, Vacancy, vacancy_schools
from models.org import School
from models.people import PERSON_TYPES, Assignment, Person, assignment_schools
from models.scoping import not_ended, person_scope, school_scope
from models.services.compliance import STATUS_LABELS, compliance_select
from models.services.evaluation_due import evaluation_due_select
from models.training import Completion, Course

REPORT_ROLES = ("admin", "hr", "coordinator", "principal", "supervisor")
EVAL_LABELS = {"not_yet_due": "Not yet due", "due": "Due", "overdue": "Overdue", "complete": "Complete"}


def visible_school_ids(session: Session, user: User, today: date) -> list[int]:
    """Ids of the schools `user` may see (one query; keeps later statements free of correlation)."""
    return list(session.scalars(select(School.id).where(school_scope(user, today))))


def _scope(session: Session, user: User, today: date, school_id: int | None) -> dict:
    """Keyword scope for the engines: the user's people, and one school if asked for (and visible)."""
    scope = {"person_filter": person_scope(user, today)}
    if school_id:
        scope["school_ids"] = [school_id] if school_id in visible_school_ids(session, user, today) else []
    return scope


def _read(session: Session, stmt) -> pd.DataFrame:
    return pd.read_sql(stmt, session.connection())


def school_names(session: Session, user: User, today: date, school_id: int | None = None) -> pd.DataFrame:
    """person_id -> 'School A; School B' over current assignments, visible schools only."""
    ids = visible_school_ids(session, user, today)
    if school_id:
        ids = [i for i in ids if i == school_id]
    stmt = (select(Assignment.person_id, School.name).distinct()
            .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id)
            .join(School, School.id == assignment_schools.c.school_id)
            .where(not_ended(today), School.id.in_(ids)))
    frame = _read(session, stmt)
    if frame.empty:
        return pd.DataFrame({"person_id": pd.Series(dtype="int64"), "Schools": pd.Series(dtype="str")})
    return (frame.sort_values("name").groupby("person_id")["name"].agg("; ".join)
            .rename("Schools").reset_index())


def _with_people(session, user, today, frame, school_id=None) -> pd.DataFrame:
    """Add the person's name, type and visible schools to a frame with a person_id column."""
    cond = person_scope(user, today)
    if school_id:  # one school's frame: read only its few people, not everyone the user sees
        cond = and_(cond, Person.id.in_([int(i) for i in frame["person_id"].unique()]))
    people = _read(session, select(Person.id.label("person_id"),
                                   (Person.last_name + ", " + Person.first_name).label("Person"),
                                   Person.person_type).where(cond))
    people["Type"] = people.pop("person_type").map(lambda t: PERSON_TYPES.get(t, t))
    merged = frame.merge(people, on="person_id", how="inner")
    merged = merged.merge(school_names(session, user, today, school_id), on="person_id", how="left")
    merged["Schools"] = merged["Schools"].fillna("")
    return merged


def compliance_matrix(session, user, today, params) -> pd.DataFrame:
    """People × requirements (course codes), each cell the compliance status."""
    sub = compliance_select(today, **_scope(session, user, today, params.get("school"))).subquery()
    rows = _read(session, select(sub.c.person_id, Course.code, sub.c.status)
                 .join(Course, Course.id == sub.c.course_id))
    if rows.empty:
        return pd.DataFrame(columns=["Person", "Type", "Schools"])
    rows["status"] = rows["status"].map(STATUS_LABELS)
    wide = rows.pivot_table(index="person_id", columns="code", values="status", aggfunc="first")
    wide = wide.reindex(sorted(wide.columns), axis=1).fillna("—").reset_index()
    wide.columns.name = None
    out = _with_people(session, user, today, wide, params.get("school"))
    return out[["Person", "Type", "Schools", *[c for c in wide.columns if c != "person_id"]]] \
        .sort_values("Person", kind="stable")


def _status_list(session, user, today, params, statuses, extra_where=()) -> pd.DataFrame:
    sub = compliance_select(today, **_scope(session, user, today, params.get("school"))).subquery()
    stmt = (select(sub.c.person_id, Course.code.label("Course"), Course.title.label("Title"),
                   sub.c.due_date.label("Due"), sub.c.completed_on.label("Completed"),
                   sub.c.expires_on.label("Expires"), sub.c.status)
            .join(Course, Course.id == sub.c.course_id).where(sub.c.status.in_(statuses), *extra_where))
    rows = _read(session, stmt)
    rows["Status"] = rows.pop("status").map(STATUS_LABELS)
    out = _with_people(session, user, today, rows, params.get("school"))
    return out[["Person", "Type", "Schools", "Course", "Title", "Due", "Completed", "Expires", "Status"]] \
        .sort_values(["Due", "Person"], kind="stable")


def overdue_list(session, user, today, params) -> pd.DataFrame:
    """Requirements overdue or expired, earliest due first."""
    return _status_list(session, user, today, params, ("overdue", "expired"))


def expiring_certifications(session, user, today, params) -> pd.DataFrame:
    """Completions still valid that expire within the next N days (30, 60 or 90)."""
    days = params.get("days") if params.get("days") in (30, 60, 90) else 90
    last_day = today + timedelta(days=days)
    frame = _status_list(session, user, today, params, ("complete", "due_soon"), ())
    frame = frame[frame["Expires"].notna()]
    frame = frame[pd.to_datetime(frame["Expires"]).dt.date <= last_day]
    return frame.drop(columns=["Due"]).sort_values(["Expires", "Person"], kind="stable")


def training_hours(session, user, today, params) -> pd.DataFrame:
    """Training hours per person per calendar year (hours recorded, else the course's hours)."""
    year = extract("year", Completion.completed_on)
    stmt = (select(Completion.person_id, year.label("Year"), func.count(Completion.id).label("Courses"),
                   func.sum(func.coalesce(Completion.hours, Course.hours)).label("Hours"))
            .join(Course, Course.id == Completion.course_id)
            .join(Person, Person.id == Completion.person_id)
            .where(person_scope(user, today), Completion.completed_on <= today)
            .group_by(Completion.person_id, year))
    if params.get("school"):
        ids = _scope(session, user, today, params["school"])["school_ids"]
        stmt = stmt.where(Completion.person_id.in_(
            select(Assignment.person_id).join(assignment_schools,
                                              assignment_schools.c.assignment_id == Assignment.id)
            .where(assignment_schools.c.school_id.in_(ids), not_ended(today))))
    if params.get("year"):
        stmt = stmt.where(year == params["year"])
    rows = _read(session, stmt)
    rows["Year"] = rows["Year"].astype("int64")
    out = _with_people(session, user, today, rows, params.get("school"))
    return out[["Person", "Type", "Schools", "Year", "Courses", "Hours"]] \
        .sort_values(["Year", "Person"], ascending=[False, True], kind="stable")


def evaluation_completion(session, user, today, params) -> pd.DataFrame:
    """Every evaluation due item in this and last school year, with its status."""
    sub = evaluation_due_select(today, **_scope(session, user, today, params.get("school"))).subquery()
    rows = _read(session, select(sub.c.person_id, sub.c.audience, sub.c.cycle.label("Cycle"),
                                 sub.c.due_date.label("Due"), sub.c.status))
    rows["Audience"] = rows.pop("audience").map({"sro": "SRO", "school_personnel": "School personnel"})
    rows["Status"] = rows.pop("status").map(EVAL_LABELS)
    out = _with_people(session, user, today, rows, params.get("school"))
    return out[["Person", "Type", "Schools", "Audience", "Cycle", "Due", "Status"]] \
        .sort_values(["Due", "Person"], kind="stable")


def visible_vacancies(session: Session, user: User, today: date):
    """Condition over Vacancy: at a school the user sees (all for district-wide roles), or their agency's."""
    if user.district_wide:
        return literal(True)
    ids = visible_school_ids(session, user, today)
    at_school = Vacancy.id.in_(select(vacancy_schools.c.vacancy_id)
                               .where(vacancy_schools.c.school_id.in_(ids)))
    if user.role == "supervisor" and user.agency_id:
        return or_(at_school, Vacancy.agency_id == user.agency_id)
    return at_school


def hiring_funnel(session, user, today, params) -> pd.DataFrame:
    """Candidates per vacancy and stage (counts only, no names)."""
    stmt = (select(Vacancy.id, Vacancy.title.label("Vacancy"), Vacancy.status.label("Status"),
                   Vacancy.opened_on.label("Opened"), Candidate.stage, func.count(Candidate.id).label("n"))
            .outerjoin(Candidate, Candidate.vacancy_id == Vacancy.id)
            .where(visible_vacancies(session, user, today))
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
    """A report: its key in URLs, its title, what it shows, and its builder."""

    key: str
    title: str
    description: str
    build: Callable[..., pd.DataFrame]


REPORTS = {spec.key: spec for spec in (
    ReportSpec("compliance-matrix", "Compliance matrix", "Each person against each training requirement.",
               compliance_matrix),
    ReportSpec("overdue", "Overdue training", "Requirements overdue or expired.", overdue_list),
    ReportSpec("expiring", "Expiring certifications", "Completions that expire within 30, 60 or 90 days.",
               expiring_certifications),
    ReportSpec("training-hours", "Training hours", "Hours of training per person per year.", training_hours),
    ReportSpec("evaluations", "Evaluation completion", "Evaluations due this and last school year.",
               evaluation_completion),
    ReportSpec("hiring-funnel", "Hiring funnel", "Candidates at each stage for each vacancy.", hiring_funnel),
)}
