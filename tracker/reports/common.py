"""Helpers the report pages share: the schools a user may pick, suppression."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_login import current_user

from models import db
from models.org import School
from models.services.reports.builders import visible_school_ids
from models.services.reports.suppression import DEFAULT_THRESHOLD


def visible_schools(day: date) -> list[School]:
    """The schools the current user may see, by name (the choices of a school picker)."""
    ids = visible_school_ids(db.session, current_user, day)
    return list(db.session.scalars(db.select(School).where(School.id.in_(ids)).order_by(School.name)))


def threshold() -> int:
    """Smallest count shown: the OUTCOME_SUPPRESSION_THRESHOLD setting (default 10)."""
    return max(int(current_app.config.get("OUTCOME_SUPPRESSION_THRESHOLD") or DEFAULT_THRESHOLD), 1)
