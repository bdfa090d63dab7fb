"""The `admin` blueprint object, alone so route modules can take it without importing each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
