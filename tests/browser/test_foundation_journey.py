"""A principal's first visit, and an accessibility check on every foundation page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.foundation.conftest import world  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_principal_sees_own_school_people_only(page, world):  # noqa: F811
    login(page, world.emails["principal"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Atwood, Alice")).to_be_visible()
    assert table.get_by_text("Barnes").count() == 0
    page.get_by_label("Search name, email or licence").fill("Barnes")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("0 people found")).to_be_visible()
    assert page.errors == []
    response = page.goto(f"/people/{world.teacher_b}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_foundation_pages_have_no_serious_accessibility_violations(page, world):  # noqa: F811
    page.goto("/login")
    assert_accessible(page)
    login(page, world.emails["admin"])
    for path in ["/", "/people/", f"/people/{world.teacher_a}", "/people/new",
                 f"/people/{world.teacher_a}/edit", f"/people/{world.teacher_a}/assignments/new",
                 "/schools/", f"/schools/{world.school_a}", "/schools/new", "/agencies/",
                 "/agencies/new", "/admin/users/", "/admin/users/new", "/no-such-page"]:
        page.goto(path)
        assert_accessible(page)
    page.errors.clear()  # the 404 page's own status is logged as a console error
    # A form showing its errors must stay accessible too.
    page.goto("/people/new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("First name is required.").first).to_be_visible()
    assert_accessible(page)
    assert page.errors == []
