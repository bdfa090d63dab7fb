"""Admins manage accounts; nobody else can."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from models.accounts import User
from tests.conftest import post_form


@pytest.mark.parametrize("role,status", [("admin", 200), ("hr", 403), ("coordinator", 403),
                                         ("principal", 403), ("supervisor", 403), ("staff", 403)])
def test_only_admins_open_user_pages(client, auth, world, role, status):
    auth.login(world.emails[role])
    assert client.get("/admin/users/").status_code == status
    assert client.get("/admin/users/new").status_code == status


def test_create_account_reports_every_problem_and_writes_nothing(client, auth, session, world):
    auth.login(world.emails["admin"])
    before = session.scalar(select(func.count(User.id)))
    html = unescape(post_form(client, "/admin/users/new", {
        "email": "hr@example.org", "role": "principal", "person_email": "ghost@example.org",
        "password": "short"}).get_data(as_text=True))
    for message in ("An account for hr@example.org already exists.",
                    "A principal's account needs at least one school.",
                    "No person has the email ghost@example.org.", "at least 10 characters"):
        assert message in html
    session.expire_all()
    assert session.scalar(select(func.count(User.id))) == before


def test_admin_creates_principal_who_then_sees_their_school(client, auth, session, world):
    auth.login(world.emails["admin"])
    response = post_form(client, "/admin/users/new", {
        "email": "newp@example.org", "role": "principal", "school_ids": [world.school_b],
        "password": "a-long-password", "active": "y"})
    assert response.status_code == 302
    auth.logout()
    auth.login("newp@example.org", "a-long-password")
    assert client.get(f"/people/{world.teacher_b}").status_code == 200
    assert client.get(f"/people/{world.teacher_a}").status_code == 404


def test_disabling_an_account_stops_its_login(client, auth, session, world):
    auth.login(world.emails["admin"])
    user = session.scalar(select(User).where(User.email == world.emails["coordinator"]))
    post_form(client, f"/admin/users/{user.id}/edit", {
        "email": user.email, "role": "coordinator", "password": ""})
    auth.logout()
    assert auth.login(world.emails["coordinator"]).status_code == 200  # refused, form shown again
    assert client.get("/").status_code == 302
