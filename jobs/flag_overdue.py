"""Job `flag-overdue`: flag what is due soon, overdue or expiring, and queue each reminder step once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from models.seed.notifications import ensure_default_plan
from models.services.reminders.queueing import DEFAULT_SOURCES, Source, flag_and_queue
from models.services.stores.refresh import ensure_current


def run(session: Session, today: date, *, sources: Iterable[Source] = DEFAULT_SOURCES, **_) -> dict:
    """Open, update and close flags for `today` and queue reminders; safe to run again the same day."""
    ensure_default_plan(session)
    ensure_current(session, today)  # normally done by refresh-stores when the day starts
    return flag_and_queue(session, today, sources)
