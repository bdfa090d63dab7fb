"""Navigation entries that blueprints add for the roles that may use them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation."""

    label: str
    endpoint: str
    roles: tuple[str, ...]
    order: int = 50


_ITEMS: list[NavItem] = []


def add_nav(label: str, endpoint: str, roles: tuple[str, ...], order: int = 50) -> None:
    """Register a navigation link (called by a blueprint's module at import)."""
    item = NavItem(label, endpoint, roles, order)
    if item not in _ITEMS:
        _ITEMS.append(item)


def nav_items(user) -> list[dict]:
    """Links for `user`'s role, in order."""
    if not user.is_authenticated:
        return []
    return [{"label": i.label, "url": url_for(i.endpoint)}
            for i in sorted(_ITEMS, key=lambda i: i.order) if user.role in i.roles]
