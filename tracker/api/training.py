"""API resources for training: courses, requirements, completions (batch POST) and compliance."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import db
from models.people import Person
from models.scoping import Scope, person_scope
from models.services.stores.reads import compliance_source
from models.services.training.completion_batches import MAX_ITEMS, BatchInvalid, post_completions
from models.services.training.compliance import STATUSES
from models.training import Completion, Course, Requirement
from tracker.api.auth import api_user, capability_required
from tracker.api.blueprint import bp
from tracker.api.pagination import QueryArgs, paginate
from tracker.api.validate import Kind, check_object, json_body, text
from tracker.api.values import iso
from tracker.problems import ApiProblem, error, invalid
from tracker.security import today

ITEM_SPEC = {
    "external_id": text(100, required=True),
    "person_id": Kind("int", required=True),
    "course_code": text(40, required=True),
    "completed_on": Kind("date", required=True),
    "hours": Kind("number"),
    "certificate_number": text(100),
}


def course_json(course: Course) -> dict:
    """A course as the API shows it."""
    return {"id": course.id, "code": course.code, "title": course.title, "provider": course.provider,
            "hours": course.hours, "issues_certificate": bool(course.issues_certificate),
            "equivalent_course_ids": sorted(c.id for c in course.equivalents)}


def requirement_json(req: Requirement) -> dict:
    """A requirement as the API shows it."""
    return {"id": req.id, "course_id": req.course_id, "roles": sorted(req.roles), "due_rule": req.due_rule,
            "due_days": req.due_days, "fixed_due_date": iso(req.fixed_due_date),
            "renewal_months": req.renewal_months, "grandfather_date": iso(req.grandfather_date),
            "due_soon_days": req.due_soon_days, "preset": req.preset}


def completion_json(c: Completion) -> dict:
    """A completion as the API shows it (no certificate file)."""
    return {"id": c.id, "person_id": c.person_id, "course_id": c.course_id,
            "completed_on": iso(c.completed_on), "hours": c.hours,
            "certificate_number": c.certificate_number, "source": c.source, "external_id": c.external_id}


@bp.route("/courses")
def list_courses():
    """The course catalog."""
    args = QueryArgs()
    page, per_page = args.page()
    args.check()
    stmt = select(Course).options(selectinload(Course.equivalents)).order_by(Course.code, Course.id)
    return paginate(stmt, page, per_page, course_json)


@bp.route("/courses/<int:course_id>")
def get_course(course_id: int):
    """One course."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise ApiProblem(404, "There is no such course.")
    return course_json(course)


@bp.route("/requirements")
def list_requirements():
    """Training requirements, optionally for one course."""
    args = QueryArgs()
    page, per_page = args.page()
    course_id = args.integer("course_id")
    args.check()
    stmt = select(Requirement).options(selectinload(Requirement.role_links))
    if course_id:
        stmt = stmt.where(Requirement.course_id == course_id)
    return paginate(stmt.order_by(Requirement.id), page, per_page, requirement_json)


@bp.route("/requirements/<int:requirement_id>")
def get_requirement(requirement_id: int):
    """One requirement."""
    req = db.session.get(Requirement, requirement_id)
    if req is None:
        raise ApiProblem(404, "There is no such requirement.")
    return requirement_json(req)


@bp.route("/completions")
def list_completions():
    """Completions of people the token may see."""
    args = QueryArgs()
    page, per_page = args.page()
    person_id, course_id = args.integer("person_id"), args.integer("course_id")
    since = args.day("completed_since")
    args.check()
    stmt = (select(Completion).join(Person, Person.id == Completion.person_id)
            .where(person_scope(api_user(), today())))
    if person_id:
        stmt = stmt.where(Completion.person_id == person_id)
    if course_id:
        stmt = stmt.where(Completion.course_id == course_id)
    if since:
        stmt = stmt.where(Completion.completed_on >= since)
    stmt = stmt.order_by(Completion.completed_on.desc(), Completion.id.desc())
    return paginate(stmt, page, per_page, completion_json)


def _parse_batch(body) -> tuple[str, list[dict], list[tuple]]:
    if not isinstance(body, dict):
        invalid([error(None, "Send an object with a list of completions in items.")])
    head, problems = check_object({"source": text(20)}, {k: v for k, v in body.items() if k != "items"})
    raw = body.get("items")
    if not isinstance(raw, list) or not raw:
        problems.append(error("items", "items must be a non-empty list of completions."))
        raw = []
    elif len(raw) > MAX_ITEMS:
        problems.append(error("items", f"Send at most {MAX_ITEMS} completions per batch."))
        raw = []
    source = head.get("source") or "api"
    if problems:
        invalid(problems)
    items, found = [], []
    for n, entry in enumerate(raw):
        clean, item_problems = check_object(ITEM_SPEC, entry, item=n)
        items.append(clean)
        found += [(p["item"], p["field"], p["message"]) for p in item_problems]
    return source, items, found


@bp.route("/completions/batch", methods=["POST"])
@capability_required("record_training")
def post_completion_batch():
    """Record a batch of completions: idempotent by (source, external_id), all or nothing."""
    source, items, found = _parse_batch(json_body())
    for attempt in (1, 2):
        try:
            results = post_completions(db.session, api_user(), source, items, today(),
                                       person_scope(api_user(), today()), known_problems=found)
            db.session.commit()
            break
        except BatchInvalid as failure:
            invalid([error(f, m, i) for i, f, m in failure.problems])
        except IntegrityError:
            db.session.rollback()  # a concurrent identical batch won the race: the retry sees its rows
            if attempt == 2:
                raise
    created = sum(r.result == "created" for r in results)
    body = {"source": source, "created": created, "unchanged": len(results) - created,
            "items": [{"item": r.item, "external_id": r.external_id, "completion_id": r.completion_id,
                       "result": r.result} for r in results]}
    return body, 201 if created else 200


def compliance_json(row) -> dict:
    """One compliance row."""
    return {"person_id": row.person_id, "requirement_id": row.requirement_id, "course_id": row.course_id,
            "role": row.role, "due_date": iso(row.due_date), "act_by": iso(row.act_by), "status": row.status,
            "completion_id": row.completion_id, "completed_on": iso(row.completed_on),
            "expires_on": iso(row.expires_on)}


@bp.route("/compliance")
def list_compliance():
    """Training compliance (person × requirement) by person, school or status, within the token's scope."""
    args = QueryArgs()
    page, per_page = args.page()
    person_id, school_id = args.integer("person_id"), args.integer("school_id")
    status = args.choice("status", STATUSES)
    args.check()
    day = today()
    scope = Scope.for_user(api_user(), day).at_schools([school_id] if school_id else None)
    rows = compliance_source(db.session, scope, person_ids=[person_id] if person_id else None).subquery("c")
    stmt = select(rows)
    if status:
        stmt = stmt.where(rows.c.status == status)
    stmt = stmt.order_by(rows.c.person_id, rows.c.requirement_id)
    return paginate(stmt, page, per_page, compliance_json, scalars=False)
