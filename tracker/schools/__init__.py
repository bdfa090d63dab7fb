"""Schools and agencies."""

from tracker.schools import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.schools.blueprint import bp

__all__ = ["bp"]
