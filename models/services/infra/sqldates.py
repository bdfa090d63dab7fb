"""Date arithmetic that gives the same answer in SQLite, PostgreSQL and Python.

SQLite keeps dates as ISO text and its `date(d, '+1 month')` overflows (Jan 31 -> Mar 3);
PostgreSQL clamps to the month's end (Jan 31 -> Feb 28/29). We clamp everywhere, as PostgreSQL does.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import Date, Integer, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


def add_months_py(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the end of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_days_py(day: date, days: int) -> date:
    """`day` plus `days` days."""
    return day + timedelta(days=days)


class add_months(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """SQL: date plus a whole number of months, clamped to the month's end."""

    type = Date()
    inherit_cache = True
    name = "add_months"


class add_days(FunctionElement):  # noqa: N801
    """SQL: date plus a whole number of days."""

    type = Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_months)
def _add_months_default(element, compiler, **kw):
    day, months = list(element.clauses)
    d, m = compiler.process(day, **kw), compiler.process(months, **kw)
    return f"CAST(({d}) + ({m}) * INTERVAL '1 month' AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    day, months = list(element.clauses)
    d, m = compiler.process(day, **kw), compiler.process(months, **kw)
    # Same day-of-month in the target month, or that month's last day when it is shorter.
    same_day = (f"date({d}, 'start of month', '+' || ({m}) || ' months', "
                f"'+' || (CAST(strftime('%d', {d}) AS INTEGER) - 1) || ' days')")
    month_end = f"date({d}, 'start of month', '+' || (({m}) + 1) || ' months', '-1 day')"
    return f"min({same_day}, {month_end})"


@compiles(add_days)
def _add_days_default(element, compiler, **kw):
    day, days = list(element.clauses)
    return f"(CAST({compiler.process(day, **kw)} AS DATE) + ({compiler.process(days, **kw)}))"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    day, days = list(element.clauses)
    # "N days" with N signed: SQLite's modifier takes "-30 days" (a leading '+' would make "+-30").
    return f"date({compiler.process(day, **kw)}, ({compiler.process(days, **kw)}) || ' days')"


def as_int(expr) -> ColumnElement:
    """An integer-typed expression (keeps both dialects' concatenation and arithmetic happy)."""
    return cast(expr, Integer)


class make_date(FunctionElement):  # noqa: N801
    """A date from integer year, month and day expressions, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True


@compiles(make_date)
def _make_date_default(element, compiler, **kw):
    return f"make_date({compiler.process(element.clauses, **kw)})"


@compiles(make_date, "sqlite")
def _make_date_sqlite(element, compiler, **kw):
    return f"printf('%04d-%02d-%02d', {compiler.process(element.clauses, **kw)})"
