"""API resources for training: courses, requirements, completions (batch POST) and compliance."""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import db
from models.errors import ValidationFailed
from models.people import ROLES, Person
from models.scoping import Scope, person_scope
from models.services.infra.text import MAX_TEXT
from models.services.stores.reads import compliance_source
from models.services.training import catalog
from models.services.training.catalog import DUE_RULES
from models.services.training.completion_batches import MAX_ITEMS, BatchInvalid, post_completions
from models.services.training.compliance import STATUSES
from models.training import PRESETS, Completion, Course, Requirement
from tracker.api.auth import api_user, capability_required
from tracker.api.blueprint import bp
from tracker.api.pagination import QueryArgs, paginate
from tracker.api.validate import Kind, check_object, json_body, merge, text
from tracker.api.values import iso
from tracker.problems import ApiProblem, error, errors_from, invalid
from tracker.security import today

ITEM_SPEC = {
    "external_id": text(100, required=True),
    "person_id": Kind("int", required=True),
    "course_code": text(40, required=True),
    "completed_on": Kind("date", required=True),
    "hours": Kind("number"),
    "certificate_number": text(100),
}


COURSE_SPEC = {
    "code": text(40, required=True), "title": text(300, required=True), "provider": text(200),
    "hours": Kind("number", required=True), "topics": text(MAX_TEXT), "issues_certificate": Kind("bool"),
    "active": Kind("bool"), "equivalent_course_ids": Kind("int_list"),
}
REQUIREMENT_SPEC = {
    "course_id": Kind("int", required=True), "roles": Kind("text_list", required=True, choices=tuple(ROLES)),
    "due_rule": text(20, required=True, choices=tuple(DUE_RULES)), "due_days": Kind("whole"),
    "fixed_due_date": Kind("date"), "renewal_months": Kind("whole"), "grandfather_date": Kind("date"),
    "due_soon_days": Kind("whole"), "recert_window_days": Kind("whole"),
    "preset": text(2, choices=tuple(PRESETS)), "note": text(MAX_TEXT),
}


def course_json(course: Course) -> dict:
    """A course as the API shows it."""
    return {"id": course.id, "code": course.code, "title": course.title, "provider": course.provider,
            "hours": course.hours, "topics": course.topics,
            "issues_certificate": bool(course.issues_certificate), "active": bool(course.active),
            "equivalent_course_ids": sorted(c.id for c in course.equivalents)}


def requirement_json(req: Requirement) -> dict:
    """A requirement as the API shows it."""
    return {"id": req.id, "course_id": req.course_id, "roles": sorted(req.roles), "due_rule": req.due_rule,
            "due_days": req.due_days, "fixed_due_date": iso(req.fixed_due_date),
            "renewal_months": req.renewal_months, "grandfather_date": iso(req.grandfather_date),
            "due_soon_days": req.due_soon_days, "recert_window_days": req.recert_window_days,
            "preset": req.preset, "note": req.note}


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
            "expires_on": iso(row.expires_on), "renewal_opens": iso(row.renewal_opens)}


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


def _write(spec: dict, current: dict | None, save, to_json, location):
    """POST (current None) or PATCH (`current`: the stored values a partial body is laid over)."""
    body = json_body()
    if current is not None:  # a PATCH names only what changes
        spec = {name: replace(kind, required=False) for name, kind in spec.items()}
    data, problems = check_object(spec, body)
    if current is not None and isinstance(body, dict):
        data = {**current, **{k: v for k, v in data.items() if k in body}}
    if "equivalent_course_ids" in data:
        data["equivalent_ids"] = data.pop("equivalent_course_ids") or []
    try:
        saved = save(data)
    except ValidationFailed as failure:
        db.session.rollback()
        renamed = [("equivalent_course_ids" if f == "equivalent_ids" else f, m) for f, m in failure.problems]
        invalid(merge(problems, errors_from(ValidationFailed(renamed))))
    if problems:
        db.session.rollback()
        invalid(problems)
    db.session.commit()
    if current is not None:
        return to_json(saved)
    return to_json(saved), 201, {"Location": location(saved)}


@bp.route("/courses", methods=["POST"])
@capability_required("manage_catalog")
def create_course():
    """Add a course with the same rules and audit as the catalog page."""
    return _write(COURSE_SPEC, None, lambda data: catalog.save_course(db.session, None, data), course_json,
                  lambda c: url_for("api.get_course", course_id=c.id))


def _patch(model, ident: int, spec: dict, to_json, save, missing: str, *, dates=()):
    """PATCH one catalog row: the stored values (as the API shows them) under the fields sent."""
    row = db.session.get(model, ident)
    if row is None:
        raise ApiProblem(404, missing)
    current = {k: v for k, v in to_json(row).items() if k != "id"} | {d: getattr(row, d) for d in dates}
    return _write(spec, current, lambda data: save(db.session, row, data), to_json, None)


@bp.route("/courses/<int:course_id>", methods=["PATCH"])
@capability_required("manage_catalog")
def update_course(course_id: int):
    """Change a course: only the fields sent change."""
    return _patch(Course, course_id, COURSE_SPEC, course_json, catalog.save_course,
                  "There is no such course.")


@bp.route("/requirements", methods=["POST"])
@capability_required("manage_catalog")
def create_requirement():
    """Add a requirement with the same rules and audit as the catalog page."""
    return _write(REQUIREMENT_SPEC, None, lambda data: catalog.save_requirement(db.session, None, data),
                  requirement_json, lambda r: url_for("api.get_requirement", requirement_id=r.id))


@bp.route("/requirements/<int:requirement_id>", methods=["PATCH"])
@capability_required("manage_catalog")
def update_requirement(requirement_id: int):
    """Change a requirement: only the fields sent change."""
    return _patch(Requirement, requirement_id, REQUIREMENT_SPEC, requirement_json, catalog.save_requirement,
                  "There is no such requirement.", dates=("fixed_due_date", "grandfather_date"))
