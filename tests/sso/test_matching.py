"""Which account a proven identity opens: by identity, by verified email, or a new staff account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.accounts import User
from models.credentials import SsoIdentity
from models.people import Person
from models.services.accounts.sso import NOT_ON_ROSTER, SWITCHED_OFF, provider_did_mfa
from tests.conftest import AuthActions
from tests.factories import make_person, make_user
from tests.sso.helpers import account_count, identities, page_text, refused_with, signed_in_user_id
from tests.sso.local_provider import DOMAIN, callback_for, sign_in_at_provider, start_at_app


def test_roster_person_without_account_gets_a_staff_account_linked_to_their_record(
        client, db_session, roster, oidc_provider):
    """Jordan is on the roster with no account: a staff account for their record, whatever the claims say."""
    response = client.get(callback_for(client, "jordan"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with db_session() as session:
        user = session.scalar(select(User).where(User.email == f"jordan.lee@{DOMAIN}"))
        assert user is not None and user.active
        # The provider claims "role": "admin" and the admin and hr groups: the app's rule (a new
        # account is staff, tied to the person's record) decides, never the claims.
        assert (user.role, user.person_id, user.schools, user.agency_id) == ("staff", roster.jordan, [], None)
        assert not user.check_password("")  # a random password nobody was told
        assert identities(session) == [(user.id, oidc_provider.issuer, "jordan")]
        user_id = user.id
    assert signed_in_user_id(client) == user_id
    home = page_text(client.get("/"))
    assert "Welcome, Jordan Lee" in home and "signed in as Staff" in home


def test_second_sign_in_finds_the_identity_and_creates_nothing(client, db_session, roster):
    """The (issuer, subject) pair opens the same account again: no second account or identity."""
    client.get(callback_for(client, "jordan"))
    first = signed_in_user_id(client)
    AuthActions(client).logout()
    assert signed_in_user_id(client) is None
    with db_session() as session:
        before = account_count(session)
    client.get(callback_for(client, "jordan"))
    assert signed_in_user_id(client) == first
    with db_session() as session:
        assert account_count(session) == before and len(identities(session)) == 1
        assert session.scalar(select(SsoIdentity.last_used_at)) is not None


def test_identity_is_found_by_subject_before_any_email(client, db_session, roster, oidc_provider):
    """A linked identity opens its account even when the provider now reports an email off the roster."""
    with db_session() as session:
        session.add(SsoIdentity(user_id=roster.hr, issuer=oidc_provider.issuer, subject="stranger",
                                email=f"casey.hr@{DOMAIN}"))
        session.commit()
    client.get(callback_for(client, "stranger"))
    assert signed_in_user_id(client) == roster.hr


def test_existing_active_account_is_linked_by_verified_email(client, db_session, roster, oidc_provider):
    """Casey has an HR account under the email the provider verified: it is linked, and stays HR."""
    client.get(callback_for(client, "casey"))
    assert signed_in_user_id(client) == roster.hr
    with db_session() as session:
        assert identities(session) == [(roster.hr, oidc_provider.issuer, "casey")]
        assert session.get(User, roster.hr).role == "hr"


def test_email_the_provider_has_not_verified_is_refused(client, db_session, roster):
    """email_verified false: refused even though an account has that very email."""
    with db_session() as session:
        make_user(session, "coordinator", email=f"unverified@{DOMAIN}")
        session.commit()
        before = account_count(session)
    refused_with(client, callback_for(client, "unverified"),
                 f"has not confirmed that unverified@{DOMAIN} is yours")
    with db_session() as session:
        assert identities(session) == [] and account_count(session) == before


def test_a_provider_may_name_its_own_verified_claim(app, client, roster):
    """Entra ID's work accounts carry xms_edov, not email_verified: the settings say which to read."""
    refused_with(client, callback_for(client, "entra"), "has not confirmed that")
    app.config["OIDC_PROVIDERS"][0]["email_verified_claim"] = "xms_edov"  # read on every request
    client.get(callback_for(client, "entra"))
    assert signed_in_user_id(client) == roster.hr


def test_email_outside_the_providers_domains_is_refused(client, db_session, roster):
    """A verified email in a domain the provider may not vouch for: refused, even for a roster person."""
    with db_session() as session:
        make_person(session, first_name="Elsa", last_name="Where", email="teacher@elsewhere.example")
        session.commit()
        before = account_count(session)
    refused_with(client, callback_for(client, "outsider"),
                 "may not sign in people with teacher@elsewhere.example", f"only for {DOMAIN} addresses")
    with db_session() as session:
        assert identities(session) == [] and account_count(session) == before


def test_inactive_account_is_refused_and_not_linked(client, db_session, roster):
    """Rita's account is switched off: the provider's word does not switch it back on."""
    refused_with(client, callback_for(client, "retired"), SWITCHED_OFF)
    with db_session() as session:
        assert identities(session) == [] and not session.get(User, roster.inactive).active


def test_inactive_account_is_refused_through_its_linked_identity(client, db_session, roster, oidc_provider):
    """Switching an account off also stops its already linked identity."""
    client.get(callback_for(client, "casey"))
    AuthActions(client).logout()
    with db_session() as session:
        session.get(User, roster.hr).active = False
        session.commit()
    refused_with(client, callback_for(client, "casey"), SWITCHED_OFF)


def test_email_not_on_the_roster_is_refused_with_a_sentence(client, db_session, roster):
    """A verified email in the right domain that no person or account has: refused, nothing created."""
    with db_session() as session:
        before = account_count(session)
    refused_with(client, callback_for(client, "stranger"), NOT_ON_ROSTER)
    with db_session() as session:
        assert account_count(session) == before and identities(session) == []


def test_person_whose_record_has_an_account_under_another_email_is_refused(client, db_session, roster):
    """Robin's record already has an account (another email): no second account for the same person."""
    with db_session() as session:
        robin = session.get(Person, roster.other)
        make_user(session, "staff", email="robin@old-address.example", person=robin)
        session.commit()
        before = account_count(session)
    refused_with(client, callback_for(client, "robin"), "Robin Other's record already has an account")
    with db_session() as session:
        assert account_count(session) == before


def test_account_linked_to_another_identity_of_the_same_provider_is_refused(
        client, db_session, roster, oidc_provider):
    """The provider vouches for Casey's email under a new subject (a reused address): not handed over."""
    with db_session() as session:
        session.add(SsoIdentity(user_id=roster.hr, issuer=oidc_provider.issuer, subject="old-casey",
                                email=f"casey.hr@{DOMAIN}"))
        session.commit()
    refused_with(client, callback_for(client, "casey"), "already linked to a different Riverside Schools")
    with db_session() as session:
        assert [s for _, _, s in identities(session)] == ["old-casey"]


def test_sign_in_goes_on_to_the_page_asked_for(client, roster):
    """?next= on the button survives the trip to the provider (and only paths on this site do)."""
    start = start_at_app(client, query=f"?next=/people/{roster.jordan}")
    response = client.get(sign_in_at_provider(start, "jordan"))
    assert response.headers["Location"] == f"/people/{roster.jordan}"
    assert "Jordan Lee" in page_text(client.get(f"/people/{roster.jordan}"))


@pytest.mark.app_config(MFA_REQUIRED_ROLES="admin")
def test_trusted_provider_that_did_mfa_stands_in_for_the_second_factor(client, roster):
    """An admin must use a second factor; the trusted provider's amr says it asked for one: signed in."""
    response = client.get(callback_for(client, "admin-otp"))
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == roster.admin


@pytest.mark.app_config(MFA_REQUIRED_ROLES="hr")
def test_a_provider_sign_in_without_mfa_goes_on_to_our_second_factor(client, roster):
    """HR must use a second factor; the provider's amr says only a password: our enrolment, no session."""
    response = client.get(callback_for(client, "casey"))
    assert response.headers["Location"] == "/login/set-up-code"
    assert signed_in_user_id(client) is None
    assert "Set up two-step sign-in" in page_text(client.get("/login/set-up-code"))


@pytest.mark.parametrize(("settings", "claims", "expected"), [
    ({"trust_mfa": True}, {"amr": ["pwd", "otp"]}, True),
    ({"trust_mfa": True}, {"amr": ["mfa"]}, True),
    ({"trust_mfa": True}, {"amr": ["hwk"]}, True),
    ({"trust_mfa": True}, {"amr": ["pwd"]}, False),
    ({"trust_mfa": True}, {"amr": ["pwd", "sms"]}, False),  # SMS codes do not stand in for ours
    ({"trust_mfa": True}, {"amr": "mfa"}, False),  # amr must be a list
    ({"trust_mfa": True}, {}, False),
    ({"trust_mfa": True}, {"acr": "http://schemas.openid.net/pape/policies/2007/06/multi-factor"}, True),
    ({"trust_mfa": True, "mfa_acr_values": ["urn:example:loa:2fa"]}, {"acr": "urn:example:loa:2fa"}, True),
    ({"trust_mfa": True, "mfa_acr_values": ["urn:example:loa:2fa"]},
     {"acr": "http://schemas.openid.net/pape/policies/2007/06/multi-factor"}, False),
    ({"trust_mfa": False}, {"amr": ["pwd", "otp"]}, False),
    ({}, {"amr": ["mfa"]}, False),
])
def test_provider_mfa_counts_only_when_trusted_and_asserted(settings, claims, expected):
    """The rule for provider_mfa: trust_mfa set, and amr lists a second factor or acr names MFA."""
    assert provider_did_mfa({"name": "p", **settings}, claims) is expected
