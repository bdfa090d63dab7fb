"""Builders for the hand-written OpenAPI document: schema pieces, parameters, errors and operations."""

from __future__ import annotations

from tracker.api.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from tracker.inputs import MAX_ID

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
