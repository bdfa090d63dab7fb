"""Configuration classes; the environment fills in the values."""

from __future__ import annotations

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Development defaults: a SQLite file in instance/ and a throwaway secret."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none, so a
    # client cannot choose the address the login limit counts by).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 0))  # Strict-Transport-Security; on in production
    # A session ends after this long without a request, and this long after signing in, whatever happens.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 60))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", 12))
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long forms do not expire
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    PEOPLE_PER_PAGE = 50
    CALENDAR_ALARM_DAYS = int(os.environ.get("CALENDAR_ALARM_DAYS", 7))  # feed reminders; 0: none
    TRAINING_BOARD_PER_PAGE = int(os.environ.get("TRAINING_BOARD_PER_PAGE", 100))  # rows per board page
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "SECURe Tracker <no-reply@localhost>")
    # Smallest outcome count shown; smaller cells (and cells that would reveal them) are suppressed.
    OUTCOME_SUPPRESSION_THRESHOLD = int(os.environ.get("OUTCOME_SUPPRESSION_THRESHOLD", 10))
    API_MAX_CONTENT_LENGTH = int(os.environ.get("API_MAX_CONTENT_LENGTH", 1024 * 1024))
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/60")  # requests/seconds per token
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/300")  # attempts/seconds per IP+email
    # Past this many attempts at one email from all clients together, each attempt waits, doubling up to
    # LOGIN_MAX_DELAY_SECONDS (a guesser on many addresses is slowed; nobody is locked out).
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "30/900")
    LOGIN_MAX_DELAY_SECONDS = float(os.environ.get("LOGIN_MAX_DELAY_SECONDS", 4))
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - werkzeug's method name; slow on purpose, against guessing
    # Roles that must sign in with an authenticator code (TOTP) as well; others may opt in on their account
    # page. Comma-separated; empty turns the requirement off.
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES", "admin,hr")
    # Emailed links to set a password: an invitation lasts days, a reset an hour.
    INVITE_LINK_DAYS = int(os.environ.get("INVITE_LINK_DAYS", 7))
    RESET_LINK_MINUTES = int(os.environ.get("RESET_LINK_MINUTES", 60))
    # "Forgot password": requests per client (a 429 past it), reset emails per account per hour (past
    # that, the same answer and no email), and the time every answer takes at least, so a known
    # email (a link is queued) answers no slower than an unknown one.
    FORGOT_PASSWORD_RATE_LIMIT = os.environ.get("FORGOT_PASSWORD_RATE_LIMIT", "5/900")
    RESET_EMAILS_PER_HOUR = int(os.environ.get("RESET_EMAILS_PER_HOUR", 3))
    FORGOT_PASSWORD_MIN_SECONDS = float(os.environ.get("FORGOT_PASSWORD_MIN_SECONDS", 0.5))
    # OpenID Providers for single sign-on, as a JSON list of objects: name, label, issuer, client_id,
    # client_secret, email_domains (the domains it may vouch for) and trust_mfa (whether its amr/acr claim
    # that it did MFA replaces ours); optionally mfa_acr_values (acr values meaning MFA) and
    # email_verified_claim ("xms_edov" for Entra ID). See docs/sign-in.md.
    OIDC_PROVIDERS = json.loads(os.environ.get("OIDC_PROVIDERS") or "[]")
    OIDC_TIMEOUT_SECONDS = int(os.environ.get("OIDC_TIMEOUT_SECONDS", 10))  # each call to a provider


class TestConfig(Config):
    """Tests: the database comes from TEST_DATABASE_URL or a SQLite file the fixture names."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = ""
    # One PBKDF2 round: tests log in thousands of times and guard no real password (the production
    # default is checked by tests/foundation/test_auth.py).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # noqa: S105 - a method name, not a password
    FORGOT_PASSWORD_MIN_SECONDS = 0.05  # the timing test sets its own
    MFA_REQUIRED_ROLES = ""  # the MFA tests turn it on; the rest sign admins in with a password alone
    OIDC_PROVIDERS: list = []


class ProductionConfig(Config):
    """Production: secrets and the database must come from the environment."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))  # browsers keep to HTTPS for a year

    def __init__(self) -> None:
        missing = [n for n in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(n)]
        if missing:
            raise RuntimeError(f"ProductionConfig needs {', '.join(missing)} in the environment.")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]


def config_from_env() -> type[Config] | Config:
    """The config selected by TRACKER_ENV (development by default)."""
    if os.environ.get("TRACKER_ENV", "development") == "production":
        return ProductionConfig()
    return Config
