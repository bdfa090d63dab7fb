"""People and their assignments."""

from tracker.people import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.people.blueprint import bp

__all__ = ["bp"]
