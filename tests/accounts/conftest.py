"""A school whose roster has people with and without accounts, HR and an admin, and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import g
from flask.testing import FlaskClient

from tests.factories import make_assignment, make_person, make_school, make_user
from tests.smtp import smtp  # noqa: F401 - the scripted aiosmtpd server on loopback

NOW = datetime(2026, 10, 15, 14, 0, tzinfo=UTC)


def build_roster(session):
    """Adams High: two people without accounts and one with; Burr Middle."""
    adams, burr = make_school(session, "Adams High"), make_school(session, "Burr Middle")
    ana = make_person(session, first_name="Ana", last_name="Alvarez", email="ana@district.example")
    ben = make_person(session, first_name="Ben", last_name="Baker", email="ben@district.example")
    cal = make_person(session, first_name="Cal", last_name="Carter", email="cal@district.example")
    dee = make_person(session, first_name="Dee", last_name="Burr", email="dee@district.example")
    for person in (ana, ben, cal):
        make_assignment(session, person, [adams])
    make_assignment(session, dee, [burr])
    staff = make_user(session, "staff", email="cal@district.example", person=cal)
    hr = make_user(session, "hr", email="hr@district.example")
    admin = make_user(session, "admin", email="admin@district.example")
    principal = make_user(session, "principal", email="principal@district.example", schools=[adams])
    session.commit()
    return SimpleNamespace(adams=adams.id, burr=burr.id, ana=ana.id, ben=ben.id,
                           cal=cal.id, dee=dee.id, staff=staff.id, hr=hr.id, admin=admin.id,
                           principal=principal.id)


class OwnUserClient(FlaskClient):
    """A test client whose every request starts with an empty `g`.

    The test's app context outlives requests and Flask-Login keeps the signed-in user in `g`, so a
    request by one browser would otherwise see the user of the browser that asked before it.
    """

    def open(self, *args, **kwargs):
        """Empty `g`, then make the request."""
        for name in list(vars(g)):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def roster(app, session):
    """The roster above, with the clock pinned at NOW; the tests switch between several browsers."""
    app.config["FIXED_NOW"] = NOW
    app.test_client_class = OwnUserClient
    return build_roster(session)


def deliver(session, smtp_server, now=NOW):
    """Run the send-email job against the SMTP server; the messages it received."""
    from jobs import send_email

    send_email.run(session, now.date(), settings=smtp_server.settings(secret_key="test-secret"), now=now)
    return smtp_server.handler.messages()


def link_path(message) -> str:
    """The /reset/... or /welcome/... path in an email's plain text."""
    import re

    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https://tracker\.example(/(?:reset|welcome)/[\w.\-]+)", text)
    assert match, text
    return match.group(1)
