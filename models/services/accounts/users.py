"""Accounts: creating users and checking passwords (failures are throttled per client, never locked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import USER_ROLES, User, dummy_password_hash, password_hash_method
from models.errors import ValidationFailed
from models.org import Agency, School
from models.people import Person
from models.policy import role_can
from models.services.people.directory import normalize_email

MIN_PASSWORD = 10


def find_user(session: Session, email: str) -> User | None:
    """The account with this email, case-insensitively."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(session: Session, email: str, role: str, password: str, *,
                school_names: tuple[str, ...] = (), agency_name: str | None = None,
                person: Person | None = None) -> User:
    """Create an account scoped to schools or an agency; raises ValidationFailed."""
    problems = []
    normalized, problem = normalize_email(email)
    if problem:
        problems.append(("email", problem))
    elif find_user(session, normalized):
        problems.append(("email", f"An account for {normalized} already exists."))
    if role not in USER_ROLES:
        problems.append(("role", f"Role must be one of: {', '.join(USER_ROLES)}."))
    if len(password or "") < MIN_PASSWORD:
        problems.append(("password", f"Password must be at least {MIN_PASSWORD} characters."))
    schools = [session.scalar(select(School).where(School.name == n)) for n in school_names]
    for name, school in zip(school_names, schools, strict=True):
        if school is None:
            problems.append(("school", f"No school is named {name}."))
    agency = None
    if agency_name:
        agency = session.scalar(select(Agency).where(Agency.name == agency_name))
        if agency is None:
            problems.append(("agency", f"No agency is named {agency_name}."))
    if role_can(role, "see_school_people") and not school_names:
        problems.append(("school", "A principal's account needs at least one school."))
    if role_can(role, "see_agency_sros") and not agency_name:
        problems.append(("agency", "A supervisor's account needs an agency."))
    if problems:
        raise ValidationFailed(problems)
    user = User(email=normalized, role=role, agency=agency, person=person,
                schools=[s for s in schools if s])
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    """The user if the password is right and the account is active; every path hashes once.

    There is no account lock: anyone could lock anyone (the admin) out with wrong passwords. Failed
    attempts are throttled per client and email before this is called (tracker/api/limits.py), so
    a guesser slows only themselves and the real user signs in from their own device.
    """
    user = find_user(session, email or "")
    if user is None:
        # Spend the same hashing time as a real check so timing does not reveal unknown emails.
        User(password_hash=dummy_password_hash(password_hash_method())).check_password(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        user.failed_logins = (user.failed_logins or 0) + 1  # shown to admins; locks nothing
        session.flush()
        return None
    user.failed_logins = 0
    user.last_login_at = now
    session.flush()
    return user


def _reach(user: User) -> tuple:
    """What decides what an account may see and do: role, schools, agency, person, whether active."""
    return (user.role, tuple(sorted(s.id for s in user.schools)), user.agency and user.agency.id,
            user.person and user.person.id, bool(user.active))


def save_user(session: Session, data: dict, user: User | None = None) -> User:
    """Create or change an account from admin form data; raises ValidationFailed listing all problems."""
    problems: list[tuple[str | None, str]] = []
    email, problem = normalize_email(data.get("email"))
    if problem:
        problems.append(("email", problem))
    else:
        other = find_user(session, email)
        if other is not None and other is not user:
            problems.append(("email", f"An account for {email} already exists."))
    role = data.get("role")
    if role not in USER_ROLES:
        problems.append(("role", "Choose a role from the list."))
    school_ids = [int(s) for s in data.get("school_ids") or []]
    schools = list(session.scalars(select(School).where(School.id.in_(school_ids))))
    if role_can(role, "see_school_people") and not schools:
        problems.append(("school_ids", "A principal's account needs at least one school."))
    agency = session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    if role_can(role, "see_agency_sros") and agency is None:
        problems.append(("agency_id", "A supervisor's account needs an agency."))
    person = None
    person_email = (data.get("person_email") or "").strip().lower()
    if person_email:
        person = session.scalar(select(Person).where(func.lower(Person.email) == person_email))
        if person is None:
            problems.append(("person_email", f"No person has the email {person_email}."))
    elif role_can(role, "see_own_record_only"):
        problems.append(("person_email", "A staff account must be linked to the person's record."))
    password = data.get("password") or ""
    if (user is None or password) and len(password) < MIN_PASSWORD:
        problems.append(("password", f"Password must be at least {MIN_PASSWORD} characters."))
    if problems:
        raise ValidationFailed(problems)
    was = _reach(user) if user is not None and user.id else None
    user = user or User()
    user.email, user.role, user.person = email, role, person
    user.schools = schools if role_can(role, "see_school_people") else []
    user.agency = agency if role_can(role, "see_agency_sros") else None
    user.active = bool(data.get("active", True))
    if was is not None and _reach(user) != was:
        user.end_sessions()  # what the account may see changed: sessions signed in before end
    if password:
        user.set_password(password)
        user.failed_logins = 0
    session.add(user)
    session.flush()
    return user


def new_password_problems(new: str, confirm: str) -> list[tuple[str, str]]:
    """What is wrong with a new password typed twice (fields 'new' and 'confirm'): long enough, the same."""
    if len(new) < MIN_PASSWORD:
        return [("new", f"The new password must be at least {MIN_PASSWORD} characters.")]
    if new != confirm:
        return [("confirm", "The two new passwords are not the same.")]
    return []


def change_password(session: Session, user: User, data: dict) -> User:
    """The user's own change: the current password, then the new one twice; ends every other session."""
    problems: list[tuple[str | None, str]] = []
    if not user.check_password(data.get("current") or ""):
        problems.append(("current", "That is not your current password."))
    new = data.get("new") or ""
    problems.extend(new_password_problems(new, data.get("confirm") or ""))
    if not problems and new == (data.get("current") or ""):
        problems.append(("new", "Choose a password different from the current one."))
    if problems:
        raise ValidationFailed(problems)
    user.set_password(new)
    session.flush()
    return user
