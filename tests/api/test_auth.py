"""Tokens: 401 without a valid one, revocation, hashing at rest, and the CLI."""

from __future__ import annotations

from sqlalchemy import func, select, text

from models.api_tokens import ApiToken
from models.services.accounts.api_tokens import hash_secret, revoke_api_token
from tests.api.conftest import NOW


def test_requests_without_token_get_401_problem(api, tokens):
    for token in (None, "st_not-a-real-token", "garbage", tokens.admin + "x"):
        response = api.get("/people", token)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401 and response.json["errors"] == []
        assert "Bearer" in response.headers["WWW-Authenticate"]


def test_valid_token_lists_people(api, tokens, world):
    response = api.get("/people", tokens.admin)
    assert response.status_code == 200
    assert response.json["total"] == 4


def test_cookie_login_does_not_authenticate_the_api(api, auth, world):
    assert auth.login(world.emails["admin"]).status_code == 302
    assert api.get("/people", None).status_code == 401


def test_revoked_token_gets_401(api, session, tokens):
    assert api.get("/people", tokens.hr).status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(tokens.hr)))
    revoke_api_token(session, token, NOW)
    session.commit()
    response = api.get("/people", tokens.hr)
    assert response.status_code == 401
    assert response.json["detail"] == "The API token is not valid or has been revoked."


def test_tokens_are_stored_hashed(session, tokens):
    secrets = vars(tokens).values()
    dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM api_tokens")) for v in row)
    dump += " ".join(str(v) for row in session.execute(text("SELECT * FROM audit_events")) for v in row)
    assert session.scalar(select(func.count(ApiToken.id))) == len(tokens.__dict__)
    for secret in secrets:
        assert secret not in dump
        assert hash_secret(secret) in dump  # the lookup key is the SHA-256 digest
        assert secret[:10] in dump  # only the short prefix is kept to tell tokens apart


def test_cli_creates_a_token_that_works(runner, api, world):
    result = runner.invoke(args=["users", "token", world.emails["principal"], "--name", "HRIS"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1].strip()
    assert secret.startswith("st_")
    response = api.get("/people", secret)
    assert response.status_code == 200
    assert {p["email"] for p in response.json["items"]} == {"alice@example.org", "sam@example.org"}


def test_cli_token_for_unknown_user_fails(runner, session):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account" in result.output
    assert session.scalar(select(func.count(ApiToken.id))) == 0


def test_using_a_token_records_when_it_was_last_used(api, session, tokens):
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(tokens.admin)))
    assert token.last_used_at is None
    assert api.get("/people", tokens.admin).status_code == 200
    session.expire_all()
    first = session.get(ApiToken, token.id).last_used_at
    assert first is not None
    api.get("/people", tokens.admin)  # within the hour: no second write
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at == first
