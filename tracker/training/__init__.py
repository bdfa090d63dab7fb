"""Training records: the board, completions, waivers, imports and presets (SECURe Step 4)."""

from tracker.training import (  # noqa: F401 - importing a route module attaches its routes to bp
    catalog,
    imports,
    sessions,
    views,
)
from tracker.training.blueprint import bp

__all__ = ["bp"]
