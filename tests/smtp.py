"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script, shared by every folder."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from models.services.reminders.mailer import MailSettings


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
