"""Migrations build the schema on an empty database, match the models exactly, and add the triggers."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from sqlalchemy import inspect

from models import db
from models.training import MUTABLE_COMPLETION_FIELDS, Completion
from tests.conftest import MIGRATIONS, PG_URL, empty_database, make_config, migrate_database
from tracker import create_app

BEFORE_TRIGGERS = "4988d3391962"
# (table, trigger) pairs the append-only migration creates on each dialect.
SQLITE_TRIGGERS = {
    ("audit_events", "audit_events_no_update"), ("audit_events", "audit_events_no_delete"),
    ("completions", "completions_no_delete"), ("completions", "completions_only_verification_changes"),
    ("evaluations", "evaluations_final_no_update"), ("evaluations", "evaluations_final_no_delete"),
    ("evaluation_amendments", "evaluation_amendments_no_update"),
    ("evaluation_amendments", "evaluation_amendments_no_delete"),
    *{(t, f"{t}_final_no_{e}") for t in ("evaluation_ratings", "evaluation_signatures")
      for e in ("insert", "update", "delete")},
}
PG_TRIGGERS = {
    ("audit_events", "audit_events_no_update_or_delete"), ("audit_events", "audit_events_no_truncate"),
    ("completions", "completions_no_delete"), ("completions", "completions_no_truncate"),
    ("completions", "completions_only_verification_changes"),
    ("evaluations", "evaluations_final_no_update_or_delete"),
    ("evaluations", "evaluations_final_no_truncate"),
    ("evaluation_amendments", "evaluation_amendments_no_update_or_delete"),
    ("evaluation_amendments", "evaluation_amendments_no_truncate"),
    *{(t, f"{t}_final_{s}") for t in ("evaluation_ratings", "evaluation_signatures")
      for s in ("locked", "no_truncate")},
}


def _triggers() -> dict[tuple[str, str], str]:
    """(table, trigger name) -> the trigger's SQL, read from the database's catalog."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal")
        else:
            rows = conn.exec_driver_sql(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {(table, name): sql for table, name, sql in rows}


def test_upgrade_on_empty_database_matches_models(tmp_path):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=PG_URL or
                                 f"sqlite:///{tmp_path / 'migrated.db'}"))
    with app.app_context():
        empty_database()
        migrate_database()
        assert "people" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrated_schema_has_append_only_triggers_and_downgrade_drops_them(tmp_path):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=PG_URL or
                                 f"sqlite:///{tmp_path / 'migrated.db'}"))
    with app.app_context():
        empty_database()
        migrate_database()
        migrated = _triggers()
        downgrade(directory=MIGRATIONS, revision=BEFORE_TRIGGERS)
        downgraded = _triggers()
        migrate_database()
        again = _triggers()
        db.session.remove()
        db.engine.dispose()
    expected = PG_TRIGGERS if PG_URL else SQLITE_TRIGGERS
    assert set(migrated) == expected
    assert downgraded == {}
    assert set(again) == expected
    # A column added to completions later must be covered by the update trigger too.
    guarded = migrated[("completions", "completions_only_verification_changes")].lower()
    unguarded = [c.name for c in Completion.__table__.columns
                 if c.name not in MUTABLE_COMPLETION_FIELDS and not re.search(rf"\bold\.{c.name}\b", guarded)]
    assert unguarded == [], f"completions columns the update trigger does not protect: {unguarded}"
    assert not any(re.search(rf"\bold\.{c}\b", guarded) for c in MUTABLE_COMPLETION_FIELDS)


def test_the_upgrade_scrubs_background_check_text_from_old_audit_rows(tmp_path):
    """Audit rows written before details were hidden lose the text, keep the rest, and stay append-only."""
    import json

    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=PG_URL or
                                 f"sqlite:///{tmp_path / 'migrated.db'}"))
    old = json.dumps({"detail": "Arrest record 2009, dismissed", "status": "cleared"})
    with app.app_context():
        empty_database()
        upgrade(directory=MIGRATIONS, revision="f2b8d4e6a1c3")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_events (occurred_at, actor_label, action, entity_type, entity_id, before,"
                " after) VALUES (CURRENT_TIMESTAMP, 'hr@example.org', 'update', 'background_checks', 7,"
                " :before, :after)"), {"before": json.dumps({"detail": None}), "after": old})
        migrate_database()
        with db.engine.connect() as conn:
            after = conn.execute(text("SELECT after, actor_label FROM audit_events")).one()
        with pytest.raises(DatabaseError), db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor_label = 'x'"))
        db.session.remove()
        db.engine.dispose()
    values = after[0] if isinstance(after[0], dict) else json.loads(after[0])
    assert values == {"detail": "(sensitive: not recorded)", "status": "cleared"}
    assert after[1] == "hr@example.org"
