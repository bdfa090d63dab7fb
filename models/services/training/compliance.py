"""The compliance engine: person × applicable requirement, with due date and status, in one SQL query.

Rules (docs/training.md explains them for users):
- Applicable: a requirement applies to a person when one of the person's assignments that has not
  ended on `today` (current or future) is in one of the requirement's roles, and the requirement is
  national or belongs to a state preset the district switched on. Several assignments or roles give
  the union of their requirements, each requirement once.
- The relevant start is the earliest start among those assignments (the first time the person took on
  a role the requirement applies to); the row's `role` is that assignment's role.
- Grandfathering: when the relevant start is before the requirement's grandfather date the
  requirement does not apply, and no row is returned (the person is simply not due).
- Due date: the relevant start (before_start), start + N days (within_days), or the fixed date.
- Satisfying completion: the latest completion (by date, then id) on or before `today` of the course
  or any of its equivalents. With a renewal interval of M months it expires on completed_on + M
  months (clamped to the month's end) and is valid through that day.
- Act by: the date by which the person must act, the one date every page, export, email, flag and
  feed shows as "due": the expiry of the latest completion when the requirement renews (a renewal,
  or a lapsed certificate), else the due date above.
- Renewal opens: with a recertification window of N days, a completed renewal's window opens N days
  before its expiry; rows show that day ("renewal opens") beside the date to act by.
- Status, first match wins: waived > complete (valid, not expiring within the due-soon window) >
  due_soon (valid but expiring within the window, or never completed and due within the window) >
  expired (the latest completion's expiry has passed) > overdue (due date passed, never completed)
  > not_yet_due.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Select, and_, case, func, literal, or_, select, type_coerce, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from models.people import Assignment, Person
from models.services.infra.sqldates import add_days, add_days_py, add_months
from models.training import (
    Completion,
    Course,
    DistrictPreset,
    Requirement,
    RequirementRole,
    Waiver,
    course_equivalents,
)

STATUSES = ("complete", "due_soon", "overdue", "expired", "waived", "not_yet_due")
STATUS_LABELS = {"complete": "Complete", "due_soon": "Due soon", "overdue": "Overdue",
                 "expired": "Expired", "waived": "Waived", "not_yet_due": "Not yet due"}
MET = ("complete", "due_soon", "waived", "not_yet_due")  # what "compliant" tolerates


def active_requirements():
    """Condition over Requirement: national, or from a preset the district switched on."""
    return or_(Requirement.preset.is_(None),
               Requirement.preset.in_(select(DistrictPreset.preset)))


def people_condition(person_ids, person_filter, column=Assignment.person_id):
    """Conditions over a person id column (Assignment.person_id by default): these ids, this Person filter.

    A school is never a keyword here: a read narrowed to schools gets a Scope narrowed with
    `Scope.at_schools`, the one definition of "people at these schools" (models/scoping.py).
    """
    conds = []
    if person_ids is not None:
        conds.append(column.in_(list(person_ids)))
    if person_filter is not None and not isinstance(person_filter, True_):  # True_: everyone
        conds.append(column.in_(select(Person.id).where(person_filter)))
    return conds


def act_by(due_date, completion_id, expires_on):
    """SQL: the date by which to act: a renewal's expiry once completed, else the first due date."""
    return type_coerce(case((and_(completion_id.is_not(None), expires_on.is_not(None)), expires_on),
                            else_=due_date), Date)


def renewal_opens(completion_id, expires_on, window_days):
    """SQL: the day a renewal's recertification window opens (expiry minus the window), else NULL."""
    return type_coerce(case((and_(completion_id.is_not(None), expires_on.is_not(None),
                                  window_days.is_not(None)), add_days(expires_on, -window_days)),
                            else_=None), Date)


def compliance_select(today: date, *, person_ids=None, person_filter=None,
                      course_ids=None, requirement_ids=None) -> Select:
    """One set-based SELECT of person × applicable requirement with due date and status.

    `course_ids` and `requirement_ids` keep only those requirements (the same rows as filtering
    the result on course_id or requirement_id, without computing the others).
    """
    course_cond = () if course_ids is None else (Requirement.course_id.in_(list(course_ids)),)
    if requirement_ids is not None:
        course_cond += (Requirement.id.in_(list(requirement_ids)),)
    day = literal(today, Date)
    ranked = (
        select(Assignment.person_id, RequirementRole.requirement_id, Assignment.role,
               Assignment.start_date,
               func.row_number().over(
                   partition_by=(Assignment.person_id, RequirementRole.requirement_id),
                   order_by=(Assignment.start_date, Assignment.id)).label("rn"))
        .join(RequirementRole, RequirementRole.role == Assignment.role)
        .join(Requirement, Requirement.id == RequirementRole.requirement_id)
        .where(or_(Assignment.end_date.is_(None), Assignment.end_date >= day), active_requirements(),
               *course_cond, *people_condition(person_ids, person_filter))
        .cte("ranked")
    )
    pairs = (
        select(ranked.c.person_id, ranked.c.requirement_id, ranked.c.role, ranked.c.start_date)
        .join(Requirement, Requirement.id == ranked.c.requirement_id)
        .where(ranked.c.rn == 1, or_(Requirement.grandfather_date.is_(None),
                                     ranked.c.start_date >= Requirement.grandfather_date))
        .cte("pairs")
    )
    satisfying = union(
        select(Requirement.id.label("requirement_id"), Requirement.course_id.label("course_id")),
        select(Requirement.id, course_equivalents.c.equivalent_course_id)
        .join(course_equivalents, course_equivalents.c.course_id == Requirement.course_id),
    ).cte("satisfying")
    # Each pair with its completions of any satisfying course (or one NULL row), newest first.
    # Only the columns the window needs go through its sort; the rest is joined to the winners.
    candidates = (
        select(pairs.c.person_id, pairs.c.requirement_id, pairs.c.role, pairs.c.start_date,
               Completion.id.label("completion_id"), Completion.completed_on,
               func.row_number().over(
                   partition_by=(pairs.c.person_id, pairs.c.requirement_id),
                   order_by=(Completion.completed_on.desc().nulls_last(),
                             Completion.id.desc().nulls_last())).label("rn"))
        .join(satisfying, satisfying.c.requirement_id == pairs.c.requirement_id)
        .outerjoin(Completion, and_(Completion.person_id == pairs.c.person_id,
                                    Completion.course_id == satisfying.c.course_id,
                                    Completion.completed_on <= day))
        .cte("candidates")
    )
    c = candidates.c
    due_date = case(
        (Requirement.due_rule == "before_start", c.start_date),
        (Requirement.due_rule == "within_days", add_days(c.start_date, Requirement.due_days)),
        else_=Requirement.fixed_due_date,
    )
    expires_on = case(
        (and_(Requirement.renewal_months.is_not(None), c.completion_id.is_not(None)),
         add_months(c.completed_on, Requirement.renewal_months)),
        else_=None,
    )
    joined = (
        select(c.person_id, c.requirement_id, Requirement.course_id, c.role, c.start_date,
               due_date.label("due_date"), c.completion_id, c.completed_on,
               expires_on.label("expires_on"), Waiver.id.label("waiver_id"),
               Requirement.recert_window_days,
               add_days(day, Requirement.due_soon_days).label("window_end"))
        .join(Requirement, Requirement.id == c.requirement_id)
        .outerjoin(Waiver, and_(Waiver.person_id == c.person_id,
                                Waiver.requirement_id == c.requirement_id))
        .where(c.rn == 1)
        .cte("joined")
    )
    j = joined.c
    valid = and_(j.completion_id.is_not(None), or_(j.expires_on.is_(None), j.expires_on >= day))
    status = case(
        (j.waiver_id.is_not(None), "waived"),
        (and_(valid, or_(j.expires_on.is_(None), j.expires_on > j.window_end)), "complete"),
        (valid, "due_soon"),
        (and_(j.due_date >= day, j.due_date <= j.window_end), "due_soon"),
        (j.completion_id.is_not(None), "expired"),
        (j.due_date < day, "overdue"),
        else_="not_yet_due",
    )
    return select(j.person_id, j.requirement_id, j.course_id, j.role, j.start_date, j.due_date,
                  status.label("status"), j.completion_id, j.completed_on, j.expires_on,
                  j.waiver_id, act_by(j.due_date, j.completion_id, j.expires_on).label("act_by"),
                  renewal_opens(j.completion_id, j.expires_on, j.recert_window_days).label("renewal_opens"))


def compliance_rows(session: Session, today: date, **scope) -> list:
    """Rows of `compliance_select` for a scope (person_ids=, person_filter=)."""
    return list(session.execute(compliance_select(today, **scope)))


def compliance_counts(session: Session, today: date, **scope) -> dict[str, int]:
    """Number of person × requirement rows in each status (every status present, zero if none)."""
    sub = compliance_select(today, **scope).subquery()
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in session.execute(select(sub.c.status, func.count()).group_by(sub.c.status)):
        counts[status] = n
    return counts


def person_compliance_summary(session: Session, person_id: int, today: date) -> dict:
    """Counts per status for one person, the total, and whether nothing is overdue or expired."""
    counts = compliance_counts(session, today, person_ids=[person_id])
    return {"counts": counts, "total": sum(counts.values()),
            "compliant": counts["overdue"] == 0 and counts["expired"] == 0}


def unmet_before_start(session: Session, today: date, role: str,
                       person_ids: list[int]) -> dict[int, list[str]]:
    """Per person (of `person_ids`) with any: codes of the courses to complete before starting in `role`.

    A before-assignment requirement of the role is met by a waiver or by a completion of the course
    or an equivalent, on or before `today`, that has not expired. One query for all the people.
    """
    if not person_ids:
        return {}
    reqs = (select(Requirement.id, Requirement.course_id, Requirement.renewal_months, Course.code)
            .join(Course, Course.id == Requirement.course_id)
            .join(RequirementRole, RequirementRole.requirement_id == Requirement.id)
            .where(RequirementRole.role == role, Requirement.due_rule == "before_start",
                   active_requirements())).cte("before_start")
    satisfying = union(
        select(reqs.c.id.label("requirement_id"), reqs.c.course_id),
        select(reqs.c.id, course_equivalents.c.equivalent_course_id)
        .join(course_equivalents, course_equivalents.c.course_id == reqs.c.course_id),
    ).cte("satisfying_before_start")
    waived = select(Waiver.id).where(Waiver.person_id == Person.id, Waiver.requirement_id == reqs.c.id)
    valid = (select(Completion.id)
             .join(satisfying, satisfying.c.course_id == Completion.course_id)
             .where(satisfying.c.requirement_id == reqs.c.id, Completion.person_id == Person.id,
                    Completion.completed_on <= today,
                    or_(reqs.c.renewal_months.is_(None),
                        add_months(Completion.completed_on, reqs.c.renewal_months) >= today)))
    stmt = (select(Person.id, reqs.c.code).select_from(Person).join(reqs, literal(True))
            .where(Person.id.in_(person_ids), ~waived.exists(), ~valid.exists())
            .order_by(Person.id, reqs.c.code))
    out: dict[int, list[str]] = {}
    for person_id, code in session.execute(stmt):
        out.setdefault(person_id, []).append(code)
    return out


def unmet_before_assignment(session: Session, person_id: int, role: str, today: date) -> list[str]:
    """Codes of the courses the person must complete before starting in `role` and has not."""
    return unmet_before_start(session, today, role, [person_id]).get(person_id, [])


def window_end(today: date, days: int) -> date:
    """Last day of a due-soon window that starts on `today`."""
    return add_days_py(today, days)
