"""Email preferences: single emails or a daily digest, and one-click unsubscribe from optional reminders."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.credentials import LINK_PURPOSES
from models.errors import ValidationFailed
from models.notifications import DELIVERY_CHOICES, EmailPreference, OutboxMessage

_SALT = "unsubscribe-optional-reminders"


def unsubscribe_token(secret_key: str, email: str) -> str:
    """A signed token naming `email`; it cannot be forged or altered without the secret key."""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(email.lower())


def read_unsubscribe_token(secret_key: str, token: str) -> str | None:
    """The email a token names, or None when the token was tampered with."""
    try:
        email = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) else None


def preference_for(session: Session, email: str) -> EmailPreference | None:
    """The stored preference of `email`, if any."""
    return session.scalar(select(EmailPreference).where(EmailPreference.email == email.lower()))


def _get_or_add(session: Session, email: str) -> EmailPreference:
    pref = preference_for(session, email)
    if pref is None:
        pref = EmailPreference(email=email.lower(), delivery="single")
        session.add(pref)
    return pref


def set_preference(session: Session, emails: list[str], delivery: str, subscribed: bool,
                   now: datetime) -> None:
    """Save how `emails` receive reminders (single or digest) and whether optional ones are wanted."""
    if delivery not in DELIVERY_CHOICES:
        raise ValidationFailed([("delivery", "Choose single emails or a daily digest.")])
    for email in {e.lower() for e in emails if e}:
        pref = _get_or_add(session, email)
        pref.delivery = delivery
        if subscribed:
            pref.unsubscribed_at = None
        elif pref.unsubscribed_at is None:
            unsubscribe(session, email, now)
    session.flush()


def unsubscribe(session: Session, email: str, now: datetime) -> EmailPreference:
    """Stop optional reminders to `email` (escalations still go out) and drop those not yet sent."""
    pref = _get_or_add(session, email)
    pref.unsubscribed_at = pref.unsubscribed_at or now
    session.execute(update(OutboxMessage)
                    .where(OutboxMessage.recipient == email.lower(),
                           OutboxMessage.escalation.is_(False),
                           # Invitations and password links are not reminders: they always go.
                           OutboxMessage.step.not_in(tuple(LINK_PURPOSES)),
                           OutboxMessage.status.in_(("pending", "held")))
                    .values(status="suppressed")
                    .execution_options(synchronize_session=False))
    session.flush()
    return pref
