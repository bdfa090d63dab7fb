"""Selection panels: members and seats, 1–5 scores, finalizing, and the vacancy scorecard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.accounts import User
from models.errors import DomainError, ValidationFailed
from models.hiring import SEATS, Candidate, PanelMember, Score, Vacancy, VacancyCriterion
from models.services.hiring.screening import background_summary, hard_summary
from models.services.hiring.vacancies import can_manage_hiring

NO_ADMINISTRATOR = ("Scoring cannot be finalized: the panel has no school administrator. "
                    "Add a member in the school administrator seat first.")


def add_member(session: Session, vacancy: Vacancy, data: dict[str, Any]) -> PanelMember:
    """Seat a panel member, with their account if they have one."""
    problems: list[tuple[str | None, str]] = []
    if vacancy.scoring_finalized_on:
        raise DomainError("Scoring is finalized: the panel can no longer change.")
    user = session.get(User, data["user_id"]) if data.get("user_id") else None
    name = (data.get("name") or "").strip() or (
        (user.person.full_name if user.person else user.email) if user else "")
    if not name:
        problems.append(("name", "Name is required."))
    if data.get("seat") not in SEATS:
        problems.append(("seat", "Choose the member's seat."))
    if data.get("user_id") and user is None:
        problems.append(("user_id", "The chosen account does not exist."))
    if user and any(m.user_id == user.id for m in vacancy.panel):
        problems.append(("user_id", f"{user.email} already sits on this panel."))
    if problems:
        raise ValidationFailed(problems)
    member = PanelMember(vacancy=vacancy, name=name, seat=data["seat"], user=user)
    session.add(member)
    session.flush()
    return member


def remove_member(session: Session, member: PanelMember) -> None:
    """Take a member off the panel (their scores go with them) before scoring is finalized."""
    if member.vacancy.scoring_finalized_on:
        raise DomainError("Scoring is finalized: the panel can no longer change.")
    session.delete(member)
    session.flush()


def may_score(user: User, member: PanelMember) -> bool:
    """Members with an account score for themselves; HR and admins enter the others' scores."""
    if member.user_id is not None:
        return member.user_id == user.id
    return can_manage_hiring(user)


def save_scores(session: Session, member: PanelMember, candidate: Candidate, data: dict[str, Any],
                user: User) -> list[Score]:
    """Record `member`'s 1–5 rating and comment for every preference; all or nothing."""
    vacancy = member.vacancy
    if candidate.vacancy_id != vacancy.id:
        raise DomainError("This candidate applied for another vacancy.")
    if not may_score(user, member):
        raise DomainError(f"{member.name} has an account and enters their own scores."
                          if member.user_id else "Only HR enters scores for members without an account.")
    if vacancy.scoring_finalized_on:
        raise DomainError("Scoring is finalized: scores can no longer change.")
    if not candidate.is_open:
        raise DomainError(f"{candidate.full_name} is {candidate.stage_label.lower()}: no more scores.")
    problems: list[tuple[str | None, str]] = []
    existing = {s.criterion_id: s for s in session.scalars(
        select(Score).where(Score.member_id == member.id, Score.candidate_id == candidate.id))}
    saved = []
    for criterion in vacancy.preference_criteria:
        rating = data.get(f"rating_{criterion.id}")
        if rating in (None, ""):
            problems.append((f"rating_{criterion.id}", f"“{criterion.title}”: choose a rating from 1 to 5."))
            continue
        rating = int(rating) if str(rating).strip().isdigit() else 0
        if not 1 <= rating <= 5:
            problems.append((f"rating_{criterion.id}", f"“{criterion.title}”: ratings go from 1 to 5."))
            continue
        score = existing.get(criterion.id) or Score(member=member, candidate_id=candidate.id,
                                                   criterion_id=criterion.id)
        score.rating = rating
        score.comment = (data.get(f"comment_{criterion.id}") or "").strip() or None
        session.add(score)
        saved.append(score)
    if problems:
        raise ValidationFailed(problems)
    session.flush()
    return saved


def finalize_scoring(session: Session, vacancy: Vacancy, today: date) -> Vacancy:
    """Lock the scores; refused without a school administrator on the panel or with no scores."""
    problems: list[tuple[str | None, str]] = []
    if vacancy.scoring_finalized_on:
        raise DomainError("Scoring is already finalized.")
    if not any(m.seat == "school_administrator" for m in vacancy.panel):
        problems.append((None, NO_ADMINISTRATOR))
    count = session.scalar(select(func.count(Score.id)).join(PanelMember)
                           .where(PanelMember.vacancy_id == vacancy.id))
    if not count:
        problems.append((None, "Scoring cannot be finalized: no panel member has scored yet."))
    if problems:
        raise ValidationFailed(problems)
    vacancy.scoring_finalized_on = today
    session.flush()
    return vacancy


@dataclass
class ScorecardRow:
    """One candidate's line on the scorecard."""

    candidate: Candidate
    member_totals: dict[int, int | None] = field(default_factory=dict)
    average: float | None = None
    hard: str = ""
    background: str = "pending"


def _member_totals(session: Session, vacancy: Vacancy) -> dict[tuple[int, int], int]:
    """Weighted total per (candidate, member), in one grouped query."""
    rows = session.execute(
        select(Score.candidate_id, Score.member_id,
               func.sum(Score.rating * VacancyCriterion.weight).label("total"))
        .join(VacancyCriterion, VacancyCriterion.id == Score.criterion_id)
        .join(PanelMember, PanelMember.id == Score.member_id)
        .where(PanelMember.vacancy_id == vacancy.id)
        .group_by(Score.candidate_id, Score.member_id))
    return {(c, m): int(t) for c, m, t in rows}


def max_total(vacancy: Vacancy) -> int:
    """The highest weighted total one member can give (5 on every preference)."""
    return 5 * sum(c.weight for c in vacancy.preference_criteria)


def scorecard(session: Session, vacancy: Vacancy) -> list[ScorecardRow]:
    """Candidates with per-member weighted totals, their average, and hard-requirement status.

    Sorted best average first; candidates without scores come last.
    """
    totals = _member_totals(session, vacancy)
    rows = []
    for candidate in vacancy.candidates:
        row = ScorecardRow(candidate=candidate, hard=hard_summary(candidate),
                           background=background_summary(candidate))
        row.member_totals = {m.id: totals.get((candidate.id, m.id)) for m in vacancy.panel}
        given = [t for t in row.member_totals.values() if t is not None]
        row.average = round(sum(given) / len(given), 2) if given else None
        rows.append(row)
    rows.sort(key=lambda r: (r.average is None, -(r.average or 0), r.candidate.last_name))
    return rows


def scores_for(session: Session, candidate: Candidate) -> list[Score]:
    """Every score given to a candidate, with member and criterion loaded."""
    return list(session.scalars(
        select(Score).where(Score.candidate_id == candidate.id)
        .options(joinedload(Score.member), joinedload(Score.criterion))
        .order_by(Score.member_id, Score.criterion_id)))
