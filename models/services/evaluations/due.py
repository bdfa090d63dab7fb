"""Which evaluations are due, when, and whether they are done: one set-based query over assignments.

Rules (per audience, from `CycleRule`; defaults when no row exists):
- audience comes from the assignment role: "sro" -> "sro"; every other school role -> "school_personnel";
  "sro_supervisor" assignments are not evaluated here.
- first review: `first_review_days` (default 90) after the assignment starts; cycle key "first-review".
- annual: due on the district's school-year end (District.school_year_end_month/day); cycle key "2026-2027".
  Only the current school year and the one before are considered (older cycles are history). An annual item
  needs the first review to fall on or before that year's end (a newcomer's first review stands in for it),
  and one item per person and school year (their latest assignment carries it).
- an ended assignment produces no item whose due date falls after its end date.
- status: "complete" once a matching evaluation is final; else "overdue" after the due date, "due" within
  DUE_WINDOW_DAYS, "not_yet_due" before that. `evaluation_id` is the latest matching evaluation, if any.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from models.evaluations import CycleRule, Evaluation
from models.org import District
from models.people import Assignment, Person
from models.scoping import assignments_at_schools
from models.services.infra.sqldates import add_days, make_date

EVAL_STATUSES = ("not_yet_due", "due", "overdue", "complete")
DUE_WINDOW_DAYS = 30
DEFAULT_FIRST_REVIEW_DAYS = 90
FIRST_REVIEW = "first-review"
NOT_EVALUATED_ROLES = ("sro_supervisor",)


def audience_of(role) -> ColumnElement:
    """SQL: the evaluation audience for an assignment role."""
    return case((role == "sro", literal("sro")), else_=literal("school_personnel"))


def _scoped_assignments(person_ids, person_filter, assignment_school_ids):
    stmt = select(Assignment.id, Assignment.person_id, Assignment.role, Assignment.start_date,
                  Assignment.end_date).join(Person, Person.id == Assignment.person_id)
    stmt = stmt.where(Assignment.role.not_in(NOT_EVALUATED_ROLES))
    if person_ids is not None:
        stmt = stmt.where(Assignment.person_id.in_(list(person_ids)))
    if person_filter is not None:
        stmt = stmt.where(person_filter)
    if assignment_school_ids is not None:
        stmt = stmt.where(Assignment.id.in_(assignments_at_schools(assignment_school_ids)))
    return stmt.subquery("a")


def evaluation_due_select(today: date, *, person_ids=None, person_filter=None,
                          assignment_school_ids=None) -> Select:
    """One SELECT of every due evaluation item with its status on `today` (see the module rules).

    `assignment_school_ids` keeps the items of assignments at those schools (scoping.assignments_at_schools).
    """
    a = _scoped_assignments(person_ids, person_filter, assignment_school_ids)
    dist = select(District.school_year_end_month.label("m"), District.school_year_end_day.label("d")) \
        .order_by(District.id).limit(1).subquery("dist")
    rule = CycleRule.__table__.alias("r")
    audience = audience_of(a.c.role)
    # No rule row: the default; a rule without a first review: 0 (annual from the start date).
    days = case((rule.c.id.is_(None), DEFAULT_FIRST_REVIEW_DAYS),
                else_=func.coalesce(rule.c.first_review_days, 0))
    first_due = add_days(a.c.start_date, days)
    # The school year that ends on or after today ends in `base_year`.
    past_end = or_(dist.c.m < today.month, and_(dist.c.m == today.month, dist.c.d < today.day))
    base_year = case((past_end, today.year + 1), else_=today.year)
    window_start = make_date(base_year - 2, dist.c.m, dist.c.d)
    joined = a.join(dist, true()).outerjoin(rule, rule.c.audience == audience)

    first = (
        select(a.c.person_id, a.c.id.label("assignment_id"), audience.label("audience"),
               cast(literal(FIRST_REVIEW), String).label("cycle"), first_due.label("due_date"))
        .select_from(joined)
        .where(or_(rule.c.id.is_(None), rule.c.first_review_days.is_not(None)),
               first_due > window_start,
               or_(a.c.end_date.is_(None), first_due <= a.c.end_date))
    )

    back = union_all(select(literal(0, Integer).label("back")),
                     select(literal(1, Integer).label("back"))).subquery("back")
    end_year = base_year - back.c.back
    cycle_due = make_date(end_year, dist.c.m, dist.c.d)
    cycle_key = cast(end_year - 1, String) + literal("-") + cast(end_year, String)
    rank = func.row_number().over(
        partition_by=(a.c.person_id, audience, back.c.back),
        order_by=(a.c.start_date.desc(), a.c.id.desc()))
    annual_all = (
        select(a.c.person_id, a.c.id.label("assignment_id"), audience.label("audience"),
               cycle_key.label("cycle"), cycle_due.label("due_date"), rank.label("rn"))
        .select_from(joined.join(back, true()))
        .where(or_(rule.c.id.is_(None), rule.c.annual.is_(True)),
               first_due <= cycle_due,
               or_(a.c.end_date.is_(None), a.c.end_date >= cycle_due))
    ).subquery("annual_all")
    annual = select(annual_all.c.person_id, annual_all.c.assignment_id, annual_all.c.audience,
                    annual_all.c.cycle, annual_all.c.due_date).where(annual_all.c.rn == 1)
    items = union_all(first, annual).subquery("items")

    akey = case((Evaluation.cycle == FIRST_REVIEW, Evaluation.assignment_id), else_=null())
    ev = (
        select(Evaluation.person_id, Evaluation.cycle, akey.label("akey"),
               func.max(Evaluation.id).label("evaluation_id"),
               func.max(case((Evaluation.status == "final", 1), else_=0)).label("done"))
        .group_by(Evaluation.person_id, Evaluation.cycle, akey)
    ).subquery("ev")
    match = and_(ev.c.person_id == items.c.person_id, ev.c.cycle == items.c.cycle,
                 or_(items.c.cycle != FIRST_REVIEW, ev.c.akey == items.c.assignment_id))
    status = case(
        (ev.c.done == 1, literal("complete")),
        (items.c.due_date < today, literal("overdue")),
        (items.c.due_date <= today + timedelta(days=DUE_WINDOW_DAYS), literal("due")),
        else_=literal("not_yet_due"),
    )
    return (
        select(items.c.person_id, items.c.assignment_id, items.c.audience, items.c.cycle,
               items.c.due_date, status.label("status"), ev.c.evaluation_id)
        .select_from(items.outerjoin(ev, match))
        .order_by(items.c.due_date, items.c.person_id, items.c.assignment_id)
    )


def evaluation_due_rows(session: Session, today: date, **scope) -> list:
    """Rows of `evaluation_due_select` for a scope (person_ids, person_filter, assignment_school_ids)."""
    return list(session.execute(evaluation_due_select(today, **scope)))
