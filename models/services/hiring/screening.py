"""Screening against hard requirements and background checks, and the summaries others may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models.errors import DomainError, ValidationFailed
from models.hiring import (
    BACKGROUND_CHECKS,
    BACKGROUND_RESULTS,
    SCREENING_STATUSES,
    BackgroundCheck,
    Candidate,
    ScreeningResult,
)

SUMMARY_LABELS = {"cleared": "Cleared", "not_cleared": "Not cleared", "pending": "Pending"}


def screening_by_criterion(candidate: Candidate) -> dict[int, ScreeningResult]:
    """The candidate's screening results keyed by vacancy criterion id."""
    return {r.criterion_id: r for r in candidate.screening}


def background_by_type(candidate: Candidate) -> dict[str, BackgroundCheck]:
    """The candidate's background checks keyed by check type."""
    return {b.check_type: b for b in candidate.background}


def background_summary(candidate: Candidate) -> str:
    """'cleared' when every check cleared, 'not_cleared' when any failed, else 'pending'."""
    results = [b.result for b in candidate.background]
    if "not_cleared" in results:
        return "not_cleared"
    by_type = background_by_type(candidate)
    if all(by_type.get(t) is not None and by_type[t].result == "cleared" for t in BACKGROUND_CHECKS):
        return "cleared"
    return "pending"


def hard_status(candidate: Candidate) -> dict[int, str]:
    """Status ('met', 'not_met', 'pending') of each of the vacancy's hard requirements."""
    results = screening_by_criterion(candidate)
    return {c.id: (results[c.id].status if c.id in results else "pending")
            for c in candidate.vacancy.hard_criteria}


def unmet_requirements(candidate: Candidate) -> list[str]:
    """Names of every hard requirement not recorded as met, and of uncleared background checks."""
    status = hard_status(candidate)
    unmet = [f"{c.title} ({SCREENING_STATUSES[status[c.id]].lower()})"
             for c in candidate.vacancy.hard_criteria if status[c.id] != "met"]
    summary = background_summary(candidate)
    if summary != "cleared":
        by_type = background_by_type(candidate)
        open_checks = [label for t, label in BACKGROUND_CHECKS.items()
                       if by_type.get(t) is None or by_type[t].result != "cleared"]
        unmet.append(f"Background checks cleared (still open: {', '.join(open_checks)})")
    return unmet


def hard_summary(candidate: Candidate) -> str:
    """One phrase for the scorecard: 'all met', or counts of not met and pending."""
    status = hard_status(candidate).values()
    not_met = sum(1 for s in status if s == "not_met")
    pending = sum(1 for s in status if s == "pending")
    if not not_met and not pending:
        return "All met"
    parts = [f"{not_met} not met" if not_met else "", f"{pending} pending" if pending else ""]
    return ", ".join(p for p in parts if p)


def record_screening(session: Session, candidate: Candidate, data: dict[str, Any],
                     today: date) -> Candidate:
    """Save the result and evidence of each hard requirement and each background check.

    `data` holds status_<criterion id>, evidence_<criterion id>, bg_<type>, bg_detail_<type>
    and bg_date_<type>; every problem is reported at once.
    """
    if not candidate.is_open:
        raise DomainError(f"{candidate.full_name} is {candidate.stage_label.lower()}: "
                          "screening can no longer change.")
    problems: list[tuple[str | None, str]] = []
    results = screening_by_criterion(candidate)
    for criterion in candidate.vacancy.hard_criteria:
        status = data.get(f"status_{criterion.id}") or "pending"
        evidence = (data.get(f"evidence_{criterion.id}") or "").strip() or None
        if status not in SCREENING_STATUSES:
            problems.append((f"status_{criterion.id}", "Choose met, not met or pending."))
            continue
        if status != "pending" and not evidence:
            problems.append((f"evidence_{criterion.id}",
                             f"“{criterion.title}”: note the evidence for this result."))
        row = results.get(criterion.id)
        if row is None:
            row = ScreeningResult(criterion_id=criterion.id)
            candidate.screening.append(row)
        row.status, row.evidence = status, evidence
    checks = background_by_type(candidate)
    for check_type, label in BACKGROUND_CHECKS.items():
        result = data.get(f"bg_{check_type}") or "pending"
        detail = (data.get(f"bg_detail_{check_type}") or "").strip() or None
        checked_on = data.get(f"bg_date_{check_type}")
        if result not in BACKGROUND_RESULTS:
            problems.append((f"bg_{check_type}", "Choose cleared, not cleared or pending."))
            continue
        if result != "pending" and not checked_on:
            problems.append((f"bg_date_{check_type}", f"{label}: give the date of the result."))
        if checked_on and checked_on > today:
            problems.append((f"bg_date_{check_type}", f"{label}: the date is in the future."))
        row = checks.get(check_type)
        if row is None:
            row = BackgroundCheck(check_type=check_type)
            candidate.background.append(row)
        row.result, row.detail, row.checked_on = result, detail, checked_on
    if problems:
        raise ValidationFailed(problems)
    session.flush()
    return candidate
