"""Keep the stored engine rows (models/stores.py) equal to what the engines compute, and read them.

- `refresh_all` recomputes every store for a day (the `refresh-stores` job when a day starts or a
  bulk import marked them out of date, the demo seed).
- `refresh_changes` recomputes, inside the same transaction, the rows of every person (or
  compliance requirement) whose inputs the transaction changed: the session hooks of
  models/services/stores/hooks.py call it once per transaction, before the commit (or before a read
  of the stored rows); bulk inserts that bypass the ORM call `refresh_people` themselves.
- Flags follow the refreshed rows at once (`follow_flags`): a completion closes its flag in the
  request that records it, not at the next daily run.
- models/services/stores/reads.py gives the pages a SELECT with the engine's columns: from the
  store when it is current for `today`, otherwise from the engine itself; store_checks.py compares
  the stored rows (and the flags) with the engines.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Integer,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models.base import utcnow
from models.people import Assignment, assignment_schools
from models.services.evaluations.due import evaluation_due_select
from models.services.reminders import flags
from models.services.training.compliance import STATUSES, compliance_select
from models.stores import (
    compliance_items,
    compliance_people,
    evaluation_due_items,
    school_people,
    store_states,
    training_hours,
)
from models.training import Completion, Course, Requirement

CHUNK = 2000  # people per incremental refresh statement (well under any bind-parameter limit)
BULK_PEOPLE = 5000  # above this, a change marks the stores out of date for the refresh job


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


def _transaction_memo(conn: Connection) -> dict:
    """Facts that hold until the current transaction ends: the writer lock taken, the store days."""
    tx = conn.get_transaction()
    held = conn.info.get("stores_memo")
    if held is None or held[0]() is not tx:
        held = (weakref.ref(tx) if tx is not None else (lambda: None), {})
        conn.info["stores_memo"] = held
    return held[1]


def _serialize(conn: Connection) -> dict:
    """PostgreSQL: one store writer at a time, until its commit (readers never wait); the memo.

    Two transactions refreshing the same person would otherwise each delete the rows they see and
    insert their own; the second insert would collide with the first one's rows.
    SQLite already runs one writer at a time. The lock is taken once per transaction.
    """
    memo = _transaction_memo(conn)
    if not memo.get("locked"):
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in (compliance_items, compliance_people, evaluation_due_items,
                                               training_hours, school_people, store_states))
            conn.exec_driver_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
        memo["locked"] = True
    return memo


def _writer_day(conn: Connection, store: Store) -> date | None:
    """store_day for a writer: read once per transaction, after the lock (no other writer moves it)."""
    memo = _serialize(conn)
    if "days" not in memo:
        memo["days"] = dict(conn.execute(select(store_states.c.name, store_states.c.as_of)).all())
    return memo["days"].get(store.name)


def _days_changed(conn: Connection) -> None:
    """Forget the store days read in this transaction (it has just written store_states)."""
    _transaction_memo(conn).pop("days", None)


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


def hours_select(day: date) -> Select:
    """Per person and year: completions on or before `day` and their hours (recorded, else the course's)."""
    year = cast(extract("year", Completion.completed_on), Integer)
    return (select(Completion.person_id, year.label("year"), func.count(Completion.id).label("courses"),
                   func.sum(func.coalesce(Completion.hours, Course.hours)).label("hours"))
            .join(Course, Course.id == Completion.course_id)
            .where(Completion.completed_on <= day)
            .group_by(Completion.person_id, year))


def _fill_hours(conn: Connection, day: date, person_ids: list[int] | None = None) -> None:
    """Rebuild training_hours for some people or everyone."""
    stmt = hours_select(day)
    if person_ids is None:
        conn.execute(delete(training_hours))
    else:
        conn.execute(delete(training_hours).where(training_hours.c.person_id.in_(person_ids)))
        stmt = stmt.where(Completion.person_id.in_(person_ids))
    conn.execute(insert(training_hours).from_select([c.name for c in training_hours.columns], stmt))


def _summarize(conn: Connection, day: date, person_ids: list[int] | None = None, *,
               hours: bool = True) -> None:
    """Rebuild compliance_people from compliance_items (and training_hours), for some people or all."""
    if hours:
        _fill_hours(conn, day, person_ids)
    items = compliance_items.alias("rows")
    stmt = summary_select(items, day)
    if person_ids is None:
        conn.execute(delete(compliance_people))
    else:
        conn.execute(delete(compliance_people).where(compliance_people.c.person_id.in_(person_ids)))
        stmt = stmt.where(items.c.person_id.in_(person_ids))
    conn.execute(insert(compliance_people).from_select([c.name for c in compliance_people.columns], stmt))


def links_select():
    """school_people rows computed from assignments and their schools."""
    return (select(assignment_schools.c.school_id, Assignment.person_id, Assignment.id, Assignment.end_date)
            .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id))


def refresh_links(conn: Connection, assignment_ids: Iterable[int] | None = None,
                  person_ids: Iterable[int] = ()) -> None:
    """Rebuild school_people for some assignments (and drop deleted people's rows), or in full."""
    _serialize(conn)
    cols = [c.name for c in school_people.columns]
    if assignment_ids is None:
        conn.execute(delete(school_people))
        conn.execute(insert(school_people).from_select(cols, links_select()))
        return
    for chunk in _chunks(person_ids):
        conn.execute(delete(school_people).where(school_people.c.person_id.in_(chunk)))
    for chunk in _chunks(assignment_ids):
        conn.execute(delete(school_people).where(school_people.c.assignment_id.in_(chunk)))
        conn.execute(insert(school_people).from_select(cols, links_select().where(Assignment.id.in_(chunk))))


def refresh_all(session: Session, today: date) -> dict:
    """Recompute every store for `today`, then every flag (the caller commits); row counts per store."""
    conn = session.connection()
    _serialize(conn)
    refresh_links(conn)  # always kept current; rebuilt daily all the same
    out = {}
    for store in STORES:
        conn.execute(delete(store.table))
        _fill(conn, store, today)
        if store is COMPLIANCE:
            _summarize(conn, today)
        conn.execute(delete(store_states).where(store_states.c.name == store.name))
        conn.execute(insert(store_states).values(name=store.name, as_of=today, refreshed_at=utcnow()))
        _days_changed(conn)
        out[store.name] = conn.scalar(select(func.count()).select_from(store.table))
    out.update({f"flags_{k}": v for k, v in follow_flags(conn).items()})
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
    """Recompute these people's rows in each built store, for the day it holds; their flags follow.

    More than BULK_PEOPLE people (a statewide roster import) would hold the writer's transaction for
    a recomputation about as long as a full one: the stores are marked out of date instead, pages
    compute from the engines meanwhile, and the refresh-stores job rebuilds them within minutes.
    """
    person_ids = sorted(set(person_ids))
    _serialize(conn)
    if len(person_ids) > BULK_PEOPLE:
        conn.execute(update(store_states).where(store_states.c.name.in_([s.name for s in stores]))
                     .values(as_of=None))
        _days_changed(conn)
        return
    for store in stores:
        day = _writer_day(conn, store)
        if day is None:
            continue
        for chunk in _chunks(person_ids):
            conn.execute(delete(store.table).where(store.table.c.person_id.in_(chunk)))
            _fill(conn, store, day, person_ids=chunk)
            if store is COMPLIANCE:
                _summarize(conn, day, chunk)
    follow_flags(conn, person_ids, [kind for store_, kind, _ in FLAG_SOURCES if store_ in stores])


def refresh_requirements(conn: Connection, requirement_ids: Iterable[int]) -> None:
    """Recompute every person's compliance rows for these requirements; training flags follow."""
    day = _writer_day(conn, COMPLIANCE)
    if day is None:
        return
    for chunk in _chunks(requirement_ids):
        conn.execute(delete(compliance_items).where(compliance_items.c.requirement_id.in_(chunk)))
        _fill(conn, COMPLIANCE, day, requirement_ids=chunk)
    _summarize(conn, day, hours=False)  # a requirement touches many people: all, in one statement
    follow_flags(conn, kinds=["training"])


def refresh_store(conn: Connection, store: Store) -> None:
    """Recompute one built store in full, for the day it holds (after a district-wide rule change)."""
    day = _writer_day(conn, store)
    if day is not None:
        conn.execute(delete(store.table))
        _fill(conn, store, day)
        if store is COMPLIANCE:
            _summarize(conn, day)
        follow_flags(conn, kinds=[kind for store_, kind, _ in FLAG_SOURCES if store_ is store])


FLAG_SOURCES = ((COMPLIANCE, "training", flags.training_items),
                (EVALUATIONS, "evaluation", flags.evaluation_items))


def follow_flags(conn: Connection, person_ids: Iterable[int] | None = None,
                 kinds: Iterable[str] = flags.KINDS) -> dict[str, int]:
    """Make the flags follow the stored rows (for these people, or everyone) as of each store's day.

    A store that is not built (or was marked out of date by a bulk change) is skipped: its flags
    follow when the refresh-stores job rebuilds it, minutes later.
    """
    totals = {"opened": 0, "updated": 0, "closed": 0}
    people = None if person_ids is None else sorted(set(person_ids))
    for store, kind, to_items in FLAG_SOURCES:
        day = _writer_day(conn, store)
        if kind not in kinds or day is None or people == []:
            continue
        rows = select(*store.table.columns)
        batches = [None] if people is None else list(_chunks(people))
        for batch in batches:
            scoped = rows if batch is None else rows.where(store.table.c.person_id.in_(batch))
            done = flags.sync_flags(conn, day, to_items(conn, scoped), kinds=[kind], person_ids=batch)
            totals = {k: totals[k] + done[k] for k in totals}
    return totals


def refresh_changes(conn: Connection, c) -> None:
    """Recompute the stored rows (and flags) a transaction's changes touch (a store_hooks.Changes)."""
    if c.assignments or c.gone:
        refresh_links(conn, c.assignments, c.gone)
    requirements = set(c.requirements)
    if c.presets or c.courses:
        requirements |= set(conn.scalars(select(Requirement.id).where(
            Requirement.preset.in_(c.presets) | Requirement.course_id.in_(c.courses))))
    if c.people:
        refresh_people(conn, c.people)
    if c.eval_people - c.people:
        refresh_people(conn, c.eval_people - c.people, [EVALUATIONS])
    if requirements:
        refresh_requirements(conn, requirements)
    if c.courses and (day := _writer_day(conn, COMPLIANCE)) is not None:
        _fill_hours(conn, day)  # a course's default hours count wherever none were recorded
    if c.eval_rules:
        refresh_store(conn, EVALUATIONS)
