"""Calendar feeds: iCalendar due dates behind secret, revocable URLs."""

from tracker.calendar import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.calendar.blueprint import bp

__all__ = ["bp"]
