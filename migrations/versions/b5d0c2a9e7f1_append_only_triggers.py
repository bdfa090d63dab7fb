"""append-only triggers: audit events, completions, final evaluations

Revision ID: b5d0c2a9e7f1
Revises: 4988d3391962
Create Date: 2026-12-01 09:00:00.000000

The application already treats these rows as history; these triggers make the database refuse a plain
UPDATE or DELETE too, from any connection, on SQLite and PostgreSQL alike:

- audit_events: never updated or deleted (nor truncated).
- completions: never deleted (nor truncated); an update may change only verified_by_user_id and
  verified_at (models.training.MUTABLE_COMPLETION_FIELDS).
- evaluations: a final one is never updated or deleted; the ratings and signatures of a final one are
  never inserted, updated or deleted; evaluation_amendments are never updated or deleted.

Consequences worth knowing:
- Deleting a user at the database level would SET NULL their id on audit rows (and on completions,
  final evaluations, their signatures and amendments), which these triggers refuse. The app never
  deletes users (it deactivates them), so that refusal is the intended outcome.
- COMPLETION_FIXED_COLUMNS names the columns of completions at this revision. A later migration that
  adds a column to completions must recreate completions_only_verification_changes to cover it
  (tests/foundation/test_migrations.py fails until it does).
- SQLite batch mode rebuilds a table by copying it, which drops that table's triggers: a later batch
  migration on any of these tables must create its triggers again.
- A table's owner can drop its triggers; in production the app's login should not own the tables.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d0c2a9e7f1'
down_revision = '4988d3391962'
branch_labels = None
depends_on = None


AUDIT_MESSAGE = "audit events are permanent: they cannot be changed or deleted"
COMPLETION_DELETE_MESSAGE = "completions are permanent: record a correction as a new completion"
COMPLETION_UPDATE_MESSAGE = ("completions are permanent: only their verification can change; "
                             "record a correction as a new completion")
FINAL_EVALUATION_MESSAGE = "this evaluation is final and locked: add an amendment to correct it"
FINAL_RATINGS_MESSAGE = "the ratings of a final evaluation are locked: add an amendment to correct it"
FINAL_SIGNATURES_MESSAGE = "the signatures of a final evaluation are locked"
AMENDMENT_MESSAGE = "amendments are permanent: add another amendment to correct one"

# Every column of completions at this revision except the verification pair.
COMPLETION_FIXED_COLUMNS = (
    "id", "person_id", "course_id", "completed_on", "hours", "certificate_number", "certificate_file",
    "certificate_name", "certificate_type", "source", "external_id", "recorded_by_user_id", "created_at",
)
LOCKED_CHILDREN = {"evaluation_ratings": FINAL_RATINGS_MESSAGE,
                   "evaluation_signatures": FINAL_SIGNATURES_MESSAGE}


def _literal(message):
    return "'" + message.replace("'", "''") + "'"


def _any_changed(not_equal):
    """`OLD.a <op> NEW.a OR ...` over the fixed columns of completions (a null-safe comparison)."""
    return " OR ".join(f"OLD.{c} {not_equal} NEW.{c}" for c in COMPLETION_FIXED_COLUMNS)


# --- SQLite: BEFORE triggers that RAISE(ABORT), which fails the statement and keeps the row. -----------

def _sqlite_triggers():
    """(name, CREATE TRIGGER statement) for every SQLite trigger."""

    def refuse(name, event, table, message, when=None):
        condition = f" WHEN {when}" if when else ""
        return name, (f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{condition}\n"
                      f"BEGIN SELECT RAISE(ABORT, {_literal(message)}); END")

    def final(evaluation_id):
        return (f"EXISTS (SELECT 1 FROM evaluations WHERE id = {evaluation_id} "
                f"AND status = 'final')")

    triggers = [
        refuse("audit_events_no_update", "UPDATE", "audit_events", AUDIT_MESSAGE),
        refuse("audit_events_no_delete", "DELETE", "audit_events", AUDIT_MESSAGE),
        refuse("completions_no_delete", "DELETE", "completions", COMPLETION_DELETE_MESSAGE),
        refuse("completions_only_verification_changes", "UPDATE", "completions",
               COMPLETION_UPDATE_MESSAGE, when=_any_changed("IS NOT")),
        # Acknowledging is signed -> final in one UPDATE: OLD.status is not yet 'final', so it passes.
        refuse("evaluations_final_no_update", "UPDATE", "evaluations", FINAL_EVALUATION_MESSAGE,
               when="OLD.status = 'final'"),
        refuse("evaluations_final_no_delete", "DELETE", "evaluations", FINAL_EVALUATION_MESSAGE,
               when="OLD.status = 'final'"),
        refuse("evaluation_amendments_no_update", "UPDATE", "evaluation_amendments", AMENDMENT_MESSAGE),
        refuse("evaluation_amendments_no_delete", "DELETE", "evaluation_amendments", AMENDMENT_MESSAGE),
    ]
    for table, message in LOCKED_CHILDREN.items():
        triggers += [
            refuse(f"{table}_final_no_insert", "INSERT", table, message,
                   when=final("NEW.evaluation_id")),
            # Both sides: neither edit a final evaluation's row nor move a row onto one.
            refuse(f"{table}_final_no_update", "UPDATE", table, message,
                   when=f"{final('OLD.evaluation_id')} OR {final('NEW.evaluation_id')}"),
            refuse(f"{table}_final_no_delete", "DELETE", table, message,
                   when=final("OLD.evaluation_id")),
        ]
    return triggers


def _sqlite_upgrade():
    for _, statement in _sqlite_triggers():
        op.execute(statement)


def _sqlite_downgrade():
    for name, _ in _sqlite_triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


# --- PostgreSQL: trigger functions that RAISE EXCEPTION with the message passed as the argument. ---------

PG_FUNCTIONS = {
    # Refuses unconditionally; the trigger's WHEN clause (if any) decides when it runs.
    "append_only_refuse": """
        CREATE FUNCTION append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
        END $$""",
    # A trigger's WHEN clause cannot read another table, so the final check on children is in here.
    "final_evaluation_locks_child": """
        CREATE FUNCTION final_evaluation_locks_child() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
                    SELECT 1 FROM evaluations WHERE id = OLD.evaluation_id AND status = 'final'))
               OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
                    SELECT 1 FROM evaluations WHERE id = NEW.evaluation_id AND status = 'final')) THEN
                RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$""",
    # TRUNCATE has no rows to look at: refuse it while any final evaluation exists.
    "final_evaluations_refuse_truncate": """
        CREATE FUNCTION final_evaluations_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM evaluations WHERE status = 'final') THEN
                RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NULL;
        END $$""",
}


def _pg_triggers():
    """(name, table, CREATE TRIGGER statement) for every PostgreSQL trigger."""

    def trigger(name, events, table, function, message, when=None, level="ROW"):
        condition = f"\n    WHEN ({when})" if when else ""
        return name, table, (f"CREATE TRIGGER {name} BEFORE {events} ON {table}\n"
                             f"    FOR EACH {level}{condition}\n"
                             f"    EXECUTE FUNCTION {function}({_literal(message)})")

    triggers = [
        trigger("audit_events_no_update_or_delete", "UPDATE OR DELETE", "audit_events",
                "append_only_refuse", AUDIT_MESSAGE),
        trigger("audit_events_no_truncate", "TRUNCATE", "audit_events",
                "append_only_refuse", AUDIT_MESSAGE, level="STATEMENT"),
        trigger("completions_no_delete", "DELETE", "completions",
                "append_only_refuse", COMPLETION_DELETE_MESSAGE),
        trigger("completions_no_truncate", "TRUNCATE", "completions",
                "append_only_refuse", COMPLETION_DELETE_MESSAGE, level="STATEMENT"),
        trigger("completions_only_verification_changes", "UPDATE", "completions",
                "append_only_refuse", COMPLETION_UPDATE_MESSAGE, when=_any_changed("IS DISTINCT FROM")),
        # Acknowledging is signed -> final in one UPDATE: OLD.status is not yet 'final', so it passes.
        trigger("evaluations_final_no_update_or_delete", "UPDATE OR DELETE", "evaluations",
                "append_only_refuse", FINAL_EVALUATION_MESSAGE, when="OLD.status = 'final'"),
        trigger("evaluations_final_no_truncate", "TRUNCATE", "evaluations",
                "final_evaluations_refuse_truncate", FINAL_EVALUATION_MESSAGE, level="STATEMENT"),
        trigger("evaluation_amendments_no_update_or_delete", "UPDATE OR DELETE", "evaluation_amendments",
                "append_only_refuse", AMENDMENT_MESSAGE),
        trigger("evaluation_amendments_no_truncate", "TRUNCATE", "evaluation_amendments",
                "append_only_refuse", AMENDMENT_MESSAGE, level="STATEMENT"),
    ]
    for table, message in LOCKED_CHILDREN.items():
        triggers += [
            trigger(f"{table}_final_locked", "INSERT OR UPDATE OR DELETE", table,
                    "final_evaluation_locks_child", message),
            trigger(f"{table}_final_no_truncate", "TRUNCATE", table,
                    "final_evaluations_refuse_truncate", message, level="STATEMENT"),
        ]
    return triggers


def _pg_upgrade():
    for statement in PG_FUNCTIONS.values():
        op.execute(statement)
    for _, _, statement in _pg_triggers():
        op.execute(statement)


def _pg_downgrade():
    for name, table, _ in _pg_triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _dialect():
    name = op.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no append-only triggers written for {name}")
    return name


def upgrade():
    if _dialect() == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    if _dialect() == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
