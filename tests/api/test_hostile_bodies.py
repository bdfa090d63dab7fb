"""Hostile requests to the API get a problem document, never an HTML page or a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.people import Person
from tracker.api.validate import MAX_JSON_DEPTH, json_depth

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("path", [
    "/assignments/1006621130411966499651584000",  # above 2**63: the route itself does not match
    f"/people/{2**63}",
    "/no-such-collection",
])
def test_unmatched_api_urls_answer_problem_json(api, tokens, path):
    response = api.get(path, tokens.admin)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["status"] == 404


def test_wrong_method_on_an_api_url_is_a_405_problem(api, tokens):
    response = api.client.delete("/api/v1/people", headers={"Authorization": f"Bearer {tokens.admin}"})
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", [f"/requirements/{2**100}", f"/courses/{2**31}"])
def test_a_write_to_an_id_no_record_can_have_is_a_404_not_a_405(api, tokens, path):
    """Werkzeug says 405 there (GET has a route pattern at that path); no record has the id, so 404."""
    response = api.client.patch(f"/api/v1{path}", json={"due_soon_days": 1},
                                headers={"Authorization": f"Bearer {tokens.admin}"})
    assert (response.status_code, response.mimetype) == (404, PROBLEM)
    wrong = api.client.patch("/api/v1/completions/batch", json={},
                             headers={"Authorization": f"Bearer {tokens.admin}"})
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"


def test_html_pages_keep_their_html_404(client):
    response = client.get(f"/people/{2**64}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 100_000])
def test_deeply_nested_json_is_refused_with_a_problem(api, tokens, session, depth):
    before = session.scalar(select(func.count()).select_from(Person))
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = api.client.post("/api/v1/people", data=body, content_type="application/json",
                                   headers={"Authorization": f"Bearer {tokens.admin}"})
        assert response.status_code == 400, response.data[:200]
        assert response.mimetype == PROBLEM
        assert response.json["detail"].startswith(f"The body nests deeper than {MAX_JSON_DEPTH} levels")
    assert session.scalar(select(func.count()).select_from(Person)) == before


def test_nesting_at_the_limit_is_judged_on_its_fields(api, tokens):
    body = {"first_name": "Ada", "last_name": "L", "notes": _nested(MAX_JSON_DEPTH - 1)}
    response = api.post("/people", tokens.admin, body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM


def test_depth_ignores_brackets_inside_strings():
    assert json_depth('{"name": "[[[[{{{{", "x": [1, [2]]}') == 3
    assert json_depth('"\\"[[[["') == 0
    assert json_depth("17") == 0


def _nested(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value
