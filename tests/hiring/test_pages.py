"""The hiring pages as a user meets them: refusals, overrides, timelines and redacted background."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pandas as pd
from sqlalchemy import func, select

from models.accounts import User
from models.audit import AuditEvent
from models.hiring import Candidate, PanelMember, Score, SelectionCriterion, StageTransition, Vacancy
from models.people import Assignment
from models.services.hiring.panel import finalize_scoring
from tests.conftest import TODAY, post_form
from tests.hiring.factories import BACKGROUND_SECRET, advance, score, screen

UNMET = "At least 2 years of patrol experience"


def _decision(**extra):
    return {"rationale": "Strong mentoring record", "appointing_authority": "Chief of Police",
            "district_concurrence": "y", "concurrence_by": "Superintendent",
            "start_date": (TODAY + timedelta(days=30)).isoformat(), **extra}


def _recommended(session, hw, *, unmet_title=None):
    c1 = session.get(Candidate, hw.c1)
    screen(session, c1, TODAY, unmet_title=unmet_title)
    advance(session, c1, "interviewed")
    score(session, session.get(PanelMember, hw.admin_seat), c1, 4, session.get(User, hw.users["principal"]))
    advance(session, c1, "recommended")
    finalize_scoring(session, c1.vacancy, TODAY)
    session.commit()


def test_invalid_transition_through_the_page_changes_nothing(client, auth, session, hw):
    auth.login(hw.emails["hr"])
    page = f"/hiring/candidates/{hw.c1}"
    r = post_form(client, f"{page}/stage", {"to_stage": "appointed", "reason": "Skip"}, token_from=page,
                  follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "Nothing changed" in html and "cannot go from Applied to Appointed" in html
    session.expire_all()
    assert session.get(Candidate, hw.c1).stage == "applied"
    assert session.scalar(select(func.count(StageTransition.id))
                          .where(StageTransition.candidate_id == hw.c1)) == 1


def test_timeline_shows_each_move_with_who_and_why(client, auth, session, hw):
    auth.login(hw.emails["hr"])
    page = f"/hiring/candidates/{hw.c1}"
    post_form(client, f"{page}/stage", {"to_stage": "screened", "reason": "Licence verified"},
              token_from=page)
    html = client.get(page).get_data(as_text=True)
    assert "Licence verified" in html and "hr@example.org" in html and "(from Applied)" in html
    assert session.get(Candidate, hw.c1).stage == "screened"


def test_finalize_without_school_administrator_shows_clear_message(client, auth, session, hw):
    session.delete(session.get(PanelMember, hw.admin_seat))
    session.commit()
    auth.login(hw.emails["hr"])
    page = f"/hiring/vacancies/{hw.vacancy}"
    r = post_form(client, f"{page}/finalize", {}, token_from=page, follow_redirects=True)
    assert "the panel has no school administrator" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Vacancy, hw.vacancy).scoring_finalized_on is None


def test_appointment_refused_naming_unmet_requirement_then_override(client, auth, session, hw):
    _recommended(session, hw, unmet_title=UNMET)
    auth.login(hw.emails["hr"])
    path = f"/hiring/candidates/{hw.c1}/decision"
    html = post_form(client, path, _decision()).get_data(as_text=True)
    assert "Appointment refused" in html and f"{UNMET} (not met)" in html
    session.expire_all()
    assert session.scalar(select(func.count(Assignment.id))) == 0
    assert session.get(Vacancy, hw.vacancy).status == "open"

    r = post_form(client, path, _decision(override_justification="Eight years as military police"))
    assert r.status_code == 302
    session.expire_all()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "hiring_override"))
    assert event.reason == "Eight years as military police" and event.actor_label == "hr@example.org"
    html = client.get(f"/hiring/candidates/{hw.c1}").get_data(as_text=True)
    assert "Appointed with an override" in html and "Eight years as military police" in html
    assert session.get(Vacancy, hw.vacancy).status == "filled"
    (assignment,) = session.scalars(select(Assignment)).all()
    assert assignment.start_date == TODAY + timedelta(days=30)


def _cleared_and_scored(session, hw):
    c1 = session.get(Candidate, hw.c1)
    screen(session, c1, TODAY)
    session.commit()


def test_principal_on_panel_sees_cleared_but_no_background_detail(client, auth, session, hw):
    _cleared_and_scored(session, hw)
    auth.login(hw.emails["principal"])
    html = client.get(f"/hiring/candidates/{hw.c1}").get_data(as_text=True)
    assert "Cleared" in html
    assert BACKGROUND_SECRET not in html and "Drug test" not in html
    sensitive = session.scalars(select(SelectionCriterion.title)
                                .where(SelectionCriterion.sensitive.is_(True))).all()
    assert all(f"Evidence for {t}" not in html for t in sensitive)
    for fmt in ("csv", "xlsx"):
        body = client.get(f"/hiring/vacancies/{hw.vacancy}/scorecard.{fmt}").data
        frame = (pd.read_csv(io.BytesIO(body)) if fmt == "csv" else pd.read_excel(io.BytesIO(body)))
        text = frame.to_csv() + (pd.read_excel(io.BytesIO(body), sheet_name=None)["Ratings"].to_csv()
                                 if fmt == "xlsx" else "")
        assert BACKGROUND_SECRET not in text and "Background detail" not in frame.columns
        assert frame.loc[frame["Candidate"] == "Casey Moreno", "Background"].item() == "Cleared"


def test_hr_sees_background_detail_in_page_and_export(client, auth, session, hw):
    _cleared_and_scored(session, hw)
    auth.login(hw.emails["hr"])
    assert BACKGROUND_SECRET in client.get(f"/hiring/candidates/{hw.c1}").get_data(as_text=True)
    frame = pd.read_csv(io.BytesIO(client.get(f"/hiring/vacancies/{hw.vacancy}/scorecard.csv").data))
    assert BACKGROUND_SECRET in frame.loc[frame["Candidate"] == "Casey Moreno", "Background detail"].item()


def test_other_schools_principal_gets_404(client, auth, hw):
    auth.login(hw.emails["principal_b"])
    for path in (f"/hiring/candidates/{hw.c1}", f"/hiring/vacancies/{hw.vacancy}",
                 f"/hiring/vacancies/{hw.vacancy}/scorecard.csv"):
        assert client.get(path).status_code == 404


def test_export_has_expected_rows_and_formula_names_are_inert(client, auth, session, hw):
    c2 = session.get(Candidate, hw.c2)
    c2.first_name, c2.last_name = '=HYPERLINK("x")', ""
    users = {r: session.get(User, i) for r, i in hw.users.items()}
    score(session, session.get(PanelMember, hw.admin_seat), session.get(Candidate, hw.c1), 5,
          users["principal"], comment="@SUM(A1)")
    score(session, session.get(PanelMember, hw.parent_seat), c2, 2, users["hr"], comment="-2+3")
    session.commit()
    auth.login(hw.emails["hr"])
    csv = pd.read_csv(io.BytesIO(client.get(f"/hiring/vacancies/{hw.vacancy}/scorecard.csv").data))
    assert list(csv["Candidate"]) == ["Casey Moreno", "'=HYPERLINK(\"x\") "]
    assert "Principal Adams (School administrator)" in csv.columns
    weights = sum(c.weight for c in session.get(Vacancy, hw.vacancy).preference_criteria)
    assert csv["Average weighted total"].tolist() == [5 * weights, 2 * weights]
    body = client.get(f"/hiring/vacancies/{hw.vacancy}/scorecard.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(body))
    names = [row[0].value for row in book["Scorecard"].iter_rows(min_row=2)]
    assert names == ["Casey Moreno", "'=HYPERLINK(\"x\") "]
    assert all(row[0].data_type == "s" for row in book["Scorecard"].iter_rows(min_row=2))
    comments = {row[6].value for row in book["Ratings"].iter_rows(min_row=2)}
    assert comments == {"'@SUM(A1)", "'-2+3"}
    ratings = pd.read_excel(io.BytesIO(body), sheet_name="Ratings")
    assert len(ratings) == 2 * len(session.get(Vacancy, hw.vacancy).preference_criteria)


def test_scores_after_finalizing_are_refused_on_the_form(client, auth, session, hw):
    _recommended(session, hw)
    before = session.scalar(select(func.count(Score.id)))
    auth.login(hw.emails["hr"])
    path = f"/hiring/candidates/{hw.c1}/scores/{hw.parent_seat}"
    data = {f"rating_{c.id}": "3" for c in session.get(Vacancy, hw.vacancy).preference_criteria}
    r = post_form(client, path, data)
    assert r.status_code == 200 and "Scoring is finalized" in r.get_data(as_text=True)
    assert session.scalar(select(func.count(Score.id))) == before


def test_candidate_cannot_be_added_to_a_filled_vacancy(client, auth, session, hw):
    session.get(Vacancy, hw.vacancy).status = "filled"
    session.commit()
    auth.login(hw.emails["hr"])
    r = post_form(client, f"/hiring/vacancies/{hw.vacancy}/candidates/new",
                  {"first_name": "Late", "last_name": "Comer", "email": "late@example.org"})
    assert r.status_code == 200 and "only while the vacancy is open" in r.get_data(as_text=True)
    assert session.scalar(select(func.count(Candidate.id))) == 2


def test_hr_adds_a_criterion_and_every_problem_is_listed(client, auth, session, hw):
    auth.login(hw.emails["hr"])
    r = post_form(client, "/hiring/criteria/new", {"role": "sro", "title": "", "kind": "preference"})
    html = r.get_data(as_text=True)
    assert "Title is required." in html and "A preference needs a weight from 1 to 10." in html
    r = post_form(client, "/hiring/criteria/new", {"role": "sro", "title": "Bilingual", "kind": "preference",
                                                   "weight": "2", "active": "y"})
    assert r.status_code == 302
    crit = session.scalar(select(SelectionCriterion).where(SelectionCriterion.title == "Bilingual"))
    assert crit.weight == 2 and crit.active
    assert "Bilingual" not in [c.title for c in session.get(Vacancy, hw.vacancy).criteria]


def test_list_shows_a_panelists_vacancy_and_hides_another_schools(client, auth, hw):
    """The panelist's list holds the vacancy they sit on; the other school's principal's list does not."""
    auth.login(hw.emails["principal_b"])
    assert "SRO, Adams High" not in client.get("/hiring/").get_data(as_text=True)
    auth.logout()
    auth.login(hw.emails["panelist"])
    assert "SRO, Adams High" in client.get("/hiring/").get_data(as_text=True)


def test_nav_shows_hiring_except_for_coordinator(client, auth, hw):
    """The Hiring menu item shows for a principal and not for a coordinator (who may not open it)."""
    auth.login(hw.emails["principal"])
    assert ">Hiring</a>" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(hw.emails["coordinator"])
    assert ">Hiring</a>" not in client.get("/").get_data(as_text=True)


def test_member_scores_own_seat_through_the_form(client, auth, session, hw):
    """A panel member with an account saves their own seat's ratings through the form."""
    auth.login(hw.emails["panelist"])
    path = f"/hiring/candidates/{hw.c1}/scores/{hw.teacher_seat}"
    data = {}
    for c in session.get(Candidate, hw.c1).vacancy.preference_criteria:
        data[f"rating_{c.id}"], data[f"comment_{c.id}"] = "5", "ok"
    r = post_form(client, path, data)
    assert r.status_code == 302
    session.expire_all()
    ratings = session.scalars(select(Score.rating).join(PanelMember)
                              .where(PanelMember.id == hw.teacher_seat)).all()
    assert ratings and set(ratings) == {5}


def test_appointing_with_the_invitation_box_ticked_invites_the_new_hire_once(client, auth, session, hw):
    from models.notifications import OutboxMessage

    _recommended(session, hw)
    auth.login(hw.emails["hr"])
    r = post_form(client, f"/hiring/candidates/{hw.c1}/decision", _decision(send_invitation="y"),
                  follow_redirects=True)
    assert "An invitation to sign in is on its way to casey@applicants.example" in r.get_data(as_text=True)
    session.expire_all()
    account = session.scalar(select(User).where(User.email == "casey@applicants.example"))
    assert account.role == "staff" and account.person_id == session.get(Candidate, hw.c1).person_id
    (mail,) = session.scalars(select(OutboxMessage)).all()
    assert (mail.step, mail.recipient) == ("invite", "casey@applicants.example")
