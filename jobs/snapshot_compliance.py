"""Daily job: store each school's training compliance for the day (the trend chart reads these)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.org import School
from models.people import Assignment, assignment_schools
from models.reports import ComplianceSnapshot
from models.scoping import not_ended
from models.services.compliance import MET, compliance_select


def run(session: Session, today: date) -> dict:
    """One row per school for `today`; a second run the same day changes nothing (unique school+day)."""
    done = set(session.scalars(select(ComplianceSnapshot.school_id).where(ComplianceSnapshot.day == today)))
    rows = compliance_select(today).subquery()
    links = (select(Assignment.person_id, assignment_schools.c.school_id).distinct()
             .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id)
             .where(not_ended(today))).subquery()

    def count(cond):
        return func.sum(case((cond, 1), else_=0))

    stmt = (select(School.id, func.count(rows.c.person_id), count(rows.c.status.in_(MET)),
                   count(rows.c.status == "overdue"), count(rows.c.status == "expired"),
                   count(rows.c.status == "due_soon"))
            .select_from(School).outerjoin(links, links.c.school_id == School.id)
            .outerjoin(rows, rows.c.person_id == links.c.person_id).group_by(School.id))
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
