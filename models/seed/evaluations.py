"""Evaluation templates and cycle rules (domain reference §5), and demo evaluations and recognitions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import User
from models.evaluations import CycleRule, Evaluation, EvaluationTemplate, Recognition, TemplateCriterion
from models.services.evaluations import workflow as svc
from models.services.evaluations.due import evaluation_due_rows
from models.services.evaluations.recognition import create_recognition

TRAINING = "training_compliance"
# (title, guidance, weight, source)
SRO_CRITERIA = [
    ("School safety and emergency preparedness",
     "Plans and drills with school staff; responds to threats; knows the building and its people.",
     "1", None),
    ("Adheres to the MOU and stays out of school discipline",
     "Handles crimes, not rule-breaking: does not enforce the code of conduct, search or question students "
     "for discipline, or take part in suspensions; refers discipline matters back to school staff.",
     "2", None),
    ("Diversion: alternatives to arrest, citation and court referral",
     "Uses warnings, restorative options and community referrals where the law allows; arrest is a last "
     "resort.", "1.5", None),
    ("Mentoring and connecting students to services",
     "Builds trust with students; connects them with counselors, mental-health and community services.", "1",
     None),
    ("Law-related education",
     "Teaches or supports lessons on law, safety and students' rights when the school asks.", "1", None),
    ("Collaboration with school staff and families",
     "Communicates with the principal, staff and families; attends meetings the MOU names.", "1", None),
    ("Equity and students with disabilities",
     "Reviews referral, arrest and use-of-force data with the principal; treats students fairly; works "
     "appropriately with students with disabilities.", "1.5", None),
    ("Progress on this year's goals", "Progress on the goals agreed at the start of the cycle.", "1", None),
    ("Training compliance",
     "Filled in from the training records (Step 4): the snapshot is shown beside this criterion.", "1",
     TRAINING),
]
PERSONNEL_CRITERIA = [
    ("Does not ask the SRO to handle school discipline",
     "Handles code-of-conduct matters through school channels; calls the SRO only for safety and crime.",
     "2", None),
    ("Uses non-punitive responses",
     "Uses PBIS, restorative practices and mental-health supports before exclusion or referral.",
     "1.5", None),
    ("Completed the joint MOU orientation and PBIS training",
     "Filled in from the training records (Step 4): the snapshot is shown beside this criterion.", "1",
     TRAINING),
    ("Meets the SRO regularly and gives evaluation input",
     "Regular check-ins with the SRO; gives input to the SRO's evaluation.", "1", None),
]
TEMPLATES = [
    ("sro", "sro", "SRO joint evaluation",
     "Completed by the principal and co-signed by the agency supervisor (SECURe Action Step 5).",
     SRO_CRITERIA),
    ("school-personnel", "school_personnel", "School personnel evaluation: working with the SRO",
     "For administrators, counselors, teachers and security officers (SECURe Action Step 5).",
     PERSONNEL_CRITERIA),
]


def seed_templates(session: Session, today: date | None = None) -> bool:
    """Create the SRO and school-personnel templates and the default cycle rules; False if present."""
    added = False
    for key, audience, name, description, criteria in TEMPLATES:
        if session.scalar(select(EvaluationTemplate.id).where(EvaluationTemplate.key == key)):
            continue
        template = EvaluationTemplate(key=key, version=1, audience=audience, name=name,
                                      description=description, is_current=True)
        template.criteria = [TemplateCriterion(position=i, title=t, guidance=g, weight=Decimal(w), source=s)
                             for i, (t, g, w, s) in enumerate(criteria)]
        session.add(template)
        added = True
    for audience in ("sro", "school_personnel"):
        if not session.scalar(select(CycleRule.id).where(CycleRule.audience == audience)):
            session.add(CycleRule(audience=audience, annual=True, first_review_days=90))
            added = True
    session.flush()
    return added


def _user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def _rate(ev: Evaluation, ratings: list[int]) -> dict:
    data = {"version_id": ev.version_id, "goals": "Build trust with students; keep discipline with staff.",
            "progress": "Good progress on both goals.", "strengths": "Calm, visible, trusted by students.",
            "growth_areas": "More law-related lessons in class."}
    for r, value in zip(ev.ratings, ratings, strict=False):
        data[f"rating_{r.criterion_id}"] = value
        data[f"comment_{r.criterion_id}"] = "Discussed at the review meeting." if value in (1, 2) else ""
    return data


def _open(session: Session, user: User, person_id: int, today: date) -> Evaluation | None:
    rows = [r for r in evaluation_due_rows(session, today, person_ids=[person_id])
            if r.status == "overdue" and r.evaluation_id is None]
    if not rows:
        return None
    r = rows[0]
    return svc.start_evaluation(session, person_id=person_id, assignment_id=r.assignment_id, cycle=r.cycle,
                                evaluator=user, today=today)


def seed_evaluations(session: Session, today: date) -> bool:
    """Demo: evaluations in every state (draft, submitted, signed, final with amendment) and recognitions."""
    seed_templates(session, today)
    if session.scalar(select(Evaluation.id).limit(1)) is not None:
        return False
    principal = _user(session, "principal@riverside.example")
    lincoln = _user(session, "principal.lincoln@riverside.example")
    supervisor = _user(session, "supervisor@riverside.example")
    sro_user = _user(session, "sro@riverside.example")
    teacher_user = _user(session, "teacher@riverside.example")
    if not all((principal, lincoln, supervisor, sro_user, teacher_user)):
        return False
    full = [4, 3, 3, 4, 2, 3, 3, 4, 3]
    # The demo SRO: last year's evaluation is final, acknowledged, and amended once.
    ev = _open(session, principal, sro_user.person_id, today)
    if ev is not None:
        svc.save_evaluation(session, ev, _rate(ev, full), user=principal, today=today, submit=True)
        svc.cosign_evaluation(session, ev, user=supervisor, today=today)
        svc.acknowledge_evaluation(session, ev, user=sro_user, today=today,
                                   response="Thank you. I would like more time for classroom lessons.")
        svc.add_amendment(session, ev, user=principal, today=today,
                          body="Correction: the drill count under school safety was 6, not 4.")
        create_recognition(session, ev.person, {
            "kind": "commendation", "title": "Commendation for de-escalation",
            "reason": "Calmly resolved a conflict at the spring dance without any arrest.",
            "awarded_on": today - timedelta(days=40), "evaluation_id": ev.id,
            "school_id": ev.person.assignments[0].schools[0].id}, user=principal, today=today)
    # The demo teacher: signed by the principal, waiting for their acknowledgement.
    ev = _open(session, principal, teacher_user.person_id, today)
    if ev is not None:
        svc.save_evaluation(session, ev, _rate(ev, [4, 3, 3, 4]), user=principal, today=today, submit=True)
        create_recognition(session, ev.person, {
            "kind": "district_award", "title": "Restorative practices award",
            "reason": "Led the school's restorative circles programme.",
            "awarded_on": today - timedelta(days=90),
            "school_id": ev.person.assignments[0].schools[0].id}, user=principal, today=today)
    # Lincoln's SRO: submitted by the principal, waiting for the supervisor's co-signature.
    lincoln_sro = session.scalar(select(User.person_id).where(User.id == sro_user.id))
    lincoln_sros = [r.person_id for r in evaluation_due_rows(session, today,
                                                             assignment_school_ids=lincoln.school_ids)
                    if r.audience == "sro" and r.person_id != lincoln_sro]
    if lincoln_sros:
        ev = _open(session, lincoln, lincoln_sros[0], today)
        if ev is not None:
            svc.save_evaluation(session, ev, _rate(ev, full), user=lincoln, today=today, submit=True)
    # A Riverside counselor: a draft in progress.
    counselors = [r.person_id for r in evaluation_due_rows(session, today,
                                                           assignment_school_ids=principal.school_ids)
                  if r.status == "overdue" and r.evaluation_id is None and r.person_id != principal.person_id]
    if counselors:
        ev = _open(session, principal, counselors[0], today)
        if ev is not None:
            svc.save_evaluation(session, ev, _rate(ev, [3, 3]), user=principal, today=today)
    session.add(Recognition(
        person_id=sro_user.person_id, kind="nomination", title="Nominated for NASRO Practitioner",
        reason="Four years as SRO with strong evaluations.", awarded_on=today - timedelta(days=10),
        approved_by_user_id=supervisor.id, approved_by_name=supervisor.email))
    session.flush()
    return True
