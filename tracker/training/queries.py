"""Scoped reads for the training pages: the engine's rows joined to names, in one query each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import db
from models.people import Person
from models.scoping import Scope
from models.services.stores.reads import compliance_source, compliance_summary_source
from models.services.training.compliance import STATUSES
from models.training import Course


def board_rows(user, today: date, *, school_id=None, role="", status="", course_id=None, limit=500):
    """Compliance rows the user may see, filtered, with person and course names; and counts."""
    scope = Scope.for_user(user, today).at_schools([school_id] if school_id else None)
    sub = compliance_source(db.session, scope, course_ids=[course_id] if course_id else None).subquery()
    stmt = (select(sub, Person.first_name, Person.last_name, Course.code, Course.title)
            .join(Person, Person.id == sub.c.person_id).join(Course, Course.id == sub.c.course_id))
    conds = []
    if role:
        conds.append(sub.c.role == role)
    if course_id:
        conds.append(sub.c.course_id == course_id)
    stmt = stmt.where(*conds)
    if conds:
        counts = dict(db.session.execute(select(sub.c.status, func.count()).where(*conds)
                                         .group_by(sub.c.status)).all())
    else:  # unfiltered: sum the per-person totals instead of counting every row
        per = compliance_summary_source(db.session, scope).subquery()
        sums = db.session.execute(select(*[func.sum(per.c[s]) for s in STATUSES])).one()
        counts = {s: int(n) for s, n in zip(STATUSES, sums, strict=True) if n}
    if status:
        stmt = stmt.where(sub.c.status == status)
    rows = db.session.execute(stmt.order_by(sub.c.act_by, Person.last_name).limit(limit)).all()
    return rows, counts
