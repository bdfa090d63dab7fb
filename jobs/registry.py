"""The schedule as data: each job's name, function and cron time in the district's time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jobs import check_stores, flag_overdue, refresh_stores, send_digests, send_email, snapshot_compliance


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job; `cron` holds APScheduler CronTrigger fields (district local time)."""

    name: str
    target: Callable[..., dict]  # the job itself: run(session, today, ...) -> dict
    cron: dict = field(default_factory=dict)
    daily: bool = True  # daily jobs run at most once per district day (unique job + run date)
    at_start: bool = False  # also fire when the scheduler starts (a daily job already run today skips)
    description: str = ""


JOBS: tuple[JobSpec, ...] = (
    JobSpec("refresh-stores", refresh_stores.run, {"minute": "*/5"}, daily=False, at_start=True,
            description="Rebuild the stored compliance and evaluation rows when a new day starts or a "
                        "bulk import marked them out of date (otherwise nothing to do)."),
    JobSpec("flag-overdue", flag_overdue.run, {"hour": 5, "minute": 30},
            description="Flag due-soon, overdue and expiring items; queue each reminder step once."),
    JobSpec("send-digests", send_digests.run, {"hour": 6, "minute": 30},
            description="Send each digest reader one email with the day's reminders."),
    JobSpec("send-email", send_email.run, {"minute": "*/5"}, daily=False,
            description="Send pending reminders; retry temporary failures with backoff."),
    JobSpec("snapshot-compliance", snapshot_compliance.run, {"hour": 4}, description="Daily trend."),
    JobSpec("check-stores", check_stores.run, {"day_of_week": "sun", "hour": 3},
            description="Weekly: compare the stored rows and the flags with the engines; repair any drift."),
)


def get_job(name: str) -> JobSpec:
    """The job called `name`; KeyError if there is none."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise KeyError(name)
