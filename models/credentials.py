"""Ways into an account besides a password: emailed links, recovery codes and single sign-on identities.

No secret is stored in the clear. An emailed link carries a signature over its row id (the row says what
it is for, until when, and whether it was used); a recovery code is stored as a SHA-256 hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import db, utcnow

LINK_PURPOSES = {"invite": "Invitation", "reset": "Password reset"}


class AccountLink(db.Model):
    """One emailed link to set a password: an invitation or a reset; it works once, until it expires."""

    __tablename__ = "account_links"
    __table_args__ = (Index("ix_account_links_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # a key of LINK_PURPOSES
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def purpose_label(self) -> str:
        """'Invitation' or 'Password reset'."""
        return LINK_PURPOSES.get(self.purpose, self.purpose)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app once (stored hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SsoIdentity(db.Model):
    """An account's identity at an OpenID Provider: the provider's issuer and its subject (`sub`)."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))  # as the provider vouched for it, at first sign-in
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
