"""Every endpoint x every user, generated from the policy: the status it answers and no row out of scope.

The cases come from the app's own URL map: each view carries the capability its decorator asks for
(`@requires` / `@capability_required`), and the expected answer is derived from models/policy.py and
the functions the views themselves call (scopes, seats, evaluation and certificate rules), never
written by hand:
- anonymous: HTML pages redirect to the sign-in page, the API answers 401;
- a user without the view's capability: 403;
- a user with it: 404 when an object in the URL is missing or outside the user's scope, else what the
  view's own rules say for that object (a seat held by someone else: 403; a submitted evaluation's
  form: a redirect; a completion without a certificate: 404), else 200.
Every refusal is also driven as a write where the route takes one: it must change no row in any table.
Lists, pages and downloads (CSV, XLSX, calendar) must not name a person, nor a vacancy, the user may
not see, nor link to an object outside their scope.

The users: one account per role, plus a second principal (school B), a supervisor of the other agency,
Sam's own account (an SRO with a staff account; `staff` is Alice's) and a panelist (a staff account
with no person record, seated on vacancy A's panel).
"""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import select

from models.accounts import User
from tests.access.cases import AREAS, SKIPPED, USERS, api_headers, expected_answer, walk_cases
from tests.access.leaks import hidden_names, links_out_of_scope, response_text, row_changes, table_rows
from tests.conftest import AuthActions, csrf_token


def test_the_walk_covers_every_route(app, pw):
    """Each user's cases, over all the blueprints, name every route but the skipped ones."""
    routes = {r.endpoint for r in app.url_map.iter_rules()} - set(SKIPPED)
    for key in USERS:
        cases = list(walk_cases(app, pw, key))
        assert {rule.endpoint for rule, *_ in cases} == routes, key
        assert sum(method == "GET" for _, method, *_ in cases) > 200, key
    assert {r.split(".")[0] for r in routes} == set(AREAS)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("key", USERS)
def test_every_endpoint_answers_every_user_as_the_policy_says(app, pw, session, key, area):
    """One user walks one blueprint's routes: statuses from the policy, refusals write nothing, no leak."""
    client = app.test_client()  # a fresh session
    # The test's app context outlives its requests, so `g` could still hold a signed-in user or a
    # CSRF token from before: empty it, as a new process would start.
    for name in list(vars(g)):
        g.pop(name)
    user = None
    if key != "anonymous":
        response = AuthActions(client).login(pw.emails[key])
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        user = session.scalar(select(User).where(User.email == pw.emails[key]))
    token = csrf_token(client, "/login" if user is None else "/")
    hidden, links = hidden_names(session, user), {}
    failures, checked, gets, before = [], 0, 0, None
    for rule, method, path, values in walk_cases(app, pw, key):
        if rule.endpoint.split(".")[0] != area:
            continue
        expected, refused = expected_answer(app, session, user, rule, values)
        headers = api_headers(rule, key, pw)
        if method == "GET":
            gets += 1
            response = client.get(path, headers=headers)
        elif refused:  # only refusals are driven as writes: they must change nothing
            before = before or table_rows(session)
            response = client.open(path, method=method, data={"csrf_token": token}, headers=headers)
            after = table_rows(session)
            if after != before:
                failures.append(f"{key} {method} {path} changed data although refused: "
                                f"{row_changes(before, after)}")
            before = after
        else:
            continue
        checked += 1
        status = response.status_code
        if status != expected:
            failures.append(f"{key} {method} {path}: {status}, policy says {expected}")
        elif status == 302 and user is None and not response.location.startswith("/login"):
            failures.append(f"{key} {method} {path}: redirected to {response.location}, not the login page")
        elif status == 200 and method == "GET":
            body = response_text(response)
            leaked = [n for n in hidden if re.search(rf"\b{re.escape(n)}\b", body)]
            leaked += links_out_of_scope(app, session, user, body, links) if user else []
            if leaked:
                failures.append(f"{key} GET {path} shows what is out of scope: {leaked}")
    # Every GET case is sent to every user, and the refused writes on top (anonymous: every case).
    assert checked >= gets > 0, (checked, gets)
    assert not failures, f"{len(failures)} of {checked} cases:\n" + "\n".join(failures)

