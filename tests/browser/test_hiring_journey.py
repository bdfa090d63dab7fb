"""Hiring journey: HR opens a vacancy, screens two candidates, a panel scores, HR appoints the best."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models.hiring import BACKGROUND_CHECKS
from models.seed.hiring import SRO_CRITERIA, seed_sro_criteria
from tests.browser.conftest import assert_accessible, login
from tests.conftest import TODAY
from tests.factories import make_agency, make_school, make_user

pytestmark = pytest.mark.browser
HARD = [c[0] for c in SRO_CRITERIA if c[2] == "hard"]
PREFERENCES = [(c[0], c[3]) for c in SRO_CRITERIA if c[2] == "preference"]
START = TODAY + timedelta(days=30)


@pytest.fixture
def setup(app, session):
    school = make_school(session, "Adams High")
    make_school(session, "Burr Middle")
    make_agency(session, "Metro PD")
    seed_sro_criteria(session)
    make_user(session, "hr", email="hr@example.org")
    make_user(session, "principal", email="principal@example.org", schools=[school])
    session.commit()
    return school.id


def _logout(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login**")


def _add_candidate(page, first, last, years):
    page.get_by_role("link", name="Add a candidate").click()
    assert_accessible(page)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(f"{first.lower()}@applicants.example")
    page.get_by_label("Current agency").select_option(label="Metro PD")
    page.get_by_label("Years of sworn service").fill(str(years))
    page.get_by_label("Volunteered for the post").check()
    page.get_by_role("button", name="Add the candidate").click()
    expect(page.get_by_text(f"{first} {last} was added as a candidate.")).to_be_visible()


def _screen_and_interview(page, name):
    page.get_by_role("link", name=name).first.click()
    page.get_by_role("link", name="Record screening").click()
    assert_accessible(page)
    for title in HARD:
        page.get_by_label(f"{title}: result", exact=True).select_option("met")
        page.get_by_label(f"{title}: evidence", exact=True).fill("Verified with the agency")
    for label in BACKGROUND_CHECKS.values():
        page.get_by_label(f"{label}: result", exact=True).select_option("cleared")
        checked = (TODAY - timedelta(days=2)).isoformat()
        page.get_by_label(f"{label}: date of result", exact=True).fill(checked)
        page.get_by_label(f"{label}: detail (HR only)", exact=True).fill("No record found")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_text("Screening saved.")).to_be_visible()
    for stage, reason in (("screened", "Every requirement met"), ("interviewed", "Panel interview held")):
        page.get_by_label("New stage").select_option(stage)
        page.get_by_label("Reason").fill(reason)
        page.get_by_role("button", name="Change stage").click()
        expect(page.get_by_text(f"is now {stage}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("SRO, Adams High")).click()


def _enter_scores(page, member, candidate, rating):
    page.get_by_role("link", name=re.compile(f"scores by {member} for {candidate}")).click()
    for title, weight in PREFERENCES:
        page.get_by_label(f"{title} (weight {weight})", exact=True).select_option(str(rating))
        page.get_by_label(f"{title}: comment", exact=True).fill(f"Rated {rating} after the interview")
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_text(f"Scores by {member} for {candidate} saved.")).to_be_visible()


def test_hr_hires_the_higher_scorer_and_the_officer_appears_at_the_school(page, setup):
    school_id = setup
    login(page, "hr@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hiring").click()
    assert_accessible(page)
    page.get_by_role("link", name="Selection criteria").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a criterion").click()
    assert_accessible(page)
    page.goto("/hiring/")
    page.get_by_role("link", name="Open a vacancy").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("SRO, Adams High")
    page.get_by_label("Role").select_option("sro")
    page.get_by_label("Adams High").check()
    page.get_by_label("Agency (SRO posts)").select_option(label="Metro PD")
    page.get_by_label("Job description").fill("School resource officer under the MOU.")
    page.get_by_role("button", name="Open the vacancy").click()
    expect(page.get_by_text("Vacancy “SRO, Adams High” opened.")).to_be_visible()
    assert_accessible(page)

    _add_candidate(page, "Casey", "Moreno", 6)
    _add_candidate(page, "Devon", "Whitfield", 9)
    page.get_by_role("link", name="Panel", exact=True).click()
    for seat, account, name in (("school_administrator", "principal@example.org", "Principal Adams"),
                                ("agency", None, "Sgt. Kim"), ("parent", None, "Pat Parent")):
        page.get_by_label("Seat").select_option(seat)
        if account:
            page.get_by_label("Account (members with one score for themselves)").select_option(
                label=f"{account} (Principal)")
        page.get_by_label("Name (filled from the account if left empty)").fill(name)
        page.get_by_role("button", name="Add to the panel").click()
        expect(page.get_by_text(f"{name} joined the panel")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("SRO, Adams High")).click()

    _screen_and_interview(page, "Casey Moreno")
    _screen_and_interview(page, "Devon Whitfield")
    for member in ("Sgt. Kim", "Pat Parent"):
        _enter_scores(page, member, "Casey Moreno", 5)
        _enter_scores(page, member, "Devon Whitfield", 3)
    _logout(page)

    login(page, "principal@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hiring").click()
    page.get_by_role("link", name="SRO, Adams High").click()
    page.get_by_role("link", name="Casey Moreno").first.click()
    expect(page.get_by_text("Cleared").first).to_be_visible()
    assert page.get_by_text("No record found").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Enter my scores").click()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name=re.compile("SRO, Adams High")).click()
    _enter_scores(page, "Principal Adams", "Casey Moreno", 4)
    _enter_scores(page, "Principal Adams", "Devon Whitfield", 4)
    page.get_by_role("link", name="Scorecard").click()
    assert_accessible(page)
    _logout(page)

    login(page, "hr@example.org")
    page.goto("/hiring/")
    page.get_by_role("link", name="SRO, Adams High").click()
    page.get_by_role("button", name="Finalize scoring").click()
    expect(page.get_by_text("Scoring finalized")).to_be_visible()
    page.get_by_role("link", name="Scorecard").click()
    first_row = page.get_by_role("table").get_by_role("row").nth(1)
    assert first_row.get_by_role("link").inner_text() == "Casey Moreno"
    page.get_by_role("link", name="Casey Moreno").click()
    page.get_by_label("New stage").select_option("recommended")
    page.get_by_label("Reason").fill("Highest weighted total")
    page.get_by_role("button", name="Change stage").click()
    expect(page.get_by_text("is now recommended")).to_be_visible()
    page.get_by_role("link", name="Appoint").click()
    assert_accessible(page)
    page.get_by_label("Rationale").fill("Highest panel score; strong youth mentoring record.")
    page.get_by_label("Appointing authority").fill("Chief of Police, Metro PD")
    page.get_by_label("The district concurs with this appointment").check()
    page.get_by_label("Concurrence given by").fill("Superintendent")
    page.get_by_label("Assignment start date").fill(START.isoformat())
    page.get_by_role("button", name="Appoint").click()
    done = f"Casey Moreno was appointed; the assignment starts {START.isoformat()}."
    expect(page.get_by_text(done)).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school_id}")
    row = page.get_by_role("row").filter(has_text="Casey Moreno")
    assert row.count() == 1
    assert "School resource officer" in row.inner_text() and START.isoformat() in row.inner_text()
    assert page.errors == []
