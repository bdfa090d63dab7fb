"""Single sign-on: which account an OpenID Provider's proven identity opens, and whether it did MFA.

The provider only proves who someone is (its issuer and subject, and an email it vouches for). What the
account may see and do always comes from this app's records: a claim such as `role` or `groups` in the
ID token is never read.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import User
from models.credentials import SsoIdentity
from models.errors import DomainError
from models.people import Person
from models.services.accounts.users import create_user, find_user
from models.services.people.directory import normalize_email

# RFC 8176 methods that prove a factor beyond a password: "mfa"/"mca" say so outright; a one-time code,
# a hardware or software key (WebAuthn, passkeys) or a smart card is a second factor in itself. SMS and
# phone calls ("sms", "tel") are left out: weaker than the authenticator app this app asks for.
MFA_AMR = frozenset({"mfa", "mca", "otp", "hwk", "swk", "sc"})
# acr values that mean multi-factor when a provider's settings list none of their own (mfa_acr_values).
MFA_ACR = ("http://schemas.openid.net/pape/policies/2007/06/multi-factor",
           "http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical")

NOT_ON_ROSTER = "No one with that email is on the district's roster; ask HR."
SWITCHED_OFF = "That account is switched off, so it cannot sign in. Ask an administrator if that is wrong."


class SsoRefused(DomainError):
    """The provider's answer does not let anyone sign in; the message says why in plain words."""


def provider_did_mfa(provider: dict, claims: dict) -> bool:
    """Whether this provider is trusted for MFA and its ID token says a second factor was used."""
    if not provider.get("trust_mfa"):
        return False
    amr = claims.get("amr")
    if isinstance(amr, list) and MFA_AMR.intersection(str(m).lower() for m in amr):
        return True
    return claims.get("acr") in tuple(provider.get("mfa_acr_values") or MFA_ACR)


def vouched_email(provider: dict, claims: dict) -> str:
    """The email the provider vouches for: verified by it, and in a domain it may speak for."""
    label = provider.get("label") or provider["name"]
    email, problem = normalize_email(claims.get("email") if isinstance(claims.get("email"), str) else "")
    if problem:
        raise SsoRefused(f"{label} did not give an email address for you, so no account can be found. "
                         "Sign in with your password or ask an administrator.")
    # True, or the string "true" some providers send; a missing claim counts as not verified. Entra ID
    # sends no email_verified for work accounts: its settings name xms_edov (the domain owner vouches).
    if claims.get(provider.get("email_verified_claim") or "email_verified") not in (True, "true"):
        raise SsoRefused(f"{label} has not confirmed that {email} is yours, so it cannot sign you in "
                         "here. Sign in with your password or ask an administrator.")
    domains = {d.strip().lower().lstrip("@") for d in provider.get("email_domains") or ()}
    if email.rsplit("@", 1)[1] not in domains:
        raise SsoRefused(f"{label} may not sign in people with {email}: this site accepts it only for "
                         f"{', '.join(sorted(domains)) or 'no'} addresses. Sign in with your password or "
                         "ask an administrator.")
    return email


def sign_in_identity(session: Session, provider: dict, claims: dict, now: datetime) -> User:
    """The active account the proven identity opens, linking it (or creating a staff account) first."""
    issuer, subject = provider["issuer"], str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused("The sign-in service did not say who you are. Start again from the login page.")
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                                        SsoIdentity.subject == subject))
    if identity is None:
        email = vouched_email(provider, claims)
        user = find_user(session, email) or _new_staff_account(session, email)
        identity = _link(session, user, issuer, subject, email, provider, now)
    user = identity.user
    if not user.active:
        raise SsoRefused(SWITCHED_OFF)
    identity.last_used_at = user.last_login_at = now
    session.flush()
    return user


def _link(session: Session, user: User, issuer: str, subject: str, email: str, provider: dict,
          now: datetime) -> SsoIdentity:
    """Record that this identity opens `user`; one identity per provider and account."""
    if not user.active:
        raise SsoRefused(SWITCHED_OFF)
    other = session.scalar(select(SsoIdentity).where(SsoIdentity.user_id == user.id,
                                                     SsoIdentity.issuer == issuer))
    if other is not None:
        # The provider now gives this email to someone else (a reused address): never hand them the account.
        label = provider.get("label") or provider["name"]
        raise SsoRefused(f"The account for {email} is already linked to a different {label} identity. "
                         "Ask an administrator.")
    identity = SsoIdentity(user=user, issuer=issuer, subject=subject, email=email, created_at=now)
    session.add(identity)
    return identity


def _new_staff_account(session: Session, email: str) -> User:
    """A staff account for the roster's person with this email, who has none yet (just in time)."""
    person = session.scalar(select(Person).where(func.lower(Person.email) == email))
    if person is None:
        raise SsoRefused(NOT_ON_ROSTER)
    if session.scalar(select(User.id).where(User.person_id == person.id)) is not None:
        raise SsoRefused(f"{person.full_name}'s record already has an account under another email. "
                         "Sign in with that one, or ask an administrator.")
    # Nobody knows this password: the account signs in through the provider (or after a reset).
    return create_user(session, email, "staff", secrets.token_urlsafe(32), person=person)
