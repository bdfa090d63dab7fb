"""User accounts (admin)."""

from tracker.users import views  # noqa: F401 - attaches their routes to bp
from tracker.users.blueprint import bp

__all__ = ["bp"]
