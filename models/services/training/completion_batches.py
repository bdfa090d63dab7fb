"""Batches of training completions from another system: all or nothing, and idempotent by external id.

A batch names its `source` (the sending system) and gives each completion that system's `external_id`.
Sending the same batch again creates nothing: an item whose (source, external_id) is already stored with
the same person, course and date is reported "unchanged". A batch with any problem writes nothing and
lists every problem with its item index and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from models.accounts import User
from models.errors import DomainError
from models.people import Person
from models.training import MAX_HOURS, Completion, Course

MAX_ITEMS = 500


class BatchInvalid(DomainError):
    """Problems in a batch, each as (item index, field, message)."""

    def __init__(self, problems: list[tuple[int | None, str | None, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _, _, m in problems))


@dataclass(frozen=True)
class ItemResult:
    """What happened to one item."""

    item: int
    external_id: str
    completion_id: int
    result: str  # created | unchanged


def _lookups(session: Session, items: list[dict], source: str, person_filter: ColumnElement):
    person_ids = {i["person_id"] for i in items if i.get("person_id")}
    visible = set(session.scalars(select(Person.id).where(Person.id.in_(person_ids), person_filter)))
    codes = {i["course_code"] for i in items if i.get("course_code")}
    courses = {c.code: c for c in session.scalars(select(Course).where(Course.code.in_(codes)))}
    ext_ids = {i["external_id"] for i in items if i.get("external_id")}
    by_external = {c.external_id: c for c in session.scalars(
        select(Completion).where(Completion.source == source, Completion.external_id.in_(ext_ids)))}
    by_key = {(c.person_id, c.course_id, c.completed_on): c for c in session.scalars(
        select(Completion).where(Completion.person_id.in_(visible),
                                 Completion.course_id.in_([c.id for c in courses.values()])))}
    return visible, courses, by_external, by_key


def _check_item(n: int, item: dict, today: date, visible, courses, seen_ext, seen_keys, problems):
    """Append the item's problems; return its (person, course, date) key when the item is usable."""
    before = len(problems)
    if not item.get("external_id"):
        problems.append((n, "external_id", "Give the sending system's id for this completion."))
    elif item["external_id"] in seen_ext:
        problems.append((n, "external_id", f"Item {seen_ext[item['external_id']]} has the same external id."))
    if item.get("person_id") and item["person_id"] not in visible:
        problems.append((n, "person_id", "There is no person with this id."))
    course = courses.get(item.get("course_code"))
    if item.get("course_code") and course is None:
        problems.append((n, "course_code", f"No course has the code {item['course_code']}."))
    done = item.get("completed_on")
    if done and done > today:
        problems.append((n, "completed_on", "The completion date is in the future."))
    hours = item.get("hours")
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        problems.append((n, "hours", f"Hours must be between 0 and {MAX_HOURS}."))
    if len(problems) > before or not (item.get("person_id") and course and done):
        return None
    key = (item["person_id"], course.id, done)
    if key in seen_keys:
        problems.append((n, "completed_on",
                         f"Item {seen_keys[key]} records the same course on the same day."))
        return None
    return key


def post_completions(session: Session, user: User, source: str, items: list[dict[str, Any]], today: date,
                     person_filter: ColumnElement, known_problems=()) -> list[ItemResult]:
    """Record a batch: every item is checked first; raises BatchInvalid listing all problems, else writes.

    Items carry external_id, person_id, course_code, completed_on (date), hours, certificate_number;
    `known_problems` are (item, field, message) found while parsing, reported together with these.
    """
    problems = list(known_problems)
    if len(items) > MAX_ITEMS:
        raise BatchInvalid([(None, "items", f"Send at most {MAX_ITEMS} completions per batch.")])
    visible, courses, by_external, by_key = _lookups(session, items, source, person_filter)
    seen_ext: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    plan: list[tuple[int, dict, Completion | None, tuple]] = []
    flagged = {p[0] for p in problems}
    for n, item in enumerate(items):
        key = _check_item(n, item, today, visible, courses, seen_ext, seen_keys, problems)
        if item.get("external_id"):
            seen_ext.setdefault(item["external_id"], n)
        if key is None or n in flagged:
            continue
        seen_keys[key] = n
        existing = by_external.get(item["external_id"])
        if existing is not None and (existing.person_id, existing.course_id, existing.completed_on) != key:
            problems.append((n, "external_id", "This external id was already used for a different "
                             "person, course or date."))
            continue
        same_day = by_key.get(key) if existing is None else None
        if same_day is not None and same_day.source == source and same_day.external_id:
            problems.append((n, "external_id", "This person's completion of this course on this day "
                             f"already has the external id {same_day.external_id}."))
            continue
        # Already recorded (by this id, or the same day through a form or import): nothing new to write.
        plan.append((n, item, existing or same_day, key))
    if problems:
        unique = {(p[0], p[1]): p for p in reversed(problems)}  # the first problem per item and field
        raise BatchInvalid(sorted(unique.values(), key=lambda p: (-1 if p[0] is None else p[0])))
    results = []
    for n, item, existing, (person_id, course_id, done) in plan:
        if existing is None:
            existing = Completion(person_id=person_id, course_id=course_id, completed_on=done,
                                  hours=item.get("hours"), certificate_number=item.get("certificate_number"),
                                  source=source, external_id=item["external_id"],
                                  recorded_by_user_id=user.id)
            session.add(existing)
            session.flush()
            results.append(ItemResult(n, item["external_id"], existing.id, "created"))
        else:
            results.append(ItemResult(n, item["external_id"], existing.id, "unchanged"))
    return results
