"""The OpenAPI 3 document for /api/v1, written by hand as a Python dict (the contract clients rely on)."""

from __future__ import annotations

from models.people import EMPLOYERS, PERSON_TYPES, ROLES
from tracker.api.pagination import DEFAULT_PER_PAGE, MAX_ID, MAX_PAGE, MAX_PER_PAGE

PROBLEM = "application/problem+json"
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": "string", "format": "date"}


def nullable(schema: dict) -> dict:
    """The schema, also allowing null."""
    return {**schema, "nullable": True}


def string(max_len: int, **extra) -> dict:
    """A string schema with a length cap."""
    return {"type": "string", "maxLength": max_len, **extra}


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: tuple[str, ...] = (), closed: bool = True) -> dict:
    """An object schema; closed objects allow no other properties."""
    schema = {"type": "object", "properties": properties, "required": list(required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


def page_of(item: str) -> dict:
    """A paginated list of `item`."""
    link = nullable({"type": "string", "format": "uri"})
    return obj({"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {"type": "integer", "minimum": 0}, "next": link, "prev": link},
               ("items", "page", "per_page", "total", "next", "prev"))


def problem(description: str) -> dict:
    """A response in the problem format."""
    return {"description": description, "content": {PROBLEM: {"schema": ref("Problem")}}}


def ok(schema: dict, description: str = "OK", status_headers: dict | None = None) -> dict:
    """A JSON success response."""
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if status_headers:
        response["headers"] = status_headers
    return response


def query(name: str, schema: dict, description: str) -> dict:
    """A query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path_id(name: str) -> dict:
    """An integer path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": ID}


PAGING = [query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number"),
          query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                             "default": DEFAULT_PER_PAGE}, "Items per page")]
COMMON_ERRORS = {"401": problem("No valid token"), "429": problem("Rate limit reached")}
READ_ERRORS = {"400": problem("Bad query parameters"), **COMMON_ERRORS}
WRITE_ERRORS = {"400": problem("Body is not JSON"), "403": problem("The token's role may not write this"),
                "413": problem("Body too large"), "415": problem("Body is not JSON"),
                "422": problem("Invalid data: every problem is listed"), **COMMON_ERRORS}


def list_op(tag: str, summary: str, item: str, params: list[dict]) -> dict:
    """A paginated list operation."""
    return {"get": {"tags": [tag], "summary": summary, "operationId": f"list{item}s",
                    "parameters": PAGING + params, "responses": {"200": ok(page_of(item)), **READ_ERRORS}}}


def get_op(tag: str, summary: str, item: str, param: str) -> dict:
    """A read-one operation."""
    return {"get": {"tags": [tag], "summary": summary, "operationId": f"get{item}",
                    "parameters": [path_id(param)],
                    "responses": {"200": ok(ref(item)), "404": problem("Missing or out of scope"),
                                  **COMMON_ERRORS}}}


def create_op(tag: str, summary: str, item: str, body: str) -> dict:
    """A create operation."""
    return {"post": {"tags": [tag], "summary": summary, "operationId": f"create{item}",
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": ref(body)}}},
                     "responses": {"201": ok(ref(item), "Created",
                                             {"Location": {"schema": {"type": "string"}}}),
                                   **WRITE_ERRORS}}}


SCHEMAS = {
    "Problem": obj({
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": obj({
            "item": nullable({"type": "integer", "minimum": 0}),
            "field": nullable({"type": "string"}),
            "message": {"type": "string"}}, ("item", "field", "message"))},
    }, ("type", "title", "status", "detail", "errors")),
    "Person": obj({
        "id": ID, "first_name": string(100), "last_name": string(100), "email": string(254),
        "phone": nullable(string(40)), "person_type": {"type": "string", "enum": list(PERSON_TYPES)},
        "employer": {"type": "string", "enum": list(EMPLOYERS)}, "agency_id": nullable(ID),
        "licence_number": nullable(string(50)),
    }, ("id", "first_name", "last_name", "email", "phone", "person_type", "employer", "agency_id",
        "licence_number")),
    "PersonInput": obj({
        "first_name": string(100, minLength=1), "last_name": string(100, minLength=1),
        "email": string(254, format="email"), "phone": nullable(string(40)),
        "person_type": {"type": "string", "enum": list(PERSON_TYPES)},
        "employer": {"type": "string", "enum": list(EMPLOYERS), "default": "district"},
        "agency_id": nullable(ID), "licence_number": nullable(string(50)),
    }, ("first_name", "last_name", "email", "person_type")),
    "Assignment": obj({
        "id": ID, "person_id": ID, "role": {"type": "string", "enum": list(ROLES)}, "start_date": DATE,
        "end_date": nullable(DATE), "notes": nullable({"type": "string"}),
        "school_ids": {"type": "array", "items": ID},
    }, ("id", "person_id", "role", "start_date", "end_date", "notes", "school_ids")),
    "AssignmentInput": obj({
        "person_id": ID, "role": {"type": "string", "enum": list(ROLES)}, "start_date": DATE,
        "end_date": nullable(DATE), "notes": nullable(string(2000)),
        "school_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 50},
        "placement_exception_reason": nullable(string(2000)),
    }, ("person_id", "role", "start_date", "school_ids")),
}

PATHS = {
    "/people": {
        **list_op("people", "People the token may see", "Person", [
            query("q", string(100), "Search in names and email"),
            query("school_id", ID, "Current or upcoming assignment at this school"),
            query("agency_id", ID, "Employed by this agency"),
            query("person_type", {"type": "string", "enum": list(PERSON_TYPES)}, "Person type"),
            query("employer", {"type": "string", "enum": list(EMPLOYERS)}, "Employer"),
        ]),
        **create_op("people", "Create a person (admin, HR)", "Person", "PersonInput"),
    },
    "/people/{person_id}": get_op("people", "One person", "Person", "person_id"),
    "/assignments": {
        **list_op("assignments", "Assignments of people the token may see", "Assignment", [
            query("person_id", ID, "Of this person"), query("school_id", ID, "At this school"),
            query("role", {"type": "string", "enum": list(ROLES)}, "In this role"),
            query("active_on", DATE, "Covering this date"),
        ]),
        **create_op("assignments", "Place a person at schools (admin, HR)", "Assignment",
                    "AssignmentInput"),
    },
    "/assignments/{assignment_id}": get_op("assignments", "One assignment", "Assignment",
                                           "assignment_id"),
}

def document() -> dict:
    """The whole OpenAPI document."""
    from tracker.api import openapi_training as training

    return {
        "openapi": "3.0.3",
        "info": {"title": "SECURe Tracker API", "version": "1.0.0",
                 "description": "People, assignments, training and evaluation status for district systems. "
                                "Every token acts with its user's role and scope."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {**PATHS, **training.PATHS},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **training.SCHEMAS},
        },
    }
