"""Checking JSON request bodies against a field spec, listing every problem (types, lengths, unknowns)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request

from tracker.api.pagination import parse_date
from tracker.inputs import MAX_ID
from tracker.problems import ApiProblem, error


@dataclass(frozen=True)
class Kind:
    """What one JSON field may hold."""

    type: str  # text, int, whole, number, date, bool, int_list, text_list
    max_len: int = 0
    required: bool = False
    choices: tuple[str, ...] = ()


def text(max_len: int, required: bool = False, choices: tuple[str, ...] = ()) -> Kind:
    """A string field."""
    return Kind("text", max_len, required, choices)


def _plain_text(value: str) -> bool:
    """No NUL (PostgreSQL refuses it) and nothing that cannot be written as UTF-8."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(name: str, kind: Kind, value, item):
    """(clean value, problem or None) for one field."""
    if kind.type == "text":
        if not isinstance(value, str) or not _plain_text(value):
            return None, error(name, f"{name} must be text.", item)
        if len(value) > kind.max_len:
            return None, error(name, f"{name} must be at most {kind.max_len} characters.", item)
        if kind.choices and value not in kind.choices:
            return None, error(name, f"{name} must be one of: {', '.join(kind.choices)}.", item)
        return value, None
    if kind.type == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            return None, error(name, f"{name} must be a positive whole number (an id).", item)
        return value, None
    if kind.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10000:
            return None, error(name, f"{name} must be a number between 0 and 10000.", item)
        return float(value), None
    if kind.type == "date":
        day = parse_date(value)
        if day is None:
            return None, error(name, f"{name} must be a date written YYYY-MM-DD.", item)
        return day, None
    if kind.type == "bool":
        if not isinstance(value, bool):
            return None, error(name, f"{name} must be true or false.", item)
        return value, None
    if kind.type == "whole":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
            return None, error(name, f"{name} must be a whole number, 0 or more.", item)
        return value, None
    if kind.type == "text_list":
        ok = isinstance(value, list) and 0 < len(value) <= 50 and all(
            isinstance(v, str) and v in kind.choices for v in value)
        return (value, None) if ok else (None, error(
            name, f"{name} must be a non-empty list of: {', '.join(kind.choices)}.", item))
    if kind.type == "int_list":
        ok = isinstance(value, list) and len(value) <= 50 and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in value)
        return (value, None) if ok else (None, error(name, f"{name} must be a list of ids.", item))
    raise ValueError(kind.type)


def check_object(spec: dict[str, Kind], body, item: int | None = None) -> tuple[dict, list[dict]]:
    """Clean `body` by `spec`: (values for every spec field, problems). Missing optional fields are None."""
    if not isinstance(body, dict):
        return {}, [error(None, "Each item must be a JSON object.", item)]
    problems = [error(name, f"{name} is not a field of this resource.", item)
                for name in body if name not in spec]
    clean: dict = {}
    for name, kind in spec.items():
        value = body.get(name)
        if value is None:
            if kind.required:
                problems.append(error(name, f"{name} is required.", item))
            clean[name] = None
            continue
        clean[name], problem = _check(name, kind, value, item)
        if problem:
            problems.append(problem)
    return clean, problems


MAX_JSON_DEPTH = 32
# Strings are removed first, so brackets inside them are not counted.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def json_body():
    """The request's JSON document, or a 400/415 problem."""
    if not request.is_json:
        raise ApiProblem(415, "Send the body as JSON with Content-Type: application/json.")
    # Checked before parsing: Python's parser recurses, and a deep enough document is a RecursionError.
    if json_depth(request.get_data(as_text=True)) > MAX_JSON_DEPTH:
        raise ApiProblem(400, f"The body nests deeper than {MAX_JSON_DEPTH} levels; "
                              "no record has that shape.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiProblem(400, "The body is not valid JSON.")
    return body


def merge(type_problems: list[dict], service_problems: list[dict]) -> list[dict]:
    """Type problems first; a service's problem about a field already reported is left out."""
    seen = {(p["item"], p["field"]) for p in type_problems}
    return type_problems + [p for p in service_problems if (p["item"], p["field"]) not in seen]
