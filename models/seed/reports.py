"""Seed: the SECURe self-assessment checklist items for Steps 3–5, and demo outcome data.

The item texts restate the substance of the SECURe Local Implementation Rubric (ED/DOJ, 2016) as
summarised in the domain reference; a district edits them or pastes its own copy.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.org import School
from models.reports import OUTCOME_DIMENSIONS, OutcomeCount, SelfAssessmentItem

# (step, checklist, text, evidence key or None)
CHECKLIST_ITEMS = [
    (3, "start", "Write selection criteria for SROs that go beyond seniority: a sworn officer in good "
                 "standing with patrol experience, no substantiated complaints involving juveniles, and "
                 "passed background, drug and psychological checks.", "appointments_clean"),
    (3, "start", "Recruit SROs who volunteer for the post and have experience with, and interest in, "
                 "working with young people.", "sro_volunteered"),
    (3, "start", "Include at least one school administrator on every SRO selection panel, so the school "
                 "and the agency choose the SRO together.", "panel_with_admin"),
    (3, "start", "Hire school personnel who will work with the SRO with the same care: they understand "
                 "the SRO is not there to handle school discipline.", None),
    (3, "improve", "Add teachers, parents, students and community members to selection panels, and score "
                   "every candidate against the same criteria.", "panel_with_admin"),
    (3, "improve", "Prefer candidates with prior training in child development, de-escalation or diversion, "
                   "and the ability to work well with the make-up of the student body.", None),
    (3, "improve", "Review selection criteria each year against SRO evaluations and outcome data.", None),
    (4, "start", "Train every SRO before placement, or within the state's deadline, in the SRO's role as "
                 "law enforcer, informal counselor and educator (for example the NASRO Basic course).",
     "sros_cleared"),
    (4, "start", "Train SROs, principals and supervisors together on the MOU: roles, the line between crime "
                 "and discipline, information sharing and escalation.", "training_by_role"),
    (4, "start", "Train SROs in adolescent development and mental health, de-escalation, implicit bias, "
                 "disability awareness, and students' civil rights.", "training_by_role"),
    (4, "start", "Train school personnel in non-punitive discipline and in when, and when not, to call "
                 "the SRO.", "training_by_role"),
    (4, "improve", "Refresh training every year and track completions, renewals and certificates for every "
                   "SRO and school staff member in one place.", "training_by_role"),
    (4, "improve", "Use evaluation results and outcome data to choose next year's training topics.", None),
    (5, "start", "Evaluate every SRO at least once a year with criteria tied to the MOU, jointly by the "
                 "principal and the agency supervisor.", "sro_evals_cosigned"),
    (5, "start", "Evaluate school personnel on their part of the partnership: not asking the SRO to handle "
                 "discipline, and using non-punitive responses.", "evaluations_complete"),
    (5, "start", "Recognize SROs and school personnel whose work meets the program's goals.", "recognitions"),
    (5, "improve", "Review referrals to law enforcement, arrests, citations and uses of force by school, "
                   "broken down by race/ethnicity, sex, disability and English-learner status, alongside "
                   "SRO evaluations.", "outcome_data"),
    (5, "improve", "Gather feedback from students, families and staff for evaluations, and let each person "
                   "respond in writing to their own evaluation.", None),
    (5, "improve", "Report the program's results to the school board and the community every year.", None),
]


def seed_self_assessment(session: Session, today: date) -> bool:
    """Create the checklist items; False (and nothing changed) if any item exists."""
    if session.scalar(select(SelfAssessmentItem.id).limit(1)):
        return False
    positions: dict[tuple[int, str], int] = {}
    for step, checklist, text, key in CHECKLIST_ITEMS:
        pos = positions[(step, checklist)] = positions.get((step, checklist), 0) + 1
        session.add(SelfAssessmentItem(step=step, checklist=checklist, position=pos, text=text,
                                       evidence_key=key, status="not_started"))
    session.flush()
    return True


def _split(total: int, parts: int, rng: random.Random, weights=None) -> list[int]:
    weights = weights or [1] * parts
    shares = [rng.random() * w for w in weights]
    raw = [int(total * s / sum(shares)) for s in shares]
    raw[max(range(parts), key=lambda i: shares[i])] += total - sum(raw)
    return raw


def seed_outcomes(session: Session, today: date) -> bool:
    """Demo outcome counts for the last school year (aggregates only); False if any exist."""
    if session.scalar(select(OutcomeCount.id).limit(1)):
        return False
    schools = list(session.scalars(select(School).order_by(School.name)))
    if not schools:
        return False
    rng = random.Random(2016)
    end = today.year if (today.month, today.day) > (6, 30) else today.year - 1
    term = f"{end - 1}-{end}"
    for school in schools:
        for measure, scale in (("referral", 40), ("arrest", 12), ("citation", 18), ("use_of_force", 4)):
            total = rng.randint(0, scale)
            for dimension, (_, cats) in OUTCOME_DIMENSIONS.items():
                weights = [3, 1, 1, 1, 4, 4, 1] if dimension == "race_ethnicity" else None
                for category, n in zip(cats, _split(total, len(cats), rng, weights), strict=True):
                    session.add(OutcomeCount(school_id=school.id, term=term, measure=measure,
                                             dimension=dimension, category=category, count=n))
    session.flush()
    return True
