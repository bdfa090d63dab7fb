"""Who may open which hiring page: one parametrized table, plus refused writes leave no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.hiring import Candidate, PanelMember, Score
from tests.conftest import post_form

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "principal_b", "supervisor", "staff",
         "panelist")
NONE = {"anonymous": 302, "admin": 200, "hr": 200}
# HR only: everyone else is refused by role (403) whatever the object.
MANAGE = NONE | {r: 403 for r in ("coordinator", "principal", "principal_b", "supervisor", "staff",
                                  "panelist")}
# Visible to HR, the principal of the vacancy's school and the panel member; hidden (404) from others.
SEE = NONE | {"coordinator": 403, "principal": 200, "principal_b": 404, "supervisor": 404, "staff": 404,
              "panelist": 200}

CASES = [
    ("/hiring/", NONE | {r: 200 for r in ("principal", "principal_b", "supervisor", "staff", "panelist")}
     | {"coordinator": 403}),
    ("/hiring/vacancies/new", MANAGE),
    ("/hiring/criteria/", MANAGE),
    ("/hiring/criteria/new", MANAGE),
    ("/hiring/vacancies/{vacancy}", SEE),
    ("/hiring/vacancies/{vacancy}/scorecard", SEE),
    ("/hiring/vacancies/{vacancy}/scorecard.csv", SEE),
    ("/hiring/vacancies/{vacancy}/scorecard.xlsx", SEE),
    ("/hiring/candidates/{c1}", SEE),
    ("/hiring/vacancies/{vacancy}/panel", MANAGE),
    ("/hiring/vacancies/{vacancy}/candidates/new", MANAGE),
    ("/hiring/candidates/{c1}/screening", MANAGE),
    ("/hiring/candidates/{c1}/decision", MANAGE),
    # Own seat: the principal scores as school administrator, the panelist as teacher.
    ("/hiring/candidates/{c1}/scores/{admin_seat}", NONE | {"admin": 403, "hr": 403, "coordinator": 403,
                                                            "principal": 200, "principal_b": 404,
                                                            "supervisor": 404, "staff": 404,
                                                            "panelist": 403}),
    # A member without an account: HR enters the scores.
    ("/hiring/candidates/{c1}/scores/{parent_seat}", SEE | {"principal": 403, "panelist": 403}),
]


@pytest.mark.parametrize("role", ROLES)
def test_access_by_role(client, auth, hw, role):
    """Each role gets exactly the status the table says on every page (404 hides others' vacancies)."""
    if role != "anonymous":
        assert auth.login(hw.emails[role]).status_code == 302
    wrong = []
    for path, expected in CASES:
        url = path.format(**vars(hw))
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong.append(f"{role} GET {url}: {response.status_code}, expected {expected[role]}")
        elif expected[role] == 302 and "/login" not in response.headers["Location"]:
            wrong.append(f"{role} GET {url}: redirected elsewhere than the login page")
    assert not wrong, "\n".join(wrong)


def test_list_is_scoped(client, auth, hw):
    auth.login(hw.emails["principal_b"])
    html = client.get("/hiring/").get_data(as_text=True)
    assert "SRO, Adams High" not in html
    auth.logout()
    auth.login(hw.emails["panelist"])
    assert "SRO, Adams High" in client.get("/hiring/").get_data(as_text=True)


def test_nav_shows_hiring_except_for_coordinator(client, auth, hw):
    auth.login(hw.emails["principal"])
    assert ">Hiring</a>" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(hw.emails["coordinator"])
    assert ">Hiring</a>" not in client.get("/").get_data(as_text=True)


def _rating_form(session, hw, rating="4"):
    vacancy = session.get(Candidate, hw.c1).vacancy
    data = {}
    for c in vacancy.preference_criteria:
        data[f"rating_{c.id}"], data[f"comment_{c.id}"] = rating, "ok"
    return data


def test_forbidden_writes_are_refused_and_change_nothing(client, auth, session, hw):
    data = _rating_form(session, hw)
    auth.login(hw.emails["panelist"])
    # The panelist may not score in the principal's seat, nor move a candidate.
    token_page = f"/hiring/candidates/{hw.c1}/scores/{hw.teacher_seat}"
    r = post_form(client, f"/hiring/candidates/{hw.c1}/scores/{hw.admin_seat}", data, token_from=token_page)
    assert r.status_code == 403
    r = post_form(client, f"/hiring/candidates/{hw.c1}/stage", {"to_stage": "screened", "reason": "x"},
                  token_from=token_page)
    assert r.status_code == 403
    auth.logout()
    auth.login(hw.emails["principal_b"])
    r = post_form(client, f"/hiring/candidates/{hw.c1}/scores/{hw.admin_seat}", data, token_from="/hiring/")
    assert r.status_code == 404
    session.expire_all()
    assert session.scalar(select(func.count(Score.id))) == 0
    assert session.get(Candidate, hw.c1).stage == "applied"


def test_member_scores_own_seat_through_the_form(client, auth, session, hw):
    auth.login(hw.emails["panelist"])
    path = f"/hiring/candidates/{hw.c1}/scores/{hw.teacher_seat}"
    r = post_form(client, path, _rating_form(session, hw, "5"))
    assert r.status_code == 302
    session.expire_all()
    ratings = session.scalars(select(Score.rating).join(PanelMember)
                              .where(PanelMember.id == hw.teacher_seat)).all()
    assert ratings and set(ratings) == {5}
