"""Flags follow the records: closed or updated in the write's own transaction, many at once, any day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jobs import flag_overdue
from models.jobruns import JobRun
from models.notifications import Flag, OutboxMessage
from models.people import Person
from models.services.reminders import flags
from tests.conftest import TODAY, post_form
from tests.factories import make_agency, make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement


def _section(html: str, start: str) -> str:
    """The HTML from `start` to the end of its table (a page's flag list)."""
    assert start in html
    return html.split(start, 1)[1].split("</table>", 1)[0]


def _expired_and_escalated_sro(session):
    """An SRO whose yearly YMHFA renewal lapsed 45 days ago: expired, and escalated to HR at 30 days."""
    school = make_school(session, "Adams High")
    agency = make_agency(session, "Metro PD")
    sro = make_person(session, first_name="Sam", last_name="Officer", person_type="sro", agency=agency,
                      licence_number="L-9")
    make_assignment(session, sro, [school], start_date=date(2024, 1, 8))
    course = make_course(session, "YMHFA", title="Youth Mental Health First Aid")
    make_requirement(session, course, roles=("sro",), due_days=365, renewal_months=12)
    make_completion(session, sro, course, TODAY - timedelta(days=365 + 45))
    make_user(session, "principal", email="principal@example.org", schools=[school])
    make_user(session, "supervisor", email="supervisor@example.org", agency=agency)
    make_user(session, "coordinator", email="coordinator@example.org")
    make_user(session, "hr", email="hr@example.org")
    session.commit()
    flag_overdue.run(session, TODAY)
    session.commit()
    return sro, course


def _pages(client, auth, person_id):
    """The flag lists a principal, a supervisor and a coordinator see for the person."""
    seen = {}
    for email in ("principal@example.org", "supervisor@example.org"):
        auth.login(email)
        seen[email] = _section(client.get("/").get_data(as_text=True), "Open flags")
        auth.logout()
    auth.login("coordinator@example.org")
    person_page = client.get(f"/people/{person_id}").get_data(as_text=True)
    seen["person page"] = person_page.split('id="flags-title"', 1)[1].split("</section>", 1)[0]
    return seen


def test_recording_completion_removes_flag_from_person_and_home_pages_in_the_same_request(
        client, auth, session):
    sro, course = _expired_and_escalated_sro(session)
    flag = session.scalar(select(Flag).where(Flag.kind == "training", Flag.closed_on.is_(None)))
    assert (flag.status, flag.escalated_on) == ("expired", TODAY)
    before = _pages(client, auth, sro.id)
    assert all("YMHFA" in html for html in before.values()), before
    assert "Expired (escalated)" in before["person page"]

    response = post_form(client, f"/training/people/{sro.id}/completions/new",
                         {"course_id": str(course.id), "completed_on": TODAY.isoformat(), "hours": "8"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Flag, flag.id).closed_on == TODAY  # closed by the request that recorded it
    auth.logout()
    after = _pages(client, auth, sro.id)
    assert not any("YMHFA" in html for html in after.values()), after
    assert "Expired" not in after["person page"]


def test_sync_closes_many_flags_at_once_and_cancels_their_unsent_reminders(session):
    people = [make_person(session) for _ in range(3)]
    session.commit()
    items = [flags.DueItem(f"training:{p.id}:9:2026-10-01", "training", p.id, "BASIC", date(2026, 10, 1),
                           "overdue") for p in people]
    assert flags.sync_flags(session, TODAY, items, kinds=["training"]) == {
        "opened": 3, "updated": 0, "closed": 0}
    for i in items:
        session.add(OutboxMessage(item_key=i.item_key, step="overdue-1", recipient="x@example.org",
                                  subject="Overdue", status="pending"))
    session.flush()
    # Every item resolved on one day: one statement closes them all (any number, both databases).
    closed = flags.sync_flags(session, TODAY, [], kinds=["training"])
    assert closed == {"opened": 0, "updated": 0, "closed": 3}
    assert session.scalar(select(func.count()).select_from(Flag).where(Flag.closed_on == TODAY)) == 3
    assert set(session.scalars(select(OutboxMessage.status))) == {"cancelled"}
    # Reported again (a waiver withdrawn): the same flags reopen, keeping their reminder history.
    assert flags.sync_flags(session, TODAY, items[:2], kinds=["training"])["opened"] == 2
    assert session.scalar(select(func.count()).select_from(Flag).where(Flag.closed_on.is_(None))) == 2
    session.rollback()


class TestDemoDistrict:
    """The demo data, run as a district would: an import that closes two flags, then the daily job."""

    DAY = date(2026, 12, 1)

    @pytest.fixture
    def app_config(self):
        return {"FIXED_TODAY": self.DAY}

    def _two_flagged_trainings(self, session):
        rows = session.execute(select(Flag.person_id, Flag.label, Flag.id)
                               .where(Flag.kind == "training", Flag.closed_on.is_(None))
                               .order_by(Flag.id)).all()
        picked, people = [], set()
        for person_id, label, flag_id in rows:
            if person_id not in people:
                picked.append((session.get(Person, person_id).email, label.split(" ", 1)[0], flag_id))
                people.add(person_id)
        assert len(picked) >= 2, rows
        return picked[:2]

    def test_import_closing_two_flags_then_daily_job_succeeds(self, runner, session, tmp_path):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
        picked = self._two_flagged_trainings(session)
        roster = tmp_path / "roster.csv"
        roster.write_text("Email,Course code,Completion date\n"
                          + "".join(f"{email},{code},{self.DAY.isoformat()}\n" for email, code, _ in picked))
        result = runner.invoke(args=["training", "import", str(roster)])
        assert result.exit_code == 0, result.output
        session.expire_all()
        closed = [session.get(Flag, flag_id).closed_on for *_, flag_id in picked]
        assert closed == [self.DAY, self.DAY]  # in the import's own transaction

        result = runner.invoke(args=["jobs", "run", "flag-overdue", "--today", "2026-12-02"])
        assert result.exit_code == 0, result.output
        session.expire_all()
        assert [session.get(Flag, flag_id).closed_on for *_, flag_id in picked] == closed
        # Years later every old item has moved on: most flags close (and others open) in one run.
        result = runner.invoke(args=["jobs", "run", "flag-overdue", "--today", "2031-01-15"])
        assert result.exit_code == 0, result.output
        runs = session.execute(select(JobRun.run_date, JobRun.status).where(JobRun.job == "flag-overdue")
                               .order_by(JobRun.id)).all()
        assert runs[-2:] == [(date(2026, 12, 2), "ok"), (date(2031, 1, 15), "ok")]
        stale = session.scalar(select(func.count()).select_from(Flag).where(
            Flag.closed_on.is_(None), Flag.first_flagged_on < date(2030, 1, 1), Flag.kind == "evaluation"))
        assert stale == 0  # last decade's evaluation cycles are closed
