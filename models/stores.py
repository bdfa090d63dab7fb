"""Stored engine results: the compliance and evaluation-due rows of every person, as of one day.

The engines (models/services/training/compliance.py, evaluation_due.py) compute these rows with one
set-based query; at statewide scale that takes seconds, too slow for every page view. These tables
hold their output for the day in `store_states.as_of`; models/services/stores/refresh.py refreshes them
in full once a day and per person or requirement inside the transaction of every write that
changes an input, and reads them only when they are current for the requested day.
They hold no foreign keys: they are a cache, rebuilt from the source tables at any time.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Index, Integer, String, Table

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

# Per person and calendar year: completions on or before as_of and their hours (recorded, else the
# course's), for the training-hours report.
training_hours = Table(
    "training_hours",
    Base.metadata,
    Column("person_id", Integer, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("courses", Integer, nullable=False),
    Column("hours", Float, nullable=False),
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
    Index("ix_evaluation_due_items_assignment_id", "assignment_id"),
)


# Every assignment's schools with its person and end date: the people a principal sees, in one
# index range (assignments joined to assignment_schools cost a lookup per person). Not tied to a
# day, so always complete: kept by the same flush hook and rebuilt by refresh-stores as well.
school_people = Table(
    "school_people",
    Base.metadata,
    Column("school_id", Integer, primary_key=True),
    Column("person_id", Integer, primary_key=True),
    Column("assignment_id", Integer, primary_key=True),
    Column("end_date", Date),
    Index("ix_school_people_assignment_id", "assignment_id"),
    Index("ix_school_people_person_id", "person_id"),
    sqlite_with_rowid=False,
)

# Which day each store's rows are computed for; no row (or NULL): not built, pages use the engine.
store_states = Table(
    "store_states",
    Base.metadata,
    Column("name", String(40), primary_key=True),
    Column("as_of", Date),
    Column("refreshed_at", DateTime(timezone=True)),
)
