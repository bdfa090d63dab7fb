"""Creating and changing schools and agencies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.org import SCHOOL_LEVELS, Agency, District, School


def _unique_name(session: Session, model, name: str, own_id: int | None) -> bool:
    stmt = select(model.id).where(func.lower(model.name) == name.lower(),
                                  model.id != (own_id or 0))
    return session.scalar(stmt) is None


def save_school(session: Session, data: dict[str, Any], school: School | None = None) -> School:
    """Create or update a school; raises ValidationFailed listing all problems."""
    problems = []
    name = (data.get("name") or "").strip()
    if not name:
        problems.append(("name", "Name is required."))
    elif not _unique_name(session, School, name, school.id if school else None):
        problems.append(("name", f"A school named {name} already exists."))
    level = data.get("level") or "other"
    if level not in SCHOOL_LEVELS:
        problems.append(("level", "Choose a level from the list."))
    district = session.scalar(select(District).order_by(District.id))
    if district is None:
        problems.append((None, "Set up the district first (flask demo seed or the setup command)."))
    if problems:
        raise ValidationFailed(problems)
    school = school or School(district=district)
    school.name, school.level = name, level
    school.address = (data.get("address") or "").strip() or None
    session.add(school)
    session.flush()
    return school


def save_agency(session: Session, data: dict[str, Any], agency: Agency | None = None) -> Agency:
    """Create or update an agency; raises ValidationFailed listing all problems."""
    problems = []
    name = (data.get("name") or "").strip()
    if not name:
        problems.append(("name", "Name is required."))
    elif not _unique_name(session, Agency, name, agency.id if agency else None):
        problems.append(("name", f"An agency named {name} already exists."))
    kind = data.get("kind") or "police"
    if kind not in ("police", "sheriff", "other"):
        problems.append(("kind", "Choose police, sheriff or other."))
    if problems:
        raise ValidationFailed(problems)
    agency = agency or Agency()
    agency.name, agency.kind = name, kind
    session.add(agency)
    session.flush()
    return agency
