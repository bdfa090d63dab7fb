"""Numbers from the address bar that no database id can hold never reach a query.

A route's `<int:...>` accepts at most 2**63 - 1 (a larger id names no row: 404), and `type=int` query
and form values outside that range read as absent, so SQLite's "too large to convert" and
PostgreSQL's "out of range for bigint" cannot turn a typed URL into a 500.
"""

from __future__ import annotations

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:...>`: a non-negative integer no larger than a database id can be."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedArgs(ImmutableMultiDict):
    """Query and form values: `get(..., type=int)` gives the default for a number out of range."""

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's signature
        """The value as MultiDict.get gives it, with out-of-range integers read as absent."""
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            return default
        return value


class BoundedRequest(Request):
    """The app's request: query and form values in BoundedArgs."""

    parameter_storage_class = BoundedArgs


def init_app(app: Flask) -> None:
    """Bound every route's integers and every `type=int` read (before any blueprint adds a rule)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = BoundedRequest
