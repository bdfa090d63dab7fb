"""Who may see and act on which evaluation: one SQL scope plus plain predicates for pages and services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from models.accounts import User
from models.evaluations import Evaluation
from models.people import Person
from models.policy import can
from models.scoping import assigned_to_schools


def evaluation_scope(user: User, today: date) -> ColumnElement[bool]:
    """SQL condition over Evaluation: exactly the evaluations `user` may see.

    HR and admins: all. Principals: people currently assigned to their schools (not their own drafts).
    Supervisors: their agency's SRO evaluations once submitted. Everyone: their own once submitted.
    Coordinators: none.
    """
    if not can(user, "see_evaluations"):
        return false()
    if can(user, "manage_cycles"):  # HR and admins run the district's evaluation program
        return true()
    own = (and_(Evaluation.person_id == user.person_id, Evaluation.status != "draft")
           if user.person_id else false())
    if can(user, "see_school_people"):
        at_schools = select(Person.id).where(assigned_to_schools(user.school_ids, today))
        return or_(own, and_(Evaluation.person_id != (user.person_id or 0),
                             Evaluation.person_id.in_(at_schools)))
    if can(user, "see_agency_sros") and user.agency_id:
        agency_people = select(Person.id).where(Person.agency_id == user.agency_id)
        return or_(own, and_(Evaluation.audience == "sro", Evaluation.status != "draft",
                             Evaluation.person_id.in_(agency_people)))
    return own


def can_start(user: User, person_id: int) -> bool:
    """Whether `user` may start evaluations (principals, never of themselves; scope checked apart)."""
    return can(user, "start_evaluation") and person_id != user.person_id


def can_edit(user: User, evaluation: Evaluation) -> bool:
    """Whether `user` may change a (visible) evaluation: a principal, while it is a draft."""
    return (can(user, "start_evaluation") and evaluation.status == "draft"
            and evaluation.person_id != user.person_id)


def can_cosign(user: User, evaluation: Evaluation) -> bool:
    """Whether `user` is the agency supervisor who still has to co-sign this SRO evaluation."""
    return (can(user, "co_sign") and evaluation.audience == "sro"
            and evaluation.status == "submitted" and user.agency_id is not None
            and evaluation.person.agency_id == user.agency_id
            and evaluation.signature("supervisor") is None)


def can_acknowledge(user: User, evaluation: Evaluation) -> bool:
    """Whether `user` is the evaluated person and every required signature is in."""
    return (user.person_id is not None and user.person_id == evaluation.person_id
            and evaluation.status == "signed" and not evaluation.missing_signatures)


def can_amend(user: User, evaluation: Evaluation) -> bool:
    """Whether `user` may attach an amendment to this (visible) final evaluation."""
    return (evaluation.status == "final" and can(user, "amend_evaluation")
            and evaluation.person_id != user.person_id)
