"""Command groups: `flask users ...` and `flask demo ...`; thin wrappers over services."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from jobs.registry import get_job
from jobs.scheduler import execute
from models import db
from models.audit import set_actor
from models.errors import ValidationFailed
from models.seed import demo
from models.services.accounts.users import create_user
from tracker.security import today

DEMO_JOBS = ("refresh-stores", "flag-overdue", "snapshot-compliance")
users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data.")


def fail_with(error: ValidationFailed) -> None:
    """Roll back, print every problem, and exit non-zero (a CLI's form errors)."""
    db.session.rollback()
    for _, message in error.problems:
        click.echo(f"Error: {message}", err=True)
    raise SystemExit(1) from None


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, hr, coordinator, principal, supervisor or staff")
@click.option("--school", "schools", multiple=True, help="School name (principals; repeatable)")
@click.option("--agency", help="Agency name (supervisors)")
@click.option("--password", help="Omit to be prompted (keeps it out of shell history)")
def create_user_command(email, role, schools, agency, password):
    """Create a user account."""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    set_actor(db.session, None, "cli")
    try:
        user = create_user(db.session, email, role, password, school_names=tuple(schools),
                           agency_name=agency)
    except ValidationFailed as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@demo_cli.command("seed")
def seed_command():
    """Load the demo district (safe to run again: existing data is left alone)."""
    set_actor(db.session, None, "demo seed")
    day = today()
    created = demo.seed_all(db.session, day)
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    if created:
        # Flags and today's compliance snapshot, so dashboards show them before the first nightly run.
        for name in DEMO_JOBS:
            summary = execute(db.engine, get_job(name), today=day, config=current_app.config,
                              slot="demo-seed", owner="demo seed")
            click.echo(f"Ran {name}: " + ", ".join(f"{k}={v}" for k, v in (summary or {}).items()))
    click.echo(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
    for email, role in demo.demo_accounts(db.session):
        click.echo(f"  {role:<12} {email}")
