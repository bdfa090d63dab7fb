"""Making, finding and revoking API tokens and calendar feed URLs (stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.api_tokens import ApiToken, CalendarFeed
from models.audit import record_event
from models.errors import ValidationFailed

TOKEN_PREFIX = "st_"  # noqa: S105 - a visible marker, not a secret
FEED_PREFIX = "cal_"
PREFIX_CHARS = 10
MAX_ACTIVE_TOKENS = 20


def hash_secret(secret: str) -> str:
    """The stored form of a token: its SHA-256 hex digest (tokens are random, so no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _new_secret(kind: str) -> str:
    return kind + secrets.token_urlsafe(32)


def create_api_token(session: Session, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns the row and the plaintext, which is never stored."""
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append(("name", "Give the token a name, such as the system that will use it."))
    elif len(name) > 100:
        problems.append(("name", "Keep the name under 100 characters."))
    active = session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        problems.append(("name", f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first."))
    if problems:
        raise ValidationFailed(problems)
    secret = _new_secret(TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:PREFIX_CHARS],
                     token_hash=hash_secret(secret), created_at=now)
    session.add(token)
    session.flush()
    record_event(session, "api_token_created", token, after={"name": name, "prefix": token.prefix,
                                                             "user_id": user.id})
    return token, secret


def find_api_token(session: Session, secret: str) -> ApiToken | None:
    """The active token with this plaintext whose user is active, else None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not token.active or not token.user.active:
        return None
    return token


def revoke_api_token(session: Session, token: ApiToken, now: datetime) -> None:
    """Stop a token from working (idempotent); the row stays for the record."""
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
        record_event(session, "api_token_revoked", token, after={"prefix": token.prefix})


def create_calendar_feed(session: Session, user: User, now: datetime) -> tuple[CalendarFeed, str]:
    """Make a secret feed URL token for `user`; returns the row and the plaintext token."""
    secret = _new_secret(FEED_PREFIX)
    feed = CalendarFeed(user_id=user.id, prefix=secret[:PREFIX_CHARS], token_hash=hash_secret(secret),
                        created_at=now)
    session.add(feed)
    session.flush()
    record_event(session, "calendar_feed_created", feed, after={"prefix": feed.prefix,
                                                                "user_id": user.id})
    return feed, secret


def find_calendar_feed(session: Session, secret: str) -> CalendarFeed | None:
    """The active feed with this secret whose user is active, else None."""
    if not secret or not secret.startswith(FEED_PREFIX) or len(secret) > 200:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(secret)))
    if feed is None or not feed.active or not feed.user.active:
        return None
    return feed


def revoke_calendar_feed(session: Session, feed: CalendarFeed, now: datetime) -> None:
    """Stop a feed URL from answering (idempotent)."""
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.flush()
        record_event(session, "calendar_feed_revoked", feed, after={"prefix": feed.prefix})


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def user_feeds(session: Session, user: User) -> list[CalendarFeed]:
    """A user's calendar feeds, newest first."""
    return list(session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)
                                .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc())))
