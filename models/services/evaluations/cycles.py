"""The district's evaluation cycle settings: school-year end and, per audience, annual and first review."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.evaluations import AUDIENCES as AUDIENCE_LABELS
from models.evaluations import CycleRule
from models.org import District
from models.services.evaluations.due import DEFAULT_FIRST_REVIEW_DAYS


def cycle_settings(session: Session) -> dict[str, Any]:
    """Current settings, with the defaults where no rule row exists yet."""
    district = session.scalar(select(District).order_by(District.id))
    rules = {r.audience: r for r in session.scalars(select(CycleRule))}
    values: dict[str, Any] = {
        "year_end_month": district.school_year_end_month if district else 6,
        "year_end_day": district.school_year_end_day if district else 30,
    }
    for audience in AUDIENCE_LABELS:
        rule = rules.get(audience)
        values[f"{audience}_annual"] = rule.annual if rule else True
        values[f"{audience}_first_review_days"] = (rule.first_review_days if rule
                                                   else DEFAULT_FIRST_REVIEW_DAYS)
    return values


def save_cycle_settings(session: Session, data: dict[str, Any]) -> None:
    """Store the settings (audited); raises ValidationFailed listing every problem."""
    problems: list[tuple[str | None, str]] = []
    month, day = data.get("year_end_month"), data.get("year_end_day")
    try:
        date(2025, int(month), int(day))  # a non-leap year: Feb 29 would vanish every other year
    except (TypeError, ValueError, OverflowError):
        problems.append(("year_end_day", "The school year's end must be a real calendar day (month 1-12)."))
    for audience, label in AUDIENCE_LABELS.items():
        days = data.get(f"{audience}_first_review_days")
        if days is not None and not 1 <= int(days) <= 365:
            problems.append((f"{audience}_first_review_days",
                             f"{label}: the first review must come 1 to 365 days after the start "
                             "(leave it empty for none)."))
    district = session.scalar(select(District).order_by(District.id))
    if district is None:
        problems.append((None, "Set up the district first."))
    if problems:
        raise ValidationFailed(problems)
    district.school_year_end_month, district.school_year_end_day = int(month), int(day)
    rules = {r.audience: r for r in session.scalars(select(CycleRule))}
    for audience in AUDIENCE_LABELS:
        rule = rules.get(audience)
        if rule is None:
            # Insert first: the column default would otherwise turn an explicit "none" into 90.
            rule = CycleRule(audience=audience)
            session.add(rule)
            session.flush()
        rule.annual = bool(data.get(f"{audience}_annual"))
        days = data.get(f"{audience}_first_review_days")
        rule.first_review_days = int(days) if days is not None else None
    session.flush()
