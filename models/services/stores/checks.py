"""Checks that the stored engine rows, and the open flags, are exactly what the engines compute.

Every test asserts both on teardown, and the year simulation after every simulated day;
`check_and_repair` is what `flask stores check` and the weekly check-stores job run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.notifications import Flag
from models.services.evaluations.due import evaluation_due_select
from models.services.reminders import flags
from models.services.stores.refresh import (
    COMPLIANCE,
    EVALUATIONS,
    STORES,
    hours_select,
    links_select,
    refresh_all,
    store_day,
    summary_select,
)
from models.services.training.compliance import compliance_select
from models.stores import compliance_people, school_people, training_hours


def _count_mismatches(session: Session, pairs) -> int:
    """Rows in one side of each (a, b) pair and not the other, counted in a single statement."""
    counts = [select(func.count()).select_from(q.subquery()).scalar_subquery()
              for a, b in pairs for q in (a.except_(b), b.except_(a))]
    return sum(session.execute(select(*counts)).one())


def differences(session: Session) -> dict[str, int]:
    """Per built store: rows that differ from what its engine computes now for the store's day."""
    out = {}
    for store in STORES:
        day = store_day(session, store)
        if day is None:
            continue
        cols = store.columns
        # One CTE, referenced by every comparison, so the engine runs once per store (both databases
        # materialize a CTE that is used more than once).
        engine_rows = store.engine(day).cte(f"computed_{store.name}")
        pairs = [(select(*[store.table.c[c] for c in cols]), select(*[engine_rows.c[c] for c in cols]))]
        if store is COMPLIANCE:
            pairs.append((select(*compliance_people.columns), summary_select(engine_rows, day)))
            hours = hours_select(day).subquery()
            pairs.append((select(*training_hours.columns), select(*hours.c)))
        out[store.name] = _count_mismatches(session, pairs)
    out["school_people"] = _count_mismatches(session, [(select(*school_people.columns), links_select())])
    return out


def flag_differences(session: Session) -> dict[str, int]:
    """Per kind: open flags the engines do not report for the stores' day, plus reported items unflagged."""
    engines = {"training": (COMPLIANCE, compliance_select, flags.training_items),
               "evaluation": (EVALUATIONS, evaluation_due_select, flags.evaluation_items)}
    out = {}
    for kind, (store, engine, to_items) in engines.items():
        day = store_day(session, store)
        if day is None:
            continue
        reported = {(i.item_key, i.status) for i in to_items(session, engine(day).order_by(None))}
        flagged = set(session.execute(select(Flag.item_key, Flag.status)
                                      .where(Flag.kind == kind, Flag.closed_on.is_(None))))
        out[kind] = len(reported ^ {tuple(f) for f in flagged})
    return out



# What each count means, in the words `flask stores check` and the check-stores job print.
DRIFT_WORDS = {
    "compliance": "compliance rows, per-person totals or training hours differ from the compliance engine",
    "evaluation_due": "evaluation-due rows differ from the due-date engine",
    "school_people": "school links (who works where, which principals' scope reads) differ from the "
                     "assignments",
    "flags_training": "open training flags differ from what the compliance engine reports",
    "flags_evaluation": "open evaluation flags differ from what the due-date engine reports",
}


@dataclass
class Check:
    """One check-and-repair: drift per store (non-zero counts only), what the repair did, what is left."""

    drift: dict[str, int]
    repaired: dict[str, int] | None = None
    remaining: dict[str, int] | None = None

    def lines(self) -> list[str]:
        """The drift in plain words, one line per drifting store, or "no drift"."""
        if not self.drift:
            return ["no drift"]
        out = [f"{name}: {n} {DRIFT_WORDS[name]}" for name, n in self.drift.items()]
        if self.repaired is not None:
            out.append("repaired: stores rebuilt and flags reconciled ("
                       + ", ".join(f"{k}={v}" for k, v in self.repaired.items()) + ")")
        if self.remaining:
            out.append("still drifting after the repair: "
                       + ", ".join(f"{k}={v}" for k, v in self.remaining.items()))
        return out


def drift(session: Session) -> dict[str, int]:
    """Stores and flags that differ from the engines: name -> rows in one side and not the other."""
    counts = {**differences(session), **{f"flags_{k}": v for k, v in flag_differences(session).items()}}
    return {name: n for name, n in counts.items() if n}


def check_and_repair(session: Session, today: date) -> Check:
    """Compare every store and the flags with the engines; on drift rebuild them all for `today`.

    The repair is refresh_all (every store, then every flag) in the session's transaction: the
    caller commits, so the repair lands whole or not at all. It is checked again before returning.
    """
    found = Check(drift(session))
    if found.drift:
        found.repaired = refresh_all(session, today)
        found.remaining = drift(session)
    return found
