"""Signing in and out."""

from tracker.auth import views  # noqa: F401 - attaches their routes to bp
from tracker.auth.blueprint import bp

__all__ = ["bp"]
