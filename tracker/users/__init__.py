"""User accounts (admin)."""

from tracker.users import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.users.blueprint import bp

__all__ = ["bp"]
