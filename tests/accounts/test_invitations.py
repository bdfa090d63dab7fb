"""Invitations: HR adds a person or invites a school; each gets one email whose link opens their account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from models.accounts import User
from models.credentials import AccountLink
from models.notifications import OutboxMessage
from models.org import School
from models.services.accounts.invitations import invite_school
from tests.accounts.conftest import NOW, deliver, link_path
from tests.conftest import AuthActions, csrf_token, fresh_client, post_form
from tests.factories import make_assignment, make_person, make_school

NEW = "a-brand-new-passphrase"


def _hr(app):
    client = fresh_client(app)
    assert AuthActions(client).login("hr@district.example").status_code == 302
    return client


def _person_form(**extra):
    return {"first_name": "Eve", "last_name": "Evans", "email": "eve@district.example",
            "person_type": "teacher", "employer": "district", "agency_id": "", **extra}


def test_hr_adds_a_person_and_the_invitation_opens_their_own_record(app, session, roster, smtp):
    hr = _hr(app)
    response = post_form(hr, "/people/new", _person_form(send_invitation="y"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "An invitation to sign in is on its way to eve@district.example" in html
    account = session.scalar(select(User).where(User.email == "eve@district.example"))
    assert account.role == "staff" and account.person.last_name == "Evans"
    (message,) = deliver(session, smtp)
    assert message["Subject"].startswith("You are invited")
    text = message.get_body(("plain",)) if message.is_multipart() else message
    assert "Hello Eve" in text.get_content()
    path = link_path(message)
    assert path.startswith("/welcome/")

    eve = fresh_client(app)
    assert AuthActions(eve).login("eve@district.example", "").status_code == 200  # no password yet
    page = eve.get(path).get_data(as_text=True)
    assert "Welcome to SECURe Tracker" in page and "eve@district.example" in page
    assert post_form(eve, path, {"new": NEW, "confirm": NEW}).status_code == 302
    home = eve.get(f"/people/{account.person_id}")
    assert home.status_code == 200 and "Evans" in home.get_data(as_text=True)
    assert eve.get(f"/people/{roster.ana}").status_code == 404  # their own record only
    assert fresh_client(app).get(path).status_code == 410


def test_adding_a_person_without_the_box_ticked_sends_nothing(app, session, roster):
    post_form(_hr(app), "/people/new", _person_form())
    assert session.scalar(select(User).where(User.email == "eve@district.example")) is None
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_person_whose_email_an_account_already_uses_is_added_without_an_invitation(app, session, roster):
    response = post_form(_hr(app), "/people/new", _person_form(email="hr@district.example",
                                                               send_invitation="y"),
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Eve Evans was added" in html and "No invitation was sent" in html
    assert session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_invite_everyone_at_a_school_who_has_no_account_once(app, session, roster, smtp):
    hr = _hr(app)
    page = hr.get(f"/schools/{roster.adams}").get_data(as_text=True)
    assert "2 people at Adams High have an email but no account" in page
    response = post_form(hr, f"/schools/{roster.adams}/invite", {}, token_from=f"/schools/{roster.adams}",
                         follow_redirects=True)
    assert "2 invitations to sign in sent to people at Adams High" in response.get_data(as_text=True)
    assert sorted(m["To"] for m in deliver(session, smtp)) == ["ana@district.example", "ben@district.example"]
    # Again: everyone has an account now, nobody is emailed twice; Burr Middle's teacher was not invited.
    again = post_form(hr, f"/schools/{roster.adams}/invite", {}, token_from=f"/schools/{roster.adams}",
                      follow_redirects=True)
    assert "already has an account" in again.get_data(as_text=True)
    assert len(deliver(session, smtp)) == 2
    assert session.scalar(select(User).where(User.email == "dee@district.example")) is None
    assert "Everyone at Adams High with an email has an account" in \
        hr.get(f"/schools/{roster.adams}").get_data(as_text=True)


def test_the_person_page_sends_a_new_link_and_the_old_one_stops(app, session, roster, smtp):
    hr = _hr(app)
    page = f"/people/{roster.ana}"
    assert "Invite to sign in" in hr.get(page).get_data(as_text=True)
    post_form(hr, f"{page}/invite", {}, token_from=page)
    html = post_form(hr, f"{page}/invite", {}, token_from=page, follow_redirects=True).get_data(as_text=True)
    assert "Invitation link sent to ana@district.example" in html and "Has not signed in yet" in html
    first, second = (link_path(m) for m in deliver(session, smtp))
    assert fresh_client(app).get(first).status_code == 410
    assert fresh_client(app).get(second).status_code == 200
    # An account that set its password gets a reset link instead.
    html = post_form(hr, f"/people/{roster.cal}/invite", {}, token_from=f"/people/{roster.cal}",
                     follow_redirects=True).get_data(as_text=True)
    assert "Password reset link sent to cal@district.example" in html
    app.config["FIXED_NOW"] = NOW + timedelta(days=8, hours=1)
    assert fresh_client(app).get(second).status_code == 410  # invitations last INVITE_LINK_DAYS


@pytest.mark.parametrize("who", ["principal@district.example", "cal@district.example", None])
def test_only_hr_and_admins_invite(app, session, roster, who):
    client = fresh_client(app)
    if who:
        assert AuthActions(client).login(who).status_code == 302
    token = csrf_token(client, "/login") if who is None else csrf_token(client, "/")
    for path in (f"/schools/{roster.adams}/invite", f"/people/{roster.ana}/invite"):
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code in (302, 403) and (who is not None or "/login" in response.location)
        if who:
            assert response.status_code == 403
    page = client.get(f"/people/{roster.cal}").get_data(as_text=True)
    assert "Invite to sign in" not in page and "Send a password link" not in page
    assert session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_invitations_need_a_csrf_token(app, session, roster):
    hr = _hr(app)
    assert hr.post(f"/schools/{roster.adams}/invite").status_code == 400
    assert session.scalar(select(func.count()).select_from(AccountLink)) == 0


@pytest.mark.app_config(MFA_REQUIRED_ROLES="admin,hr")
def test_an_invited_admin_sets_a_password_then_enrols_an_authenticator(app, session, roster, smtp):
    from models.services.accounts.invitations import send_password_link

    admin = session.get(User, roster.admin)
    send_password_link(session, admin, NOW, timedelta(days=7), timedelta(hours=1))
    session.commit()
    (message,) = deliver(session, smtp)
    client = fresh_client(app)
    response = post_form(client, link_path(message), {"new": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.location == "/login/set-up-code"
    assert client.get("/").status_code == 302  # no session until the second factor is set up


def test_two_people_sharing_an_email_are_not_invited_in_bulk_and_nothing_is_created(app, session, roster):
    """One account per email: the school's invitation names the shared address and creates no account."""
    fay = make_person(session, first_name="Fay", last_name="Fox", email="ANA@district.example")
    make_assignment(session, fay, [session.get(School, roster.adams)])
    session.commit()
    before = session.scalar(select(func.count(User.id)))
    hr = _hr(app)
    response = post_form(hr, f"/schools/{roster.adams}/invite", {}, token_from=f"/schools/{roster.adams}",
                         follow_redirects=True)
    assert response.status_code == 200
    assert "More than one person on the roster has the email ana@district.example" in \
        response.get_data(as_text=True)
    assert session.scalar(select(func.count(User.id))) == before
    assert session.scalar(select(func.count(AccountLink.id))) == 0


def _statements(session, action) -> int:
    """How many statements other than INSERTs `action` sends (the unit of work inserts row by row where
    the driver cannot return ids for a batch; reads and updates are what would grow per person)."""
    engine, count = session.get_bind(), [0]

    def counted(conn, cursor, statement, *_):
        count[0] += not statement.lstrip().upper().startswith("INSERT")
    event.listen(engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count[0]


def test_inviting_a_school_takes_the_same_statements_for_3_people_or_60(app, session, roster):
    """Set-based: a bigger school costs no more reads or updates (no query per person)."""
    counts = []
    for size in (3, 60):
        school = make_school(session, f"School of {size}")
        for i in range(size):
            make_assignment(session, make_person(session, first_name="P", last_name=f"{size}-{i}",
                                                 email=f"p{size}.{i}@district.example"), [school])
        session.commit()
        counts.append(_statements(session, lambda s=school: invite_school(
            session, s.id, NOW.date(), NOW, timedelta(days=7))))
        session.commit()
        assert session.scalar(select(func.count(User.id)).where(User.email.like(f"p{size}.%"))) == size
    assert counts[1] == counts[0], counts
