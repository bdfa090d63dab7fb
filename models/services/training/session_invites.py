"""A session's invitation: its iCalendar file and the emails queued in the outbox for the people enrolled.

The times are the district's wall-clock times; the calendar file gives them in UTC, so every calendar
shows them right whatever its own time zone. The event keeps one UID for life (the session's), the
same as in the person's calendar feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.notifications import OutboxMessage
from models.org import District
from models.people import Person
from models.training_sessions import TrainingSession

UID_DOMAIN = "secure-tracker"
ITEM_PREFIX = "session:"
STEP = "session-invite"


def district_zone(session: Session) -> ZoneInfo:
    """The district's time zone (the first district's; UTC before set-up)."""
    name = session.scalar(select(District.time_zone).order_by(District.id).limit(1))
    return ZoneInfo(name or "UTC")


def session_uid(session_id: int) -> str:
    """The session's event UID, in the invitation and in calendar feeds."""
    return f"session-{session_id}@{UID_DOMAIN}"


def session_times(ts: TrainingSession, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end of the session in UTC."""
    start = datetime.combine(ts.held_on, ts.starts_at, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(ts.held_on, ts.ends_at, tzinfo=zone).astimezone(UTC)
    return start, end


def session_summary(ts: TrainingSession) -> str:
    """The event's title: the course."""
    return f"{ts.course.code} {ts.course.title}"


def session_event(ts: TrainingSession, zone: ZoneInfo, now: datetime) -> Event:
    """The session as an iCalendar VEVENT (cancelled sessions say so)."""
    start, end = session_times(ts, zone)
    event = Event()
    event.add("uid", session_uid(ts.id))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", session_summary(ts))
    event.add("location", ts.place)
    description = f"Training session: {session_summary(ts)}. Instructor: {ts.instructor}."
    if ts.online_url:
        description += f" Join online: {ts.online_url}"
        event.add("url", ts.online_url)
    event.add("description", description)
    event.add("status", "CANCELLED" if ts.status == "cancelled" else "CONFIRMED")
    return event


def session_ics(ts: TrainingSession, zone: ZoneInfo, now: datetime) -> bytes:
    """A one-event iCalendar document for the invitation's attachment."""
    cal = Calendar()
    cal.add("prodid", "-//SECURe Tracker//Training sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(session_event(ts, zone, now))
    return cal.to_ical()


def _when(ts: TrainingSession, zone: ZoneInfo) -> str:
    return (f"{ts.held_on.strftime('%A')} {ts.held_on.isoformat()}, {ts.starts_at.strftime('%H:%M')}–"
            f"{ts.ends_at.strftime('%H:%M')} ({zone.key})")


def queue_invitations(session: Session, ts: TrainingSession, person_ids: list[int], now: datetime) -> int:
    """Queue one invitation (with the .ics) per person in `person_ids` who has an email; one flush."""
    if not person_ids:
        return 0
    people = session.execute(select(Person.id, Person.first_name, Person.email)
                             .where(Person.id.in_(person_ids), Person.email.is_not(None))).all()
    zone = district_zone(session)
    ics = session_ics(ts, zone, now).decode()
    subject = f"Training session: {ts.course.code} on {ts.held_on.isoformat()}"[:200]
    common = {"course": session_summary(ts), "when": _when(ts, zone), "place": ts.place,
              "instructor": ts.instructor, "session_id": ts.id,
              "attachments": [{"filename": "session.ics", "content_type": "text/calendar", "text": ics}]}
    rows = [OutboxMessage(item_key=f"{ITEM_PREFIX}{ts.id}:{pid}", step=STEP, recipient=email.strip().lower(),
                          recipient_role="person", person_id=pid, escalation=False, subject=subject,
                          context={**common, "name": first}, status="pending", created_at=now)
            for pid, first, email in people if email and email.strip()]
    session.add_all(rows)
    session.flush()
    return len(rows)
