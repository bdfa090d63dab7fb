"""Migrations build the schema on an empty database and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models import db
from tests.conftest import PG_URL, empty_database, make_config, migrate_database
from tracker import create_app


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
