"""Rate limits (per token, per login IP+email) counted in the database, and request size limits."""

from __future__ import annotations

import time

from sqlalchemy import select

from models import db
from models.api_tokens import RateLimitCounter
from models.services.accounts.ratelimit import hit
from tests.conftest import csrf_token


def test_api_rate_limit_answers_429_with_retry_after(app, api, tokens):
    app.config["API_RATE_LIMIT"] = "3/60"
    for _ in range(3):
        assert api.get("/people", tokens.admin).status_code == 200
    response = api.get("/people", tokens.admin)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert api.get("/people", tokens.hr).status_code == 200  # counted per token


def test_counter_is_shared_through_the_database(app, session):
    """Two separate connections (as two workers would have) add to one count."""
    now = time.time()
    with app.app_context():
        with db.engine.begin() as one:
            assert hit(one, "k", 2, 60, now).count == 1
        with db.engine.begin() as two:
            assert hit(two, "k", 2, 60, now).count == 2
        with db.engine.begin() as three:
            verdict = hit(three, "k", 2, 60, now)
    assert (verdict.count, verdict.allowed) == (3, False)
    assert session.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == "k")) == 3
    with app.app_context(), db.engine.begin() as later:
        assert hit(later, "k", 2, 60, now + 60).allowed  # a new window starts afresh


def test_login_form_rate_limited_per_ip_and_email(app, client, world):
    app.config["LOGIN_RATE_LIMIT"] = "2/300"
    token = csrf_token(client)
    for _ in range(2):
        response = client.post("/login", data={"email": world.emails["hr"], "password": "wrong-password",
                                               "csrf_token": token})
        assert response.status_code == 200
    response = client.post("/login", data={"email": world.emails["hr"], "password": "correct-horse-battery",
                                           "csrf_token": token})
    assert response.status_code == 429
    assert "Too many login attempts" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    ok = client.post("/login", data={"email": world.emails["admin"], "password": "correct-horse-battery",
                                     "csrf_token": token})
    assert ok.status_code == 302  # another email is counted separately


def test_api_request_size_limit(app, api, tokens):
    app.config["API_MAX_CONTENT_LENGTH"] = 1000
    response = api.post("/people", tokens.hr, {"first_name": "x" * 2000})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_unknown_paths_and_methods_answer_in_problem_format(api, client, tokens):
    missing = api.get("/nothing-here", tokens.admin)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/people", headers={"Authorization": f"Bearer {tokens.admin}"})
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    assert "GET" in wrong.headers["Allow"]
    not_json = client.post("/api/v1/people", data="x", headers={"Authorization": f"Bearer {tokens.hr}"})
    assert not_json.status_code == 415
