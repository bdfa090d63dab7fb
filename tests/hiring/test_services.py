"""Hiring rules at the service level: snapshots, transitions, panels, scorecards and decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.accounts import User
from models.audit import AuditEvent
from models.errors import DomainError, ValidationFailed
from models.hiring import Candidate, PanelMember, SelectionCriterion, Vacancy
from models.people import Assignment, Person
from models.services.hiring import vacancies as svc
from models.services.hiring.decision import appoint
from models.services.hiring.panel import NO_ADMINISTRATOR, finalize_scoring, max_total, scorecard
from tests.conftest import TODAY
from tests.factories import make_person
from tests.hiring.factories import advance, score, screen

DECISION = {"rationale": "Best youth work", "appointing_authority": "Chief of Police",
            "district_concurrence": True, "concurrence_by": "Superintendent",
            "start_date": TODAY + timedelta(days=20)}


def _ready(session, hw, *, unmet_title=None):
    """Screen, score and recommend candidate 1; finalize the scoring."""
    c1 = session.get(Candidate, hw.c1)
    users = {r: session.get(User, i) for r, i in hw.users.items()}
    screen(session, c1, TODAY, unmet_title=unmet_title)
    advance(session, c1, "interviewed")
    score(session, session.get(PanelMember, hw.admin_seat), c1, 4, users["principal"])
    advance(session, c1, "recommended")
    finalize_scoring(session, c1.vacancy, TODAY)
    return c1


def test_vacancy_keeps_criteria_it_opened_with(session, hw):
    vacancy = session.get(Vacancy, hw.vacancy)
    before = [(c.title, c.kind, c.weight) for c in vacancy.criteria]
    assert len(before) == 8 and sum(1 for c in vacancy.criteria if c.kind == "hard") == 4
    crit = session.scalar(select(SelectionCriterion).where(SelectionCriterion.kind == "preference"))
    svc.save_criterion(session, {"title": "Changed title", "role": "sro", "kind": "preference",
                                 "weight": 9}, crit)
    session.commit()
    session.expire_all()
    assert [(c.title, c.kind, c.weight) for c in session.get(Vacancy, hw.vacancy).criteria] == before


def test_invalid_transition_applied_to_appointed_refused_and_nothing_changes(session, hw):
    c1 = session.get(Candidate, hw.c1)
    with pytest.raises(ValidationFailed) as err:
        svc.move_candidate(session, c1, "appointed", "Skip ahead")
    assert "cannot go from Applied to Appointed" in str(err.value)
    session.rollback()
    c1 = session.get(Candidate, hw.c1)
    assert c1.stage == "applied" and len(c1.transitions) == 1


def test_transition_records_who_when_and_why(session, hw):
    session.info.update(actor_user_id=hw.users["hr"], actor_label="hr@example.org")
    c1 = session.get(Candidate, hw.c1)
    svc.move_candidate(session, c1, "screened", "Papers in order")
    last = c1.transitions[-1]
    assert (last.from_stage, last.to_stage, last.reason) == ("applied", "screened", "Papers in order")
    assert last.actor_user_id == hw.users["hr"] and last.occurred_at is not None


@pytest.mark.parametrize("stage", ["applied", "screened", "interviewed", "recommended"])
def test_withdrawn_reachable_from_every_open_stage(session, hw, stage):
    c1 = session.get(Candidate, hw.c1)
    advance(session, c1, stage)
    svc.move_candidate(session, c1, "withdrawn", "Took another job")
    assert c1.stage == "withdrawn"
    with pytest.raises(ValidationFailed):
        svc.move_candidate(session, c1, "screened", "Back again")


def test_finalize_without_school_administrator_refused(session, hw):
    vacancy = session.get(Vacancy, hw.vacancy)
    session.delete(session.get(PanelMember, hw.admin_seat))
    session.flush()
    session.refresh(vacancy)
    with pytest.raises(ValidationFailed) as err:
        finalize_scoring(session, vacancy, TODAY)
    assert NO_ADMINISTRATOR in str(err.value)
    assert vacancy.scoring_finalized_on is None


def test_hr_cannot_score_for_member_with_account(session, hw):
    hr = session.get(User, hw.users["hr"])
    c1 = session.get(Candidate, hw.c1)
    with pytest.raises(DomainError, match="enters their own scores"):
        score(session, session.get(PanelMember, hw.admin_seat), c1, 3, hr)
    score(session, session.get(PanelMember, hw.parent_seat), c1, 3, hr)  # no account: HR enters


def test_rating_outside_one_to_five_refused(session, hw):
    principal = session.get(User, hw.users["principal"])
    with pytest.raises(ValidationFailed, match="ratings go from 1 to 5"):
        score(session, session.get(PanelMember, hw.admin_seat), session.get(Candidate, hw.c1), 6, principal)


def test_scorecard_weighted_totals_per_member_and_average(session, hw):
    users = {r: session.get(User, i) for r, i in hw.users.items()}
    c1, c2 = session.get(Candidate, hw.c1), session.get(Candidate, hw.c2)
    vacancy = c1.vacancy
    weights = sum(c.weight for c in vacancy.preference_criteria)
    score(session, session.get(PanelMember, hw.admin_seat), c1, 5, users["principal"])
    score(session, session.get(PanelMember, hw.parent_seat), c1, 3, users["hr"])
    score(session, session.get(PanelMember, hw.admin_seat), c2, 2, users["principal"])
    rows = scorecard(session, vacancy)
    assert [r.candidate.id for r in rows] == [c1.id, c2.id]
    assert rows[0].member_totals[hw.admin_seat] == 5 * weights
    assert rows[0].member_totals[hw.parent_seat] == 3 * weights
    assert rows[0].member_totals[hw.teacher_seat] is None
    assert rows[0].average == 4 * weights and rows[1].average == 2 * weights
    assert max_total(vacancy) == 5 * weights and rows[0].hard == "4 pending"


def test_appoint_refused_with_unmet_hard_requirement_naming_it(session, hw):
    c1 = _ready(session, hw, unmet_title="At least 2 years of patrol experience")
    with pytest.raises(ValidationFailed) as err:
        appoint(session, c1, dict(DECISION), TODAY)
    assert "At least 2 years of patrol experience (not met)" in str(err.value)
    assert session.scalar(select(Assignment.id)) is None
    assert c1.vacancy.status == "open" and c1.stage == "recommended"


def test_appoint_with_override_is_audited(session, hw):
    c1 = _ready(session, hw, unmet_title="At least 2 years of patrol experience")
    decision = appoint(session, c1, {**DECISION, "override_justification": "Military police years count"},
                       TODAY)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "hiring_override"))
    assert event.entity_type == "candidates" and event.entity_id == c1.id
    assert event.reason == "Military police years count"
    assert decision.override_justification == "Military police years count"


def test_appoint_creates_person_assignment_and_fills_vacancy(session, hw):
    c1 = _ready(session, hw)
    appoint(session, c1, dict(DECISION), TODAY)
    session.commit()
    person = session.scalar(select(Person).where(Person.email == "casey@applicants.example"))
    assert person is not None and person.person_type == "sro" and person.agency_id == hw.agency
    (assignment,) = person.assignments
    assert assignment.start_date == DECISION["start_date"] and assignment.role == "sro"
    assert [s.id for s in assignment.schools] == [hw.school_a]
    vacancy = session.get(Vacancy, hw.vacancy)
    assert vacancy.status == "filled" and c1.stage == "appointed"
    assert session.get(Candidate, hw.c2).stage == "not_selected"
    assert c1.decision.assignment_id == assignment.id


def test_appoint_links_existing_person(session, hw):
    person = make_person(session, first_name="Ex", last_name="Isting", email="ex@example.org",
                         person_type="sro")
    vacancy = session.get(Vacancy, hw.vacancy)
    cand = svc.add_candidate(session, vacancy, {"person_id": person.id})
    assert cand.full_name == "Ex Isting"
    users = {r: session.get(User, i) for r, i in hw.users.items()}
    screen(session, cand, TODAY)
    advance(session, cand, "interviewed")
    score(session, session.get(PanelMember, hw.admin_seat), cand, 4, users["principal"])
    advance(session, cand, "recommended")
    finalize_scoring(session, vacancy, TODAY)
    appoint(session, cand, dict(DECISION), TODAY)
    assert session.scalar(select(Person.id).where(Person.email == "ex@example.org")) == person.id
    assert len(person.assignments) == 1


def test_appoint_requires_recommended_stage_and_rationale(session, hw):
    c2 = session.get(Candidate, hw.c2)
    with pytest.raises(ValidationFailed) as err:
        appoint(session, c2, {**DECISION, "rationale": "", "district_concurrence": False}, TODAY)
    text = str(err.value)
    assert "Only a recommended candidate" in text and "rationale" in text and "district must concur" in text


def test_new_candidate_with_existing_persons_email_refused(session, hw):
    make_person(session, email="taken@example.org")
    with pytest.raises(ValidationFailed, match="already exists"):
        svc.add_candidate(session, session.get(Vacancy, hw.vacancy),
                          {"first_name": "A", "last_name": "B", "email": "taken@example.org"})
