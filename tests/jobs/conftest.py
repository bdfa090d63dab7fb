"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script, and job helpers."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from models.evaluations import CycleRule
from models.people import Person
from models.services.reminders.mailer import MailSettings
from models.services.reminders.queueing import training_items
from models.training import Completion
from tests.training.factories import make_course, make_requirement


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedHandler:
    """Accepts mail with 250 unless told otherwise: `script` is a list of replies used in order.

    `delay` makes the server slow (seconds per message); `on_accept(count)` runs once a message is
    taken and before the client reads the reply (where a test kills the sender).
    """

    def __init__(self):
        self.script: list[str] = []
        self.received: list = []  # (recipients, raw message bytes)
        self.lock = threading.Lock()
        self.delay = 0.0
        self.on_accept = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            reply = self.script.pop(0) if self.script else "250 OK"
            if reply.startswith("250"):
                self.received.append((list(envelope.rcpt_tos), envelope.original_content))
                count = len(self.received)
            else:
                count = None
        if count is not None and self.on_accept:
            self.on_accept(count)
        return reply

    def messages(self):
        """Received messages as email.message objects."""
        from email import message_from_bytes, policy

        return [message_from_bytes(raw, policy=policy.default) for _, raw in self.received]


class SmtpServer:
    """Start/stop a scripted aiosmtpd server on a fixed loopback port."""

    def __init__(self, port: int):
        self.port = port
        self.handler = ScriptedHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def settings(self, **overrides) -> MailSettings:
        values = {"server": "127.0.0.1", "port": self.port, "sender": "Tracker <no-reply@district.example>",
                  "base_url": "https://tracker.example", "secret_key": "test-secret", "timeout": 5}
        return MailSettings(**{**values, **overrides})


@pytest.fixture
def smtp():
    """A running SMTP server (call .stop()/.start() to take it down and up)."""
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """A server object on a free port that is not started yet (connections are refused)."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


class DueTraining:
    """Real training items due on chosen days: a course and a requirement per item for the person's role.

    Evaluations are switched off for school personnel, so these are the only items the engines report
    (flags follow the engines, so an injected list of items would be closed by the next write).
    """

    def __init__(self, session):
        self.session = session
        rule = CycleRule(audience="school_personnel", annual=False)
        session.add(rule)
        session.flush()
        rule.first_review_days = None  # after the insert: the column default would turn None into 90
        session.flush()
        self.made: list[tuple[int, int]] = []  # (person id, course id)

    def add(self, person_id: int, due: date, *, label: str = "YMHFA Youth MHFA", status: str = "due_soon"):
        """Make `label` (code and title) due for the person on `due` (the engine decides the status)."""
        person = self.session.get(Person, person_id)
        start = min(a.start_date for a in person.assignments)
        code, _, title = label.partition(" ")
        course = make_course(self.session, code, title=title)
        make_requirement(self.session, course, roles=(person.person_type,), due_rule="within_days",
                         due_days=(due - start).days)
        self.made.append((person_id, course.id))
        self.session.commit()

    def complete_all(self, day: date) -> None:
        """Record every item's course as completed on `day` (the training was done)."""
        for person_id, course_id in self.made:
            self.session.add(Completion(person_id=person_id, course_id=course_id, completed_on=day))
        self.session.commit()

    def __call__(self, session, today):
        return training_items(session, today)


def ctrl_c_reaches_child() -> None:
    """Popen preexec_fn: the child gets Ctrl-C even when the suite was started in the background.

    A non-interactive shell starts background commands with SIGINT ignored, and an ignored signal
    stays ignored through fork and exec, so a scheduler started from such a suite would never see
    the tests' Ctrl-C (a terminal or a process supervisor delivers it normally).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
