"""The `api` blueprint object, alone so route modules can take it without importing each other."""

from __future__ import annotations

from flask import Blueprint

from tracker.extensions import csrf
from tracker.problems import API_PREFIX

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # token auth only: no cookies are read, so there is nothing for CSRF to forge
