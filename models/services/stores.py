"""Keep the stored engine rows (models/stores.py) equal to what the engines compute, and read them.

- `refresh_all` recomputes every store for a day (the daily `refresh-stores` job, `flask stores
  refresh`, the demo seed).
- A session hook refreshes, inside the same transaction, the rows of every person (or compliance
  requirement) whose inputs a flush changed; bulk inserts that bypass the ORM call
  `refresh_people` themselves.
- `compliance_source` / `evaluation_due_source` give a SELECT with the engine's columns: from the
  store when it is current for `today`, otherwise from the engine itself (correct, only slower;
  this happens between midnight and the daily refresh, or for another day than today).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import Select, Table, and_, case, delete, event, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models.base import utcnow
from models.evaluations import CycleRule, Evaluation
from models.org import District
from models.people import Assignment, Person, assignment_schools
from models.services.compliance import STATUSES, compliance_select, people_condition
from models.services.evaluation_due import evaluation_due_select
from models.stores import compliance_items, compliance_people, evaluation_due_items, store_states
from models.training import Completion, Course, DistrictPreset, Requirement, RequirementRole, Waiver

CHUNK = 2000  # people per incremental refresh statement (well under any bind-parameter limit)


@dataclass(frozen=True)
class Store:
    """A stored engine: its table and the engine's SELECT for a day and scope."""

    name: str
    table: Table
    engine: Callable[..., Select]

    @property
    def columns(self) -> list[str]:
        """Column names, in the engine's order."""
        return [c.name for c in self.table.columns]


COMPLIANCE = Store("compliance", compliance_items, compliance_select)
EVALUATIONS = Store("evaluation_due", evaluation_due_items,
                    lambda today, **scope: evaluation_due_select(today, **scope).order_by(None))
STORES = (COMPLIANCE, EVALUATIONS)


def store_day(conn: Connection | Session, store: Store) -> date | None:
    """The day a store's rows are computed for, or None when it has not been built."""
    return conn.scalar(select(store_states.c.as_of).where(store_states.c.name == store.name))


def _fill(conn: Connection, store: Store, day: date, **scope) -> None:
    cols = store.columns
    engine_rows = store.engine(day, **scope).subquery()
    conn.execute(insert(store.table).from_select(cols, select(*[engine_rows.c[c] for c in cols])))


EXPIRING_DAYS = (30, 60, 90)


def summary_select(rows, day: date) -> Select:
    """Per person: the compliance_people columns, aggregated from compliance rows `rows` (a subquery)."""
    def count(cond):
        return func.sum(case((cond, 1), else_=0))

    def expiring(days):
        return and_(rows.c.status.in_(("complete", "due_soon")), rows.c.expires_on >= day,
                    rows.c.expires_on <= day + timedelta(days=days))

    return (select(rows.c.person_id, func.count().label("total"),
                   *[count(rows.c.status == s).label(s) for s in STATUSES],
                   *[count(expiring(d)).label(f"expiring_{d}") for d in EXPIRING_DAYS])
            .group_by(rows.c.person_id))


def _summarize(conn: Connection, day: date, person_ids: list[int] | None = None) -> None:
    """Rebuild compliance_people from compliance_items, for some people or everyone."""
    items = compliance_items.alias("rows")
    stmt = summary_select(items, day)
    if person_ids is None:
        conn.execute(delete(compliance_people))
    else:
        conn.execute(delete(compliance_people).where(compliance_people.c.person_id.in_(person_ids)))
        stmt = stmt.where(items.c.person_id.in_(person_ids))
    conn.execute(insert(compliance_people).from_select([c.name for c in compliance_people.columns], stmt))


def refresh_all(session: Session, today: date) -> dict:
    """Recompute every store for `today` (the caller commits); row counts per store."""
    conn = session.connection()
    out = {}
    for store in STORES:
        conn.execute(delete(store.table))
        _fill(conn, store, today)
        if store is COMPLIANCE:
            _summarize(conn, today)
        conn.execute(delete(store_states).where(store_states.c.name == store.name))
        conn.execute(insert(store_states).values(name=store.name, as_of=today, refreshed_at=utcnow()))
        out[store.name] = conn.scalar(select(func.count()).select_from(store.table))
    return out


def ensure_current(session: Session, today: date) -> bool:
    """Refresh the stores if any is not computed for `today`; whether it did."""
    if all(store_day(session, s) == today for s in STORES):
        return False
    refresh_all(session, today)
    return True


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def refresh_people(conn: Connection, person_ids: Iterable[int], stores: Iterable[Store] = STORES) -> None:
    """Recompute these people's rows in each built store, for the day it holds."""
    for store in stores:
        day = store_day(conn, store)
        if day is None:
            continue
        for chunk in _chunks(person_ids):
            conn.execute(delete(store.table).where(store.table.c.person_id.in_(chunk)))
            _fill(conn, store, day, person_ids=chunk)
            if store is COMPLIANCE:
                _summarize(conn, day, chunk)


def refresh_requirements(conn: Connection, requirement_ids: Iterable[int]) -> None:
    """Recompute every person's compliance rows for these requirements."""
    day = store_day(conn, COMPLIANCE)
    if day is None:
        return
    for chunk in _chunks(requirement_ids):
        conn.execute(delete(compliance_items).where(compliance_items.c.requirement_id.in_(chunk)))
        _fill(conn, COMPLIANCE, day, requirement_ids=chunk)
    _summarize(conn, day)  # a requirement touches many people: all of them, in one statement


def refresh_store(conn: Connection, store: Store) -> None:
    """Recompute one built store in full, for the day it holds (after a district-wide rule change)."""
    day = store_day(conn, store)
    if day is not None:
        conn.execute(delete(store.table))
        _fill(conn, store, day)
        if store is COMPLIANCE:
            _summarize(conn, day)


def _values(obj, attr: str) -> set:
    """The attribute's loaded value and, if this flush changed it, its previous one (never loads)."""
    state = inspect(obj)
    values = {state.dict.get(attr), *(state.attrs[attr].history.deleted or ())}
    if attr == "id" and state.identity:
        values.add(state.identity[0])
    return {v for v in values if v is not None}


@event.listens_for(Session, "after_flush")
def _refresh_changed(session: Session, flush_context) -> None:
    """Refresh the stored rows whose engine inputs this flush changed (same transaction)."""
    people: set[int] = set()
    eval_people: set[int] = set()
    requirements: set[int] = set()
    presets: set[str] = set()
    courses: set[int] = set()
    eval_rules = False
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Assignment, Person)):
            people |= _values(obj, "person_id" if isinstance(obj, Assignment) else "id")
        elif isinstance(obj, (Completion, Waiver)):
            people |= _values(obj, "person_id")
        elif isinstance(obj, Evaluation):
            eval_people |= _values(obj, "person_id")
        elif isinstance(obj, (Requirement, RequirementRole)):
            requirements |= _values(obj, "id" if isinstance(obj, Requirement) else "requirement_id")
        elif isinstance(obj, DistrictPreset):
            presets |= _values(obj, "preset")
        elif isinstance(obj, Course):
            courses.add(obj.id)
        elif isinstance(obj, (CycleRule, District)):
            eval_rules = True
    if not (people or eval_people or requirements or presets or courses or eval_rules):
        return
    conn = session.connection()
    if presets or courses:
        requirements |= set(conn.scalars(select(Requirement.id).where(
            Requirement.preset.in_(presets) | Requirement.course_id.in_(courses))))
    if people:
        refresh_people(conn, people)
    if eval_people - people:
        refresh_people(conn, eval_people - people, [EVALUATIONS])
    if requirements:
        refresh_requirements(conn, requirements)
    if eval_rules:
        refresh_store(conn, EVALUATIONS)


def compliance_source(session: Session, today: date, *, person_ids=None, school_ids=None,
                      person_filter=None, course_ids=None) -> Select:
    """The compliance engine's rows for a scope (see compliance_select), read from the store if current."""
    if store_day(session, COMPLIANCE) != today:
        return compliance_select(today, person_ids=person_ids, school_ids=school_ids,
                                 person_filter=person_filter, course_ids=course_ids)
    t = compliance_items
    conds = people_condition(today, person_ids, school_ids, person_filter, column=t.c.person_id)
    if course_ids is not None:
        conds.append(t.c.course_id.in_(list(course_ids)))
    return select(*[t.c[c] for c in COMPLIANCE.columns]).where(*conds)


def compliance_summary_source(session: Session, today: date, *, person_ids=None, school_ids=None,
                              person_filter=None) -> Select:
    """Per person in scope: counts per status and expiring within 30/60/90 days (see compliance_people)."""
    if store_day(session, COMPLIANCE) != today:
        rows = compliance_select(today, person_ids=person_ids, school_ids=school_ids,
                                 person_filter=person_filter)
        return summary_select(rows.subquery(), today)
    t = compliance_people
    conds = people_condition(today, person_ids, school_ids, person_filter, column=t.c.person_id)
    return select(*t.columns).where(*conds)


def evaluation_due_source(session: Session, today: date, *, person_ids=None, school_ids=None,
                          person_filter=None) -> Select:
    """The evaluation-due engine's rows for a scope, read from the store if current (unordered)."""
    if store_day(session, EVALUATIONS) != today:
        return evaluation_due_select(today, person_ids=person_ids, school_ids=school_ids,
                                     person_filter=person_filter).order_by(None)
    t = evaluation_due_items
    conds = []
    if person_ids is not None:
        conds.append(t.c.person_id.in_(list(person_ids)))
    if school_ids is not None:  # the engine's scope: items of assignments at those schools
        conds.append(t.c.assignment_id.in_(select(assignment_schools.c.assignment_id)
                                           .where(assignment_schools.c.school_id.in_(list(school_ids)))))
    if person_filter is not None:
        conds.append(t.c.person_id.in_(select(Person.id).where(person_filter)))
    return select(*[t.c[c] for c in EVALUATIONS.columns]).where(*conds)


def differences(session: Session) -> dict[str, int]:
    """Per built store: rows that differ from what its engine computes now for the store's day."""
    out = {}
    for store in STORES:
        day = store_day(session, store)
        if day is None:
            continue
        cols = store.columns
        engine_rows = store.engine(day).subquery()
        stored = select(*[store.table.c[c] for c in cols])
        computed = select(*[engine_rows.c[c] for c in cols])
        pairs = [(stored, computed)]
        if store is COMPLIANCE:
            pairs.append((select(*compliance_people.columns), summary_select(engine_rows, day)))
        out[store.name] = sum(session.scalar(select(func.count()).select_from(q.subquery()))
                              for a, b in pairs for q in (a.except_(b), b.except_(a)))
    return out
