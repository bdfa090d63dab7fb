"""Answers that must not sign anyone in: replayed, mixed-up, tampered or from the wrong issuer or audience.

Each is driven through the real provider (tests/sso/provider): the wrong audience, issuer and expiry come
from clients whose ID tokens the provider re-signs with those claims changed, with its own key, so only
the app's claim checks stand between them and a session. Every refusal lands on the login page with a
sentence, no account or identity is written, and nobody is signed in.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import make_config
from tests.sso.helpers import account_count, identities, page_text, refused_with, signed_in_user_id
from tests.sso.local_provider import callback_for, sign_in_at_provider, start_at_app
from tracker import create_app

UNTRUSTED = "sent an answer this site cannot trust, so nobody was signed in"
USED = "That sign-in was already used or has expired"


def _state(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def _nothing_written(db_session, accounts_before: int) -> None:
    with db_session() as session:
        assert identities(session) == [] and account_count(session) == accounts_before


def _accounts(db_session) -> int:
    with db_session() as session:
        return account_count(session)


def test_a_callback_url_works_once(client, db_session, roster):
    """The same callback URL again, in the same browser after signing out: the state was popped."""
    callback = callback_for(client, "casey")
    client.get(callback)
    assert signed_in_user_id(client) == roster.hr
    client.get("/")  # the session after signing in, as the browser keeps it
    with client.session_transaction() as cookie:
        cookie.pop("_user_id")  # signed out, every other key kept
    refused_with(client, callback, USED)


def test_a_replayed_callback_with_the_old_cookie_is_refused_by_the_provider(app, client, roster, caplog):
    """Replaying the callback with the cookie from before it (the state still inside): the code is spent."""
    callback = callback_for(client, "casey")
    before = client.get_cookie("session").value
    client.get(callback)
    assert signed_in_user_id(client) == roster.hr
    replay = app.test_client()
    replay.set_cookie("session", before)
    refused_with(replay, callback, UNTRUSTED)
    assert "invalid_grant" in caplog.text  # the provider takes a code once


def test_a_state_this_browser_never_started_is_refused(app, client, db_session, roster):
    """A callback carried to another browser (a login CSRF): its session holds no such state."""
    callback = callback_for(client, "casey")
    before = _accounts(db_session)
    refused_with(app.test_client(), callback, USED)
    _nothing_written(db_session, before)
    # ...and the browser that started it can still finish.
    client.get(callback)
    assert signed_in_user_id(client) == roster.hr


def test_a_wrong_nonce_is_refused(client, db_session, roster, caplog):
    """The nonce kept for the flow differs from the ID token's: refused, though the code was good."""
    callback = callback_for(client, "jordan")
    with client.session_transaction() as cookie:
        flows = cookie["_sso_flows"]
        flows[_state(callback)]["nonce"] = "a-nonce-from-another-flow"
        cookie["_sso_flows"] = flows
    before = _accounts(db_session)
    refused_with(client, callback, UNTRUSTED)
    assert "Invalid claim: 'nonce'" in caplog.text  # the nonce check refused it, not another one
    _nothing_written(db_session, before)


def test_flows_swapped_between_two_tabs_are_refused(client, db_session, roster, caplog):
    """Two flows started; the code of the second brought back under the first's state: refused."""
    first = start_at_app(client)
    second = start_at_app(client)
    callback = sign_in_at_provider(second, "jordan")
    swapped = _with_query(callback, state=_state(first))
    before = _accounts(db_session)
    refused_with(client, swapped, UNTRUSTED)  # the first flow's verifier and nonce do not fit
    assert "invalid_grant" in caplog.text  # PKCE: the provider refuses the code with the wrong verifier
    _nothing_written(db_session, before)
    refused_with(client, swapped, USED)  # and the first flow's state is spent


def test_a_token_for_another_audience_is_refused(client, db_session, roster, caplog):
    """The provider's ID token names another client as its audience (azp ours): refused."""
    before = _accounts(db_session)
    refused_with(client, callback_for(client, "jordan", name="wrong-aud"), UNTRUSTED)
    assert "Invalid claim: 'aud'" in caplog.text
    _nothing_written(db_session, before)


def test_a_token_from_another_issuer_is_refused(client, db_session, roster, caplog):
    """The ID token names an issuer other than the configured one: refused."""
    before = _accounts(db_session)
    refused_with(client, callback_for(client, "jordan", name="wrong-iss"), UNTRUSTED)
    assert "Invalid claim: 'iss'" in caplog.text
    _nothing_written(db_session, before)


def test_an_expired_token_is_refused(client, db_session, roster, caplog):
    """An ID token whose exp has passed: refused."""
    before = _accounts(db_session)
    refused_with(client, callback_for(client, "jordan", name="expired"), UNTRUSTED)
    assert "ExpiredTokenError" in caplog.text
    _nothing_written(db_session, before)


def test_a_provider_that_names_another_issuer_is_refused_before_the_redirect(client, caplog):
    """The settings say http://localhost:PORT, the provider calls itself http://127.0.0.1:PORT."""
    response = client.get("/login/sso/misnamed")
    assert response.headers["Location"] == "/login"
    assert "Sign-in with misnamed is not set up correctly" in page_text(client.get("/login"))
    assert "discovery names issuer 'http://127.0.0.1:" in caplog.text
    assert signed_in_user_id(client) is None


def test_a_provider_that_does_not_answer_is_a_sentence_not_an_error(client):
    """Nothing listens at the issuer: the login page says so."""
    response = client.get("/login/sso/unreachable")
    assert response.headers["Location"] == "/login"
    assert "Nobody did not answer. Try again in a few minutes" in page_text(client.get("/login"))


@pytest.mark.app_config(OIDC_TIMEOUT_SECONDS=1)
def test_a_provider_that_hangs_is_given_up_on_with_a_sentence(client):
    """The provider accepts the connection and never answers: after the timeout, the login page."""
    started = time.monotonic()
    response = client.get("/login/sso/silent")
    assert response.headers["Location"] == "/login" and time.monotonic() - started < 5
    assert "Silent did not answer" in page_text(client.get("/login"))


@pytest.mark.parametrize(("settings", "problem"), [
    ([{"name": "a", "issuer": "https://op.example"}], "lacks client_id, client_secret, email_domains"),
    ([{"name": "a", "issuer": "https://op.example", "client_id": "c", "client_secret": "s",
       "email_domains": ["x.example"]}] * 2, "is named twice"),
])
def test_settings_that_cannot_work_stop_the_app_at_start_up(tmp_path, settings, problem):
    """A provider without its keys, or two with one name: the app refuses to start, saying which."""
    with pytest.raises(RuntimeError, match=problem):
        create_app(make_config(tmp_path, OIDC_PROVIDERS=settings))


def test_a_callback_for_another_provider_is_refused(client, roster):
    """A state started for one provider, brought to another provider's callback: refused."""
    callback = callback_for(client, "jordan")
    refused_with(client, callback.replace("/sso/district/", "/sso/expired/"), USED)
    refused_with(client, callback, USED)  # a state is used once, whichever callback it reached


def test_the_provider_saying_no_is_a_sentence(client, roster):
    """The person cancels at the provider (error=access_denied): refused, the state used up."""
    state = _state(start_at_app(client))
    refused_with(client, f"/login/sso/district/callback?state={state}&error=access_denied",
                 "Riverside Schools did not sign you in")
    refused_with(client, f"/login/sso/district/callback?state={state}&code=x", USED)


def test_a_callback_without_a_state_is_refused(client):
    """No state at all (a bookmarked callback): the login page, with a sentence."""
    refused_with(client, "/login/sso/district/callback?code=anything", USED)


def test_unknown_provider_is_not_found(client):
    """A provider name not in the settings: 404."""
    assert client.get("/login/sso/nobody").status_code == 404
    assert client.get("/login/sso/nobody/callback?state=x").status_code == 404
