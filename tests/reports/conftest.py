"""A small reporting world on top of the foundation world: training, hiring and flags, hand-countable.

Training (TODAY 2026-10-15, every assignment started 2025-09-01):
- BASIC (SROs, within 365 days, once): Sam (school A) completed -> complete; Olga (school B) -> overdue.
- PBIS (teachers, within 60 days, every 12 months): Alice (A) done 2025-11-01 -> expires 2026-11-01,
  due soon; Bob (B) done 2025-05-01 -> expired 2026-05-01.
Hiring: an open vacancy at A (2 applied, 1 interviewed, 1 appointed); a filled one at B (1 not selected).
Flags follow the engines: Alice's PBIS (due soon), Bob's PBIS (expired), Olga's BASIC (overdue), and
everyone's first review and 2025-2026 evaluation (overdue).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from models.hiring import Candidate, Vacancy
from models.org import School
from models.people import Person
from tests.foundation.conftest import world  # noqa: F401 - fixture
from tests.training.factories import make_completion, make_course, make_requirement


def build_rw(session, world):  # noqa: F811
    """The foundation world plus training, hiring and flags (see the module docstring)."""
    basic = make_course(session, "BASIC", hours=40)
    pbis = make_course(session, "PBIS", hours=3)
    make_requirement(session, basic, roles=("sro",), due_days=365)
    make_requirement(session, pbis, roles=("teacher",), due_days=60, renewal_months=12)
    sam, alice, bob = (session.get(Person, i) for i in (world.sro, world.teacher_a, world.teacher_b))
    make_completion(session, sam, basic, date(2026, 1, 10))
    make_completion(session, alice, pbis, date(2025, 11, 1))
    make_completion(session, bob, pbis, date(2025, 5, 1))
    a, b = session.get(School, world.school_a), session.get(School, world.school_b)
    open_v = Vacancy(title="SRO, Adams High", role="sro", opened_on=date(2026, 8, 1), status="open",
                     schools=[a])
    filled = Vacancy(title="Teacher, Burr", role="teacher", opened_on=date(2026, 3, 1), status="filled",
                     schools=[b])
    for i, stage in enumerate(["applied", "applied", "interviewed", "appointed"]):
        open_v.candidates.append(Candidate(first_name="Cand", last_name=f"A{i}", email=f"a{i}@x.org",
                                           stage=stage))
    filled.candidates.append(Candidate(first_name="Cand", last_name="B", email="b@x.org",
                                       stage="not_selected"))
    session.add_all([open_v, filled])
    session.commit()
    return SimpleNamespace(**vars(world), basic=basic.id, pbis=pbis.id)


@pytest.fixture
def rw(world, session, snapshot):  # noqa: F811
    """The reporting world above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_rw, session, world)
