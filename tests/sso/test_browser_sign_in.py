"""A teacher on the roster with no account signs in through the district's provider in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_teacher_on_the_roster_signs_in_with_the_provider_and_sees_their_record(
        browser, live_app, oidc_provider, roster):
    """Login page -> "Sign in with Riverside Schools" -> the provider's page -> their own record."""
    context = browser.new_context(base_url=live_app)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/login")
        assert_accessible(page)  # with the provider buttons
        page.get_by_role("link", name="Sign in with Riverside Schools").click()
        page.wait_for_url(f"{oidc_provider.issuer}/interaction/**")
        page.get_by_label("Account").fill("jordan")
        page.get_by_role("button", name="Sign in at the provider").click()
        page.wait_for_url(f"{live_app}/")
        assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Jordan Lee"
        assert "signed in as Staff" in page.locator(".lead").inner_text()
        assert page.locator("#fig-people").inner_text() == "1"  # a staff account sees its own record only
        page.get_by_role("link", name="My record").click()
        page.wait_for_url(re.compile(rf"{live_app}/people/{roster.jordan}$"))
        assert "Jordan Lee" in page.get_by_role("heading", level=1).inner_text()
        assert "Adams High" in page.content()
        assert not errors, errors
    finally:
        context.close()
