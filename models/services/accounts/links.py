"""Emailed links into an account: invitations to a new account and password resets.

A link is a row (whose account, what for, until when, whether used) and a URL carrying a signature
over the row's id, so nothing secret is stored and the outbox holds only the id: the mailer signs it
when it builds the message. A link works once (one conditional UPDATE takes it), until it expires;
issuing a new one of the same kind retires the older ones, and setting a password through any link
retires every other link of the account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.accounts import User
from models.credentials import AccountLink
from models.errors import DomainError, ValidationFailed
from models.notifications import OutboxMessage
from models.services.accounts.users import find_user, new_password_problems
from models.services.infra.owners import aware
from models.services.infra.words import plural

_SALT = "account-link"
# The page each kind of link opens; the mailer and the views build and read the same URLs.
PAGES = {"invite": "welcome", "reset": "reset"}
SUBJECTS = {"invite": "You are invited to SECURe Tracker: set your password",
            "reset": "Reset your SECURe Tracker password"}
ITEM_PREFIX = "account-link:"

INVALID = "This link is not valid. Copy the whole link from the email, or ask for a new one."
USED = "This link has already been used. Each link works once: ask for a new one if you need it."
EXPIRED = "This link has expired (or a newer one was sent since). Ask for a new one."
SWITCHED_OFF = "This account is switched off. Ask an administrator."


class LinkRefused(DomainError):
    """An emailed link that does not open anything: tampered with, used, expired or superseded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.gone = message != INVALID  # it was a real link once (HTTP 410), or never was (404)


def link_token(secret_key: str, link_id: int) -> str:
    """The signed, URL-safe token for a link row."""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(link_id)


def link_url(base_url: str, secret_key: str, purpose: str, link_id: int) -> str:
    """The full URL an email gives for a link row."""
    return f"{base_url.rstrip('/')}/{PAGES[purpose]}/{link_token(secret_key, link_id)}"


def issue_link(session: Session, user: User, purpose: str, now: datetime, lifetime: timedelta,
               by_user_id: int | None = None) -> AccountLink:
    """A new link of `purpose` for `user`, its email queued in the outbox; older ones of that kind stop."""
    return issue_links(session, [user], purpose, now, lifetime, by_user_id)[0]


def issue_links(session: Session, users: list[User], purpose: str, now: datetime, lifetime: timedelta,
                by_user_id: int | None = None) -> list[AccountLink]:
    """issue_link for many accounts at once: one UPDATE retires their older links, two flushes insert."""
    if not users:
        return []
    _retire(session, [u.id for u in users], now, AccountLink.purpose == purpose)
    links = [AccountLink(user=user, purpose=purpose, created_at=now, expires_at=now + lifetime,
                         created_by_user_id=by_user_id) for user in users]
    session.add_all(links)
    session.flush()
    session.add_all(OutboxMessage(
        item_key=f"{ITEM_PREFIX}{link.id}", step=purpose, recipient=user.email.lower(),
        recipient_role="person", person_id=user.person_id, escalation=False, subject=SUBJECTS[purpose],
        context={"link_id": link.id, "name": user.person.first_name if user.person else "",
                 "email": user.email, "lasts": _words(lifetime)},
        status="pending", created_at=now) for user, link in zip(users, links, strict=True))
    session.flush()
    return links


def _words(lifetime: timedelta) -> str:
    """'7 days', '60 minutes': how long a link lasts, for the email."""
    if lifetime >= timedelta(days=1) and lifetime % timedelta(days=1) == timedelta(0):
        days = lifetime // timedelta(days=1)
        return plural(days, "day")
    minutes = max(int(lifetime.total_seconds() // 60), 1)
    return plural(minutes, "minute")


def _retire(session: Session, user_ids: int | list[int], now: datetime, *conditions) -> None:
    """End the accounts' open links (those matching `conditions`) now."""
    ids = user_ids if isinstance(user_ids, list) else [user_ids]
    session.execute(update(AccountLink)
                    .where(AccountLink.user_id.in_(ids), AccountLink.used_at.is_(None),
                           AccountLink.expires_at > now, *conditions)
                    .values(expires_at=now).execution_options(synchronize_session=False))


def open_link(session: Session, token: str, purpose: str, now: datetime, secret_key: str) -> AccountLink:
    """The link row a token opens for `purpose`, still usable; raises LinkRefused with the reason."""
    try:
        link_id = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        raise LinkRefused(INVALID) from None
    if not isinstance(link_id, int) or isinstance(link_id, bool):
        raise LinkRefused(INVALID)
    link = session.get(AccountLink, link_id)
    if link is None or link.purpose != purpose:
        raise LinkRefused(INVALID)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if aware(link.expires_at) <= now:
        raise LinkRefused(EXPIRED)
    if not link.user.active:
        raise LinkRefused(SWITCHED_OFF)
    return link


def set_password_with_link(session: Session, link: AccountLink, data: dict, now: datetime) -> User:
    """Set the account's password from an open link's form; the link is used up, every other one retired.

    Taken with one conditional UPDATE, so two submissions of the same link (two tabs, a replay) set
    the password once: the second is refused as used.
    """
    problems = new_password_problems(data.get("new") or "", data.get("confirm") or "")
    if problems:
        raise ValidationFailed(problems)
    taken = session.execute(update(AccountLink)
                            .where(AccountLink.id == link.id, AccountLink.used_at.is_(None),
                                   AccountLink.expires_at > now)
                            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise LinkRefused(USED)
    user = link.user
    _retire(session, user.id, now)
    user.set_password(data["new"])  # ends every session signed in before
    user.failed_logins = 0
    session.flush()
    return user


def recent_links(session: Session, user: User, purpose: str, since: datetime) -> int:
    """How many links of `purpose` the account was sent since `since` (to cap reset emails)."""
    return session.scalar(select(func.count()).select_from(AccountLink)
                          .where(AccountLink.user_id == user.id, AccountLink.purpose == purpose,
                                 AccountLink.created_at >= since)) or 0


def request_reset(session: Session, email: str, now: datetime, lifetime: timedelta,
                  per_hour: int) -> AccountLink | None:
    """"Forgot password": a reset link for the active account with this email, at most `per_hour` an hour.

    None when there is no such account or it had its share: the page answers the same either way.
    """
    user = find_user(session, email or "")
    if user is None or not user.active:
        return None
    if recent_links(session, user, "reset", now - timedelta(hours=1)) >= per_hour:
        return None
    return issue_link(session, user, "reset", now, lifetime)
