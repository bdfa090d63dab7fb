"""Invitations: a staff account for people on the roster who have none, and an emailed link to set a password.

The account's role and scope come from the app's records (a staff account linked to the person's
record: they see their own record); an administrator widens the role afterwards if the job needs it.
Nobody knows the new account's password until the link sets one (or the person signs in through the
district's single sign-on), so every new account shares one unguessable hash, computed once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import User, dummy_password_hash, password_hash_method
from models.credentials import AccountLink
from models.errors import DomainError
from models.people import Person
from models.scoping import assigned_to_schools
from models.services.accounts.links import issue_link, issue_links

NO_EMAIL = "{name} has no email on their record: add one, then send the invitation."
HAS_ACCOUNT = "{name} already has an account ({email}). To send them a new link, use “Send a password link”."
EMAIL_TAKEN = "Another account already uses {email}; an administrator can link it to {name}'s record."


def _has_no_account():
    """Condition over Person: an email, and no account linked to the record or using that email."""
    linked = select(User.id).where(User.person_id == Person.id)
    same_email = select(User.id).where(func.lower(User.email) == func.lower(Person.email))
    return Person.email.is_not(None), Person.email != "", ~linked.exists(), ~same_email.exists()


def uninvited_at_schools(session: Session, school_ids: list[int], today: date) -> list[Person]:
    """People at these schools (current or upcoming assignment) with an email and no account, by name."""
    stmt = select(Person).where(assigned_to_schools(school_ids, today), *_has_no_account())
    return list(session.scalars(stmt.order_by(Person.last_name, Person.first_name, Person.id)))


def invite_problem(session: Session, person: Person) -> str | None:
    """Why `person` cannot be invited, in a sentence, or None."""
    if not (person.email or "").strip():
        return NO_EMAIL.format(name=person.full_name)
    account = session.scalar(select(User).where(User.person_id == person.id))
    if account is not None:
        return HAS_ACCOUNT.format(name=person.full_name, email=account.email)
    if session.scalar(select(User.id).where(func.lower(User.email) == person.email.lower())) is not None:
        return EMAIL_TAKEN.format(email=person.email, name=person.full_name)
    return None


def invite_people(session: Session, people: list[Person], now: datetime, lifetime: timedelta,
                  by_user_id: int | None = None) -> list[AccountLink]:
    """A staff account and an invitation link (its email queued) for each person; raises if one cannot."""
    for person in people:
        problem = invite_problem(session, person)
        if problem:
            raise DomainError(problem)
    return _create_and_invite(session, people, now, lifetime, by_user_id)


def _create_and_invite(session: Session, people: list[Person], now: datetime, lifetime: timedelta,
                       by_user_id: int | None) -> list[AccountLink]:
    """Accounts for people already checked to have an email and no account: one flush, then the links."""
    emails = [p.email.strip().lower() for p in people]
    shared = sorted({e for e in emails if emails.count(e) > 1})
    if shared:  # one account per email: HR decides whose address it is
        raise DomainError(f"More than one person on the roster has the email {', '.join(shared)}: give each "
                          "their own address, then send the invitations.")
    unusable = dummy_password_hash(password_hash_method())
    users = [User(email=email, role="staff", person=person, password_hash=unusable)
             for person, email in zip(people, emails, strict=True)]
    session.add_all(users)
    session.flush()
    return issue_links(session, users, "invite", now, lifetime, by_user_id)


def invite_school(session: Session, school_id: int, today: date, now: datetime, lifetime: timedelta,
                  by_user_id: int | None = None) -> int:
    """Invite everyone at the school who has an email and no account; how many were invited.

    Set-based: the query that finds them already excludes anyone with an account or a taken email, so
    a school of hundreds is a handful of statements, not a few per person.
    """
    people = uninvited_at_schools(session, [school_id], today)
    return len(_create_and_invite(session, people, now, lifetime, by_user_id))


def send_password_link(session: Session, user: User, now: datetime, invite_lifetime: timedelta,
                       reset_lifetime: timedelta, by_user_id: int | None = None) -> AccountLink:
    """HR or an admin sends an account a new link: an invitation if it never had a password, else a reset."""
    if not user.active:
        raise DomainError(f"The account {user.email} is switched off; switch it on first.")
    links = session.execute(select(AccountLink.purpose, AccountLink.used_at)
                            .where(AccountLink.user_id == user.id)).all()
    # Invited and never came in: invite again (the wording says "set your password", not "reset").
    never_set = any(p == "invite" for p, _ in links) and all(used is None for _, used in links)
    if never_set:
        return issue_link(session, user, "invite", now, invite_lifetime, by_user_id)
    return issue_link(session, user, "reset", now, reset_lifetime, by_user_id)


def account_of(session: Session, person: Person) -> User | None:
    """The account linked to the person's record, if any."""
    return session.scalar(select(User).where(User.person_id == person.id))


def send_link_to_person(session: Session, person: Person, now: datetime, invite_lifetime: timedelta,
                        reset_lifetime: timedelta, by_user_id: int | None = None) -> AccountLink:
    """The person page's button: invite a person with no account, or send their account a new link."""
    account = account_of(session, person)
    if account is None:
        return invite_people(session, [person], now, invite_lifetime, by_user_id)[0]
    return send_password_link(session, account, now, invite_lifetime, reset_lifetime, by_user_id)
