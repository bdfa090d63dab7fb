"""Who holds a claim or a run: a process named "host:pid", and whether that process is gone."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime


def current_owner() -> str:
    """The name of this process (host:pid), as claims, job runs and the scheduler lease record it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _host_pid(owner: str) -> tuple[str, int] | None:
    """("host", pid) from "host:pid" or "cli host:pid"; None when it names no process."""
    host, _, pid = owner.rpartition(" ")[2].rpartition(":")
    return (host, int(pid)) if host and pid.isdigit() else None


def owner_gone(owner: str) -> bool:
    """Whether `owner` is a process on this host that no longer exists (another host: never judged here).

    A killed child stays a zombie, and so "alive", until its parent reaps it; a pid reused by a new
    process also looks alive. Both err on the safe side: the claim then waits for its expiry.
    """
    parsed = _host_pid(owner)
    if parsed is None or parsed[0] != socket.gethostname():
        return False
    try:
        os.kill(parsed[1], 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones: make them comparable."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def is_this_process(owner: str) -> bool:
    """Whether `owner` ("host:pid" or "cli host:pid") names the process asking."""
    return owner.rpartition(" ")[2] == current_owner()


def abandoned(owner: str, expires_at: datetime | None, now: datetime) -> str | None:
    """Why a claim or run held by `owner` until `expires_at` may be taken from it, or None if it may not.

    When its process on this host is gone, or its time ran out (no expiry recorded counts as run out).
    """
    if owner_gone(owner):
        return f"the process {owner} is gone"
    expires_at = aware(expires_at)
    if expires_at is None or expires_at < now:
        return (f"{owner} stopped renewing it (expired {expires_at:%Y-%m-%d %H:%M:%S} UTC)"
                if expires_at else f"{owner} recorded no expiry")
    return None
