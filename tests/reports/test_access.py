"""Who may open which report page: one parametrized table over roles and endpoints."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff")
REPORT = {"anonymous": 302, "admin": 200, "hr": 200, "coordinator": 200, "principal": 200,
          "supervisor": 200, "staff": 403}
DISTRICT = REPORT | {"principal": 403, "supervisor": 403}
NOT_COORDINATOR = REPORT | {"coordinator": 403}  # evaluations and vacancies are not theirs to read

CASES = [
    ("/reports/", REPORT),
    ("/reports/compliance-matrix", REPORT),
    ("/reports/compliance-matrix?format=csv", REPORT),
    ("/reports/overdue?format=xlsx", REPORT),
    ("/reports/expiring?days=30", REPORT),
    ("/reports/training-hours", REPORT),
    ("/reports/evaluations", NOT_COORDINATOR),
    ("/reports/evaluations?format=csv", NOT_COORDINATOR),
    ("/reports/hiring-funnel", NOT_COORDINATOR),
    ("/reports/hiring-funnel?format=xlsx", NOT_COORDINATOR),
    ("/reports/no-such-report", REPORT | {"admin": 404, "hr": 404, "coordinator": 404, "principal": 404,
                                           "supervisor": 404}),
    ("/reports/overdue?school={school_b}", REPORT | {"principal": 404, "supervisor": 404}),
    ("/reports/charts", REPORT),
    ("/reports/outcomes", REPORT),
    ("/reports/outcomes/new", DISTRICT),
    ("/reports/self-assessment", DISTRICT),
    ("/reports/self-assessment/new", DISTRICT),
    ("/reports/annual", DISTRICT),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,expected", CASES, ids=[c[0] for c in CASES])
def test_report_access_by_role(client, auth, rw, role, path, expected):
    """Each role gets exactly the status the table says; staff get no reports."""
    if role != "anonymous":
        assert auth.login(rw.emails[role]).status_code == 302
    url = path.format(**vars(rw))
    response = client.get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if expected[role] == 302:
        assert "/login" in response.headers["Location"]


def test_staff_post_to_outcomes_is_refused_and_nothing_saved(client, auth, rw, session):
    from sqlalchemy import func, select

    from models.reports import OutcomeCount
    from tests.conftest import post_form
    auth.login(rw.emails["staff"])
    response = post_form(client, "/reports/outcomes/new",
                         {"school_id": rw.school_a, "term": "2025-2026", "measure": "arrest",
                          "sex__male": "5"},
                         token_from="/")
    assert response.status_code == 403
    assert session.scalar(select(func.count(OutcomeCount.id))) == 0


def test_coordinator_reads_no_vacancy_titles_or_evaluation_status(client, auth, rw):
    """The coordinator's reports index, charts and home page name no vacancy and no evaluation status."""
    auth.login(rw.emails["coordinator"])
    index = client.get("/reports/").get_data(as_text=True)
    assert "Compliance matrix" in index
    assert "Hiring funnel" not in index and "Evaluation completion" not in index
    charts = client.get("/reports/charts").get_data(as_text=True)
    assert "Training compliance by school" in charts
    assert "Hiring funnel" not in charts and "Evaluations completed" not in charts
    assert "SRO, Adams High" not in charts + index + client.get("/").get_data(as_text=True)
    # HR, who may see vacancies and evaluations, still get both.
    auth.logout()
    auth.login(rw.emails["hr"])
    charts = client.get("/reports/charts").get_data(as_text=True)
    assert "Hiring funnel" in charts and "Evaluations completed" in charts
    assert "SRO, Adams High" in client.get("/reports/hiring-funnel").get_data(as_text=True)
