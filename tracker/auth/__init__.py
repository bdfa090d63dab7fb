"""Signing in and out."""

from tracker.auth import links, mfa, sso, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.auth.blueprint import bp

__all__ = ["bp"]
