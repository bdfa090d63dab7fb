"""SRO selection criteria (SECURe Step 3) and demo vacancies with candidates at every stage."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.hiring import BACKGROUND_CHECKS, SelectionCriterion, Vacancy
from models.org import Agency, School
from models.services.hiring import vacancies as svc
from models.services.hiring.decision import appoint
from models.services.hiring.panel import add_member, finalize_scoring, save_scores
from models.services.hiring.screening import record_screening

# (title, description, kind, weight, sensitive): domain reference §3, editable by HR afterwards.
SRO_CRITERIA = [
    ("Sworn officer in good standing",
     "A sworn law-enforcement officer with no pending discipline.", "hard", 0, False),
    ("At least 2 years of patrol experience",
     "Two years or more of patrol experience (district default; edit to suit).", "hard", 0, False),
    ("No substantiated complaints involving juveniles",
     "Internal-affairs and complaint records show no substantiated complaint involving a juvenile.",
     "hard", 0, True),
    ("Background check, drug test and psychological evaluation passed",
     "All three passed (Florida requires each of them).", "hard", 0, True),
    ("Volunteered for the post",
     "The officer asked for a school assignment rather than being placed there.", "preference", 2, False),
    ("Experience with and interest in youth",
     "Coaching, mentoring, youth programs, or earlier work with young people.", "preference", 3, False),
    ("Prior training in child development, de-escalation or diversion",
     "Courses or practice in adolescent development, de-escalation or diversion from arrest.",
     "preference", 2, False),
    ("Able to work well with the student body's make-up",
     "Cultural competence and rapport with the school's students (Massachusetts gives preference "
     "to this and forbids selecting on seniority alone).", "preference", 3, False),
]
DEMO_TITLES = ("SRO, Riverside High School", "SRO, Lincoln Middle School",
               "SRO, Jefferson High School")


def seed_sro_criteria(session: Session) -> bool:
    """Create the SRO selection criteria unless the role already has some."""
    if session.scalar(select(SelectionCriterion.id).where(SelectionCriterion.role == "sro").limit(1)):
        return False
    for title, description, kind, weight, sensitive in SRO_CRITERIA:
        svc.save_criterion(session, {"title": title, "description": description, "role": "sro",
                                     "kind": kind, "weight": weight or None, "sensitive": sensitive})
    return True


def _screen_all_met(session: Session, candidate, today: date) -> None:
    data = {}
    for c in candidate.vacancy.hard_criteria:
        data[f"status_{c.id}"] = "met"
        data[f"evidence_{c.id}"] = "Verified against agency records."
    for t in BACKGROUND_CHECKS:
        data.update({f"bg_{t}": "cleared", f"bg_date_{t}": today - timedelta(days=10),
                     f"bg_detail_{t}": "No findings (file HR-2026-114)."})
    record_screening(session, candidate, data, today)


def _score(session: Session, member, candidate, base: int, user: User) -> None:
    data = {}
    for i, c in enumerate(candidate.vacancy.preference_criteria):
        data[f"rating_{c.id}"] = max(1, min(5, base - (i % 2)))
        data[f"comment_{c.id}"] = "Clear examples given at interview."
    save_scores(session, member, candidate, data, user)


def _candidate(session: Session, vacancy: Vacancy, first: str, last: str, years: int,
               volunteered: bool, agency: Agency) -> object:
    return svc.add_candidate(session, vacancy, {
        "first_name": first, "last_name": last, "years_of_service": years,
        "email": f"{first.lower()}.{last.lower()}@applicants.example", "volunteered": volunteered,
        "current_agency_id": agency.id})


def seed_hiring(session: Session, today: date) -> bool:
    """Demo: two open SRO vacancies with candidates at several stages and one filled vacancy."""
    added = seed_sro_criteria(session)
    if session.scalar(select(Vacancy.id).where(Vacancy.title.in_(DEMO_TITLES)).limit(1)):
        return added
    schools = {s.name: s for s in session.scalars(select(School))}
    agency = session.scalar(select(Agency).order_by(Agency.id).limit(1))
    users = {u.email: u for u in session.scalars(select(User))}
    hr = users.get("hr@riverside.example")
    principal = users.get("principal@riverside.example")
    needed = ("Riverside High School", "Lincoln Middle School", "Jefferson High School")
    if agency is None or hr is None or principal is None or any(n not in schools for n in needed):
        return added
    opened = today - timedelta(days=45)

    def vacancy(title: str, school: str) -> Vacancy:
        return svc.open_vacancy(session, {
            "title": title, "role": "sro", "school_ids": [schools[school].id], "agency_id": agency.id,
            "opened_on": opened, "job_description": "School resource officer under the district MOU: "
            "school safety, mentoring and diversion; no part in school discipline."}, today)

    # 1. Riverside High: the panel has scored; candidates at every open stage.
    riverside = vacancy(DEMO_TITLES[0], "Riverside High School")
    admin_seat = add_member(session, riverside, {"seat": "school_administrator", "user_id": principal.id})
    others = [add_member(session, riverside, {"name": n, "seat": s}) for n, s in
              (("Sgt. Dana Kowalski", "agency"), ("Ms. Irene Park", "teacher"),
               ("Mr. Felix Obi", "parent"))]
    applied = _candidate(session, riverside, "Jordan", "Reyes", 3, True, agency)
    screened = _candidate(session, riverside, "Casey", "Moreno", 6, True, agency)
    interviewed = _candidate(session, riverside, "Devon", "Whitfield", 9, False, agency)
    recommended = _candidate(session, riverside, "Alexis", "Romero", 5, True, agency)
    del applied  # stays at "applied"
    for c in (screened, interviewed, recommended):
        _screen_all_met(session, c, today)
        svc.move_candidate(session, c, "screened", "Every hard requirement met.")
    for c, base in ((interviewed, 3), (recommended, 5)):
        svc.move_candidate(session, c, "interviewed", "Panel interview held.")
        _score(session, admin_seat, c, base, principal)
        for m in others:
            _score(session, m, c, base - 1 if m.seat == "parent" else base, hr)
    svc.move_candidate(session, recommended, "recommended", "Highest panel score.")

    # 2. Lincoln Middle: newly posted, one applicant and one who withdrew.
    lincoln = vacancy(DEMO_TITLES[1], "Lincoln Middle School")
    _candidate(session, lincoln, "Taylor", "Brandt", 4, True, agency)
    gone = _candidate(session, lincoln, "Morgan", "Ellery", 2, False, agency)
    svc.move_candidate(session, gone, "withdrawn", "Accepted a post with another agency.")

    # 3. Jefferson High: filled; the officer starts in two weeks.
    jefferson = vacancy(DEMO_TITLES[2], "Jefferson High School")
    seat = add_member(session, jefferson, {"name": "Dr. Helen Marsh", "seat": "school_administrator"})
    chosen = _candidate(session, jefferson, "Riley", "Okafor", 7, True, agency)
    runner_up = _candidate(session, jefferson, "Jesse", "Lindqvist", 12, False, agency)
    for c, base in ((chosen, 5), (runner_up, 3)):
        _screen_all_met(session, c, today)
        svc.move_candidate(session, c, "screened", "Every hard requirement met.")
        svc.move_candidate(session, c, "interviewed", "Panel interview held.")
        _score(session, seat, c, base, hr)
    svc.move_candidate(session, chosen, "recommended", "Highest panel score.")
    finalize_scoring(session, jefferson, today)
    appoint(session, chosen, {
        "rationale": "Strongest youth-mentoring record and de-escalation training; chosen on the panel's "
                     "scores, not seniority.",
        "appointing_authority": "Chief of Police, Riverside Police Department",
        "district_concurrence": True, "concurrence_by": "Superintendent's office",
        "start_date": today + timedelta(days=14)}, today)
    session.flush()
    return True
