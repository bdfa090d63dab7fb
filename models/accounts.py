"""User accounts: login, role and the schools or agency that scope what a user sees."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.audit import Audited
from models.base import TimestampMixin, db
from models.org import Agency, School
from models.people import Person
from models.policy import ROLE_LABELS, USER_ROLES, role_can

__all__ = ["ROLE_LABELS", "USER_ROLES", "User", "user_schools"]

DEFAULT_PASSWORD_HASH = "scrypt"  # noqa: S105 - the method (slow on purpose), as in config.Config

user_schools = Table(
    "user_schools",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id"), primary_key=True, index=True),
)


class User(Audited, TimestampMixin, db.Model):
    """A login. Separate from Person: a person may have no account."""

    __tablename__ = "users"
    __audit_collections__ = ("schools",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # In every session cookie beside the id; raising it ends every session signed in before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Second factor: the TOTP secret (base32) once enrolled, and the last time step accepted, so one code
    # cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=user_schools, order_by="School.name")

    # Flask-Login's protocol, written out so models stay free of Flask imports.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Whether the account may log in."""
        return bool(self.active)

    def get_id(self) -> str:
        """Identifier stored in the session cookie: the id and the session version ("12.3")."""
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every session of this account (their cookies name an older version)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Hash and store a password (scrypt unless PASSWORD_HASH_METHOD says); end every session."""
        self.password_hash = generate_password_hash(password, method=password_hash_method())
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        """Readable role."""
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def district_wide(self) -> bool:
        """Whether the role sees the whole district."""
        return role_can(self.role, "see_district")

    @property
    def school_ids(self) -> list[int]:
        """Ids of the schools that scope a principal."""
        return [s.id for s in self.schools]

    def __str__(self) -> str:
        return self.email


def password_hash_method() -> str:
    """The current app's PASSWORD_HASH_METHOD, or scrypt outside an app (the CLI has one too)."""
    # Imported here: models stay usable without Flask; only this setting is read from the app.
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH)
    return DEFAULT_PASSWORD_HASH


@lru_cache(maxsize=8)
def dummy_password_hash(method: str) -> str:
    """A hash of nothing anyone knows, made with `method`: checking it costs what a real check does."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)
