"""The Flask application factory: it composes extensions, blueprints, commands and handlers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from tracker import inputs

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
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    inputs.init_app(app)  # before the blueprints: their <int:...> rules use its converter
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the database, login, CSRF, migrations, the SSO clients and the request hooks."""
    from models import db
    from models.services.stores import hooks as store_hooks
    from tracker import security
    from tracker.auth import oidc
    from tracker.extensions import csrf, login_manager, migrate

    db.init_app(app)
    store_hooks.install()  # stored engine rows follow every session's writes (idempotent, process-wide)
    login_manager.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    security.init_app(app)
    oidc.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per workflow; each package's `bp` arrives with its routes attached."""
    # Imported here (flaskr's shape) so that importing one tracker module does not load every workflow.
    from tracker.account import bp as account_bp
    from tracker.admin import bp as admin_bp
    from tracker.api import bp as api_bp
    from tracker.auth import bp as auth_bp
    from tracker.calendar import bp as calendar_bp
    from tracker.evaluations import bp as evaluations_bp
    from tracker.hiring import bp as hiring_bp
    from tracker.main import bp as main_bp
    from tracker.notifications import bp as notifications_bp
    from tracker.people import bp as people_bp
    from tracker.reports import bp as reports_bp
    from tracker.schools import bp as schools_bp
    from tracker.training import bp as training_bp
    from tracker.users import bp as users_bp

    for bp in (account_bp, admin_bp, api_bp, auth_bp, calendar_bp, evaluations_bp, hiring_bp, main_bp,
               notifications_bp, people_bp, reports_bp, schools_bp, training_bp, users_bp):
        app.register_blueprint(bp)


def register_commands(app: Flask) -> None:
    """Add the CLI command groups (`users`, `demo`, `jobs`, `scheduler`, `training`, `stores`)."""
    from tracker.account.cli import create_token_command
    from tracker.admin.cli import jobs_cli, scheduler_command, stores_cli
    from tracker.cli import demo_cli, users_cli
    from tracker.training.cli import training_cli

    # `users token` lives with the account page's tokens; adding it again on a second app is a no-op.
    users_cli.add_command(create_token_command)
    for command in (users_cli, demo_cli, jobs_cli, scheduler_command, training_cli, stores_cli):
        app.cli.add_command(command)


def register_errorhandlers(app: Flask) -> None:
    """Render clear pages for 400/403/404/413/500."""
    from tracker.errors import init_app

    init_app(app)
