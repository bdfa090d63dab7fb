"""Every demo account can click through every page it can reach without a server error."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from models.seed.demo import ACCOUNTS, DEMO_PASSWORD
from tests.conftest import AuthActions

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/static/", "/logout", "/login", "mailto:", "/api/", "/calendar/", "/unsubscribe")


def _crawl(client, limit: int = 250) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            url = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if url.netloc or any(s in url.path for s in SKIP):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen and "page=" not in target:
                queue.append(target)
    return seen


def test_demo_accounts_reach_no_server_error(app, runner, client):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    auth = AuthActions(client)
    for email, _, _ in ACCOUNTS:
        assert auth.login(email, DEMO_PASSWORD).status_code == 302, email
        statuses = _crawl(client)
        errors = {p: s for p, s in statuses.items() if s >= 500}
        assert not errors, f"{email}: {errors}"
        assert len(statuses) > 3
        auth.logout()
