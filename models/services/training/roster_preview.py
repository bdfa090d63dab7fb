"""Roster imports in two steps: a preview that writes nothing, then one confirmation that writes exactly it.

Between the two requests the uploaded bytes wait under UPLOAD_DIR/imports/<token>, beside a small
JSON file naming the uploader, when the hold expires and the fingerprint of the plan the preview
showed. Confirming reads the file again and checks it again, so anything changed since the preview
(a person removed, a completion recorded meanwhile) shows a new preview instead of being written.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError, ValidationFailed
from models.people import Person
from models.services.infra.owners import aware
from models.services.infra.words import plural
from models.services.training.roster_import import MAX_IMPORT_BYTES, ImportPlan, apply_plan, plan_roster
from models.training import Course

HOLD = timedelta(hours=1)
LISTED = 500  # rows listed per table of the preview; the totals count them all
TOKEN = re.compile(r"[0-9a-f]{64}")
UNAVAILABLE = ("This preview is no longer available: a preview lasts an hour, can be confirmed once, and "
               "only by the person who uploaded the file. Nothing was written; upload the file again.")
RACED = ("Some of these rows were recorded by someone else while this import ran, so nothing was written. "
         "Upload the file again to see what it would add now.")


@dataclass
class Preview:
    """A checked roster: its plan, and the token that confirms it (None when there is nothing to confirm)."""

    plan: ImportPlan
    token: str | None = None
    written: bool = False
    changed: bool = False  # a confirmation found the plan different from the preview it was shown
    lines: dict[str, list[dict]] = field(default_factory=dict)  # "new", "recorded": rows to list


def _folder(upload_dir: str) -> Path:
    return Path(upload_dir) / "imports"


def _paths(upload_dir: str, token: str) -> tuple[Path, Path]:
    folder = _folder(upload_dir)
    return folder / token, folder / f"{token}.json"


def _hold(upload_dir: str, data: bytes, filename: str, user_id: int, fingerprint: str, now: datetime) -> str:
    """Keep the uploaded bytes for an hour for `user_id`; returns the token that names them."""
    now = aware(now)
    _sweep(upload_dir, now)
    token = secrets.token_hex(32)
    body, meta = _paths(upload_dir, token)
    body.parent.mkdir(parents=True, exist_ok=True)
    body.write_bytes(data)
    meta.write_text(json.dumps({"user_id": user_id, "filename": filename,
                                "expires_at": (now + HOLD).isoformat(), "fingerprint": fingerprint}))
    return token


def _held(upload_dir: str, token: str, user_id: int, now: datetime) -> tuple[bytes, dict]:
    """The held bytes and their details, or UNAVAILABLE: unknown, malformed, expired or another user's."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise DomainError(UNAVAILABLE)
    _sweep(upload_dir, aware(now))
    body, meta_path = _paths(upload_dir, token)
    try:
        meta = json.loads(meta_path.read_text())
        expires = datetime.fromisoformat(meta["expires_at"])
        if meta["user_id"] != user_id:
            raise DomainError(UNAVAILABLE)
        if aware(expires) <= aware(now):
            discard(upload_dir, token)
            raise DomainError(UNAVAILABLE)
        return body.read_bytes(), meta
    except (OSError, ValueError, KeyError, TypeError):
        raise DomainError(UNAVAILABLE) from None


def discard(upload_dir: str, token: str) -> None:
    """Delete a held roster (after its import is committed, or when it can no longer be confirmed)."""
    if isinstance(token, str) and TOKEN.fullmatch(token):
        for path in _paths(upload_dir, token):
            path.unlink(missing_ok=True)


def _sweep(upload_dir: str, now: datetime) -> None:
    """Delete every hold past its hour (and any half-written one), so abandoned previews do not pile up."""
    folder = _folder(upload_dir)
    if not folder.is_dir():
        return
    for meta_path in folder.glob("*.json"):
        try:
            expired = aware(datetime.fromisoformat(json.loads(meta_path.read_text())["expires_at"])) <= now
        except (OSError, ValueError, KeyError, TypeError):
            expired = True
        if expired:
            discard(upload_dir, meta_path.stem)


def _lines(session: Session, plan: ImportPlan) -> dict[str, list[dict]]:
    """The first LISTED new and already-recorded rows, with the person's name and the course's code."""
    skip = set(plan.recorded)
    picked = {"new": [], "recorded": []}
    for i, record in enumerate(plan.records):
        rows = picked["recorded" if i in skip else "new"]
        if len(rows) < LISTED:
            rows.append({**record, "row": i + 2})  # the file's line: the heading is line 1
    wanted = [r for rows in picked.values() for r in rows]
    people = {p.id: p for p in session.scalars(select(Person).where(
        Person.id.in_({r["person_id"] for r in wanted})))} if wanted else {}
    codes = dict(session.execute(select(Course.id, Course.code)).all())
    for r in wanted:
        person = people[r["person_id"]]
        r.update(person=f"{person.first_name} {person.last_name}", email=person.email,
                 course=codes[r["course_id"]])
    return picked


def _preview(session: Session, plan: ImportPlan, token: str | None, changed: bool = False) -> Preview:
    return Preview(plan=plan, token=token, changed=changed, lines=_lines(session, plan) if plan.ok else {})


def preview_roster(session: Session, upload_dir: str, data: bytes, filename: str, *, user_id: int,
                   today: date, now: datetime) -> Preview:
    """Check an upload and hold it for confirmation; writes no row (an unreadable file: ValidationFailed)."""
    if not data:
        raise ValidationFailed([("file", "Choose a roster file.")])
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed([("file", f"The file is larger than {MAX_IMPORT_BYTES // 2**20} MB.")])
    name = (filename or "")[:255]
    plan = plan_roster(session, io.BytesIO(data), name, today)
    token = None
    if plan.ok and plan.new_records:  # a file with problems, or nothing new, has nothing to confirm
        token = _hold(upload_dir, data, name, user_id, plan.fingerprint(), now)
    return _preview(session, plan, token)


def confirm_roster(session: Session, upload_dir: str, token: str, *, user_id: int, today: date,
                   now: datetime) -> Preview:
    """Check the held roster again and, if it would write what its preview showed, write exactly that.

    Returns the written plan (`written`), or a new preview when the plan has changed (`changed`; the
    hold then stands for the new preview, or is dropped if there are problems now). The caller commits
    and then discards the hold. Raises DomainError when the token names no hold of this user's.
    """
    data, meta = _held(upload_dir, token, user_id, now)
    try:
        plan = plan_roster(session, io.BytesIO(data), meta["filename"], today)
    except ValidationFailed:
        discard(upload_dir, token)
        raise
    if not plan.ok or not plan.new_records:
        discard(upload_dir, token)
        return _preview(session, plan, None, changed=True)
    if plan.fingerprint() != meta["fingerprint"]:
        _paths(upload_dir, token)[1].write_text(json.dumps({**meta, "fingerprint": plan.fingerprint()}))
        return _preview(session, plan, token, changed=True)
    expected = len(plan.new_records)
    if apply_plan(session, plan, filename=meta["filename"], user_id=user_id) != expected:
        discard(upload_dir, token)
        raise DomainError(RACED)
    return Preview(plan=plan, token=token, written=True)


def result_sentence(added: int, skipped: int) -> str:
    """'1 completion added, 2 rows already recorded were skipped.' for the page after an import."""
    sentence = f"{plural(added, 'completion')} added"
    if skipped:
        sentence += ", " + plural(skipped, "row already recorded was skipped",
                                  "rows already recorded were skipped")
    return sentence + "."
