"""Query-string parsing and paginated list responses for the API."""

from __future__ import annotations

from datetime import date

from flask import request, url_for
from sqlalchemy import Select, func, select

from models import db
from tracker.inputs import MAX_ID
from tracker.problems import ApiProblem, error

MAX_PAGE = 100_000
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def parse_date(raw) -> date | None:
    """A strict YYYY-MM-DD date, or None."""
    if not isinstance(raw, str) or len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


class QueryArgs:
    """Reads query parameters, collecting every problem before answering 400."""

    def __init__(self):
        self.errors: list[dict] = []

    def integer(self, name: str, default: int | None = None, lo: int = 1, hi: int = MAX_ID) -> int | None:
        """An integer parameter within [lo, hi]."""
        raw = request.args.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            self.errors.append(error(name, f"{name} must be a whole number."))
            return default
        if not lo <= value <= hi:
            self.errors.append(error(name, f"{name} must be between {lo} and {hi}."))
            return default
        return value

    def choice(self, name: str, choices) -> str | None:
        """A parameter limited to `choices`."""
        raw = request.args.get(name)
        if raw in (None, ""):
            return None
        if raw not in choices:
            self.errors.append(error(name, f"{name} must be one of: {', '.join(choices)}."))
            return None
        return raw

    def text(self, name: str, max_len: int = 100) -> str:
        """A free-text parameter (search)."""
        raw = request.args.get(name) or ""
        if len(raw) > max_len or "\x00" in raw:
            self.errors.append(error(name, f"{name} must be at most {max_len} plain characters."))
            return ""
        return raw.strip()

    def day(self, name: str) -> date | None:
        """A YYYY-MM-DD date parameter."""
        raw = request.args.get(name)
        if raw in (None, ""):
            return None
        value = parse_date(raw)
        if value is None:
            self.errors.append(error(name, f"{name} must be a date written YYYY-MM-DD."))
        return value

    def boolean(self, name: str) -> bool | None:
        """A true/false parameter."""
        raw = request.args.get(name)
        if raw in (None, ""):
            return None
        if raw not in ("true", "false"):
            self.errors.append(error(name, f"{name} must be true or false."))
            return None
        return raw == "true"

    def page(self) -> tuple[int, int]:
        """The page number and page size."""
        return (self.integer("page", 1, 1, MAX_PAGE),
                self.integer("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))

    def check(self) -> None:
        """Answer 400 listing every bad parameter, if any."""
        if self.errors:
            raise ApiProblem(400, "Some query parameters are not valid.", self.errors)


def _link(page: int) -> str:
    args = {k: v for k, v in request.args.items() if k != "page"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, page=page, _external=True)


def paginate(stmt: Select, page: int, per_page: int, serialize, scalars: bool = True) -> dict:
    """One page of `stmt` (already ordered) as {items, page, per_page, total, next, prev}."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(window).all() if scalars else db.session.execute(window).all()
    return {
        "items": [serialize(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": _link(page + 1) if page * per_page < total else None,
        "prev": _link(page - 1) if page > 1 else None,
    }
