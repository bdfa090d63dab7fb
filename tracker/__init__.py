"""The Flask application factory: it composes extensions, blueprints, commands and handlers."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Flask

from config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object = Config) -> Flask:
    """Build the app from a config class or object; no database work happens here."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, login, CSRF, migrations and the request hooks."""
    from models import db
    from models.services import store_hooks
    from tracker import security
    from tracker.extensions import csrf, login_manager, migrate

    db.init_app(app)
    store_hooks.install()  # stored engine rows follow every session's writes (idempotent, process-wide)
    login_manager.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    security.init_app(app)


# One blueprint per workflow; each module defines `bp`.
BLUEPRINTS = (
    "tracker.account.views",
    "tracker.admin.views",
    "tracker.api.views",
    "tracker.auth.views",
    "tracker.calendar.views",
    "tracker.evaluations.views",
    "tracker.hiring.views",
    "tracker.main.views",
    "tracker.notifications.views",
    "tracker.people.views",
    "tracker.reports.views",
    "tracker.schools.views",
    "tracker.training.views",
    "tracker.users.views",
)
# Command groups as "module:attribute".
COMMAND_GROUPS = (
    "tracker.cli:users_cli",
    "tracker.account.cli:users_cli",  # adds `users token` to the same group
    "tracker.cli:demo_cli",
    "tracker.admin.cli:jobs_cli",
    "tracker.admin.cli:scheduler_command",
    "tracker.training.cli:training_cli",
    "tracker.admin.cli:stores_cli",
)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per workflow."""
    for module in BLUEPRINTS:
        app.register_blueprint(import_module(module).bp)


def register_commands(app: Flask) -> None:
    """Add the CLI command groups (`users`, `demo`, ...)."""
    for spec in COMMAND_GROUPS:
        module, attr = spec.split(":")
        app.cli.add_command(getattr(import_module(module), attr))


def register_errorhandlers(app: Flask) -> None:
    """Render clear pages for 400/403/404/413/500."""
    from tracker.errors import init_app

    init_app(app)
