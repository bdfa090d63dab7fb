"""Command groups `flask jobs ...`, `flask scheduler` and `flask stores check`: thin wrappers over jobs/."""

from __future__ import annotations

import logging
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from jobs.registry import JOBS, get_job
from jobs.scheduler import default_owner, execute, run_scheduler
from models import db
from models.base import utcnow
from models.services.stores import checks as store_checks
from tracker.security import today as district_today

jobs_cli = AppGroup("jobs", help="Run scheduled jobs by hand.")


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--today") from None


@jobs_cli.command("list")
def list_jobs_command():
    """List the jobs and when the scheduler runs them."""
    for spec in JOBS:
        when = " ".join(f"{k}={v}" for k, v in spec.cron.items())
        click.echo(f"{spec.name:<14} {when:<22} {spec.description}")


@jobs_cli.command("run")
@click.argument("name")
@click.option("--today", "day", help="The district day to run for (YYYY-MM-DD); default today.")
def run_job_command(name, day):
    """Run the job NAME once now (recorded on the Jobs page as a manual run)."""
    try:
        spec = get_job(name)
    except KeyError:
        raise click.BadParameter(f"no job is named {name!r}; try: "
                                 + ", ".join(s.name for s in JOBS), param_hint="NAME") from None
    run_day = _parse_day(day) or district_today()
    summary = execute(db.engine, spec, today=run_day, config=current_app.config,
                      slot=f"manual-{utcnow().strftime('%H%M%S%f')}", owner=f"cli {default_owner()}")
    if summary and "error" in summary:
        click.echo(summary["error"], err=True)
        raise SystemExit(1)
    click.echo(f"{name} for {run_day.isoformat()}: "
               + ", ".join(f"{k}={v}" for k, v in (summary or {}).items()))


@click.command("scheduler")
@click.option("--lease-seconds", default=60.0, show_default=True, help="How long the lease lasts unrenewed.")
@click.option("--interval", type=float, default=None, hidden=True,
              help="Tests only: run every job every N seconds instead of at its cron time.")
@click.option("--today", "day", default=None, hidden=True, help="Tests only: pin the district day.")
@with_appcontext
def scheduler_command(lease_seconds, interval, day):
    """Run the scheduler (one per installation; a second one waits for the lease)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = dict(current_app.config)
    try:
        run_scheduler(db.engine, config, lease_seconds=lease_seconds, interval=interval,
                      fixed_today=_parse_day(day))
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


stores_cli = AppGroup("stores", help="Check the stored engine rows against the engines.")


@stores_cli.command("check")
@click.option("--today", "day", help="The district day to rebuild for if there is drift (YYYY-MM-DD).")
def check_stores_command(day):
    """Compare the stores and flags with the engines; on drift, say where, repair it and exit 1."""
    found = store_checks.check_and_repair(db.session, _parse_day(day) or district_today())
    db.session.commit()
    for line in found.lines():
        click.echo(line)
    if found.drift:
        raise SystemExit(1)
