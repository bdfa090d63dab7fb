"""Recording completions (with certificates), verifying them, and granting waivers."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import record_event
from models.errors import ValidationFailed
from models.org import District
from models.services.infra.text import column_limit, text_value_problems
from models.training import MAX_HOURS, PRESETS, Completion, Course, DistrictPreset, Requirement, Waiver

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
# Magic bytes -> (content type, extension): the file's content decides, never its name.
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"\xff\xd8\xff", "image/jpeg", ".jpg"))


def sniff_certificate(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) for a PDF, PNG or JPEG by its first bytes; None otherwise."""
    for magic, kind, ext in SIGNATURES:
        if data.startswith(magic):
            return kind, ext
    return None


def store_certificate(upload_dir: str, data: bytes) -> tuple[str, str]:
    """Check and save certificate bytes under a random name; returns (stored name, content type)."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ValidationFailed([("certificate", "The certificate file is larger than 5 MB.")])
    found = sniff_certificate(data)
    if found is None:
        raise ValidationFailed([("certificate", "The certificate must be a PDF, PNG or JPEG file.")])
    kind, ext = found
    folder = Path(upload_dir) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ext
    (folder / name).write_bytes(data)
    return name, kind


def certificate_path(upload_dir: str, completion: Completion) -> Path | None:
    """Where a completion's certificate is stored, if it has one."""
    if not completion.certificate_file:
        return None
    return Path(upload_dir) / "certificates" / Path(completion.certificate_file).name


def _completion_problems(data: dict[str, Any], course: Course | None, recorded: bool, today: date,
                         prefix: str = "", label: str = "") -> list[tuple[str | None, str]]:
    """The rules every new completion meets, as (field, sentence); `recorded`: the same day is on file.

    `prefix` goes before each field name and `label` (whose row it is) before each sentence, for a
    batch whose problems name their row.
    """
    lead = f"{label}: " if label else ""
    problems: list[tuple[str | None, str]] = []
    if course is None:
        problems.append((f"{prefix}course_id", f"{lead}Choose a course from the catalog."))
    done: date | None = data.get("completed_on")
    if done is None:
        problems.append((f"{prefix}completed_on", f"{lead}Completion date is required (YYYY-MM-DD)."))
    elif done > today:
        problems.append((f"{prefix}completed_on", f"{lead}The completion date cannot be in the future."))
    hours = data.get("hours")
    if hours is not None and not (0 < hours <= MAX_HOURS):
        problems.append((f"{prefix}hours", f"{lead}Hours must be above 0 and at most {MAX_HOURS}."))
    if recorded:
        problems.append((f"{prefix}completed_on",
                         f"{lead}This completion is already recorded for that date."))
    number = data.get("certificate_number")
    if isinstance(number, str):
        problems += [(f"{prefix}certificate_number", f"{lead}{sentence}") for sentence in text_value_problems(
            "Certificate number", number, column_limit(Completion.__table__, "certificate_number"))]
    return problems


def _new_completion(person_id: int, course: Course, data: dict[str, Any], source: str,
                    user_id: int | None) -> Completion:
    hours = data.get("hours")
    return Completion(person_id=person_id, course_id=course.id, completed_on=data["completed_on"],
                      hours=hours if hours is not None else course.hours,
                      certificate_number=(data.get("certificate_number") or "").strip() or None,
                      source=source, recorded_by_user_id=user_id)


def record_completion(session: Session, person, data: dict[str, Any], today: date, *,
                      user_id: int | None = None, certificate: tuple[str, str, str] | None = None
                      ) -> Completion:
    """Add one completion (never overwrite); `certificate` is (stored name, type, original name)."""
    course = session.get(Course, data.get("course_id")) if data.get("course_id") else None
    done = data.get("completed_on")
    recorded = bool(course and done and session.scalar(select(Completion.id).where(
        Completion.person_id == person.id, Completion.course_id == course.id,
        Completion.completed_on == done)))
    problems = _completion_problems(data, course, recorded, today)
    if problems:
        raise ValidationFailed(problems)
    comp = _new_completion(person.id, course, data, "form", user_id)
    if certificate:
        comp.certificate_file, comp.certificate_type, comp.certificate_name = certificate
    session.add(comp)
    session.flush()
    return comp


def record_completions(session: Session, rows: list[dict[str, Any]], today: date, *,
                       user_id: int | None = None, source: str = "form") -> list[Completion]:
    """record_completion for many rows at once, all or nothing, under the same rules.

    Each row holds person_id, course_id, completed_on, hours, certificate_number and optionally
    `field` (a prefix for its problems' field names) and `label` (whose row, for the sentences).
    Every row is checked before anything is written and every problem is raised together; the
    existing completions are read in one query and the new ones inserted in one flush.
    """
    course_ids = {r["course_id"] for r in rows if r.get("course_id")}
    courses = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(course_ids)))}
    person_ids = {r["person_id"] for r in rows}
    on_file = set(session.execute(
        select(Completion.person_id, Completion.course_id, Completion.completed_on)
        .where(Completion.person_id.in_(person_ids), Completion.course_id.in_(course_ids))).all())
    problems: list[tuple[str | None, str]] = []
    seen: set[tuple] = set()
    for row in rows:
        key = (row["person_id"], row.get("course_id"), row.get("completed_on"))
        recorded = key in on_file or key in seen
        problems += _completion_problems(row, courses.get(row.get("course_id")), recorded, today,
                                         prefix=row.get("field", ""), label=row.get("label", ""))
        seen.add(key)
    if problems:
        raise ValidationFailed(problems)
    made = [_new_completion(r["person_id"], courses[r["course_id"]], r, source, user_id) for r in rows]
    session.add_all(made)
    session.flush()
    return made


def verify_completion(session: Session, completion: Completion, user_id: int, now: datetime) -> None:
    """A coordinator confirms a completion against its evidence (the only change a completion takes)."""
    if completion.verified_at is None:
        completion.verified_by_user_id = user_id
        completion.verified_at = now
        session.flush()


def grant_waiver(session: Session, person, data: dict[str, Any], today: date, *,
                 user_id: int | None, label: str) -> Waiver:
    """Waive one requirement for one person, recording who and why."""
    problems: list[tuple[str | None, str]] = []
    req = session.get(Requirement, data.get("requirement_id")) if data.get("requirement_id") else None
    if req is None:
        problems.append(("requirement_id", "Choose the requirement to waive."))
    reason = (data.get("reason") or "").strip()
    if len(reason) < 5:
        problems.append(("reason", "Give the reason for the waiver."))
    if req and session.scalar(select(Waiver.id).where(Waiver.person_id == person.id,
                                                     Waiver.requirement_id == req.id)):
        problems.append(("requirement_id", "This requirement is already waived for this person."))
    if problems:
        raise ValidationFailed(problems)
    waiver = Waiver(person_id=person.id, requirement_id=req.id, reason=reason, granted_on=today,
                    granted_by_user_id=user_id, granted_by_label=label)
    session.add(waiver)
    session.flush()
    return waiver


def district_presets(session: Session) -> set[str]:
    """Keys of the state presets the district has switched on."""
    return set(session.scalars(select(DistrictPreset.preset)))


def set_presets(session: Session, presets) -> tuple[list[str], list[str]]:
    """Switch exactly `presets` on for the district, auditing each change; returns (on, off)."""
    wanted = {p for p in presets if p}
    problems: list[tuple[str | None, str]] = []
    unknown = sorted(wanted - set(PRESETS))
    if unknown:
        problems.append(("presets", f"Unknown state preset: {', '.join(unknown)}."))
    district = session.scalar(select(District).order_by(District.id))
    if district is None:
        problems.append((None, "Set up the district first."))
    if problems:
        raise ValidationFailed(problems)
    current = {p.preset: p for p in session.scalars(
        select(DistrictPreset).where(DistrictPreset.district_id == district.id))}
    switched_on = sorted(wanted - set(current))
    switched_off = sorted(set(current) - wanted)
    for key in switched_on:
        session.add(DistrictPreset(district_id=district.id, preset=key))
        record_event(session, "preset_on", district, after={"preset": key, "name": PRESETS[key]},
                     reason=f"{PRESETS[key]} requirements switched on")
    for key in switched_off:
        session.delete(current[key])
        record_event(session, "preset_off", district, before={"preset": key, "name": PRESETS[key]},
                     reason=f"{PRESETS[key]} requirements switched off")
    session.flush()
    return switched_on, switched_off
