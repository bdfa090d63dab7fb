"""Who may call what: one table over (endpoint, role, expected status) for the API and account pages."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_token

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff")
READ = {r: 200 for r in ROLES} | {"anonymous": 401}
PERSON = {"first_name": "New", "last_name": "Person", "person_type": "teacher"}

CASES = [
    ("GET", "/api/v1/people", READ),
    ("GET", "/api/v1/people/{teacher_b}", READ | {"principal": 404, "supervisor": 404, "staff": 404}),
    ("GET", "/api/v1/people/{sro}", READ | {"staff": 404}),
    ("GET", "/api/v1/assignments", READ),
    ("GET", "/api/v1/courses", READ),
    ("GET", "/api/v1/requirements", READ),
    ("GET", "/api/v1/completions", READ),
    ("GET", "/api/v1/compliance", READ),
    ("GET", "/api/v1/evaluations", READ),
    ("GET", "/api/v1/flags", READ),
    ("POST", "/api/v1/people", {"anonymous": 401, "admin": 201, "hr": 201, "coordinator": 403,
                                "principal": 403, "supervisor": 403, "staff": 403}),
    ("POST", "/api/v1/completions/batch", {"anonymous": 401, "admin": 422, "hr": 422, "coordinator": 422,
                                           "principal": 403, "supervisor": 403, "staff": 403}),
    ("GET", "/api/v1/openapi.json", {r: 200 for r in ROLES}),
    ("GET", "/account/", {r: 200 for r in ROLES} | {"anonymous": 302}),
]


@pytest.mark.parametrize("role", ROLES)
def test_access_by_role(client, auth, session, world, role):
    """Each (endpoint, role) gets the status the table says; one world per role keeps this fast."""
    token = make_token(session, world.emails[role]) if role != "anonymous" else None
    if role != "anonymous":
        auth.login(world.emails[role])
    for method, path, expected in CASES:
        url = path.format(**vars(world))
        headers = {"Authorization": f"Bearer {token}"} if token and url.startswith("/api/") else {}
        body = {**PERSON, "email": f"new-{role}@example.org"} if url.endswith("/people") else {"items": []}
        response = client.open(url, method=method, headers=headers, json=body if method == "POST" else None)
        assert response.status_code == expected[role], f"{role} {method} {url}"
