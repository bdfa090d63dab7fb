"""Error pages a person can understand, for every status the app returns."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from models import db
from tracker.problems import API_PREFIX, http_problem

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is no such page, or you do not have access to it."),
    405: ("Not allowed", "This page cannot be used that way. Go back and use its links and buttons."),
    413: ("File too large", "The upload is larger than this site accepts."),
    500: ("Something went wrong", "The error has been logged. Nothing was saved; try again."),
}


def _render(status: int, detail: str | None = None):
    title, message = MESSAGES[status]
    return render_template("errors/error.html", status=status, title=title,
                           message=detail or message), status


def _under_api() -> bool:
    """Whether the request is for the API, matched to a route or not (then no blueprint handles it)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _page_or_problem(error, status: int):
    # A URL under /api/v1 that matches no route (an id too large for the route, a typo) is still
    # an API call: its client reads problem+json, never an HTML page.
    if _under_api():
        return http_problem(error)
    return _render(status)


def init_app(app: Flask) -> None:
    """Register a handler per status."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, "The form had expired or was missing its security token. "
                            "Reload the page and submit it again.")

    for status in (403, 404, 405, 413):
        app.register_error_handler(status, lambda e, s=status: _page_or_problem(e, s))

    @app.errorhandler(400)
    def bad_request(error):
        # A view's own explanation (abort(400, description=...)) is shown; werkzeug's stock text is not.
        own = getattr(error, "description", None)
        return _render(400, own if own and own != type(error).description else None)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500)
