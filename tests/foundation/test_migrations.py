"""Migrations build the schema on an empty database and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from models import db
from tests.conftest import PG_URL, make_config
from tracker import ROOT, create_app


def _empty(app):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_on_empty_database_matches_models(tmp_path):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=PG_URL or
                                 f"sqlite:///{tmp_path / 'migrated.db'}"))
    _empty(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        assert "people" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
