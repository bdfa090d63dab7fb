"""Tokens act with their user's scope: out-of-scope people are 404 and never listed or counted."""

from __future__ import annotations

import pytest


def test_principal_token_gets_404_for_person_at_another_school(api, tokens, world):
    assert api.get(f"/people/{world.teacher_a}", tokens.principal).status_code == 200
    response = api.get(f"/people/{world.teacher_b}", tokens.principal)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "Bob" not in response.get_data(as_text=True)
    assert api.get(f"/people/{world.teacher_b}", tokens.admin).status_code == 200


def test_principal_token_never_lists_other_schools_people(api, tokens, world):
    body = api.get("/people?per_page=100", tokens.principal).json
    ids = {p["id"] for p in body["items"]}
    assert ids == {world.teacher_a, world.sro}
    assert body["total"] == 2
    # Filtering by the other school, or searching for the name, finds nobody.
    assert api.get(f"/people?school_id={world.school_b}", tokens.principal).json["total"] == 0
    assert api.get("/people?q=Barnes", tokens.principal).json["total"] == 0
    assert api.get("/people?q=Barnes", tokens.admin).json["total"] == 1


def test_api_search_matches_what_the_directory_matches(api, tokens, world, client, auth):
    """Full name and licence number find a person in the API as on the people page."""
    for q in ("Sam Officer", "l-1", "SAM@example.org"):
        items = api.get(f"/people?q={q}", tokens.admin).json["items"]
        assert [p["id"] for p in items] == [world.sro], q
    assert api.get("/people?q=Sam Officer", tokens.principal).json["total"] == 1
    assert api.get("/people?q=L-2", tokens.principal).json["total"] == 0  # Olga is at school B
    auth.login(world.emails["admin"])
    assert "Officer" in client.get("/people/?q=Sam Officer").get_data(as_text=True)


def test_principal_token_never_sees_other_schools_assignments(api, tokens, world):
    body = api.get("/assignments?per_page=100", tokens.principal).json
    assert {a["person_id"] for a in body["items"]} == {world.teacher_a, world.sro}
    other = api.get(f"/assignments?person_id={world.teacher_b}", tokens.admin).json["items"][0]
    assert api.get(f"/assignments/{other['id']}", tokens.principal).status_code == 404


def test_staff_token_sees_only_own_record(api, tokens, world):
    body = api.get("/people", tokens.staff).json
    assert [p["id"] for p in body["items"]] == [world.teacher_a]


@pytest.mark.usefixtures("training")
def test_compliance_and_completions_are_scoped(api, tokens, world):
    rows = api.get("/compliance?per_page=100", tokens.principal).json["items"]
    assert rows and {r["person_id"] for r in rows} <= {world.teacher_a, world.sro}
    all_rows = api.get("/compliance?per_page=100", tokens.admin).json["items"]
    assert world.teacher_b in {r["person_id"] for r in all_rows}
    assert api.get(f"/compliance?person_id={world.teacher_b}", tokens.principal).json["total"] == 0
    evals = api.get("/evaluations?per_page=100", tokens.principal).json["items"]
    assert world.teacher_b not in {e["person_id"] for e in evals}


def test_pagination_links_and_limits(api, tokens, world):
    first = api.get("/people?per_page=3", tokens.admin).json
    assert (first["total"], len(first["items"]), first["prev"]) == (4, 3, None)
    assert "page=2" in first["next"] and "per_page=3" in first["next"]
    second = api.get(first["next"].split("/api/v1")[1], tokens.admin).json
    assert len(second["items"]) == 1 and second["next"] is None
    assert {p["id"] for p in first["items"] + second["items"]} == {
        world.teacher_a, world.teacher_b, world.sro, world.other_sro}
    bad = api.get("/people?per_page=1000&page=0&person_type=wizard", tokens.admin)
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json["errors"]} == {"per_page", "page", "person_type"}
