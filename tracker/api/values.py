"""How API responses write values the resource modules share (dates as YYYY-MM-DD)."""

from __future__ import annotations

from datetime import date


def iso(value) -> str | None:
    """A date (or SQLite's ISO text for one) as YYYY-MM-DD."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]
