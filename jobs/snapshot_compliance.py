"""Daily job: store each school's training compliance for the day (the trend chart reads these)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.org import School
from models.reports import ComplianceSnapshot
from models.scoping import Scope, school_links
from models.services.stores.reads import compliance_summary_source
from models.services.stores.refresh import ensure_current
from models.services.training.compliance import MET


def run(session: Session, today: date) -> dict:
    """One row per school for `today`; a second run the same day changes nothing (unique school+day)."""
    done = set(session.scalars(select(ComplianceSnapshot.school_id).where(ComplianceSnapshot.day == today)))
    ensure_current(session, today)
    per = compliance_summary_source(session, Scope.everyone(today)).subquery()
    links = school_links(None, today).subquery()
    stmt = (select(School.id, func.sum(per.c.total), func.sum(sum(per.c[s] for s in MET)),
                   func.sum(per.c.overdue), func.sum(per.c.expired), func.sum(per.c.due_soon))
            .select_from(School).outerjoin(links, links.c.school_id == School.id)
            .outerjoin(per, per.c.person_id == links.c.person_id).group_by(School.id))
    added = 0
    for school_id, total, good, overdue, expired, due_soon in session.execute(stmt):
        if school_id in done:
            continue
        session.add(ComplianceSnapshot(school_id=school_id, day=today, total=total or 0,
                                       in_good_standing=int(good or 0), overdue=int(overdue or 0),
                                       expired=int(expired or 0), due_soon=int(due_soon or 0)))
        added += 1
    session.flush()
    return {"schools": added, "skipped": len(done)}
