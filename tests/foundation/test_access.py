"""Who may open which page: one parametrized table over roles and endpoints."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff")
ALL = {r: 200 for r in ROLES if r != "anonymous"} | {"anonymous": 302}
MANAGE = {"anonymous": 302, "admin": 200, "hr": 200, "coordinator": 403, "principal": 403,
          "supervisor": 403, "staff": 403}

# (path template, expected status by role); {a}/{b}/{teacher_a}... are filled from the world.
CASES = [
    ("/", ALL),
    ("/people/", ALL),
    ("/schools/", ALL),
    ("/agencies/", ALL),
    ("/people/new", MANAGE),
    ("/schools/new", MANAGE),
    ("/agencies/new", MANAGE),
    ("/people/{teacher_a}/edit", MANAGE | {"principal": 403}),
    ("/people/{teacher_a}/assignments/new", MANAGE),
    ("/people/{teacher_a}", {**ALL, "supervisor": 404}),
    ("/people/{teacher_b}", {**ALL, "principal": 404, "supervisor": 404, "staff": 404}),
    ("/people/{sro}", {**ALL, "staff": 404}),
    ("/people/{other_sro}", {**ALL, "principal": 404, "supervisor": 404, "staff": 404}),
    ("/schools/{school_a}", {**ALL, "staff": 200}),
    ("/schools/{school_b}", {**ALL, "principal": 404, "supervisor": 404, "staff": 404}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,expected", CASES, ids=[c[0] for c in CASES])
def test_access_by_role(client, auth, world, role, path, expected):
    """Each role gets exactly the status the table says (404 hides what is out of scope)."""
    if role != "anonymous":
        assert auth.login(world.emails[role]).status_code == 302
    url = path.format(**vars(world))
    response = client.get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if expected[role] == 302:
        assert "/login" in response.headers["Location"]
