"""Helpers that drive a candidate through the hiring services."""

from __future__ import annotations

from datetime import date, timedelta

from models.hiring import BACKGROUND_CHECKS, Candidate, PanelMember
from models.services.hiring import vacancies as svc
from models.services.hiring.panel import save_scores
from models.services.hiring.screening import record_screening

BACKGROUND_SECRET = "Arrest record sealed 2011, case 99-XJ"


def screening_data(candidate: Candidate, today: date, *, status: str = "met",
                   unmet_title: str | None = None, background: str = "cleared") -> dict:
    """Form data marking every hard requirement `status` (one may be not met) and every check."""
    data = {}
    for c in candidate.vacancy.hard_criteria:
        data[f"status_{c.id}"] = "not_met" if c.title == unmet_title else status
        data[f"evidence_{c.id}"] = f"Evidence for {c.title}" if status != "pending" else ""
    for key in BACKGROUND_CHECKS:
        data[f"bg_{key}"] = background
        data[f"bg_date_{key}"] = today - timedelta(days=3) if background != "pending" else None
        data[f"bg_detail_{key}"] = BACKGROUND_SECRET
    return data


def screen(session, candidate: Candidate, today: date, **kwargs) -> None:
    """Record screening through the service."""
    record_screening(session, candidate, screening_data(candidate, today, **kwargs), today)


def advance(session, candidate: Candidate, to: str) -> None:
    """Move a candidate stage by stage up to `to`."""
    order = ["applied", "screened", "interviewed", "recommended"]
    for stage in order[order.index(candidate.stage) + 1: order.index(to) + 1]:
        svc.move_candidate(session, candidate, stage, f"Moved to {stage} in a test")


def score(session, member: PanelMember, candidate: Candidate, rating: int, user,
          comment: str = "Fine") -> None:
    """The member rates every preference `rating`."""
    data = {}
    for c in candidate.vacancy.preference_criteria:
        data[f"rating_{c.id}"] = str(rating)
        data[f"comment_{c.id}"] = comment
    save_scores(session, member, candidate, data, user)
