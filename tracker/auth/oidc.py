"""OpenID Connect clients (Authlib) for the providers in OIDC_PROVIDERS, and the checks on their answers.

The authorization code flow with PKCE (S256). Each flow's state, nonce and code verifier wait in the
Flask session under its state and are popped when the provider sends the browser back, so a callback
URL works once. The ID token must be signed by a key in the provider's JWKS and name the configured
issuer exactly, this client in its audience, the flow's nonce, and an expiry still to come.
"""

from __future__ import annotations

import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session
from joserfc.errors import JoseError

from models.services.accounts.sso import SsoRefused

FLOWS = "_sso_flows"  # session key: state -> what the callback needs to finish that flow
FLOW_SECONDS = 600  # time to sign in at the provider
MAX_FLOWS = 4  # flows started and not finished; more would only grow the cookie
LEEWAY_SECONDS = 60  # clock difference tolerated on exp and iat
SCOPE = "openid email profile"
REQUIRED_KEYS = ("name", "issuer", "client_id", "client_secret", "email_domains")
# Signatures checked with the provider's published keys only: never "none", nor an HMAC of the secret.
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


def init_app(app: Flask) -> None:
    """Register one Authlib client per configured provider on this app; refuse settings that cannot work."""
    oauth = OAuth(app)
    names: set[str] = set()
    for provider in app.config.get("OIDC_PROVIDERS") or ():
        missing = [k for k in REQUIRED_KEYS if not provider.get(k)]
        if missing or provider.get("name") in names:
            raise RuntimeError(f"OIDC_PROVIDERS: the provider {provider.get('name')!r} "
                               + (f"lacks {', '.join(missing)}" if missing else "is named twice"))
        names.add(provider["name"])
        oauth.register(
            provider["name"],
            client_id=provider["client_id"],
            client_secret=provider["client_secret"],
            server_metadata_url=f"{provider['issuer'].rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "default_timeout": app.config.get("OIDC_TIMEOUT_SECONDS", 10)},
        )
    app.extensions["tracker.oidc"] = oauth


def providers() -> list[dict]:
    """The configured providers, in their settings' order."""
    return list(current_app.config.get("OIDC_PROVIDERS") or ())


def provider_named(name: str) -> dict | None:
    """The provider whose settings' `name` is `name`."""
    return next((p for p in providers() if p["name"] == name), None)


def label(provider: dict) -> str:
    """The provider's name as the login page shows it."""
    return provider.get("label") or provider["name"]


def _client(provider: dict):
    client = current_app.extensions["tracker.oidc"].create_client(provider["name"])
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        current_app.logger.warning("SSO %s: discovery failed: %s", provider["name"], exc)
        raise SsoRefused(f"{label(provider)} did not answer. Try again in a few minutes, "
                         "or sign in with your password.") from exc
    if metadata.get("issuer") != provider["issuer"]:
        # OpenID Connect Discovery: the document must name the issuer it was fetched for, exactly.
        current_app.logger.warning("SSO %s: discovery names issuer %r, settings say %r",
                                   provider["name"], metadata.get("issuer"), provider["issuer"])
        client.server_metadata.clear()  # fetched again next time, in case the settings are fixed
        raise SsoRefused(f"Sign-in with {label(provider)} is not set up correctly, so nobody can use it "
                         "now. Tell an administrator; meanwhile, sign in with your password.")
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [a for a in advertised if a in SIGNING_ALGS]
    return client


def authorization_url(provider: dict, redirect_uri: str, target: str | None) -> str:
    """Start a flow: remember its state, nonce and verifier in the session; the provider's URL."""
    started = _client(provider).create_authorization_url(redirect_uri)
    flows = {s: f for s, f in (session.get(FLOWS) or {}).items() if f.get("exp", 0) > time.time()}
    for stale in sorted(flows, key=lambda s: flows[s]["exp"])[: max(len(flows) - MAX_FLOWS + 1, 0)]:
        flows.pop(stale)
    flows[started["state"]] = {"provider": provider["name"], "nonce": started["nonce"],
                               "code_verifier": started["code_verifier"], "redirect_uri": redirect_uri,
                               "next": target or "", "exp": time.time() + FLOW_SECONDS}
    session[FLOWS] = flows
    return started["url"]


def verified_claims(provider: dict) -> tuple[dict, str]:
    """Finish the flow this callback belongs to: the ID token's checked claims, and where to go next."""
    flows = dict(session.get(FLOWS) or {})
    flow = flows.pop(request.args.get("state") or "", None)
    session[FLOWS] = flows  # popped before anything else: this state never works again
    if not flow or flow.get("provider") != provider["name"] or flow.get("exp", 0) < time.time():
        raise SsoRefused("That sign-in was already used or has expired. Start again from the login page.")
    if request.args.get("error"):
        current_app.logger.info("SSO %s: provider error %s", provider["name"], request.args["error"])
        raise SsoRefused(f"{label(provider)} did not sign you in. Start again from the login page, "
                         "or sign in with your password.")
    if request.args.get("iss", provider["issuer"]) != provider["issuer"]:  # RFC 9207: a mixed-up answer
        raise _refused(provider, f"iss parameter {request.args['iss']!r}")
    client = _client(provider)
    try:
        token = client.fetch_access_token(redirect_uri=flow["redirect_uri"], code=request.args.get("code"),
                                          code_verifier=flow["code_verifier"])
        if "id_token" not in token:
            raise _refused(provider, "no id_token in the token response")
        claims = client.parse_id_token(token, nonce=flow["nonce"], leeway=LEEWAY_SECONDS, claims_options={
            "iss": {"essential": True, "value": provider["issuer"]},
            "aud": {"essential": True, "values": [provider["client_id"]]},
            "exp": {"essential": True},
            "nonce": {"essential": True, "value": flow["nonce"]},
        })
        if "email" not in claims and client.server_metadata.get("userinfo_endpoint"):
            claims = {**_userinfo(client, token, claims), **claims}
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as exc:
        raise _refused(provider, f"{type(exc).__name__}: {exc}") from exc
    return dict(claims), flow["next"]


def _userinfo(client, token: dict, claims: dict) -> dict:
    """The userinfo answer, for providers that keep email out of the ID token; it must be the same sub."""
    info = client.userinfo(token=token)
    if info.get("sub") != claims.get("sub"):
        raise ValueError("userinfo names another subject")
    return {k: info[k] for k in ("email", "email_verified") if k in info}


def _refused(provider: dict, reason: str) -> SsoRefused:
    """A refusal for an answer that fails a check: the log says which; the person sees one sentence."""
    current_app.logger.warning("SSO %s refused: %s", provider["name"], reason)
    return SsoRefused(f"{label(provider)} sent an answer this site cannot trust, so nobody was signed in. "
                      "Start again from the login page, or sign in with your password.")
