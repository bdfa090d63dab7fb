"""The home page and its dashboards."""

from tracker.main import views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.main.blueprint import bp

__all__ = ["bp"]
