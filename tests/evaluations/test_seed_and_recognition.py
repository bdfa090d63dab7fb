"""Demo data covers every state; recognitions and the NASRO Practitioner highlight."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.evaluations import Evaluation, Recognition
from models.scoping import Scope
from models.seed.demo import seed_foundation
from models.seed.evaluations import seed_evaluations
from models.services.evaluations.due import evaluation_due_rows
from models.services.evaluations.recognition import create_recognition, nasro_practitioners
from tests.evaluations.conftest import login_fast, user
from tests.factories import make_agency, make_assignment, make_person, make_school

TODAY = date(2026, 10, 15)


def test_demo_has_every_state_due_overdue_and_recognitions_and_is_idempotent(session):
    seed_foundation(session, TODAY)
    assert seed_evaluations(session, TODAY) is True
    session.commit()
    statuses = set(session.scalars(select(Evaluation.status)))
    assert statuses == {"draft", "submitted", "signed", "final"}
    final = session.scalar(select(Evaluation).where(Evaluation.status == "final"))
    assert final.amendments and final.person_response
    due = {r.status for r in evaluation_due_rows(session, TODAY)}
    assert {"due", "overdue", "complete"} <= due
    assert session.query(Recognition).count() == 3
    before = session.query(Evaluation).count()
    assert seed_evaluations(session, TODAY) is False
    assert session.query(Evaluation).count() == before


def test_nasro_practitioner_needs_three_years_basic_and_advanced_or_supervisor(session):
    from models.training import Completion, Course

    school, agency = make_school(session), make_agency(session)
    basic, adv, sup = (Course(code=c, title=c, hours=8) for c in ("NASRO-BASIC", "NASRO-ADV", "NASRO-SUP"))
    session.add_all([basic, adv, sup])
    session.flush()

    def sro(start, courses, end=None):
        p = make_person(session, person_type="sro", agency=agency)
        make_assignment(session, p, [school], start_date=start, end_date=end)
        session.add_all(Completion(person_id=p.id, course_id=c.id, completed_on=date(2022, 1, 1))
                        for c in courses)
        return p

    yes = sro(date(2021, 1, 1), [basic, adv])
    yes_sup = sro(date(2023, 1, 1), [basic, sup])
    short = sro(date(2024, 1, 1), [basic, adv])
    no_adv = sro(date(2019, 1, 1), [basic])
    only_adv = sro(date(2019, 1, 1), [adv, sup])
    ended = sro(date(2019, 1, 1), [basic, adv], end=date(2020, 6, 1))  # 1.4 years in total
    session.flush()
    found = {r["person"].id for r in nasro_practitioners(session, Scope.everyone(TODAY))}
    assert found == {yes.id, yes_sup.id}
    assert not {short.id, no_adv.id, only_adv.id, ended.id} & found


def test_recognition_recorded_and_listed_per_school_and_person(client, session, ew):
    from models.people import Person

    sro = session.get(Person, ew.sro)
    rec = create_recognition(session, sro, {"kind": "commendation", "title": "Calm under pressure",
                                            "reason": "De-escalated a fight.", "awarded_on": TODAY,
                                            "school_id": ew.school_a}, user=user(session, ew, "principal"),
                             today=TODAY)
    session.commit()
    assert rec.approved_by_name == "principal@example.org"
    login_fast(client, ew.users["hr"])
    listed = client.get(f"/evaluations/recognitions?school={ew.school_a}").get_data(True)
    assert "Calm under pressure" in listed
    assert "Calm under pressure" not in client.get(
        f"/evaluations/recognitions?school={ew.school_b}").get_data(True)
    assert "Calm under pressure" in client.get(f"/people/{ew.sro}").get_data(True)
    login_fast(client, ew.users["principal_b"])
    assert "Calm under pressure" not in client.get("/evaluations/recognitions").get_data(True)


def test_recognition_form_reports_every_problem_and_saves_nothing(client, session, ew):
    from tests.conftest import csrf_token

    login_fast(client, ew.users["principal"])
    url = f"/evaluations/recognitions/new/{ew.sro}"
    html = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "commendation",
                                  "awarded_on": "2030-01-01"}).get_data(True)
    for message in ("Give the recognition a title.", "Say what earned this recognition.",
                    "The date cannot be in the future."):
        assert message in html
    assert session.query(Recognition).count() == 0
