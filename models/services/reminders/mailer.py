"""SMTP for outbox rows: settings, building each message, and one connection that reports each outcome."""

from __future__ import annotations

import hashlib
import smtplib
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from models.notifications import OutboxMessage
from models.services.accounts.links import PAGES, link_url
from models.services.reminders.email_prefs import unsubscribe_token

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "email"
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


# Steps with a template of their own (other than the digest and the account links); the rest are reminders.
STEP_TEMPLATES = {"session-invite": "session_invite"}


def render(row: OutboxMessage, settings: MailSettings) -> tuple[str, str]:
    """Plain-text and HTML bodies of a reminder, a digest, an invitation, a password reset or a session."""
    context = row.context or {}
    name = row.step if row.step in ("digest", *PAGES) else STEP_TEMPLATES.get(row.step, "reminder")
    ctx = {"row": row, "c": context, "base_url": settings.base_url,
           "unsubscribe_url": unsubscribe_url(settings, row.recipient) if name == "digest" else None,
           # Signed only now: the outbox keeps the link's id, never a working link.
           "link_url": link_url(settings.base_url, settings.secret_key, row.step, context["link_id"])
           if name in PAGES else None}
    return _env.get_template(f"{name}.txt").render(ctx), _env.get_template(f"{name}.html").render(ctx)


def build_message(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """A multipart (plain + HTML) email for an outbox row, with the files its context attaches.

    An attachment is stored in the row's context as {"filename", "content_type", "text"}: the outbox
    keeps what was sent, so every retry sends the same file.
    """
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
    for item in (row.context or {}).get("attachments") or ():
        maintype, _, subtype = item["content_type"].partition("/")
        msg.add_attachment(item["text"].encode(), maintype=maintype, subtype=subtype,
                           filename=item["filename"])
    return msg


@dataclass(frozen=True)
class Outcome:
    """What became of one message: 'sent', 'temporary' or 'permanent', with the server's code and words.

    `unreachable` means no connection could be opened at all (the rest of the run would fare the same).
    """

    kind: str
    code: int | None
    detail: str
    unreachable: bool = False


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


class Connection:
    """One SMTP session for many messages, opened on first use and again after the server drops it."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.settings.server, self.settings.port, timeout=self.settings.timeout)
        try:
            if self.settings.use_tls:
                smtp.starttls()
            if self.settings.username:
                smtp.login(self.settings.username, self.settings.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> Outcome:
        """Hand one message to the server and say what it answered (never raises for SMTP trouble)."""
        if self._smtp is None:
            try:
                self._smtp = self._open()
            except (OSError, smtplib.SMTPException) as exc:
                # Could not even talk to the server (refused, timeout, bad greeting).
                return Outcome("temporary", *_describe(exc), unreachable=True)
        try:
            self._smtp.send_message(message, to_addrs=[recipient])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            # The server answered about this message: 4xx retry later, 5xx park it.
            code, detail = _describe(exc)
            return Outcome(classify(code), code, detail)
        except OSError as exc:  # SMTPServerDisconnected, resets, timeouts: the next message reconnects
            self._smtp.close()
            self._smtp = None
            return Outcome("temporary", *_describe(exc))
        return Outcome("sent", 250, "Accepted")

    def close(self) -> None:
        """Say goodbye to the server, or just drop the socket if it is no longer listening."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None
