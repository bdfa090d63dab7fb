"""`flask training import FILE [--dry-run]`: bulk-import completions with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from models import db
from models.audit import set_actor
from models.errors import ValidationFailed
from models.services.training.roster_import import apply_plan, plan_roster
from tracker.security import today

training_cli = AppGroup("training", help="Training records.")


@training_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_command(file: Path, dry_run: bool):
    """Import completions from a CSV or XLSX roster; any problem means nothing is written."""
    set_actor(db.session, None, "cli import")
    try:
        plan = plan_roster(db.session, file, file.name, today())
    except ValidationFailed as error:
        for _, message in error.problems:
            click.echo(f"Error: {message}", err=True)
        raise SystemExit(1) from None
    for notice in plan.notices:
        click.echo(f"Notice: {notice}")
    if not plan.ok:
        for row, message in plan.problems:
            click.echo(f"Row {row}: {message}", err=True)
        click.echo(f"{len(plan.problems)} problem(s) in {plan.rows} rows; nothing was written.", err=True)
        raise SystemExit(1)
    with click.progressbar(length=len(plan.records), label="Importing") as bar:
        added = apply_plan(db.session, plan, filename=file.name, progress=bar.update)
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {plan.rows} rows checked, {added} would be added; nothing was written.")
        return
    db.session.commit()
    click.echo(f"{plan.rows} rows read, {added} completions added "
               f"({plan.rows - added} already recorded).")
