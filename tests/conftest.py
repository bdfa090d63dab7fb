"""Shared fixtures (flaskr style): app, client, runner, session, auth; a fresh database per test.

The database is SQLite in a per-test file unless TEST_DATABASE_URL names a PostgreSQL one;
`make test` runs the whole suite once each way. Either way the schema comes from the migrations,
so tests run against the database's own rules (the append-only triggers) and not just the models.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date

import pytest
from flask_migrate import upgrade

from config import TestConfig
from models import db
from models.services import store_checks, stores
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


@pytest.fixture
def app(tmp_path, migrated_sqlite, app_config):
    """A new app on an empty, migrated database."""
    if migrated_sqlite:
        shutil.copyfile(migrated_sqlite, tmp_path / "test.db")
    app = create_app(make_config(tmp_path, **app_config))
    with app.app_context():
        if PG_URL:
            _fresh_postgres()
        # The stored engine rows, current for the pinned day: pages read them, and every write the
        # test makes must keep them equal to what the engines compute (checked after the test).
        stores.refresh_all(db.session, app.config["FIXED_TODAY"])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        differences = store_checks.differences(db.session)
        stale_flags = store_checks.flag_differences(db.session)
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
