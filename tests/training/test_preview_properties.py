"""Property test: a requirement change's preview is what saving it does, by the engine and by the reference.

Random histories (tests/training/test_engine_properties.worlds) and a random change to one requirement:
the preview's counts equal those computed from the pure-Python reference before and after the change,
and equal the engine's rows after the change is saved. Runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.services.training import catalog
from models.services.training.compliance import compliance_rows, unmet_before_start
from models.training import Requirement
from tests.factories import make_school
from tests.training import reference
from tests.training.test_engine_properties import COURSES, PEOPLE, ROLES, _load, days, worlds


@st.composite
def changes(draw):
    """New values for a requirement, as the catalog form or the API sends them."""
    rule = draw(st.sampled_from(("before_start", "within_days", "fixed_date")))
    renewal = draw(st.one_of(st.none(), st.integers(1, 36)))
    return {"course_id": draw(st.sampled_from(COURSES)),
            "roles": draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True)),
            "due_rule": rule, "due_days": draw(st.integers(0, 400)) if rule == "within_days" else None,
            "fixed_due_date": draw(days) if rule == "fixed_date" else None,
            "renewal_months": renewal,
            "recert_window_days": draw(st.one_of(st.none(), st.integers(1, 90))) if renewal else None,
            "grandfather_date": draw(st.one_of(st.none(), st.none(), days)),
            "due_soon_days": draw(st.sampled_from((0, 14, 30, 90))),
            "preset": draw(st.sampled_from((None, None, "TX")))}


def _expected(before: dict, after: dict) -> catalog.Preview:
    """The preview's counts from two sets of rows person -> status (the definitions, restated)."""
    new = [p for p in after if p not in before and after[p] in catalog.OPEN]
    moves: dict[str, int] = {}
    for p in after.keys() & before.keys():
        if after[p] != before[p]:
            key = f"{before[p].replace('_', ' ')} to {after[p].replace('_', ' ')}"
            moves[key] = moves.get(key, 0) + 1
    return catalog.Preview(becomes_due=len(new), becomes_due_overdue=sum(after[p] in ("overdue", "expired")
                                                                          for p in new),
                           no_longer_required=len(before.keys() - after.keys()), status_changes=moves)


def _counts(preview: catalog.Preview) -> tuple:
    return (preview.becomes_due, preview.becomes_due_overdue, preview.no_longer_required,
            preview.status_changes)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), change=changes(), today=days)
def test_the_preview_is_what_saving_does(session, world, change, today):
    session.rollback()
    school = make_school(session)
    _load(session, world, school.id, school.district_id)
    req = session.get(Requirement, 1)
    preview = catalog.preview_requirement(session, req, change, today)

    # The reference, before and after the same change.
    changed = copy.deepcopy(world)
    changed.requirements[0] = {**changed.requirements[0], **{k: v for k, v in change.items() if k != "roles"},
                               "roles": set(change["roles"])}
    ref_before = {p: row["status"] for (p, r), row in reference.status_rows(world, today).items() if r == 1}
    ref_after = {p: row["status"] for (p, r), row in reference.status_rows(changed, today).items() if r == 1}
    assert _counts(preview) == _counts(_expected(ref_before, ref_after))

    # The engine after saving it.
    uncleared_before = set(unmet_before_start(session, today, "sro", list(PEOPLE)))
    catalog.save_requirement(session, req, change)
    session.flush()
    rows = {r.person_id: r.status for r in compliance_rows(session, today) if r.requirement_id == 1}
    assert rows == ref_after
    uncleared_after = set(unmet_before_start(session, today, "sro", list(PEOPLE)))
    sros = {p for _, p, role, _, end in world.assignments if role == "sro" and (end is None or end >= today)}
    assert preview.stops_cleared == len((uncleared_after - uncleared_before) & sros)
    assert preview.becomes_cleared == len((uncleared_before - uncleared_after) & sros)
    session.rollback()
