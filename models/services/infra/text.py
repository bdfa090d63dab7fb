"""Checks for free text before it is stored: it fits its column and holds no hidden control characters."""

from __future__ import annotations

import re
from typing import Any

# NUL and the other C0/C1 controls (tab and line breaks aside), and the Unicode bidirectional
# overrides and isolates that make a name display as something else ("Trojan Source").
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_problems(table, values: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """(field, sentence) for each text value longer than its column in `table` or with a control character."""
    problems = []
    for field, value in values.items():
        if not isinstance(value, str):
            continue
        label = labels.get(field, field.replace("_", " ").capitalize())
        column = table.c.get(field)
        limit = getattr(column.type, "length", None) if column is not None else None
        if limit and len(value) > limit:
            problems.append((field, f"{label} is too long: at most {limit} characters (this one has "
                                    f"{len(value):,})."))
        if UNSAFE.search(value):
            problems.append((field, f"{label} contains an invisible control character (such as a "
                                    "text-direction override); type it again without it."))
    return problems
