"""Who may open which evaluation page: one parametrized table over (endpoint, role, expected status)."""

from __future__ import annotations

from datetime import date

import pytest

from models.services.evaluations import workflow as svc
from tests.evaluations.conftest import login_fast, ratings, start, user

TODAY = date(2026, 10, 15)
ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "principal_b", "supervisor",
         "supervisor_other", "sro", "teacher")


def _all(status, **over):
    return {r: status for r in ROLES} | {"anonymous": 302} | over


# {draft}: the SRO's draft; {submitted}: the SRO's submitted one; {final}: the teacher's final one.
CASES = [
    ("/evaluations/", _all(403, admin=200, hr=200, principal=200, principal_b=200)),
    ("/evaluations/cosign", _all(403, supervisor=200, supervisor_other=200)),
    ("/evaluations/templates", _all(403, admin=200, hr=200)),
    ("/evaluations/recognitions", _all(200)),
    ("/evaluations/{draft}", _all(404, admin=200, hr=200, principal=200)),
    ("/evaluations/{submitted}", _all(404, admin=200, hr=200, principal=200, supervisor=200, sro=200)),
    ("/evaluations/{draft}/edit", _all(403, principal=200, principal_b=404)),
    ("/evaluations/{submitted}/print", _all(404)),
    ("/evaluations/{final}/print", _all(404, admin=200, hr=200, principal=200, teacher=200)),
    ("/evaluations/{final}", _all(404, admin=200, hr=200, principal=200, teacher=200)),
    ("/evaluations/people/{sro}", _all(404, admin=200, hr=200, coordinator=403, principal=200, supervisor=200,
                                       sro=200)),
    ("/evaluations/recognitions/new/{sro}", _all(403, admin=200, hr=200, principal=200, principal_b=404,
                                                  supervisor=200, supervisor_other=404)),
]


def build_evs(session, ew):
    """A draft and a submitted evaluation of the SRO, and a final one of the teacher."""
    principal = user(session, ew, "principal")
    draft = start(session, ew, ew.sro, TODAY)
    submitted = start(session, ew, ew.sro, TODAY, cycle="2026-2027")
    svc.save_evaluation(session, submitted, ratings(submitted, [3] * 9), user=principal, today=TODAY,
                        submit=True)
    final = start(session, ew, ew.teacher, TODAY)
    svc.save_evaluation(session, final, ratings(final, [4, 3, 3, 4]), user=principal, today=TODAY,
                        submit=True)
    svc.acknowledge_evaluation(session, final, user=user(session, ew, "teacher"), response=None, today=TODAY)
    session.commit()
    return {"draft": draft.id, "submitted": submitted.id, "final": final.id}


@pytest.fixture
def evs(session, ew, snapshot):
    """The evaluations above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_evs, session, ew)


@pytest.mark.parametrize("role", ROLES)
def test_evaluation_access_by_role(client, ew, evs, role):
    """Each role gets exactly the status the table says for every endpoint (404 hides what is out of scope).

    One test per role walks the whole (endpoint, expected status) table, so a fresh database is built
    once per role rather than once per cell; every mismatch is reported together.
    """
    if role != "anonymous":
        login_fast(client, ew.users[role])
    wrong = []
    for path, expected in CASES:
        url = path.format(sro=ew.sro, **evs)
        response = client.get(url)
        if response.status_code != expected[role]:
            wrong.append(f"GET {url}: {response.status_code}, expected {expected[role]}")
        elif expected[role] == 302 and "/login" not in response.headers["Location"]:
            wrong.append(f"GET {url}: redirected elsewhere than the login page")
    assert not wrong, f"{role}: " + "; ".join(wrong)
