"""Shared fixtures (flaskr style): app, client, runner, session, auth; a fresh database per test.

The database is SQLite in a per-test file unless TEST_DATABASE_URL names a PostgreSQL one;
`make test` runs the whole suite once each way. Either way the schema comes from the migrations,
so tests run against the database's own rules (the append-only triggers) and not just the models.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade

from config import TestConfig
from models import db
from models.services.stores import checks as store_checks
from models.services.stores import refresh as stores
from tests import pg_states
from tracker import ROOT, create_app

TODAY = date(2026, 10, 15)
PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATIONS = str(ROOT / "migrations")
_pg_schema_ready = False


def empty_database() -> None:
    """Drop every table, trigger and function, so the migrations can start from nothing."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def migrate_database() -> None:
    """Build the schema by running every migration (inside an app context)."""
    upgrade(directory=MIGRATIONS)
    db.session.remove()


def _fresh_postgres() -> None:
    """Empty every table (schema migrated once per run: much faster than rebuilding it per test)."""
    global _pg_schema_ready
    if not _pg_schema_ready:
        empty_database()
        migrate_database()
        pg_states.drop_saved_states()
        _pg_schema_ready = True
    # Each test must start empty, but the append-only triggers refuse to delete audit rows, completions
    # and final evaluations. Replica mode skips ordinary triggers (the foreign-key checks too, harmless
    # when every table is emptied) for this transaction only; setting it needs the superuser test login.
    # DELETE in dependency order, sent as one batch: far cheaper than TRUNCATE on mostly empty tables.
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL session_replication_role = replica; {deletes}")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file migrated once per run; each test gets a copy (copying beats migrating)."""
    if PG_URL:
        return None
    template = tmp_path_factory.mktemp("schema") / "migrated.db"
    app = create_app(make_config(template.parent, SQLALCHEMY_DATABASE_URI=f"sqlite:///{template}"))
    with app.app_context():
        migrate_database()
        db.engine.dispose()  # the last connection closing folds the write-ahead log into the file
    return template


def make_config(tmp_path, **overrides):
    """A TestConfig subclass bound to this test's database and folders."""
    attrs = {
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "FIXED_TODAY": TODAY,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        **overrides,
    }
    return type("PerTestConfig", (TestConfig,), attrs)


@pytest.fixture
def app_config(request) -> dict:
    """Settings a test module overrides for its app (say FIXED_TODAY); one test: @pytest.mark.app_config."""
    marker = request.node.get_closest_marker("app_config")
    return dict(marker.kwargs) if marker else {}


# Saved states of a test's database (and uploads): lineage -> Saved. A lineage is the
# app's settings then each world fixture built on top, so a state is reused only by a test that would
# have built exactly it; each test still gets its own copy to write to.
_SNAPSHOTS: dict[tuple, Saved] = {}
_snapshot_ids = itertools.count()


@dataclass(frozen=True)
class Saved:
    """A saved state: its folder, the fixture's value, the state's digest, and whether its checks passed.

    On SQLite the folder holds the database file; on PostgreSQL `pg` names the schema holding the
    saved rows, their counts and the sequences (tests/pg_states.py).
    """

    folder: Path
    value: object
    digest: str
    clean: bool
    pg: tuple | None = None


def _check_stores() -> tuple[dict, dict]:
    """Stored engine rows and open flags that differ from what the engines compute now."""
    db.session.remove()
    return store_checks.differences(db.session), store_checks.flag_differences(db.session)


class Snapshots:
    """A test's database and uploads, saved after each world fixture once per run, restored later.

    Building a world row by row (each flush refreshing the stores) costs far more than copying a file
    (SQLite) or the saved rows (PostgreSQL). A saved state is restored only if the test's database and
    files still hold the previous saved state exactly (same bytes, same rows): anything a fixture wrote
    outside a snapshot makes the rest of the test build as usual.
    """

    def __init__(self, root: Path, db_file: Path, uploads: Path, lineage: tuple | None) -> None:
        self.root, self.db_file, self.uploads = root, db_file, uploads
        self.lineage = lineage
        self.saved: Saved | None = None  # the state the files were last left in by a snapshot

    def __call__(self, build, *args):
        """build(*args) on first use for this lineage (then saved); later, the saved state and value."""
        if self.lineage is None:
            return build(*args)
        if not self.unchanged():
            self.lineage = None  # written outside a snapshot: this test's later states are its own
            return build(*args)
        return self.step(f"{build.__module__}.{build.__qualname__}", build, *args)

    def step(self, name: str, build, *args):
        """Restore the state saved as `name` after the current lineage, or build and save it."""
        key = (*self.lineage, name)
        saved = _SNAPSHOTS.get(key)
        if saved:
            self._close()
            if saved.pg:
                pg_states.restore(*saved.pg)
            else:
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.db_file}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(saved.folder / "test.db", self.db_file)
            shutil.rmtree(self.uploads, ignore_errors=True)
            if (saved.folder / "uploads").exists():
                shutil.copytree(saved.folder / "uploads", self.uploads)
            self.lineage, self.saved = key, saved
            return copy.deepcopy(saved.value)
        value = build(*args)
        digest = self._current_digest()
        if not PG_URL and Path(f"{self.db_file}-wal").exists():  # a connection is still open
            self.lineage = None
            return value
        folder = self.root / f"snapshot-{next(_snapshot_ids)}"
        folder.mkdir()
        pg = pg_states.save() if PG_URL else shutil.copyfile(self.db_file, folder / "test.db") and None
        if self.uploads.exists():
            shutil.copytree(self.uploads, folder / "uploads")
        differences, stale_flags = _check_stores()
        clean = not any(differences.values()) and not any(stale_flags.values())
        self._close()
        self.saved = _SNAPSHOTS[key] = Saved(folder, copy.deepcopy(value), digest, clean, pg)
        self.lineage = key
        return value

    def unchanged(self) -> bool:
        """Whether the files still hold, byte for byte, the state the last snapshot left them in."""
        return self.saved is not None and self._current_digest() == self.saved.digest

    def _close(self) -> None:
        """End the session; on SQLite close every connection, so the write-ahead log is folded in."""
        db.session.remove()
        if not PG_URL:
            db.engine.dispose()

    def _current_digest(self) -> str:
        """Hash of the database (file or rows) and every upload, read with no session open."""
        self._close()
        data = pg_states.fingerprint().encode() if PG_URL else self.db_file.read_bytes()
        digest = hashlib.sha1(data)  # noqa: S324 - a change check, not security
        if self.uploads.exists():
            for path in sorted(p for p in self.uploads.rglob("*") if p.is_file()):
                digest.update(str(path.relative_to(self.uploads)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


_COMPILED: dict[tuple, tuple] = {}  # kind of engine -> (dialect, compiled-statement cache)


def share_compiled_sql(engine, options: dict) -> None:
    """Let this test's engine reuse the SQL earlier tests' engines compiled (same server and options)."""
    # SQLAlchemy caches compiled statements per engine, keyed by the engine's dialect object, and every
    # test builds a new engine: without this each test recompiles the engines' large queries (most of
    # a teardown's checks). A dialect holds no per-engine state beyond its driver, options and server.
    kind = (engine.url.drivername, engine.url.host, engine.url.port, repr(sorted(options.items())))
    if kind not in _COMPILED:
        _COMPILED[kind] = (engine.dialect, engine._compiled_cache)
        return
    engine.dialect, engine._compiled_cache = _COMPILED[kind]
    engine.pool._dialect = engine.dialect


def _fresh_stores(migrated_sqlite: Path | None, db_file: Path, today: date) -> None:
    """The migrated, empty schema with the stored engine rows current for the pinned day."""
    if migrated_sqlite:
        shutil.copyfile(migrated_sqlite, db_file)
    else:
        _fresh_postgres()
    # The stored engine rows, current for the pinned day: pages read them, and every write the
    # test makes must keep them equal to what the engines compute (checked after the test).
    stores.refresh_all(db.session, today)
    db.session.commit()


@pytest.fixture(scope="session")
def snapshot_root(tmp_path_factory):
    """Where the saved database states of this run live."""
    return tmp_path_factory.mktemp("snapshots")


@pytest.fixture
def app(tmp_path, snapshot_root, migrated_sqlite, app_config):
    """A new app on an empty, migrated database."""
    app = create_app(make_config(tmp_path, **app_config))
    today = app.config["FIXED_TODAY"]
    snapshots = Snapshots(snapshot_root, tmp_path / "test.db", Path(app.config["UPLOAD_DIR"]),
                          (repr(sorted(app_config.items())),))
    app.extensions["tests.snapshots"] = snapshots
    with app.app_context():
        share_compiled_sql(db.engine, app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        snapshots.step("fresh", _fresh_stores, migrated_sqlite, snapshots.db_file, today)
    yield app
    with app.app_context():
        if snapshots.lineage is not None and snapshots.unchanged() and snapshots.saved.clean:
            # The same bytes as a saved state whose checks passed: the checks would pass again.
            differences, stale_flags = {}, {}
        else:
            differences, stale_flags = _check_stores()
        db.session.remove()
        db.engine.dispose()
    assert not any(differences.values()), f"stored engine rows out of date: {differences}"
    # No page may show a flag the engines no longer report (nor miss one they do).
    assert not any(stale_flags.values()), f"flags differ from the engines: {stale_flags}"


@pytest.fixture
def client(app):
    """Test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def snapshot(app):
    """Call as snapshot(build, *args) in a world fixture: built once per run on SQLite, then copied."""
    return app.extensions["tests.snapshots"]


@pytest.fixture
def session(app):
    """The database session, inside an app context for this test only."""
    with app.app_context():
        yield db.session


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and read its CSRF token, as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def fresh_client(app):
    """A client as a new browser would be; the test's app context outlives requests, so empty `g` too.

    Flask-Login keeps the signed-in user in `g`, which lives as long as the test's app context.
    """
    from flask import g

    for name in list(vars(g)):
        g.pop(name)
    return app.test_client()


class AuthActions:
    """Log in and out through the real form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        """POST the login form with a valid CSRF token."""
        token = csrf_token(self._client)
        data = {"email": email, "password": password, "csrf_token": token, **extra}
        return self._client.post("/login", data=data)

    def logout(self):
        """POST the logout form."""
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    """Login helper bound to the client."""
    return AuthActions(client)


def post_form(client, path: str, data: dict, **kwargs):
    """POST `data` to `path` with the CSRF token from the form page."""
    token = csrf_token(client, kwargs.pop("token_from", path))
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


CHROMIUM = "/usr/bin/chromium"
# Flags from the machine notes: no background traffic on a network that has none.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run, shared by every folder that drives a browser.

    Defined once here: a second sync_playwright() started while the first is open fails
    ("Sync API inside the asyncio loop"), which two folders importing the fixture would do.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
