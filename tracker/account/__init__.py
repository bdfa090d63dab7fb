"""The account page: a user's API tokens and calendar feed URLs."""

from tracker.account import security, views  # noqa: F401 - importing a route module attaches its routes to bp
from tracker.account.blueprint import bp

__all__ = ["bp"]
