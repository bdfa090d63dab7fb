"""The home page and its dashboards."""

from tracker.main import views  # noqa: F401 - attaches their routes to bp
from tracker.main.blueprint import bp

__all__ = ["bp"]
