"""Checks for free text before it is stored: it fits its column and holds no hidden control characters."""

from __future__ import annotations

import re
from typing import Any

# NUL and the other C0/C1 controls (tab and line breaks aside), and the Unicode bidirectional
# overrides and isolates that make a name display as something else ("Trojan Source").
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Text with no column length of its own (notes, reasons, comments): long enough for any real note,
# short enough that a pasted file cannot fill the database or the page.
MAX_TEXT = 20_000


def column_limit(table, field: str) -> int | None:
    """The length `table`'s column `field` holds, or None (no such column, or unbounded)."""
    column = table.c.get(field) if table is not None else None
    return getattr(column.type, "length", None) if column is not None else None


def text_value_problems(label: str, value: str, limit: int | None) -> list[str]:
    """Sentences for a text value longer than `limit` (or MAX_TEXT) or holding a control character."""
    problems = []
    limit = limit or MAX_TEXT
    if len(value) > limit:
        problems.append(f"{label} is too long: at most {limit:,} characters (this one has {len(value):,}).")
    if UNSAFE.search(value):
        problems.append(f"{label} contains an invisible control character (such as a text-direction "
                        "override); type it again without it.")
    return problems


def text_problems(table, values: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """(field, sentence) for each text value longer than its column in `table` or with a control character."""
    return [(field, sentence) for field, value in values.items() if isinstance(value, str)
            for sentence in text_value_problems(labels.get(field, field.replace("_", " ").capitalize()),
                                                value, column_limit(table, field))]
