"""Object lookups for the hiring pages: out of scope answers 404, never 403."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from models import db
from models.hiring import Candidate, PanelMember, Vacancy
from models.services.hiring.vacancies import can_manage_hiring, visible_candidate, visible_vacancy


def vacancy_or_404(vacancy_id: int) -> Vacancy:
    """The vacancy if the current user may see it."""
    vacancy = visible_vacancy(db.session, current_user, vacancy_id)
    if vacancy is None:
        abort(404)
    return vacancy


def candidate_or_404(candidate_id: int) -> Candidate:
    """The candidate if the current user may see their vacancy."""
    candidate = visible_candidate(db.session, current_user, candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def member_or_404(vacancy: Vacancy, member_id: int) -> PanelMember:
    """A member of `vacancy`'s panel."""
    member = db.session.get(PanelMember, member_id)
    if member is None or member.vacancy_id != vacancy.id:
        abort(404)
    return member


def require_manager() -> None:
    """403 unless the current user runs hiring (after the object was found visible)."""
    if not can_manage_hiring(current_user):
        abort(403)


def my_seat(vacancy: Vacancy) -> PanelMember | None:
    """The current user's seat on `vacancy`'s panel, if any."""
    return next((m for m in vacancy.panel if m.user_id == current_user.id), None)


