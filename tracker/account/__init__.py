"""The account page: a user's API tokens and calendar feed URLs."""

from tracker.account import views  # noqa: F401 - attaches their routes to bp
from tracker.account.blueprint import bp

__all__ = ["bp"]
