"""Live server and headless Debian Chromium (never a downloaded browser) for browser tests."""

from __future__ import annotations

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page; console errors are collected on page.errors."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(f"{msg.text} {msg.location}"))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page) -> None:
    """Fail on serious or critical axe-core violations, naming each rule and element."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(details)


def login(page, email: str, password: str = "correct-horse-battery") -> None:
    """Log in through the real form."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
