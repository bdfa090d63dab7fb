"""API resources for oversight: evaluation summaries (status and dates, never ratings) and flags."""

from __future__ import annotations

from sqlalchemy import select

from models import db
from models.evaluations import Evaluation
from models.notifications import FLAG_KINDS, Flag
from models.people import Person
from models.scoping import Scope, person_scope
from models.services.evaluations.due import EVAL_STATUSES
from models.services.stores.reads import evaluation_due_source
from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.pagination import QueryArgs, paginate
from tracker.api.values import iso
from tracker.security import today

WORKFLOW = ("draft", "submitted", "signed", "final")


def evaluation_json(row) -> dict:
    """One due evaluation item with its workflow state; ratings and comments are never exposed."""
    return {"person_id": row.person_id, "assignment_id": row.assignment_id, "audience": row.audience,
            "cycle": row.cycle, "due_date": iso(row.due_date), "status": row.status,
            "evaluation_id": row.evaluation_id, "workflow_status": row.workflow_status,
            "submitted_on": iso(row.submitted_at), "finalized_on": iso(row.finalized_at)}


@bp.route("/evaluations")
def list_evaluations():
    """Evaluation summaries (due date, status, workflow dates) for people the token may see."""
    args = QueryArgs()
    page, per_page = args.page()
    person_id, school_id = args.integer("person_id"), args.integer("school_id")
    status = args.choice("status", EVAL_STATUSES)
    args.check()
    day = today()
    due = evaluation_due_source(db.session, Scope.for_user(api_user(), day),
                                person_ids=[person_id] if person_id else None,
                                assignment_school_ids=[school_id] if school_id else None).subquery("e")
    stmt = (select(due, Evaluation.status.label("workflow_status"), Evaluation.submitted_at,
                   Evaluation.finalized_at)
            .outerjoin(Evaluation, Evaluation.id == due.c.evaluation_id))
    if status:
        stmt = stmt.where(due.c.status == status)
    stmt = stmt.order_by(due.c.due_date, due.c.person_id, due.c.assignment_id, due.c.cycle)
    return paginate(stmt, page, per_page, evaluation_json, scalars=False)


def flag_json(flag: Flag) -> dict:
    """A flag raised by the daily job."""
    return {"id": flag.id, "kind": flag.kind, "person_id": flag.person_id, "label": flag.label,
            "due_date": iso(flag.due_date), "status": flag.status,
            "first_flagged_on": iso(flag.first_flagged_on), "escalated_on": iso(flag.escalated_on),
            "closed_on": iso(flag.closed_on)}


@bp.route("/flags")
def list_flags():
    """Flags (due soon, overdue, expiring items) of people the token may see; open ones by default."""
    args = QueryArgs()
    page, per_page = args.page()
    person_id = args.integer("person_id")
    kind = args.choice("kind", tuple(FLAG_KINDS))
    is_open = args.boolean("open")
    args.check()
    stmt = select(Flag).join(Person, Person.id == Flag.person_id).where(person_scope(api_user(), today()))
    if person_id:
        stmt = stmt.where(Flag.person_id == person_id)
    if kind:
        stmt = stmt.where(Flag.kind == kind)
    if is_open is not False:
        stmt = stmt.where(Flag.closed_on.is_(None))
    else:
        stmt = stmt.where(Flag.closed_on.is_not(None))
    return paginate(stmt.order_by(Flag.due_date, Flag.id), page, per_page, flag_json)
