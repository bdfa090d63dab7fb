"""Numbers no database id can hold, in any route's path or query, answer 404 or a page, never a 5xx."""

from __future__ import annotations

import re

import pytest

HUGE = (2**63, 10**30)
QUERY_INTS = ("page", "school", "school_id", "person_id", "course_id", "agency_id", "requirement_id",
              "status")


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


@pytest.mark.parametrize("role", ["admin", "principal"])
def test_huge_ids_in_paths_and_queries_never_reach_a_5xx(app, client, auth, world, role):
    """Every GET route, each int in its path 2**63 or 10**30, and every usual int query huge: no 5xx."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does, with the error page
    assert auth.login(world.emails[role]).status_code == 302
    failures, tried = [], 0
    for rule in _get_routes(app):
        ints = [a for a in rule.arguments if re.search(rf"<int:{a}>", rule.rule)]
        others = {a: "x" for a in rule.arguments if a not in ints}
        for value in HUGE:
            path = rule.rule
            for name in ints:
                path = path.replace(f"<int:{name}>", str(value))
            for name, text in others.items():
                path = re.sub(rf"<(?:\w+:)?{name}>", text, path)
            query = "&".join(f"{q}={value}" for q in QUERY_INTS)
            response = client.get(f"{path}?{query}")
            tried += 1
            if response.status_code >= 500:
                failures.append(f"{role} GET {path}?{query}: {response.status_code}")
            elif ints and response.status_code not in (404, 302):
                failures.append(f"{role} GET {path}: {response.status_code}, not 404")
    assert tried > 100
    assert not failures, "\n".join(failures)


def test_an_unknown_report_format_is_a_400_with_a_sentence(client, auth, world):
    """`?format=pdf` says which formats there are, and a report page with odd query names still renders."""
    assert auth.login(world.emails["hr"]).status_code == 302
    response = client.get("/reports/overdue?format=pdf")
    assert response.status_code == 400 and "csv or xlsx" in response.get_data(as_text=True)
    assert client.get("/reports/overdue?format=html&key=x&_external=1").status_code == 200
