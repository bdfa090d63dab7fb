"""Reads for pages, reports, the API and jobs: the engines' rows from the stores when current.

Each function returns a SELECT with the engine's columns: from the stored rows when they hold
`today` (models/services/stores/refresh.py keeps them), otherwise from the engine itself (the same rows,
only slower: before the first refresh of a day, after a bulk import, or for another day).
"""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from models.scoping import Scope, assignments_at_schools
from models.services.evaluations.due import evaluation_due_select
from models.services.stores.refresh import COMPLIANCE, EVALUATIONS, hours_select, store_day, summary_select
from models.services.training.compliance import act_by, compliance_select, people_condition, renewal_opens
from models.stores import compliance_items, compliance_people, evaluation_due_items, training_hours
from models.training import Course, Requirement


def _unpack(scope: Scope):
    """The scope's day and person condition; a read without a Scope is a programming error."""
    if not isinstance(scope, Scope):
        raise TypeError(f"store reads take a models.scoping.Scope, not {type(scope).__name__}")
    return scope.today, scope.people


def compliance_source(session: Session, scope: Scope, *, person_ids=None,
                      course_ids=None) -> Select:
    """The compliance engine's rows for a scope (see compliance_select), read from the store if current."""
    today, person_filter = _unpack(scope)
    if store_day(session, COMPLIANCE) != today:
        return compliance_select(today, person_ids=person_ids,
                                 person_filter=person_filter, course_ids=course_ids)
    t = compliance_items
    conds = people_condition(person_ids, person_filter, column=t.c.person_id)
    if course_ids is not None:
        conds.append(t.c.course_id.in_(list(course_ids)))
    # The window is the requirement's, read at the time of reading: the stored rows do not hold it.
    window = (select(Requirement.recert_window_days).where(Requirement.id == t.c.requirement_id)
              .scalar_subquery())
    return (select(*[t.c[c] for c in COMPLIANCE.columns],
                   act_by(t.c.due_date, t.c.completion_id, t.c.expires_on).label("act_by"),
                   renewal_opens(t.c.completion_id, t.c.expires_on, window).label("renewal_opens"))
            .where(*conds))


def compliance_summary_source(session: Session, scope: Scope, *, person_ids=None) -> Select:
    """Per person in scope: counts per status and expiring within 30/60/90 days (see compliance_people)."""
    today, person_filter = _unpack(scope)
    if store_day(session, COMPLIANCE) != today:
        rows = compliance_select(today, person_ids=person_ids,
                                 person_filter=person_filter)
        return summary_select(rows.subquery(), today)
    t = compliance_people
    conds = people_condition(person_ids, person_filter, column=t.c.person_id)
    return select(*t.columns).where(*conds)


def compliance_course_ids(session: Session, scope: Scope, *, people: int = 0,
                          person_ids=None) -> Select:
    """Ids of the courses with at least one compliance row in the scope (a report's columns).

    `people`, the number of people in the scope, picks the cheaper plan: a few hundred people's rows
    are read whole; for thousands, each course's first row in the scope ends its search.
    """
    today, person_filter = _unpack(scope)
    if store_day(session, COMPLIANCE) != today or people < 2000:
        rows = compliance_source(session, scope, person_ids=person_ids).subquery()
        return select(rows.c.course_id).distinct()
    t = compliance_items
    conds = people_condition(person_ids, person_filter, column=t.c.person_id)
    return select(Course.id).where(exists().where(t.c.course_id == Course.id, *conds))


def training_hours_source(session: Session, scope: Scope) -> Select:
    """Per person and year: completions and hours (see training_hours), from the store if current.

    Not narrowed here: the report joins it to the scope's people.
    """
    today, _ = _unpack(scope)
    if store_day(session, COMPLIANCE) != today:
        return hours_select(today)
    return select(*training_hours.columns)


def evaluation_due_source(session: Session, scope: Scope, *, person_ids=None,
                          assignment_school_ids=None) -> Select:
    """The evaluation-due engine's rows for a scope, read from the store if current (unordered).

    `assignment_school_ids` keeps the items of assignments at those schools, ended ones too (an
    item belongs to an assignment; `Scope.at_schools` instead keeps the people at a school).
    """
    today, person_filter = _unpack(scope)
    if store_day(session, EVALUATIONS) != today:
        return evaluation_due_select(today, person_ids=person_ids, person_filter=person_filter,
                                     assignment_school_ids=assignment_school_ids).order_by(None)
    t = evaluation_due_items
    conds = people_condition(person_ids, person_filter, column=t.c.person_id)
    if assignment_school_ids is not None:
        conds.append(t.c.assignment_id.in_(assignments_at_schools(assignment_school_ids)))
    return select(*[t.c[c] for c in EVALUATIONS.columns]).where(*conds)
