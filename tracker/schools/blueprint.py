"""The `schools` blueprint object, alone so route modules can take it without importing each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("schools", __name__)
