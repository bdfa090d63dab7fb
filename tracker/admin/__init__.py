"""Admin pages: scheduled jobs, the outbox and the reminder plan."""

from tracker.admin import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.admin.blueprint import bp

__all__ = ["bp"]
