"""Property tests: the SQL engine agrees with the pure-Python reference on random histories.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (the same test, run twice).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from models.people import Assignment, Person, assignment_schools
from models.services.infra.sqldates import add_months_py
from models.services.training.compliance import compliance_rows
from models.training import (
    Completion,
    Course,
    DistrictPreset,
    Requirement,
    RequirementRole,
    Waiver,
    course_equivalents,
)
from tests.factories import make_school
from tests.training import reference

BASE = date(2024, 1, 31)
ROLES = ("sro", "principal", "teacher")
COURSES = (1, 2, 3)
PEOPLE = (1, 2)
days = st.integers(min_value=0, max_value=800).map(lambda n: BASE + timedelta(days=n))


@st.composite
def worlds(draw):
    """A random history: requirements, equivalents, assignments, completions, waivers."""
    w = reference.World()
    for rid in range(1, draw(st.integers(1, 3)) + 1):
        rule = draw(st.sampled_from(("before_start", "within_days", "fixed_date")))
        w.requirements.append({
            "id": rid, "course_id": draw(st.sampled_from(COURSES)),
            "roles": set(draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))),
            "due_rule": rule,
            "due_days": draw(st.integers(0, 400)) if rule == "within_days" else None,
            "fixed_due_date": draw(days) if rule == "fixed_date" else None,
            "renewal_months": draw(st.one_of(st.none(), st.integers(1, 36))),
            "grandfather_date": draw(st.one_of(st.none(), st.none(), st.none(), days)),
            "due_soon_days": draw(st.sampled_from((0, 14, 30, 90))),
            "recert_window_days": draw(st.one_of(st.none(), st.integers(1, 120))),
            "preset": draw(st.sampled_from((None, None, None, "TX"))),
        })
    if draw(st.booleans()):
        w.presets.add("TX")
    for course in COURSES:
        eq = set(draw(st.lists(st.sampled_from(COURSES), max_size=2))) - {course}
        if eq:
            w.equivalents[course] = eq
    for aid in range(1, draw(st.integers(1, 6)) + 1):
        start = draw(days)
        end = draw(st.one_of(st.none(), st.integers(0, 600).map(lambda n, s=start: s + timedelta(days=n))))
        w.assignments.append((aid, draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(ROLES)), start, end))
    seen = set()
    dates = draw(st.lists(days, min_size=1, max_size=4))  # few dates: same-day ties happen
    for cid in range(1, draw(st.integers(1, 8)) + 1):
        key = (draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(COURSES)),
               draw(st.one_of(st.sampled_from(dates), days)))
        if key not in seen:
            seen.add(key)
            w.completions.append((cid, *key))
    w.waivers = set(draw(st.lists(st.tuples(st.sampled_from(PEOPLE), st.integers(1, 3)), max_size=2)))
    w.waivers = {(p, r) for p, r in w.waivers if r <= len(w.requirements)}
    return w


def _boundaries(w: reference.World, exact: bool = False) -> list[date]:
    """Days where a status flips (expiries, due dates, window edges), give or take a day."""
    points = {BASE}
    windows = {r["due_soon_days"] for r in w.requirements}
    for k in range(0, 1000, 120):
        for row in reference.status_rows(w, BASE + timedelta(days=k)).values():
            for p in (row["due_date"], row["expires_on"]):
                if p:
                    points |= {p} if exact else {p} | {p - timedelta(days=n) for n in windows}
    if exact:
        return sorted(points)
    return sorted({p + timedelta(days=k) for p in points for k in (-1, 0, 1)})


def _load(session, w: reference.World, school_id: int, district_id: int) -> None:
    session.execute(insert(Course), [{"id": c, "code": f"C{c}", "title": f"Course {c}", "hours": 1}
                                     for c in COURSES])
    session.execute(insert(Person), [{"id": p, "first_name": "P", "last_name": str(p),
                                      "email": f"p{p}@x.org", "person_type": "teacher",
                                      "employer": "district"} for p in PEOPLE])
    if w.assignments:
        session.execute(insert(Assignment), [{"id": a, "person_id": p, "role": r, "start_date": s,
                                              "end_date": e} for a, p, r, s, e in w.assignments])
        session.execute(insert(assignment_schools), [{"assignment_id": a[0], "school_id": school_id}
                                                     for a in w.assignments])
    reqs = [{k: v for k, v in r.items() if k != "roles"} for r in w.requirements]
    session.execute(insert(Requirement), reqs)
    session.execute(insert(RequirementRole), [{"requirement_id": r["id"], "role": role}
                                              for r in w.requirements for role in r["roles"]])
    if w.presets:
        session.execute(insert(DistrictPreset), [{"district_id": district_id, "preset": p}
                                                 for p in w.presets])
    eq = [{"course_id": c, "equivalent_course_id": e} for c, es in w.equivalents.items() for e in es]
    if eq:
        session.execute(insert(course_equivalents), eq)
    if w.completions:
        session.execute(insert(Completion), [{"id": i, "person_id": p, "course_id": c,
                                              "completed_on": d, "source": "test"}
                                             for i, p, c, d in w.completions])
    if w.waivers:
        session.execute(insert(Waiver), [{"person_id": p, "requirement_id": r, "reason": "x",
                                          "granted_by_label": "t", "granted_on": BASE}
                                         for p, r in w.waivers])
    session.flush()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), data=st.data())
def test_engine_agrees_with_reference(session, world, data):
    today = data.draw(st.one_of(days, st.sampled_from(_boundaries(world)),
                                st.sampled_from(_boundaries(world, exact=True))), label="today")
    # Each example's rows are never committed: rolling back clears what a failed example left (deleting
    # them would not do, as the database refuses to delete completions).
    session.rollback()
    school = make_school(session)
    _load(session, world, school.id, school.district_id)
    expected = reference.status_rows(world, today)
    got = {(r.person_id, r.requirement_id): {
        "role": r.role, "due_date": r.due_date, "status": r.status,
        "completion_id": r.completion_id, "completed_on": r.completed_on, "expires_on": r.expires_on,
        "act_by": r.act_by, "renewal_opens": r.renewal_opens,
    } for r in compliance_rows(session, today)}
    assert got == expected
    session.rollback()


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       months=st.integers(0, 240))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_month_arithmetic_same_in_sql_and_python(session, day, months):
    from sqlalchemy import Date, literal, select

    from models.services.infra.sqldates import add_months

    sql = session.scalar(select(add_months(literal(day, Date), months)))
    assert sql == add_months_py(day, months) == reference.add_months(day, months)


def test_month_arithmetic_clamps_to_month_end(session):
    from sqlalchemy import Date, literal, select

    from models.services.infra.sqldates import add_months

    cases = {(date(2025, 1, 31), 1): date(2025, 2, 28), (date(2024, 1, 31), 1): date(2024, 2, 29),
             (date(2024, 2, 29), 12): date(2025, 2, 28), (date(2025, 8, 31), 1): date(2025, 9, 30),
             (date(2025, 12, 15), 1): date(2026, 1, 15)}
    for (day, n), want in cases.items():
        assert session.scalar(select(add_months(literal(day, Date), n))) == want
        assert add_months_py(day, n) == want
