"""The audit trail: one session hook records every create, update and delete of audited models."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import db, utcnow
from models.policy import SENSITIVE_FIELDS, SENSITIVE_MARK

# Columns that change on every write and say nothing about who changed what.
_SKIPPED = {"created_at", "updated_at", "password_hash", "failed_logins",
            "last_login_at", "version_id", "session_version", "totp_last_step"}


class Audited:
    """Mixin: changes to instances of this model are written to the audit trail."""

    __audit_collections__: tuple[str, ...] = ()


class AuditEvent(db.Model):
    """Who did what to which record, with the values before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(254), default="system")
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


def set_actor(session: Session, user_id: int | None, label: str) -> None:
    """Name who is acting in this session, for every audit event it writes."""
    session.info["actor_user_id"] = user_id
    session.info["actor_label"] = label


def record_event(session: Session, action: str, entity: Any, *, reason: str | None = None,
                 before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Record a business event (an override, an exception) that is more than a row change."""
    ev = AuditEvent(
        actor_user_id=session.info.get("actor_user_id"),
        actor_label=session.info.get("actor_label", "system"),
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(ev)
    return ev


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _ids(objs) -> list:
    return sorted(o.id for o in objs if o is not None)


def _recorded(obj: Any, key: str, value: Any) -> Any:
    """The value as the audit keeps it: the policy's sensitive columns only say that there was one."""
    if key in SENSITIVE_FIELDS.get(obj.__tablename__, ()):
        return SENSITIVE_MARK if value not in (None, "") else None
    return _plain(value)


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    values = {
        attr.key: _recorded(obj, attr.key, getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in _SKIPPED
    }
    for name in obj.__audit_collections__:
        values[name] = _ids(getattr(obj, name))
    return values


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIPPED:
            continue
        hist = state.attrs[attr.key].history
        if hist.added or hist.deleted:
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                before[attr.key] = _recorded(obj, attr.key, old)
                after[attr.key] = _recorded(obj, attr.key, new)
    for name in obj.__audit_collections__:
        hist = state.attrs[name].history
        if hist.added or hist.deleted:
            before[name] = _ids(list(hist.unchanged) + list(hist.deleted))
            after[name] = _ids(list(hist.unchanged) + list(hist.added))
    return before, after


@event.listens_for(Session, "before_flush")
def _snapshot_deleted(session: Session, flush_context, instances) -> None:
    """Capture deleted objects while their collections can still be read."""
    session.info["_audit_deleted"] = {
        id(obj): _snapshot(obj) for obj in session.deleted if isinstance(obj, Audited)
    }


@event.listens_for(Session, "after_flush")
def _write_audit_trail(session: Session, flush_context) -> None:
    """Turn the flushed changes of audited objects into audit rows, in the same transaction."""
    rows = []
    base = {
        "actor_user_id": session.info.get("actor_user_id"),
        "actor_label": session.info.get("actor_label", "system"),
        "occurred_at": utcnow(),
        "reason": None,
    }
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append({**base, "action": "create", "entity_type": obj.__tablename__,
                         "entity_id": obj.id, "before": None, "after": _snapshot(obj)})
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj):
            before, after = _changes(obj)
            if after or before:
                rows.append({**base, "action": "update", "entity_type": obj.__tablename__,
                             "entity_id": obj.id, "before": before, "after": after})
    deleted = session.info.pop("_audit_deleted", {})
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append({**base, "action": "delete", "entity_type": obj.__tablename__,
                         "entity_id": obj.id, "after": None,
                         "before": deleted.get(id(obj)) or _snapshot(obj)})
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)
