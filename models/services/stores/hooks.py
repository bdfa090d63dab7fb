"""Keep the stored engine rows current once per transaction: the session hooks, installed explicitly.

`install()` (called by the app factory, the scheduler's `execute` and the benchmarks; idempotent)
listens on SQLAlchemy's `Session` class, so it covers Flask-SQLAlchemy's sessions (a subclass) and
the plain `Session(engine)` of the scheduler alike. Importing this module registers nothing.

- `after_flush` only notes which people, assignments, requirements, presets and courses the flush
  changed (cheap: no SQL), accumulating them in `session.info` for the transaction.
- `before_commit` flushes, then recomputes the noted rows once (models/services/stores/refresh.py), and the
  flags follow, all in the same transaction: a form or batch that flushes many times pays once.
- Reads inside the transaction still see current rows: `do_orm_execute` calls `flush_pending`
  before any statement run through the session that reads a stored table (or the flags and the
  outbox, which follow the stores). Readers that bypass `Session.execute` (`session.connection()`,
  pandas) call `flush_pending(session)` themselves.
- A rolled-back savepoint may have undone refreshes made inside it: everything refreshed in the
  transaction is noted again. The transaction's end forgets it all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from itertools import chain

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import visitors

from models.evaluations import CycleRule, Evaluation
from models.notifications import Flag, OutboxMessage
from models.org import District
from models.people import Assignment, Person
from models.services.stores.refresh import refresh_changes
from models.stores import (
    compliance_items,
    compliance_people,
    evaluation_due_items,
    school_people,
    store_states,
    training_hours,
)
from models.training import Completion, Course, DistrictPreset, Requirement, RequirementRole, Waiver

PENDING, DONE, BUSY = "stores_pending", "stores_done", "stores_busy"  # session.info keys
# Tables whose rows the deferred refresh writes: a read of any of them must see the refresh first.
WATCHED = frozenset({compliance_items, compliance_people, evaluation_due_items, training_hours,
                     school_people, store_states, Flag.__table__, OutboxMessage.__table__})


@dataclass
class Changes:
    """What a transaction changed that the stores depend on (ids, not rows)."""

    people: set[int] = field(default_factory=set)
    eval_people: set[int] = field(default_factory=set)  # only their evaluation rows
    requirements: set[int] = field(default_factory=set)
    presets: set[str] = field(default_factory=set)
    courses: set[int] = field(default_factory=set)
    assignments: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)  # deleted people: their school_people rows go
    eval_rules: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def merge(self, other: Changes) -> Changes:
        """Add another set of changes to this one (in place); returns self."""
        for f in fields(self):
            mine = getattr(self, f.name)
            setattr(self, f.name, mine | getattr(other, f.name))
        return self


def _values(obj, attr: str) -> set:
    """The attribute's loaded value and, if this flush changed it, its previous one (never loads)."""
    state = inspect(obj)
    values = {state.dict.get(attr), *(state.attrs[attr].history.deleted or ())}
    if attr == "id" and state.identity:
        values.add(state.identity[0])
    return {v for v in values if v is not None}


def _collect(session: Session) -> Changes:
    """The engine inputs the flush in progress changed (after_flush: new/dirty/deleted still hold it)."""
    c = Changes()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Assignment, Person)):
            c.people |= _values(obj, "person_id" if isinstance(obj, Assignment) else "id")
            if isinstance(obj, Assignment):
                c.assignments |= _values(obj, "id")
            elif obj in session.deleted:
                c.gone |= _values(obj, "id")
        elif isinstance(obj, (Completion, Waiver)):
            c.people |= _values(obj, "person_id")
        elif isinstance(obj, Evaluation):
            c.eval_people |= _values(obj, "person_id")
        elif isinstance(obj, (Requirement, RequirementRole)):
            c.requirements |= _values(obj, "id" if isinstance(obj, Requirement) else "requirement_id")
        elif isinstance(obj, DistrictPreset):
            c.presets |= _values(obj, "preset")
        elif isinstance(obj, Course):
            c.courses |= _values(obj, "id")
        elif isinstance(obj, (CycleRule, District)):
            c.eval_rules = True
    return c


def pending(session: Session) -> Changes | None:
    """The changes noted and not yet refreshed in this session's transaction (None if there are none)."""
    return session.info.get(PENDING) or None


def flush_pending(session: Session) -> bool:
    """Bring the stored rows up to date with this transaction's flushed changes now; whether it did."""
    changes = session.info.get(PENDING)
    if not changes or session.info.get(BUSY):
        return False
    del session.info[PENDING]
    session.info[BUSY] = True
    try:
        refresh_changes(session.connection(), changes)
    except BaseException:
        session.info.setdefault(PENDING, Changes()).merge(changes)  # still owed if the caller goes on
        raise
    finally:
        session.info.pop(BUSY, None)
    session.info.setdefault(DONE, Changes()).merge(changes)
    return True


def _after_flush(session: Session, flush_context) -> None:
    changes = _collect(session)
    if changes:
        session.info.setdefault(PENDING, Changes()).merge(changes)


def _before_commit(session: Session) -> None:
    # Commit flushes only after this event: flush here so the last changes are refreshed too.
    session.flush()
    flush_pending(session)


def reads_watched(statement) -> bool:
    """Whether a statement reads (or writes) a table the deferred refresh writes."""
    return any(isinstance(e, Table) and e in WATCHED for e in visitors.iterate(statement))


def _before_execute(state: ORMExecuteState) -> None:
    session = state.session
    if session.info.get(BUSY):
        return
    # Cheap test first: walking the statement costs tens of microseconds, so only when owed.
    owed = session.info.get(PENDING) or session.new or session.deleted or session.dirty
    if owed and reads_watched(state.statement):
        session._autoflush()  # the statement would autoflush next (after this event): do it first
        flush_pending(session)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested and DONE in session.info:
        # The savepoint may have undone refreshes made inside it: owe them again (over-approximate).
        session.info.setdefault(PENDING, Changes()).merge(session.info[DONE])


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed, rolled back or closed
        session.info.pop(PENDING, None)
        session.info.pop(DONE, None)


HOOKS = (("after_flush", _after_flush), ("before_commit", _before_commit),
         ("do_orm_execute", _before_execute), ("after_soft_rollback", _after_soft_rollback),
         ("after_transaction_end", _after_transaction_end))


def install(target=Session) -> None:
    """Listen on `target` (a Session class, or a sessionmaker) for the store hooks; idempotent."""
    for name, fn in HOOKS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


def installed(target=Session) -> bool:
    """Whether the store hooks listen on `target`."""
    return all(event.contains(target, name, fn) for name, fn in HOOKS)


def uninstall(target=Session) -> None:
    """Stop listening on `target` (tests)."""
    for name, fn in HOOKS:
        if event.contains(target, name, fn):
            event.remove(target, name, fn)
