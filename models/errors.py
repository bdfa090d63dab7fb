"""Domain errors that carry messages a clerk can read."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an action; the message is shown to the user."""


class ValidationFailed(DomainError):
    """One or more input problems, each tied to a field (or None for the whole form)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__("; ".join(msg for _, msg in problems))

    def by_field(self) -> dict[str | None, list[str]]:
        """Group the problem messages by field name."""
        grouped: dict[str | None, list[str]] = {}
        for field, message in self.problems:
            grouped.setdefault(field, []).append(message)
        return grouped
