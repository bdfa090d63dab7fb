"""People and their assignments."""

from tracker.people import views  # noqa: F401 - attaches their routes to bp
from tracker.people.blueprint import bp

__all__ = ["bp"]
