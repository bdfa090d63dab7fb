"""Step 3 blueprint: vacancies, candidates, screening, panels, scorecards and appointments."""

from tracker.hiring import candidates, panel, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.hiring.blueprint import bp

__all__ = ["bp"]
