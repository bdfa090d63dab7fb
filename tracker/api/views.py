"""The API blueprint: token auth, limits, the problem format for every error, and the OpenAPI document."""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, NotFound

from models import db
from tracker.api.auth import authenticate
from tracker.api.blueprint import bp
from tracker.api.limits import api_max_bytes, api_verdict
from tracker.api.openapi import document
from tracker.inputs import MAX_ID
from tracker.problems import ApiProblem, http_problem, problem_response

PUBLIC = ("api.openapi_document",)


@bp.before_request
def guard():
    """Size limit, then the token, then the token's rate limit."""
    length = request.content_length
    if length is not None and length > api_max_bytes():
        raise ApiProblem(413, f"Send at most {api_max_bytes()} bytes per request.")
    request.max_content_length = api_max_bytes()
    if request.endpoint in PUBLIC:
        return
    authenticate()
    if any(isinstance(v, int) and v > MAX_ID for v in (request.view_args or {}).values()):
        raise NotFound("There is no such record.")  # larger than any id the database can hold
    verdict = api_verdict(g.api_token.id)
    g.rate_headers = {"X-RateLimit-Limit": verdict.limit, "X-RateLimit-Remaining": verdict.remaining}
    if not verdict.allowed:
        raise ApiProblem(429, f"Too many requests for this token; try again in {verdict.retry_after} s.",
                         headers={"Retry-After": verdict.retry_after, **g.rate_headers})


@bp.after_request
def headers(response):
    """Rate-limit headers; no cookie is ever set by the API."""
    for name, value in g.get("rate_headers", {}).items():
        response.headers[name] = str(value)
    response.headers.pop("Set-Cookie", None)
    return response


@bp.errorhandler(ApiProblem)
def api_problem(problem: ApiProblem):
    """An ApiProblem raised by a view or hook."""
    db.session.rollback()
    return problem_response(problem.status, problem.detail, problem.errors, problem.headers)


# By code as well: the app's own per-code HTML handlers would otherwise win over a class handler.
bp.register_error_handler(HTTPException, http_problem)
for _code in (400, 403, 404, 405, 413, 415):
    bp.register_error_handler(_code, http_problem)


@bp.errorhandler(Exception)
def server_problem(exc: Exception):
    """Anything unexpected: logged, rolled back, answered as a 500 problem."""
    db.session.rollback()
    current_app.logger.exception("API error")
    return problem_response(500, "The error has been logged. Nothing was saved; try again.")


@bp.route("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API (public, so clients can be generated)."""
    return jsonify(document())


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def no_such_route(rest: str):
    """Unknown paths, and known paths with the wrong method, answer in the problem format too."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.no_such_route":
            allowed.append(method)
    if allowed:
        raise ApiProblem(405, f"Use {' or '.join(allowed)} here.", headers={"Allow": ", ".join(allowed)})
    raise NotFound("There is no such API resource.")

