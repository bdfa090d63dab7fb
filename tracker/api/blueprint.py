"""The `api` blueprint object, alone so route modules can take it without importing each other."""

from __future__ import annotations

from flask import Blueprint

from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token auth only: no cookies are read, so there is nothing for CSRF to forge
