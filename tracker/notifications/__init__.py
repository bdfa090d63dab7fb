"""Email preferences, one-click unsubscribe and the flags shown on person pages."""

from tracker.notifications import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.notifications.blueprint import bp

__all__ = ["bp"]
