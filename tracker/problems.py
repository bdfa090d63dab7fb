"""One error format for the API: application/problem+json (RFC 9457) listing every problem.

Outside the api package: the app's own error pages answer with it too, for URLs under API_PREFIX that
match no route.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from models import db
from models.errors import ValidationFailed

API_PREFIX = "/api/v1"
PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid data",
    429: "Too many requests",
    500: "Server error",
}


class ApiProblem(Exception):
    """Raised inside API views; the blueprint turns it into a problem response."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def error(field: str | None, message: str, item: int | None = None) -> dict:
    """One entry of a problem's `errors` list."""
    return {"item": item, "field": field, "message": message}


def errors_from(failure: ValidationFailed, item: int | None = None) -> list[dict]:
    """A service's problems as `errors` entries (item = index in a batch, else null)."""
    return [error(field, message, item) for field, message in failure.problems]


def problem_response(status: int, detail: str, errors: list[dict] | None = None,
                     headers: dict | None = None):
    """A problem+json response."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, "errors": errors or []}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


def invalid(errors: list[dict], detail: str = "Nothing was saved: fix every listed problem and send again."):
    """Raise a 422 problem listing `errors`."""
    raise ApiProblem(422, detail, errors)


def http_problem(exc: HTTPException):
    """Werkzeug errors (404, 405, 413...) as problems, not HTML pages (the blueprint's and the app's)."""
    db.session.rollback()
    if isinstance(exc, MethodNotAllowed) and not _routed(request.path, exc.valid_methods or ()):
        # Werkzeug says 405 for an id no route takes (above MAX_ID) when another method has a route
        # there; no record has that id, whatever the method.
        return problem_response(404, "There is no such API resource.")
    headers = {"Allow": ", ".join(exc.valid_methods or ())} if isinstance(exc, MethodNotAllowed) else {}
    return problem_response(exc.code or 500, exc.description or "", headers=headers)


def _routed(path: str, methods) -> bool:
    """Whether one of `methods` reaches a real route at `path` (not the API's catch-all)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.no_such_route":
            return True
    return False
