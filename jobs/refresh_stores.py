"""Daily job: recompute the stored compliance and evaluation-due rows for the new day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.services.stores import refresh_all


def run(session: Session, today: date, **_) -> dict:
    """Every person's rows for `today`; pages read them instead of running the engines."""
    return refresh_all(session, today)
