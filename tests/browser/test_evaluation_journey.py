"""The joint SRO evaluation journey: principal drafts and submits, supervisor co-signs, SRO acknowledges."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.evaluations import Evaluation
from models.seed.evaluations import SRO_CRITERIA
from tests.browser.conftest import assert_accessible, login
from tests.evaluations.conftest import ew  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _logout(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_joint_sro_evaluation_reaches_final_and_locked(page, ew, session):  # noqa: F811
    login(page, ew.emails["principal"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evaluations", exact=True).click()
    expect(page.get_by_role("heading", name="My evaluations")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start evaluation of Sam Officer, 2025-2026").click()
    page.wait_for_url("**/edit")
    page.get_by_label("Goals agreed for this cycle").fill("Keep discipline with staff; two law lessons.")
    for i, (title, *_rest) in enumerate(SRO_CRITERIA):
        page.get_by_label(f"Rating: {title}", exact=True).select_option("2" if i == 4 else "3")
    page.get_by_role("button", name="Sign and submit").click()
    # A rating of 2 without a comment is refused on that criterion, and the page stays accessible.
    expect(page.get_by_text("a rating of 2 needs a comment explaining it").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label(f"Comment on {SRO_CRITERIA[4][0]}", exact=False).fill("Only one lesson this year.")
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_text("Evaluation signed and submitted.")).to_be_visible()
    expect(page.get_by_text("Awaiting agency supervisor's signature").first).to_be_visible()
    assert_accessible(page)
    _logout(page)

    login(page, ew.emails["supervisor"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Co-sign queue").click()
    assert_accessible(page)
    page.get_by_role("link", name="Sam Officer").first.click()
    page.get_by_role("button", name="Co-sign as agency supervisor").click()
    expect(page.get_by_text("Evaluation co-signed.")).to_be_visible()
    expect(page.get_by_text("Awaiting acknowledgement").first).to_be_visible()
    _logout(page)

    login(page, ew.emails["sro"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My evaluation history").click()
    assert_accessible(page)
    page.get_by_role("link", name="School year 2025-2026").click()
    page.get_by_label("Your response (optional)").fill("I would like more time for classroom lessons.")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("the evaluation is final")).to_be_visible()
    expect(page.get_by_text("Locked: corrections are amendments")).to_be_visible()
    expect(page.get_by_text("I would like more time for classroom lessons.")).to_be_visible()
    assert page.get_by_role("link", name="Edit draft").count() == 0
    page.get_by_role("link", name="Printable view").click()
    expect(page.get_by_text("Final and locked")).to_be_visible()
    assert_accessible(page)
    assert page.errors == []
    session.expire_all()
    ev = session.query(Evaluation).one()
    assert ev.status == "final" and {s.role for s in ev.signatures} == {"principal", "supervisor", "person"}
    assert ev.person_response == "I would like more time for classroom lessons."
