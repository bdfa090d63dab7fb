"""Evaluations and recognition (SECURe Step 5)."""

from tracker.evaluations import cycle_views, recognition_views, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.evaluations.blueprint import bp

__all__ = ["bp"]
