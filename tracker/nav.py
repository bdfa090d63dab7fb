"""Navigation entries that blueprints add for the capability that opens them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from models.policy import can, roles_with


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation."""

    label: str
    endpoint: str
    capability: str | None
    order: int = 50


_ITEMS: list[NavItem] = []


def add_nav(label: str, endpoint: str, capability: str | None, order: int = 50) -> None:
    """Register a navigation link for holders of `capability` (None: every signed-in user)."""
    if capability:
        roles_with(capability)  # an unknown name fails at import
    item = NavItem(label, endpoint, capability, order)
    if item not in _ITEMS:
        _ITEMS.append(item)


def nav_items(user) -> list[dict]:
    """Links for what `user` may open, in order."""
    if not user.is_authenticated:
        return []
    return [{"label": i.label, "url": url_for(i.endpoint)}
            for i in sorted(_ITEMS, key=lambda i: i.order) if i.capability is None or can(user, i.capability)]
