"""Who receives a reminder: the person, coordinators, HR, principals, supervisors, evaluators (set-based)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.accounts import User, user_schools
from models.evaluations import Evaluation
from models.people import Assignment, Person, assignment_schools
from models.policy import holders


@dataclass(frozen=True)
class PersonContact:
    """A person's name and contact email."""

    name: str
    email: str
    is_sro: bool


@dataclass
class Recipients:
    """Email addresses for each recipient role, resolved once for a whole run."""

    people: dict[int, PersonContact] = field(default_factory=dict)
    by_role: dict[str, list[str]] = field(default_factory=dict)  # coordinator, hr: district-wide
    principals: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    supervisors: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    evaluators: dict[int, str] = field(default_factory=dict)  # evaluation id -> evaluator email

    def for_role(self, role: str, person_id: int, evaluation_id: int | None = None) -> list[str]:
        """Addresses for `role` about `person_id` (empty when nobody holds that role)."""
        if role == "person":
            contact = self.people.get(person_id)
            return [contact.email] if contact and contact.email else []
        if role in ("coordinator", "hr"):
            return self.by_role.get(role, [])
        if role == "principal":
            return sorted(self.principals.get(person_id, ()))
        if role == "supervisor":
            return sorted(self.supervisors.get(person_id, ()))
        if role == "evaluator":
            # The evaluator named on the evaluation; before one is assigned, those who sign it.
            if evaluation_id in self.evaluators:
                return [self.evaluators[evaluation_id]]
            return sorted(self.principals.get(person_id, set()) | self.supervisors.get(person_id, set()))
        return []


def _chunks(ids: list[int], size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def resolve_recipients(session: Session, person_ids: set[int], evaluation_ids: set[int],
                       today: date | None = None) -> Recipients:
    """Resolve every recipient role for `person_ids` in a handful of queries (no per-person query)."""
    out = Recipients()
    ids = sorted(person_ids)
    for chunk in _chunks(ids):
        for pid, first, last, email, ptype in session.execute(
                select(Person.id, Person.first_name, Person.last_name, Person.email, Person.person_type)
                .where(Person.id.in_(chunk))):
            out.people[pid] = PersonContact(f"{first} {last}", email, ptype == "sro")
    for role in ("coordinator", "hr"):
        out.by_role[role] = list(session.scalars(
            select(User.email).where(User.role == role, User.active.is_(True)).order_by(User.email)))
    current = or_(Assignment.end_date.is_(None), Assignment.end_date >= (today or date.min))
    for chunk in _chunks(ids):
        stmt = (select(Assignment.person_id, User.email)
                .join(assignment_schools, assignment_schools.c.assignment_id == Assignment.id)
                .join(user_schools, user_schools.c.school_id == assignment_schools.c.school_id)
                .join(User, User.id == user_schools.c.user_id)
                .where(Assignment.person_id.in_(chunk), current, holders(User.role, "see_school_people"),
                       User.active.is_(True)).distinct())
        for pid, email in session.execute(stmt):
            out.principals[pid].add(email)
        stmt = (select(Person.id, User.email)
                .join(User, User.agency_id == Person.agency_id)
                .where(Person.id.in_(chunk), Person.person_type == "sro",
                       holders(User.role, "see_agency_sros"), User.active.is_(True)))
        for pid, email in session.execute(stmt):
            out.supervisors[pid].add(email)
    if evaluation_ids:
        for chunk in _chunks(sorted(evaluation_ids)):
            stmt = (select(Evaluation.id, User.email).join(User, User.id == Evaluation.evaluator_user_id)
                    .where(Evaluation.id.in_(chunk), User.active.is_(True)))
            out.evaluators.update(dict(session.execute(stmt).all()))
    return out
