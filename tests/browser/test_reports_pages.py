"""Charts and report pages in a real browser: no console errors, a data table per chart, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models import db
from models.seed.reports import seed_self_assessment
from tests.browser.conftest import assert_accessible, login
from tests.conftest import TODAY
from tests.foundation.conftest import world  # noqa: F401 - fixture
from tests.reports.conftest import rw  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_charts_render_with_their_data_tables(page, rw, app):  # noqa: F811
    with app.app_context():
        from jobs import snapshot_compliance
        snapshot_compliance.run(db.session, TODAY)
        seed_self_assessment(db.session, TODAY)
        db.session.commit()
    login(page, rw.emails["admin"])
    page.goto("/reports/charts")
    figures = page.locator("figure.chart")
    assert figures.count() == 4
    for i in range(4):
        figure = figures.nth(i)
        assert figure.locator("svg").count() == 1
        assert figure.locator("svg").bounding_box()["height"] > 20
        assert figure.get_by_role("table").count() == 1
    table = page.get_by_role("table", name="Data for “Training compliance by school”")
    expect(table.get_by_role("row", name="Adams High 100%")).to_be_visible()
    assert page.errors == []
    assert_accessible(page)
    for path in ["/", "/reports/", "/reports/compliance-matrix", "/reports/outcomes",
                 "/reports/outcomes/new", "/reports/self-assessment", "/reports/annual"]:
        page.goto(path)
        assert_accessible(page)
    assert page.errors == []
