"""Job: keep the stored compliance and evaluation-due rows current (a new day, or after a bulk import)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.services.stores.refresh import ensure_current, refresh_all


def run(session: Session, today: date, *, force: bool = False, **_) -> dict:
    """Rebuild every person's rows for `today` when they are not current (or when forced)."""
    if force:
        return refresh_all(session, today)
    return {"refreshed": ensure_current(session, today)}
