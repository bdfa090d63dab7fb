"""The second factor: TOTP (RFC 6238, an authenticator app) and single-use recovery codes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models.accounts import User
from models.credentials import RecoveryCode

ISSUER = "SECURe Tracker"
RECOVERY_CODES = 10
STEP = 30  # seconds per TOTP code, what every authenticator app uses
DRIFT = 1  # a code from one step before or after still counts (phones' clocks drift)


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=email, issuer_name=ISSUER)


def _normalize(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def matching_step(secret: str, code: str | None, now: datetime) -> int | None:
    """The time step whose code `code` is, within the allowed drift, or None."""
    code = _normalize(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int(now.timestamp()) // STEP
    for step in range(current - DRIFT, current + DRIFT + 1):
        if secrets.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def check_code(session: Session, user: User, code: str | None, now: datetime) -> bool:
    """Whether `code` proves the second factor: a fresh TOTP code, or an unused recovery code (used up).

    A TOTP code counts once: its time step must be later than the last one accepted, so a code seen over
    a shoulder or in a log cannot sign in a second time.
    """
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is not None:
        # One conditional UPDATE: two requests racing with the same code cannot both pass.
        done = session.execute(
            update(User).where(User.id == user.id,
                               (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False))
        if not done.rowcount:
            return False  # this code (or a later one) was already used
        set_committed_value(user, "totp_last_step", step)
        return True
    return use_recovery_code(session, user, code, now)


def _hash(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def use_recovery_code(session: Session, user: User, code: str | None, now: datetime) -> bool:
    """Spend one of the user's recovery codes; False if it is not theirs or was used."""
    if len(_normalize(code)) != 10:
        return False
    done = session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    return bool(done.rowcount)


def new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the user's recovery codes with fresh ones; the plain codes are returned once, never kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Ten characters from an alphabet without look-alikes (no 0/o, 1/l), shown as xxxxx-xxxxx.
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c), created_at=now) for c in codes)
    session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_codes_left(session: Session, user: User) -> int:
    """How many unused recovery codes the user has."""
    return session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id,
                                                     RecoveryCode.used_at.is_(None))) or 0


def enrol(session: Session, user: User, secret: str, code: str | None, now: datetime) -> list[str] | None:
    """Turn on TOTP with `secret` if `code` is its current code; the new recovery codes, or None."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret, user.totp_enrolled_at, user.totp_last_step = secret, now, step
    session.flush()
    return new_recovery_codes(session, user, now)


def remove(session: Session, user: User) -> None:
    """Turn the second factor off (the user's own choice, or an admin's when a phone is lost)."""
    user.totp_secret = user.totp_enrolled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.end_sessions()  # whoever had the phone, or a session signed in with it, is out
    session.flush()
