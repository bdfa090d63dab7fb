"""Counted nouns in sentences a person reads: the one place for the singular/plural rule."""

from __future__ import annotations


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """'1 row', '2 rows', '1,200 rows': the count and the noun, singular only for exactly one.

    `plural` names an irregular or phrase plural ('1 row was skipped' / '2 rows were skipped');
    by default it is `singular` + "s".
    """
    word = singular if count == 1 else (plural if plural is not None else singular + "s")
    return f"{count:,} {word}"
