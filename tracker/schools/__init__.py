"""Schools and agencies."""

from tracker.schools import views  # noqa: F401 - attaches their routes to bp
from tracker.schools.blueprint import bp

__all__ = ["bp"]
