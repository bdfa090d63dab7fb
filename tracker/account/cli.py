"""`flask users token EMAIL`: make an API token from the command line (the factory adds it to `users`)."""

from __future__ import annotations

import click

from models import db
from models.audit import set_actor
from models.base import utcnow
from models.errors import ValidationFailed
from models.services.accounts.api_tokens import create_api_token
from models.services.accounts.users import find_user
from tracker.cli import fail_with


@click.command("token")
@click.argument("email")
@click.option("--name", default="Command-line token",
              help="What the token is for (shown on the account page)")
def create_token_command(email, name):
    """Create an API token for EMAIL and print it once (only its hash is kept)."""
    set_actor(db.session, None, "cli")
    user = find_user(db.session, email)
    if user is None or not user.active:
        click.echo(f"Error: No account for {email}, or it is disabled.", err=True)
        raise SystemExit(1)
    try:
        token, secret = create_api_token(db.session, user, name, utcnow())
    except ValidationFailed as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"Token {token.prefix}… created for {user.email} ({user.role}). "
               "Copy it now; it is not shown again:")
    click.echo(secret)
