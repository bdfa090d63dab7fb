"""Every page type a demo user can reach passes axe (no serious or critical issue), no console errors."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from models.seed.demo import DEMO_PASSWORD
from tests.browser.conftest import _axe, login

pytestmark = pytest.mark.browser
SKIP = ("/static/", "/logout", "/login", "/api/", "/calendar/", "/unsubscribe", ".csv", ".xlsx",
        "/download", "/certificate", "format=")


def _shape(path: str) -> str:
    """Pages that differ only by ids or query values are one page type."""
    return re.sub(r"=[^&]*", "=", re.sub(r"/\d+", "/N", path))


def _crawl_with_axe(page, limit: int) -> tuple[dict[str, list[str]], int]:
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    queue = ["/"]
    visited = 0
    while queue and visited < limit:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = page.goto(path)
        visited += 1
        if response is None or response.status != 200 or "text/html" not in response.headers.get(
                "content-type", ""):
            continue
        violations = [v for v in _axe.run(page).response["violations"]
                      if v["impact"] in ("serious", "critical")]
        if violations:
            problems[path] = [f"{v['id']}: {[n['target'] for n in v['nodes']][:2]}" for v in violations]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlsplit(urljoin(path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if not url.netloc and not any(s in target for s in SKIP) and _shape(target) not in seen:
                queue.append(target)
    return problems, visited


@pytest.mark.parametrize("email", ["admin@riverside.example", "principal@riverside.example",
                                   "supervisor@riverside.example", "sro@riverside.example"])
def test_every_reachable_page_type_is_accessible(app, runner, page, email):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    login(page, email, DEMO_PASSWORD)
    problems, visited = _crawl_with_axe(page, limit=120)
    assert visited > 5
    assert not problems, "\n".join(f"{p}: {v}" for p, v in problems.items())
    assert page.errors == []
