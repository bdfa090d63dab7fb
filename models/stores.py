"""Stored engine results: the compliance and evaluation-due rows of every person, as of one day.

The engines (models/services/compliance.py, evaluation_due.py) compute these rows with one
set-based query; at statewide scale that takes seconds, too slow for every page view. These tables
hold their output for the day in `store_states.as_of`; models/services/stores.py refreshes them
in full once a day and per person or requirement inside the transaction of every write that
changes an input, and reads them only when they are current for the requested day.
They hold no foreign keys: they are a cache, rebuilt from the source tables at any time.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, String, Table

from models.base import Base

compliance_items = Table(
    "compliance_items",
    Base.metadata,
    Column("person_id", Integer, primary_key=True),
    Column("requirement_id", Integer, primary_key=True),
    Column("course_id", Integer, nullable=False),
    Column("role", String(40), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("due_date", Date),
    Column("status", String(20), nullable=False),
    Column("completion_id", Integer),
    Column("completed_on", Date),
    Column("expires_on", Date),
    Column("waiver_id", Integer),
    Index("ix_compliance_items_requirement_id", "requirement_id"),
    Index("ix_compliance_items_course_id", "course_id"),
)

# Per person, derived from compliance_items: rows per status and valid completions expiring within
# 30/60/90 days of as_of. Dashboards for hundreds of schools sum these instead of scanning the rows.
compliance_people = Table(
    "compliance_people",
    Base.metadata,
    Column("person_id", Integer, primary_key=True),
    *[Column(name, Integer, nullable=False) for name in (
        "total", "complete", "due_soon", "overdue", "expired", "waived", "not_yet_due",
        "expiring_30", "expiring_60", "expiring_90")],
)

evaluation_due_items = Table(
    "evaluation_due_items",
    Base.metadata,
    Column("person_id", Integer, primary_key=True),
    Column("assignment_id", Integer, primary_key=True),
    Column("cycle", String(20), primary_key=True),
    Column("audience", String(20), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("evaluation_id", Integer),
)


# Which day each store's rows are computed for; no row (or NULL): not built, pages use the engine.
store_states = Table(
    "store_states",
    Base.metadata,
    Column("name", String(40), primary_key=True),
    Column("as_of", Date),
    Column("refreshed_at", DateTime(timezone=True)),
)
