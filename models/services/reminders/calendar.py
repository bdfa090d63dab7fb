"""Calendar feeds: a user's due items (and those they oversee) as iCalendar events with stable UIDs.

Each item keeps one UID for life (training: person + requirement; evaluation: assignment + cycle), so a
subscribed calendar moves or closes the same event when the item changes or is completed: a completed
item stays in the feed for RECENT_DAYS as a cancelled "Done" event, then drops out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.accounts import User
from models.people import Person
from models.policy import can
from models.scoping import Scope
from models.services.stores.reads import compliance_source, evaluation_due_source
from models.services.training.session_invites import (
    district_zone,
    session_summary,
    session_times,
    session_uid,
)
from models.training import Course
from models.training_sessions import Enrolment, TrainingSession

OPEN_TRAINING = ("due_soon", "overdue", "expired", "not_yet_due")
RECENT_DAYS = 30
UID_DOMAIN = "secure-tracker"
TRAINING_WORDS = {"due_soon": "Due soon", "overdue": "Overdue", "expired": "Expired — renew",
                  "not_yet_due": "Due", "complete": "Renewal due"}
EVALUATION_WORDS = {"due": "Due soon", "overdue": "Overdue", "not_yet_due": "Due"}


@dataclass(frozen=True)
class DueItem:
    """One event in a feed."""

    uid: str
    day: date
    summary: str
    description: str
    done: bool
    sequence: int
    # A timed event (a training session): its start and end in UTC and where; None for a due date.
    starts: datetime | None = None
    ends: datetime | None = None
    location: str = ""
    path: str = "/"  # the item's own page, joined to the site's address for the event's URL
    cancelled: bool = False  # a session called off (a done item is completed, not cancelled)


def _day(value) -> date | None:
    """Dates computed in SQL come back as ISO text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _training_item(row, today: date, whose: str) -> DueItem | None:
    due, completed, expires = _day(row.due_date), _day(row.completed_on), _day(row.expires_on)
    uid = f"training-{row.person_id}-{row.requirement_id}@{UID_DOMAIN}"
    course = f"{row.code} {row.title}"
    sequence = completed.toordinal() - date(2000, 1, 1).toordinal() if completed else 0
    renewing = row.completion_id is not None and expires is not None
    page = f"/training/people/{row.person_id}"
    if row.status in OPEN_TRAINING or (row.status == "complete" and expires is not None):
        word = "Renewal due" if renewing and row.status in ("due_soon", "complete") else \
            TRAINING_WORDS[row.status]
        day = _day(row.act_by)
        if day is None:
            return None
        return DueItem(uid, day, f"{word}: {course}{whose}",
                       f"Training {course}{whose}. Status: {row.status.replace('_', ' ')}.", False, sequence,
                       path=page)
    if row.status == "complete" and completed and completed >= today - timedelta(days=RECENT_DAYS):
        return DueItem(uid, due or completed, f"Done: {course}{whose}",
                       f"Training {course}{whose} was completed on {completed.isoformat()}.", True, sequence,
                       path=page)
    return None


def _evaluation_item(row, today: date, whose: str) -> DueItem | None:
    due = _day(row.due_date)
    uid = f"evaluation-{row.assignment_id}-{row.cycle}@{UID_DOMAIN}"
    cycle = "first review" if row.cycle == "first-review" else f"{row.cycle} evaluation"
    # The evaluation itself once one is started, else the person's evaluations (one's own: "mine").
    page = (f"/evaluations/{row.evaluation_id}" if row.evaluation_id
            else "/evaluations/mine" if not whose else f"/evaluations/people/{row.person_id}")
    if row.status in EVALUATION_WORDS:
        return DueItem(uid, due, f"{EVALUATION_WORDS[row.status]}: {cycle}{whose}",
                       f"Evaluation ({cycle}){whose}. Status: {row.status.replace('_', ' ')}.", False, 0,
                       path=page)
    if row.status == "complete" and due >= today - timedelta(days=RECENT_DAYS):
        return DueItem(uid, due, f"Done: {cycle}{whose}", f"Evaluation ({cycle}){whose} is final.", True, 1,
                       path=page)
    return None


def _training_rows(session: Session, scope: Scope, **narrow):
    rows = compliance_source(session, scope, **narrow).subquery("c")
    stmt = (select(rows, Course.code, Course.title, Person.first_name, Person.last_name)
            .join(Course, Course.id == rows.c.course_id).join(Person, Person.id == rows.c.person_id)
            .order_by(rows.c.person_id, rows.c.requirement_id))
    return session.execute(stmt).all()


def _evaluation_rows(session: Session, scope: Scope, **narrow):
    rows = evaluation_due_source(session, scope, **narrow).subquery("e")
    stmt = (select(rows, Person.first_name, Person.last_name).join(Person, Person.id == rows.c.person_id)
            .order_by(rows.c.person_id, rows.c.assignment_id, rows.c.cycle))
    return session.execute(stmt).all()


def _session_items(session: Session, person_id: int, today: date) -> list[DueItem]:
    """The upcoming sessions the person is enrolled in (a cancelled one as a cancelled event)."""
    zone = district_zone(session)
    stmt = (select(TrainingSession).join(Enrolment, Enrolment.session_id == TrainingSession.id)
            .where(Enrolment.person_id == person_id, TrainingSession.held_on >= today,
                   TrainingSession.status.in_(("scheduled", "cancelled")))
            .options(selectinload(TrainingSession.course)).order_by(TrainingSession.held_on))
    items = []
    for ts in session.scalars(stmt):
        starts, ends = session_times(ts, zone)
        cancelled = ts.status == "cancelled"
        items.append(DueItem(session_uid(ts.id), ts.held_on,
                             f"{'Cancelled: ' if cancelled else ''}Training session: {session_summary(ts)}",
                             f"Training session {session_summary(ts)} with {ts.instructor}. {ts.place}.",
                             False, 1 if cancelled else 0, starts, ends, ts.place,
                             path=f"/training/sessions/{ts.id}", cancelled=cancelled))
    return items


def due_items(session: Session, user: User, today: date) -> list[DueItem]:
    """The user's own due items, plus, for coordinators, principals and supervisors, those they oversee."""
    items: list[DueItem] = []
    own = user.person_id
    if own:
        mine = Scope.everyone(today)  # one's own rows: narrowed to the person below
        items += [_training_item(r, today, "") for r in _training_rows(session, mine, person_ids=[own])]
        items += [_evaluation_item(r, today, "") for r in _evaluation_rows(session, mine, person_ids=[own])]
        items += _session_items(session, own, today)
    scope = Scope.for_user(user, today)
    if can(user, "oversee_calendar"):
        for r in _training_rows(session, scope):
            if r.person_id != own:
                items.append(_training_item(r, today, f" — {r.first_name} {r.last_name}"))
    if can(user, "oversee_evaluation_calendar"):
        for r in _evaluation_rows(session, scope):
            if r.person_id != own:
                items.append(_evaluation_item(r, today, f" — {r.first_name} {r.last_name}"))
    return [i for i in items if i is not None]


def feed_ics(items: list[DueItem], now: datetime, name: str, link: str, alarm_days: int = 7) -> bytes:
    """The iCalendar document for `items`: all-day due dates and timed sessions.

    Each event links to its item's page (`link` is the site's address). Open items carry a reminder
    `alarm_days` before (0: none). A done item stays, with its UID, as a completed "Done: ..." event
    (CONFIRMED, free time, no alarm); only a session called off is CANCELLED.
    """
    cal = Calendar()
    cal.add("prodid", "-//SECURe Tracker//Due dates//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        if item.starts is not None:
            event.add("dtstart", item.starts)
            event.add("dtend", item.ends)
            event.add("location", item.location)
        else:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
        url = link.rstrip("/") + item.path
        event.add("summary", item.summary)
        event.add("description", f"{item.description} {url}")
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("sequence", item.sequence)
        event.add("transp", "OPAQUE" if item.starts is not None and not item.done else "TRANSPARENT")
        event.add("url", url)
        if alarm_days and not (item.done or item.cancelled):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item.summary)
            alarm.add("trigger", timedelta(days=-alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
