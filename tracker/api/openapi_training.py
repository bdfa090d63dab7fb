"""OpenAPI schemas and paths for training, compliance, evaluation summaries and flags."""

from __future__ import annotations

from models.notifications import FLAG_KINDS
from models.people import ROLES
from models.services.evaluations.due import EVAL_STATUSES
from models.services.infra.text import MAX_TEXT
from models.services.training.catalog import (
    DUE_RULES,
    MAX_DUE_DAYS,
    MAX_DUE_SOON_DAYS,
    MAX_RECERT_WINDOW_DAYS,
    MAX_RENEWAL_MONTHS,
)
from models.services.training.completion_batches import MAX_ITEMS
from models.services.training.compliance import STATUSES
from models.training import MAX_HOURS, PRESETS
from tracker.api.openapi_builders import (
    DATE,
    ID,
    WRITE_ERRORS,
    create_op,
    get_op,
    list_op,
    nullable,
    obj,
    ok,
    path_id,
    problem,
    query,
    ref,
    string,
)

NUMBER = {"type": "number", "minimum": 0}
ROLE = {"type": "string", "enum": list(ROLES)}

COURSE_INPUT = {
    "code": string(40, minLength=1), "title": string(300, minLength=1), "provider": nullable(string(200)),
    "hours": {"type": "number", "minimum": 0, "maximum": MAX_HOURS}, "topics": nullable(string(MAX_TEXT)),
    "issues_certificate": {"type": "boolean"}, "active": {"type": "boolean"},
    "equivalent_course_ids": {"type": "array", "items": ID, "maxItems": 50,
                              "description": "Holds both ways: each listed course gets this one"},
}
REQUIREMENT_INPUT = {
    "course_id": ID, "roles": {"type": "array", "items": ROLE, "minItems": 1, "maxItems": len(ROLES)},
    "due_rule": {"type": "string", "enum": list(DUE_RULES)},
    "due_days": nullable({"type": "integer", "minimum": 0, "maximum": MAX_DUE_DAYS}),
    "fixed_due_date": nullable(DATE),
    "renewal_months": nullable({"type": "integer", "minimum": 1, "maximum": MAX_RENEWAL_MONTHS}),
    "grandfather_date": nullable(DATE),
    "due_soon_days": nullable({"type": "integer", "minimum": 0, "maximum": MAX_DUE_SOON_DAYS}),
    "recert_window_days": nullable({"type": "integer", "minimum": 1, "maximum": MAX_RECERT_WINDOW_DAYS,
                                    "description": "The renewal window opens this many days before expiry"}),
    "preset": nullable({"type": "string", "enum": list(PRESETS)}), "note": nullable(string(MAX_TEXT)),
}


def _patch_op(summary: str, item: str, body: str, param: str) -> dict:
    return {"patch": {"tags": ["training"], "summary": summary, "operationId": f"update{item}",
                      "parameters": [path_id(param)],
                      "requestBody": {"required": True,
                                      "content": {"application/json": {"schema": ref(body)}}},
                      "responses": {"200": ok(ref(item)), "404": problem("No such record"), **WRITE_ERRORS}}}


SCHEMAS = {
    "Course": obj({
        "id": ID, "code": {"type": "string"}, "title": {"type": "string"},
        "provider": nullable({"type": "string"}), "hours": nullable(NUMBER),
        "topics": nullable({"type": "string"}), "issues_certificate": {"type": "boolean"},
        "active": {"type": "boolean", "description": "false: retired (history kept, not offered)"},
        "equivalent_course_ids": {"type": "array", "items": ID},
    }, ("id", "code", "title", "provider", "hours", "topics", "issues_certificate", "active",
        "equivalent_course_ids")),
    "CourseInput": obj(COURSE_INPUT, ("code", "title", "hours")),
    "CoursePatch": obj(COURSE_INPUT),
    "RequirementInput": obj(REQUIREMENT_INPUT, ("course_id", "roles", "due_rule")),
    "RequirementPatch": obj(REQUIREMENT_INPUT),
    "Requirement": obj({
        "id": ID, "course_id": ID, "roles": {"type": "array", "items": ROLE},
        "due_rule": {"type": "string", "enum": ["before_start", "within_days", "fixed_date"]},
        "due_days": nullable({"type": "integer"}), "fixed_due_date": nullable(DATE),
        "renewal_months": nullable({"type": "integer"}), "grandfather_date": nullable(DATE),
        "due_soon_days": {"type": "integer"}, "preset": nullable({"type": "string"}),
        "recert_window_days": nullable({"type": "integer"}), "note": nullable({"type": "string"}),
    }, ("id", "course_id", "roles", "due_rule", "due_days", "fixed_due_date", "renewal_months",
        "grandfather_date", "due_soon_days", "recert_window_days", "preset", "note")),
    "Completion": obj({
        "id": ID, "person_id": ID, "course_id": ID, "completed_on": DATE, "hours": nullable(NUMBER),
        "certificate_number": nullable({"type": "string"}), "source": {"type": "string"},
        "external_id": nullable({"type": "string"}),
    }, ("id", "person_id", "course_id", "completed_on", "hours", "certificate_number", "source",
        "external_id")),
    "CompletionInput": obj({
        "external_id": string(100, minLength=1), "person_id": ID, "course_code": string(40, minLength=1),
        "completed_on": DATE, "hours": nullable({"type": "number", "minimum": 0, "maximum": 200}),
        "certificate_number": nullable(string(100)),
    }, ("external_id", "person_id", "course_code", "completed_on")),
    "CompletionBatch": obj({
        "source": string(20, minLength=1, default="api", pattern="^[a-z0-9-]+$"),
        "items": {"type": "array", "items": ref("CompletionInput"), "minItems": 1, "maxItems": MAX_ITEMS},
    }, ("items",)),
    "CompletionBatchResult": obj({
        "source": {"type": "string"}, "created": {"type": "integer", "minimum": 0},
        "unchanged": {"type": "integer", "minimum": 0},
        "items": {"type": "array", "items": obj({
            "item": {"type": "integer", "minimum": 0}, "external_id": {"type": "string"},
            "completion_id": ID, "result": {"type": "string", "enum": ["created", "unchanged"]},
        }, ("item", "external_id", "completion_id", "result"))},
    }, ("source", "created", "unchanged", "items")),
    "ComplianceRow": obj({
        "person_id": ID, "requirement_id": ID, "course_id": ID, "role": ROLE, "due_date": nullable(DATE),
        "status": {"type": "string", "enum": list(STATUSES)}, "completion_id": nullable(ID),
        "completed_on": nullable(DATE), "expires_on": nullable(DATE),
        "act_by": {**nullable(DATE), "description": "The date by which the person must act: the expiry "
                   "of the latest completion when the requirement renews, else due_date (the first due "
                   "date). Pages, exports, emails, flags and calendar feeds show this date as Due."},
        "renewal_opens": {**nullable(DATE), "description": "When the requirement has a recertification "
                          "window: the day it opens for this completion (expires_on minus the window)."},
    }, ("person_id", "requirement_id", "course_id", "role", "due_date", "status", "completion_id",
        "completed_on", "expires_on", "act_by", "renewal_opens")),
    "EvaluationSummary": obj({
        "person_id": ID, "assignment_id": ID,
        "audience": {"type": "string", "enum": ["sro", "school_personnel"]},
        "cycle": {"type": "string"}, "due_date": DATE,
        "status": {"type": "string", "enum": list(EVAL_STATUSES)},
        "evaluation_id": nullable(ID),
        "workflow_status": nullable({"type": "string", "enum": ["draft", "submitted", "signed", "final"]}),
        "submitted_on": nullable(DATE), "finalized_on": nullable(DATE),
    }, ("person_id", "assignment_id", "audience", "cycle", "due_date", "status", "evaluation_id",
        "workflow_status", "submitted_on", "finalized_on")),
    "Flag": obj({
        "id": ID, "kind": {"type": "string", "enum": list(FLAG_KINDS)}, "person_id": ID,
        "label": {"type": "string"}, "due_date": DATE, "status": {"type": "string"},
        "first_flagged_on": DATE, "escalated_on": nullable(DATE), "closed_on": nullable(DATE),
    }, ("id", "kind", "person_id", "label", "due_date", "status", "first_flagged_on", "escalated_on",
        "closed_on")),
}

BATCH = {"post": {
    "tags": ["completions"], "operationId": "postCompletionBatch",
    "summary": "Record completions in a batch (admin, HR, coordinator): idempotent by (source, external_id); "
               "any invalid item means nothing is written and every problem is listed with its item index",
    "requestBody": {"required": True, "content": {"application/json": {"schema": ref("CompletionBatch")}}},
    "responses": {"201": ok(ref("CompletionBatchResult"), "Some completions were created"),
                  "200": ok(ref("CompletionBatchResult"), "Nothing new: every item was already recorded"),
                  **WRITE_ERRORS},
}}

PATHS = {
    "/courses": {**list_op("training", "The course catalog", "Course", []),
                 **create_op("training", "Add a course (coordinator, admin)", "Course", "CourseInput")},
    "/courses/{course_id}": {
        **get_op("training", "One course", "Course", "course_id"),
        **_patch_op("Change a course: only the fields sent (coordinator, admin)", "Course", "CoursePatch",
                    "course_id")},
    "/requirements": {
        **list_op("training", "Training requirements", "Requirement",
                  [query("course_id", ID, "For this course")]),
        **create_op("training", "Add a requirement (coordinator, admin)", "Requirement", "RequirementInput")},
    "/requirements/{requirement_id}": {
        **get_op("training", "One requirement", "Requirement", "requirement_id"),
        **_patch_op("Change a requirement: only the fields sent (coordinator, admin)", "Requirement",
                    "RequirementPatch", "requirement_id")},
    "/completions": list_op("completions", "Completions of people the token may see", "Completion", [
        query("person_id", ID, "Of this person"), query("course_id", ID, "Of this course"),
        query("completed_since", DATE, "Completed on or after")]),
    "/completions/batch": BATCH,
    "/compliance": list_op("compliance", "Compliance rows (person × requirement) in the token's scope",
                           "ComplianceRow", [
                               query("person_id", ID, "For this person"),
                               query("school_id", ID, "For people at this school"),
                               query("status", {"type": "string", "enum": list(STATUSES)},
                                     "With this status")]),
    "/evaluations": list_op("evaluations", "Evaluation summaries: due dates and status, never ratings",
                            "EvaluationSummary", [
                                query("person_id", ID, "For this person"),
                                query("school_id", ID, "For assignments at this school"),
                                query("status", {"type": "string", "enum": list(EVAL_STATUSES)}, "Status")]),
    "/flags": list_op("flags", "Flags raised by the daily job", "Flag", [
        query("person_id", ID, "For this person"),
        query("kind", {"type": "string", "enum": list(FLAG_KINDS)}, "Training or evaluation"),
        query("open", {"type": "boolean", "default": True}, "Open (true) or closed (false) flags")]),
}

