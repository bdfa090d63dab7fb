"""Calendar feeds: parse with icalendar, list the user's due items with the right dates, revocable."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar
from sqlalchemy import select, text

from models.accounts import User
from models.api_tokens import CalendarFeed
from models.services.accounts.api_tokens import create_calendar_feed, hash_secret, revoke_calendar_feed
from models.services.evaluations.due import evaluation_due_rows
from tests.api.conftest import NOW
from tests.training.factories import make_completion


def _feed(session, email: str) -> str:
    user = session.scalar(select(User).where(User.email == email))
    _, secret = create_calendar_feed(session, user, NOW)
    session.commit()
    return f"/calendar/{secret}.ics"


def _events(client, url: str) -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    return {str(e["UID"]): {"start": e.decoded("DTSTART"), "summary": str(e["SUMMARY"]),
                            "status": str(e["STATUS"]), "url": str(e["URL"]),
                            "alarms": [a.decoded("TRIGGER") for a in e.walk("VALARM")]}
            for e in cal.walk("VEVENT")}


def test_feed_lists_own_due_items_with_correct_dates(client, session, world, training):
    events = _events(client, _feed(session, world.emails["staff"]))  # Alice, a teacher at school A
    pid = world.teacher_a
    pbis = events[f"training-{pid}-{training.reqs.pbis}@secure-tracker"]
    assert pbis["start"] == date(2025, 10, 31)  # assigned 2025-09-01, due within 60 days
    assert pbis["summary"] == "Overdue: PBIS-STAFF Non-punitive discipline"
    bias = events[f"training-{pid}-{training.reqs.bias}@secure-tracker"]
    assert bias["start"] == date(2026, 12, 1) and bias["summary"].startswith("Due: BIAS-DIS")
    training_uids = {u for u in events if u.startswith("training-")}
    assert training_uids == {f"training-{pid}-{training.reqs.pbis}@secure-tracker",
                             f"training-{pid}-{training.reqs.bias}@secure-tracker"}
    due = [r for r in evaluation_due_rows(session, date(2026, 10, 15), person_ids=[pid])
           if r.status != "complete"]
    assert due, "the evaluation engine gives Alice a due evaluation"
    for row in due:
        event = events[f"evaluation-{row.assignment_id}-{row.cycle}@secure-tracker"]
        assert event["start"] == (row.due_date if isinstance(row.due_date, date)
                                  else date.fromisoformat(str(row.due_date)[:10]))
    assert not any(str(world.teacher_b) in u.split("-")[1] for u in events)


def test_completed_item_keeps_its_uid_and_is_closed(client, session, world, training):
    from models.people import Person
    from models.training import Course

    url = _feed(session, world.emails["staff"])
    uid = f"training-{world.teacher_a}-{training.reqs.pbis}@secure-tracker"
    assert _events(client, url)[uid]["status"] == "CONFIRMED"
    make_completion(session, session.get(Person, world.teacher_a), session.get(Course, training.courses.pbis),
                    date(2026, 10, 10))
    session.commit()
    event = _events(client, url)[uid]
    # Completed, not called off: it stays (same UID) as a "Done" event, CONFIRMED, with no reminder.
    assert event["status"] == "CONFIRMED" and event["summary"].startswith("Done: PBIS-STAFF")
    assert not event["alarms"]


def test_principal_feed_adds_overseen_items_only_in_scope(client, session, world, training):
    events = _events(client, _feed(session, world.emails["principal"]))
    people = {int(u.split("-")[1]) for u in events if u.startswith("training-")}
    assert people == {world.teacher_a, world.sro}
    assert any("Alice Atwood" in e["summary"] for e in events.values())
    assert not any("Bob Barnes" in e["summary"] for e in events.values())


def test_revoked_or_unknown_feed_url_answers_404(client, session, world, training):
    url = _feed(session, world.emails["staff"])
    assert client.get(url).status_code == 200
    secret = url.removeprefix("/calendar/").removesuffix(".ics")
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_secret(secret)))
    revoke_calendar_feed(session, feed, NOW)
    session.commit()
    assert client.get(url).status_code == 404
    assert client.get("/calendar/cal_guess.ics").status_code == 404
    stored = " ".join(str(v) for row in session.execute(text("SELECT * FROM calendar_feeds")) for v in row)
    assert secret not in stored


def test_each_event_links_to_its_item_and_open_items_remind_a_week_before(app, client, session, world,
                                                                           training):
    """The event's URL is its item's page; an open item's alarm fires 7 days before (a setting; 0: none)."""
    from datetime import timedelta

    url = _feed(session, world.emails["staff"])
    events = _events(client, url)
    pbis = events[f"training-{world.teacher_a}-{training.reqs.pbis}@secure-tracker"]
    assert pbis["url"].endswith(f"/training/people/{world.teacher_a}")
    assert pbis["alarms"] == [timedelta(days=-7)]
    evaluations = [e for uid, e in events.items() if uid.startswith("evaluation-")]
    assert evaluations and all("/evaluations/" in e["url"] for e in evaluations)
    app.config["CALENDAR_ALARM_DAYS"] = 0
    assert all(not e["alarms"] for e in _events(client, url).values())
