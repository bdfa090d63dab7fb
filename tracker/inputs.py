"""Numbers from the address bar that no database id can hold never reach a query.

Ids are Integer columns, which PostgreSQL holds in 4 bytes: the one bound, MAX_ID, is 2**31 - 1. A
route's `<int:...>` accepts at most that (a larger id names no row: 404), `type=int` query and form
values outside it read as absent, and the API and every form (tracker/forms.CheckedForm) refuse
larger numbers with a sentence, so "too large to convert" and "out of range for integer" cannot turn
a typed URL or a form into a 500.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

MAX_ID = 2**31 - 1


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

    @cached_property
    def args(self) -> BoundedArgs:
        """The query values without NUL: no filter or search means one, and PostgreSQL refuses it."""
        pairs = parse_qsl(self.query_string.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        return self.parameter_storage_class((k.replace("\0", ""), v.replace("\0", "")) for k, v in pairs)


def init_app(app: Flask) -> None:
    """Bound every route's integers and every `type=int` read (before any blueprint adds a rule)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = BoundedRequest
