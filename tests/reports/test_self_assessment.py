"""The self-assessment: seeded items, editable, with evidence that follows the records."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from models.audit import record_event
from models.org import School
from models.people import Assignment, Person
from models.reports import SelfAssessmentItem
from models.seed.reports import CHECKLIST_ITEMS, seed_self_assessment
from tests.conftest import TODAY, post_form
from tests.factories import make_assignment, make_person


def _evidence(html: str, label: str) -> str:
    match = re.search(rf"{re.escape(label)}: ([^<]*)<", html)
    assert match, label
    return match.group(1)


def test_seed_creates_items_once(session, app):
    assert seed_self_assessment(session, TODAY) is True
    assert seed_self_assessment(session, TODAY) is False
    assert session.scalar(select(func.count(SelfAssessmentItem.id))) == len(CHECKLIST_ITEMS)
    steps = {(i.step, i.checklist) for i in session.scalars(select(SelfAssessmentItem))}
    assert steps == {(s, c) for s in (3, 4, 5) for c in ("start", "improve")}


def test_evidence_changes_when_records_change(client, auth, rw, session):
    seed_self_assessment(session, TODAY)
    session.commit()
    auth.login(rw.emails["coordinator"])
    label = "SROs now placed who were cleared before placement"
    # Sam completed BASIC (no before-start requirement exists) and Olga too: both count as cleared.
    html = client.get("/reports/self-assessment").get_data(as_text=True)
    assert _evidence(html, label).startswith("2 of 2")
    olga_assignment = session.scalar(select(Assignment).where(Assignment.person_id == rw.other_sro))
    record_event(session, "placement_exception", olga_assignment, reason="Started before training")
    session.commit()
    html = client.get("/reports/self-assessment").get_data(as_text=True)
    assert _evidence(html, label).startswith("1 of 2 (50%); 1 placed by exception")
    new_sro = make_person(session, person_type="sro", agency=session.get(Person, rw.sro).agency,
                          licence_number="L-9")
    make_assignment(session, new_sro, [session.get(School, rw.school_a)], start_date=date(2026, 9, 1))
    session.commit()
    html = client.get("/reports/self-assessment").get_data(as_text=True)
    assert _evidence(html, label).startswith("2 of 3")
    outcome_label = "Schools with outcome data for any term"
    assert _evidence(html, outcome_label) == "0 of 2 (0%)"


def test_training_evidence_by_role(client, auth, rw, session):
    seed_self_assessment(session, TODAY)
    session.commit()
    auth.login(rw.emails["admin"])
    html = client.get("/reports/self-assessment").get_data(as_text=True)
    assert _evidence(html, "Training requirements in good standing").startswith(
        "2 of 4 (50%); School resource officer 50%, Teacher 50%")


def test_edit_item_status_owner_and_notes(client, auth, rw, session):
    seed_self_assessment(session, TODAY)
    session.commit()
    item = session.scalar(select(SelfAssessmentItem).order_by(SelfAssessmentItem.id))
    auth.login(rw.emails["coordinator"])
    path = f"/reports/self-assessment/{item.id}/edit"
    response = post_form(client, path, {"step": "3", "checklist": "start", "text": "", "status": "bogus",
                                        "owner": "", "notes": "", "evidence_key": ""})
    html = response.get_data(as_text=True)
    assert "Write the checklist item." in html and "Choose a status" in html
    response = post_form(client, path, {"step": "3", "checklist": "start", "text": "Our own words",
                                        "status": "met", "owner": "HR director", "notes": "Done in May",
                                        "evidence_key": "panel_with_admin"})
    assert response.status_code == 302
    session.expire_all()
    item = session.get(SelfAssessmentItem, item.id)
    assert (item.text, item.status, item.owner, item.notes) == ("Our own words", "met", "HR director",
                                                                 "Done in May")
