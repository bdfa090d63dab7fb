"""An obviously correct, slow, pure-Python statement of the compliance rules (see the engine's docstring)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """Same day `months` later, or the last day of that month if it is shorter."""
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class World:
    """Everything the rules read."""

    assignments: list[tuple] = field(default_factory=list)  # (id, person_id, role, start, end)
    requirements: list[dict] = field(default_factory=list)
    presets: set[str] = field(default_factory=set)
    equivalents: dict[int, set[int]] = field(default_factory=dict)
    completions: list[tuple] = field(default_factory=list)  # (id, person_id, course_id, completed_on)
    waivers: set[tuple[int, int]] = field(default_factory=set)  # (person_id, requirement_id)


def status_rows(world: World, today: date) -> dict[tuple[int, int], dict]:
    """(person_id, requirement_id) -> row with role, due_date, status, completion, expiry."""
    out = {}
    for req in world.requirements:
        if req["preset"] is not None and req["preset"] not in world.presets:
            continue
        relevant: dict[int, tuple] = {}
        for _aid, pid, role, start, end in sorted(world.assignments, key=lambda a: (a[3], a[0])):
            if role in req["roles"] and (end is None or end >= today) and pid not in relevant:
                relevant[pid] = (role, start)
        for pid, (role, start) in relevant.items():
            if req["grandfather_date"] and start < req["grandfather_date"]:
                continue
            if req["due_rule"] == "before_start":
                due = start
            elif req["due_rule"] == "within_days":
                due = start + timedelta(days=req["due_days"])
            else:
                due = req["fixed_due_date"]
            courses = {req["course_id"]} | world.equivalents.get(req["course_id"], set())
            done = [c for c in world.completions
                    if c[1] == pid and c[2] in courses and c[3] <= today]
            latest = max(done, key=lambda c: (c[3], c[0])) if done else None
            expires = (add_months(latest[3], req["renewal_months"])
                       if latest and req["renewal_months"] else None)
            window_end = today + timedelta(days=req["due_soon_days"])
            valid = latest is not None and (expires is None or expires >= today)
            if (pid, req["id"]) in world.waivers:
                status = "waived"
            elif valid and (expires is None or expires > window_end):
                status = "complete"
            elif valid:
                status = "due_soon"
            elif today <= due <= window_end:
                status = "due_soon"
            elif latest is not None:
                status = "expired"
            elif due < today:
                status = "overdue"
            else:
                status = "not_yet_due"
            out[(pid, req["id"])] = {
                "role": role, "due_date": due, "status": status,
                "completion_id": latest[0] if latest else None,
                "completed_on": latest[3] if latest else None, "expires_on": expires,
                # what the person must act by: the renewal's expiry once completed, else the due date
                "act_by": expires if latest is not None and expires is not None else due,
                "renewal_opens": (expires - timedelta(days=req["recert_window_days"])
                                  if expires is not None and req.get("recert_window_days") else None),
            }
    return out
