"""Training pages in a real browser on the demo data: accessible (axe) and free of console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import db
from models.people import Person
from models.seed.demo import DEMO_PASSWORD, seed_foundation
from models.seed.training import seed_training
from models.training import Course
from tests.browser.conftest import assert_accessible, login
from tests.conftest import TODAY

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    """The demo district with its training history; ids of the demo SRO and of a course."""
    with app.app_context():
        seed_foundation(db.session, TODAY)
        seed_training(db.session, TODAY)
        db.session.commit()
        sro = db.session.scalar(select(Person.id).where(Person.person_type == "sro").order_by(Person.id))
        course = db.session.scalar(select(Course.id).where(Course.code == "YMHFA"))
    return {"sro": sro, "course": course}


def test_every_training_page_is_accessible(page, demo):
    login(page, "coordinator@riverside.example", DEMO_PASSWORD)
    page.goto("/training/")
    expect(page.get_by_role("heading", name="Training compliance")).to_be_visible()
    assert_accessible(page)
    page.goto("/training/?status=overdue")
    assert_accessible(page)

    page.goto(f"/training/people/{demo['sro']}")
    expect(page.get_by_text("NASRO-BASIC").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"/training/courses/{demo['course']}")
    assert_accessible(page)

    page.goto(f"/training/people/{demo['sro']}/completions/new")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # nothing chosen: every problem listed
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/training/people/{demo['sro']}/waivers/new")
    assert_accessible(page)

    page.goto("/training/import")
    assert_accessible(page)
    roster = (b"Email,Course code,Completion date,Hours\n"
              b"nobody@example.org,YMHFA,2026-01-05,8\n"
              b"maria.alvarez@riverside.example,NO-SUCH,2031-01-01,900\n")
    page.set_input_files("input[type=file]", files=[
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": roster}])
    page.get_by_role("button", name="Upload and preview").click()
    problems = page.get_by_role("table", name="Problems by row of the file")
    expect(problems).to_be_visible()
    assert problems.get_by_role("row").count() > 3  # header + at least one problem per bad cell
    assert_accessible(page)
    page.set_input_files("input[type=file]", files=[
        {"name": "roster.csv", "mimeType": "text/csv",
         "buffer": b"Email,Course code,Completion date\nmaria.alvarez@riverside.example,YMHFA,2026-01-07\n"}])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("table", name="Completions to add")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import 1 completion").click()
    expect(page.get_by_text("1 completion added.")).to_be_visible()

    page.goto("/training/presets")
    page.get_by_label("Texas").check()
    page.get_by_role("button", name="Save presets").click()
    expect(page.get_by_text("State presets saved.")).to_be_visible()
    assert page.get_by_label("Texas").is_checked()
    assert_accessible(page)
    assert page.errors == []


def test_a_coordinator_adds_a_course_and_a_renewing_requirement_and_the_sro_shows_it(page, app, demo):
    """In a browser: add a course, then a requirement for SROs renewed every 12 months; preview; save."""
    with app.app_context():
        name = db.session.get(Person, demo["sro"]).full_name
    login(page, "coordinator@riverside.example", DEMO_PASSWORD)
    page.goto("/training/catalog")
    assert_accessible(page)
    page.get_by_role("link", name="Add a course").click()
    page.get_by_label("Code", exact=True).fill("CRISIS-24")
    page.get_by_label("Title", exact=True).fill("Crisis response refresher")
    page.get_by_label("Hours", exact=True).fill("8")
    assert_accessible(page)
    page.get_by_role("button", name="Save the course").click()
    expect(page.get_by_text("Course CRISIS-24 saved.")).to_be_visible()

    page.get_by_role("link", name="Add a requirement").click()
    page.get_by_label("Course", exact=True).select_option(label="CRISIS-24 Crisis response refresher")
    page.get_by_label("School resource officer").check()
    page.get_by_label("Due", exact=True).select_option("within_days")
    page.get_by_label("Days after the assignment starts").fill("30")
    page.get_by_label("Renew every N months").fill("12")
    page.get_by_role("button", name="Preview the effect").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("overdue today")
    due = int(re.search(r"([\d,]+) (?:people|person) becomes? due", preview.inner_text()).group(1))
    assert due > 0
    assert_accessible(page)
    page.get_by_role("button", name="Save the requirement").click()
    expect(page.get_by_text("Requirement saved")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="CRISIS-24")
    expect(row.filter(has_text="every 12 months")).to_be_visible()
    with app.app_context():
        course = db.session.scalar(select(Course.id).where(Course.code == "CRISIS-24"))
    page.goto(f"/training/?course={course}")  # what the preview counted is what the board now shows
    expect(page.get_by_text(re.compile(rf"Showing 1–\d+ of {due:,}\."))).to_be_visible()

    page.goto("/training/?q=" + name.split()[-1])
    expect(page.get_by_role("link", name="CRISIS-24").first).to_be_visible()
    page.goto(f"/training/people/{demo['sro']}")
    expect(page.get_by_text("CRISIS-24").first).to_be_visible()
    assert not page.errors, page.errors
