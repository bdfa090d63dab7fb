"""The one place that decides which people and schools a user may see.

Every list, search, count, report and object lookup goes through these conditions, so a
principal never learns of a person outside their schools, not even by a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from models.accounts import User
from models.org import School
from models.people import Assignment, Person, assignment_schools
from models.policy import can
from models.stores import school_people


def not_ended(today: date, entity=Assignment) -> ColumnElement[bool]:
    """Assignments that are current or still to come on `today`."""
    return or_(entity.end_date.is_(None), entity.end_date >= today)


def _at_schools(school_ids, today: date):
    """school_people (aliased) and the one condition of "people at these schools" over it.

    A person is at a school while an assignment there has not ended: current and upcoming
    assignments count (an SRO placed from next month is already the principal's), ended ones do not.
    `school_ids` None means every school.
    """
    # school_people holds assignments by school with person and end date; the drift check
    # (models/services/stores/checks.py) compares it with the assignments, so scope may rely on it.
    sp = school_people.alias()
    conds = [not_ended(today, sp.c)]
    if school_ids is not None:
        conds.append(sp.c.school_id.in_(list(school_ids)))
    return sp, conds


def school_links(school_ids, today: date) -> Select:
    """(person_id, school_id) pairs of the people at `school_ids` (None: all schools), one per pair."""
    sp, conds = _at_schools(school_ids, today)
    return select(sp.c.person_id, sp.c.school_id).where(*conds).distinct()


def assignments_at_schools(school_ids) -> Select:
    """Ids of the assignments placed at one of `school_ids`, ended ones too.

    The one definition for records that belong to an assignment rather than a person (evaluation
    due items: an evaluation owed for time served at a school is owed there after the move).
    """
    links = assignment_schools.c
    return select(links.assignment_id).where(links.school_id.in_(list(school_ids)))


def assigned_to_schools(school_ids, today: date) -> ColumnElement[bool]:
    """Condition over Person: at one of `school_ids` (a current or upcoming assignment there)."""
    # An uncorrelated IN: the database reads the list of people once from one index range
    # instead of probing every row.
    sp, conds = _at_schools(school_ids, today)
    return Person.id.in_(select(sp.c.person_id).where(*conds))


def person_scope(user: User, today: date) -> ColumnElement[bool]:
    """SQL condition over Person that holds for exactly the people `user` may see."""
    if can(user, "see_district"):
        return true()
    own = Person.id == user.person_id if user.person_id else false()
    if can(user, "see_school_people"):
        return or_(own, assigned_to_schools(user.school_ids, today))
    if can(user, "see_agency_sros") and user.agency_id:
        return or_(own, and_(Person.agency_id == user.agency_id, Person.person_type == "sro"))
    return own


def school_scope(user: User, today: date) -> ColumnElement[bool]:
    """SQL condition over School that holds for the schools `user` may see."""
    if can(user, "see_district"):
        return true()
    if can(user, "see_school_people"):
        return School.id.in_(user.school_ids)
    # The schools their visible people are at, by the one definition of "at a school".
    sp, conds = _at_schools(None, today)
    visible_people = select(Person.id).where(person_scope(user, today))
    return School.id.in_(select(sp.c.school_id).where(*conds, sp.c.person_id.in_(visible_people)))


def visible_person(session: Session, user: User, person_id: int, today: date) -> Person | None:
    """The person with `person_id` if `user` may see them, else None (the one "can see this person")."""
    return session.scalar(select(Person).where(Person.id == person_id, person_scope(user, today)))


@dataclass(frozen=True)
class Scope:
    """Whose records a read may return, built once per request or job and passed to every read.

    `people` is a condition over Person (None: everyone in the district); the store reads
    (models/services/stores/reads.py) refuse anything that is not a Scope, so a read cannot
    forget it. "People at these schools" is always `assigned_to_schools`: a current or upcoming
    assignment there (an ended one no longer counts); `at_schools` narrows a scope to them.
    """

    today: date
    people: ColumnElement[bool] | None
    district_wide: bool
    schools: ColumnElement[bool] | None = None  # over School: the schools the user sees (None: all)

    @classmethod
    def for_user(cls, user: User, today: date) -> Scope:
        """What `user` may see on `today` (the person and school scopes of models/policy.py's roles)."""
        if can(user, "see_district"):
            return cls(today, None, True)
        return cls(today, person_scope(user, today), False, school_scope(user, today))

    @classmethod
    def everyone(cls, today: date) -> Scope:
        """The whole district: jobs, district reports and a person's own records."""
        return cls(today, None, True)

    def condition(self) -> ColumnElement[bool]:
        """The scope as a condition over Person (true for the whole district)."""
        return true() if self.people is None else self.people

    def school_condition(self) -> ColumnElement[bool]:
        """The visible schools as a condition over School (true for the whole district)."""
        return true() if self.schools is None else self.schools

    def _narrowed(self, cond: ColumnElement[bool]) -> Scope:
        people = cond if self.people is None else and_(self.people, cond)
        return Scope(self.today, people, False, self.schools)

    def at_schools(self, school_ids) -> Scope:
        """The same scope narrowed to the people at `school_ids` (a school filter); None: unchanged."""
        return self if school_ids is None else self._narrowed(assigned_to_schools(school_ids, self.today))

    def without(self, person_id: int | None) -> Scope:
        """The same scope less one person (a principal's list leaves out their own evaluations)."""
        return self if person_id is None else self._narrowed(Person.id != person_id)


def can_view_person(session: Session, user: User, person_id: int, today: date) -> bool:
    """Whether `user` may see the person with `person_id`."""
    return visible_person(session, user, person_id, today) is not None


def can_view_school(session: Session, user: User, school_id: int, today: date) -> bool:
    """Whether `user` may see the school with `school_id`."""
    stmt = select(School.id).where(School.id == school_id, school_scope(user, today))
    return session.scalar(stmt) is not None


def can_manage_people(user: User) -> bool:
    """Whether `user` creates and edits schools, agencies, people and assignments."""
    return can(user, "manage_people")
