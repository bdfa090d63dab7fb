"""Bearer-token authentication for the API: no cookies, the token's user and scope only."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import update

from models import db
from models.accounts import User
from models.api_tokens import ApiToken
from models.audit import set_actor
from models.base import utcnow
from models.policy import can, roles_with
from models.services.accounts.api_tokens import find_api_token
from tracker.problems import ApiProblem

USE_RESOLUTION = timedelta(hours=1)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def authenticate() -> None:
    """Load the token's user into `g.api_user`, or raise a 401 problem."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "Send a valid API token: Authorization: Bearer <token>.", headers=CHALLENGE)
    token = find_api_token(db.session, secret.strip())
    if token is None:
        raise ApiProblem(401, "The API token is not valid or has been revoked.", headers=CHALLENGE)
    _note_use(token)
    g.api_token = token
    g.api_user = token.user
    set_actor(db.session, token.user.id, f"{token.user.email} (API token {token.prefix}…)")


def _note_use(token: ApiToken) -> None:
    # At most once an hour, in its own short transaction: a read-only request must not need a commit,
    # and busy clients should not write on every call.
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > USE_RESOLUTION:
        with db.engine.begin() as conn:
            conn.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))


def api_user() -> User:
    """The user the request's token acts for."""
    return g.api_user


def capability_required(capability: str):
    """View decorator: the token's user must hold `capability` (models/policy.py; 403 problem otherwise)."""
    roles_with(capability)  # an unknown name fails at import

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(api_user(), capability):
                raise ApiProblem(403, "This token's account may not do this.")
            return view(*args, **kwargs)

        wrapped.capability = capability  # read by the access tests generated from the policy
        return wrapped

    return decorator
