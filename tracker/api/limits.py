"""Rate limits at the request edge: per API token and per login IP+email, counted in the database."""

from __future__ import annotations

import time

from flask import current_app, render_template, request

from models import db
from models.services.accounts.ratelimit import Verdict, hit, parse_limit

DEFAULT_API_LIMIT = "300/60"  # requests per seconds, per token
DEFAULT_LOGIN_LIMIT = "10/300"  # attempts per seconds, per IP and email
DEFAULT_ACCOUNT_LIMIT = "30/900"  # attempts per seconds at one email from anywhere, before each waits
DEFAULT_MAX_DELAY = 4.0  # seconds: the longest wait, so the real user is slowed, never locked out
DEFAULT_API_MAX_BYTES = 1024 * 1024


def count(key: str, spec: str) -> Verdict:
    """Count one request for `key` in its own transaction (the count stands whatever the request does)."""
    limit, window = parse_limit(spec)
    with db.engine.begin() as connection:
        return hit(connection, key, limit, window, time.time())


def api_verdict(token_id: int) -> Verdict:
    """Count an API request for a token."""
    return count(f"api:{token_id}", current_app.config.get("API_RATE_LIMIT", DEFAULT_API_LIMIT))


def api_max_bytes() -> int:
    """Largest API request body accepted."""
    return int(current_app.config.get("API_MAX_CONTENT_LENGTH", DEFAULT_API_MAX_BYTES))


def account_delay(excess: int, cap: float) -> float:
    """Seconds to hold an attempt that is `excess` past the account's limit: doubling, at most `cap`."""
    return min(0.25 * 2 ** min(excess, 16), cap)


def limit_login():
    """Before the login view: a 429 past the limit for this client and email; a delay past the account's.

    The per-client limit stops one device guessing; guesses spread over many addresses are slowed per
    email instead, by a growing wait rather than a lock, so nobody can lock the real user out. Both are
    counted by the email typed, whether or not an account has it, so neither tells which emails exist.
    """
    if request.method != "POST" or request.endpoint != "auth.login":
        return None
    email = (request.form.get("email") or "").strip().lower()[:254]
    config = current_app.config
    verdict = count(f"login:{request.remote_addr}:{email}",
                    config.get("LOGIN_RATE_LIMIT", DEFAULT_LOGIN_LIMIT))
    if verdict.allowed:
        account = count(f"login-account:{email}", config.get("LOGIN_ACCOUNT_LIMIT", DEFAULT_ACCOUNT_LIMIT))
        if not account.allowed:
            time.sleep(account_delay(account.count - account.limit,
                                     float(config.get("LOGIN_MAX_DELAY_SECONDS", DEFAULT_MAX_DELAY))))
        return None
    minutes = max(verdict.retry_after // 60, 1)
    body = render_template("errors/error.html", status=429, title="Too many attempts",
                           message=f"Too many login attempts. Wait {minutes} minute(s) and try again.")
    return body, 429, {"Retry-After": str(verdict.retry_after)}
