"""The JSON integration API under /api/v1: token auth, one problem format, pagination, OpenAPI."""

from tracker.api import oversight, people, training, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.api.blueprint import bp

__all__ = ["bp"]
