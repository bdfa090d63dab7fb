"""CLI commands and the health check."""

from __future__ import annotations

from sqlalchemy import func, select

from models.accounts import User
from models.org import School
from models.people import Person
from tests.factories import make_school


def test_users_create_with_school(runner, session):
    make_school(session, "Adams High")
    session.commit()
    result = runner.invoke(args=["users", "create", "P@Example.org", "--role", "principal",
                                 "--school", "Adams High", "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "p@example.org"))
    assert user.role == "principal" and [s.name for s in user.schools] == ["Adams High"]
    assert user.check_password("long-enough-pw")


def test_users_create_reports_every_problem(runner, session):
    result = runner.invoke(args=["users", "create", "bad", "--role", "king",
                                 "--school", "Nowhere", "--password", "short"])
    assert result.exit_code == 1
    for text in ("not a valid email", "Role must be one of", "at least 10", "No school is named"):
        assert text in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_users_create_prompts_for_password(runner, session):
    result = runner.invoke(args=["users", "create", "a@example.org", "--role", "hr"],
                           input="prompted-password\nprompted-password\n")
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User)).check_password("prompted-password")


def test_demo_seed_is_idempotent(runner, session):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "admin@riverside.example" in first.output
    counts = [session.scalar(select(func.count(m.id))) for m in (School, Person, User)]
    assert counts[0] == 6 and counts[1] >= 35
    second = runner.invoke(args=["demo", "seed"])
    assert "nothing changed" in second.output
    assert [session.scalar(select(func.count(m.id))) for m in (School, Person, User)] == counts


def test_every_demo_account_logs_in(runner, client, auth, session):
    runner.invoke(args=["demo", "seed"])
    from models.seed.demo import ACCOUNTS, DEMO_PASSWORD

    for email, _, _ in ACCOUNTS:
        assert auth.login(email, DEMO_PASSWORD).status_code == 302, email
        assert client.get("/").status_code == 200
        auth.logout()


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_error_pages_are_friendly(client, auth, session):
    assert "Not found" in client.get("/no-such-page").get_data(as_text=True)


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    from sqlalchemy import text

    from models import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
