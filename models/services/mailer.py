"""SMTP delivery of outbox rows: one connection per batch, retries with backoff, parking of hard failures."""

from __future__ import annotations

import hashlib
import smtplib
import socket
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from models.notifications import DeliveryAttempt, OutboxMessage
from models.services.email_prefs import unsubscribe_token

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 12
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send mail, and what links in emails point to."""

    server: str = ""
    port: int = 25
    use_tls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "SECURe Tracker <no-reply@localhost>"
    base_url: str = "http://127.0.0.1:5000"
    secret_key: str = ""
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """Settings from the app's MAIL_* keys, BASE_URL and SECRET_KEY."""
        return cls(server=config.get("MAIL_SERVER") or "", port=int(config.get("MAIL_PORT") or 25),
                   use_tls=bool(config.get("MAIL_USE_TLS")), username=config.get("MAIL_USERNAME") or "",
                   password=config.get("MAIL_PASSWORD") or "",
                   sender=config.get("MAIL_FROM") or cls.sender,
                   base_url=(config.get("BASE_URL") or cls.base_url).rstrip("/"),
                   secret_key=config.get("SECRET_KEY") or "")

    @property
    def domain(self) -> str:
        """The sender's domain, used in Message-IDs."""
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "secure-tracker.invalid"


def message_id(row: OutboxMessage, domain: str) -> str:
    """A Message-ID derived from the outbox key: every retry of one reminder carries the same one."""
    digest = hashlib.sha256(f"{row.item_key}|{row.step}|{row.recipient}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def unsubscribe_url(settings: MailSettings, email: str) -> str:
    """The one-click unsubscribe link for `email`."""
    return f"{settings.base_url}/unsubscribe/{unsubscribe_token(settings.secret_key, email)}"


def render(row: OutboxMessage, settings: MailSettings) -> tuple[str, str]:
    """Plain-text and HTML bodies of a reminder or digest."""
    name = "digest" if row.step == "digest" else "reminder"
    ctx = {"row": row, "c": row.context or {}, "base_url": settings.base_url,
           "unsubscribe_url": unsubscribe_url(settings, row.recipient) if name == "digest" else None}
    return _env.get_template(f"{name}.txt").render(ctx), _env.get_template(f"{name}.html").render(ctx)


def build_message(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """A multipart (plain + HTML) email for an outbox row."""
    text, html = render(row, settings)
    msg = EmailMessage()
    msg["Subject"] = row.subject
    msg["From"] = settings.sender
    msg["To"] = row.recipient
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(row, settings.domain)
    if row.step == "digest":
        msg["List-Unsubscribe"] = f"<{unsubscribe_url(settings, row.recipient)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def _connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    if settings.use_tls:
        smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password)
    return smtp


def _record(session: Session, row: OutboxMessage, now: datetime, outcome: str, code: int | None,
            detail: str) -> None:
    row.attempts = (row.attempts or 0) + 1
    session.add(DeliveryAttempt(message_id=row.id, attempted_at=now, outcome=outcome, code=code,
                                detail=detail[:1000]))
    if outcome == "sent":
        row.status, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, None, None
    elif outcome == "permanent" or row.attempts >= MAX_ATTEMPTS:
        row.status = "parked"
        row.last_error = detail if outcome == "permanent" else \
            f"Gave up after {row.attempts} temporary failures; last: {detail}"
        row.next_attempt_at = None
    else:
        row.last_error = detail
        row.next_attempt_at = now + min(BASE_DELAY * 2 ** (row.attempts - 1), MAX_DELAY)


def _describe(exc: BaseException) -> tuple[int | None, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, msg = next(iter(exc.recipients.values()))
        return code, f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return exc.smtp_code, f"{exc.smtp_code} {msg}"
    if isinstance(exc, ConnectionRefusedError):
        return None, "Connection refused by the mail server"
    if isinstance(exc, socket.timeout | TimeoutError):
        return None, "The mail server did not answer in time"
    return None, f"{type(exc).__name__}: {exc}"


def classify(code: int | None) -> str:
    """'permanent' for 5xx answers; everything else (4xx, refused, timeouts) is 'temporary'."""
    return "permanent" if code is not None and code >= 500 else "temporary"


def skip_unsendable(session: Session, rows: list[OutboxMessage], now: datetime) -> Counter:
    """No mail server: mark rows as 'would have been sent' so admins can read them on the Outbox page."""
    for row in rows:
        row.status, row.last_error = "skipped", "No mail server is configured (MAIL_SERVER is empty)."
    return Counter(skipped=len(rows))


def send_batch(session: Session, rows: list[OutboxMessage], settings: MailSettings,
               now: datetime) -> Counter:
    """Send `rows` over one SMTP connection, recording an attempt for each."""
    counts: Counter = Counter()
    if not settings.server:
        return skip_unsendable(session, rows, now)
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        # Could not even talk to the server (refused, timeout, bad greeting): retry the batch later.
        code, detail = _describe(exc)
        for row in rows:
            _record(session, row, now, "temporary", code, detail)
            counts["parked" if row.status == "parked" else "deferred"] += 1
        return counts
    try:
        for index, row in enumerate(rows):
            try:
                smtp.send_message(build_message(row, settings), to_addrs=[row.recipient])
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
                # The server answered about this message: 4xx retry later, 5xx park it.
                code, detail = _describe(exc)
                _record(session, row, now, classify(code), code, detail)
                counts["parked" if row.status == "parked" else "deferred"] += 1
            except OSError as exc:  # SMTPServerDisconnected, resets, timeouts
                # The connection is gone: every unsent row in this batch is retried later.
                code, detail = _describe(exc)
                for rest in rows[index:]:
                    _record(session, rest, now, "temporary", code, detail)
                    counts["parked" if rest.status == "parked" else "deferred"] += 1
                break
            else:
                _record(session, row, now, "sent", 250, "Accepted")
                counts["sent"] += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return counts
