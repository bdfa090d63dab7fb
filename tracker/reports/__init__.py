"""Reports, dashboards, outcome data and the SECURe self-assessment."""

from tracker.reports import annual, outcomes, self_assessment, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.reports.blueprint import bp

__all__ = ["bp"]
