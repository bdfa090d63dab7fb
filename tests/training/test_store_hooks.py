"""The store hooks: installed by the app factory (not by an import), refreshing once per transaction.

Writes only note what changed; the stored rows (and the flags) are recomputed once, just before the
commit, or earlier when the same transaction reads them. The suite's teardown checks (stores ==
engines, flags == engines) apply to every test here as well.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.notifications import Flag
from models.scoping import Scope
from models.services.stores import hooks as store_hooks
from models.services.stores import reads as store_reads
from models.stores import compliance_items
from models.training import Completion
from tests.conftest import ROOT, TODAY
from tests.training.factories import make_completion, overdue_sros

CHECK_INSTALL = """
from sqlalchemy.orm import Session
from models.services.stores import hooks as store_hooks
assert not store_hooks.installed(), "importing the module registered hooks"
from tracker import create_app
from config import TestConfig
create_app(TestConfig)
create_app(TestConfig)  # a second app: still one listener per event
assert store_hooks.installed()
for name, fn in store_hooks.HOOKS:
    assert list(getattr(Session().dispatch, name)).count(fn) == 1, name
print("ok")
"""


def test_importing_registers_nothing_and_create_app_installs_once():
    out = subprocess.run([sys.executable, "-c", CHECK_INSTALL], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                         env={"PATH": "", "TEST_DATABASE_URL": "sqlite://"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.fixture
def world(session):
    """Three overdue SROs at one school (a requirement due 30 days after a start 60 days ago)."""
    return overdue_sros(session, 3, TODAY)


def status(session, person) -> str | None:
    """The stored compliance status of the person's one requirement."""
    return session.scalar(select(compliance_items.c.status).where(compliance_items.c.person_id == person.id))


def open_flags(session, person) -> int:
    """The person's open training flags."""
    return len(session.scalars(select(Flag.id).where(Flag.person_id == person.id, Flag.kind == "training",
                                                     Flag.closed_on.is_(None))).all())


def test_app_session_keeps_the_stores_right_refreshing_once_per_transaction(session, world, monkeypatch):
    calls = []
    real = store_hooks.refresh_changes
    monkeypatch.setattr(store_hooks, "refresh_changes", lambda conn, c: (calls.append(c), real(conn, c)))
    assert store_hooks.installed()
    assert [open_flags(session, p) for p in world["people"]] == [1, 1, 1]
    for p in world["people"]:  # three flushes
        make_completion(session, p, world["course"], TODAY - timedelta(days=1))
    assert calls == [] and store_hooks.pending(session).people == {p.id for p in world["people"]}
    session.commit()
    assert len(calls) == 1
    assert [status(session, p) for p in world["people"]] == ["complete"] * 3
    assert [open_flags(session, p) for p in world["people"]] == [0, 0, 0]
    assert store_hooks.pending(session) is None


def test_reads_in_the_same_transaction_see_current_rows_and_flags(session, world):
    a, b, _ = world["people"]
    make_completion(session, a, world["course"], TODAY - timedelta(days=1))
    assert store_hooks.pending(session) is not None
    assert status(session, a) == "complete"  # the read refreshed first
    assert store_hooks.pending(session) is None
    assert open_flags(session, a) == 0
    # A change not yet flushed: the read autoflushes, then refreshes, as the statement would.
    session.add(Completion(person=b, course=world["course"], completed_on=TODAY - timedelta(days=2)))
    rows = session.execute(store_reads.compliance_source(session, Scope.everyone(TODAY),
                                                         person_ids=[b.id])).all()
    assert [r.status for r in rows] == ["complete"]
    assert open_flags(session, b) == 0
    session.commit()


def test_unrelated_reads_leave_the_refresh_for_the_commit(session, world, monkeypatch):
    calls = []
    real = store_hooks.refresh_changes
    monkeypatch.setattr(store_hooks, "refresh_changes", lambda conn, c: (calls.append(c), real(conn, c)))
    a = world["people"][0]
    make_completion(session, a, world["course"], TODAY - timedelta(days=1))
    session.scalar(select(type(a).id).where(type(a).id == a.id))  # people, not a stored table
    assert calls == []
    session.commit()
    assert len(calls) == 1


def test_rollback_forgets_the_noted_changes(session, world):
    a = world["people"][0]
    make_completion(session, a, world["course"], TODAY - timedelta(days=1))
    session.rollback()
    assert store_hooks.pending(session) is None
    assert status(session, a) == "overdue"


def test_a_rolled_back_savepoint_owes_its_refreshes_again(session, world):
    a, b, _ = world["people"]
    make_completion(session, a, world["course"], TODAY - timedelta(days=1))  # before the savepoint
    savepoint = session.begin_nested()
    make_completion(session, b, world["course"], TODAY - timedelta(days=1))
    assert status(session, a) == "complete"  # refreshed inside the savepoint
    savepoint.rollback()  # undoes b's completion and the refresh of a's rows
    assert store_hooks.pending(session).people >= {a.id}
    assert status(session, a) == "complete" and status(session, b) == "overdue"
    session.commit()
    assert open_flags(session, a) == 0 and open_flags(session, b) == 1
