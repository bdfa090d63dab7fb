"""scrub sensitive values from old audit rows: background-check details kept before the audit hid them

Revision ID: a9c3e5f7b1d2
Revises: f2b8d4e6a1c3
Create Date: 2026-12-02 10:40:00

The audit now records a change to a sensitive column (models.policy.SENSITIVE_FIELDS) as "(sensitive:
not recorded)"; rows written before that still hold the text. This rewrites them the same way, keeping
who, when and that the value changed. audit_events refuses UPDATE (the append-only triggers), so the
refusing trigger is set aside for this one statement per row, inside the migration's transaction, and
is back before it commits. There is no downgrade: the text is gone, as intended.
"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9c3e5f7b1d2'
down_revision = 'f2b8d4e6a1c3'
branch_labels = None
depends_on = None

MARK = "(sensitive: not recorded)"
# The columns that were written to the audit in the clear before this revision, by table.
SENSITIVE = {"background_checks": ("detail",)}
AUDIT_MESSAGE = "audit events are permanent: they cannot be changed or deleted"
SQLITE_TRIGGER = ("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW\n"
                  f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END")


def _scrubbed(values, columns):
    if isinstance(values, str):
        values = json.loads(values)
    if not isinstance(values, dict):
        return None
    changed = {k: (MARK if v not in (None, "") else None) for k, v in values.items()
               if k in columns and v not in (None, "", MARK)}
    return {**values, **changed} if changed else None


def upgrade():
    bind = op.get_bind()
    audit = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("entity_type", sa.String),
                     sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    updates = []
    for table, columns in SENSITIVE.items():
        rows = bind.execute(sa.select(audit.c.id, audit.c.before, audit.c.after)
                            .where(audit.c.entity_type == table)).all()
        for row_id, before, after in rows:
            new_before, new_after = _scrubbed(before, columns), _scrubbed(after, columns)
            if new_before is not None or new_after is not None:
                updates.append((row_id, new_before if new_before is not None else before,
                                new_after if new_after is not None else after))
    if not updates:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    for row_id, before, after in updates:
        bind.execute(audit.update().where(audit.c.id == row_id).values(before=before, after=after))
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete")
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    pass  # the scrubbed text is not kept anywhere, by design
