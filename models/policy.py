"""Who may do what: the one table of role -> capability, with the object predicates beside it.

Views ask for a capability (`@requires("co_sign")`), the API likewise (`@capability_required`),
templates through the `can()` Jinja global, services and jobs through `can(user, ...)`. No other
module compares a user's role with a literal; `docs/roles-and-access.md` holds the table that
`capability_table()` renders, and a test keeps the two the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement

if TYPE_CHECKING:
    from models.accounts import User

# The account roles (models/accounts.py stores one per user); the policy owns them.
ROLE_LABELS = {
    "admin": "Administrator",
    "hr": "HR staff",
    "coordinator": "Training coordinator",
    "principal": "Principal",
    "supervisor": "Agency supervisor",
    "staff": "Staff member",
}
USER_ROLES = tuple(ROLE_LABELS)


@dataclass(frozen=True)
class Capability:
    """A named permission: the roles that hold it and what it lets them do, in words."""

    name: str
    roles: tuple[str, ...]
    means: str


_DISTRICT = ("admin", "hr", "coordinator")
_OVERSIGHT = ("admin", "hr", "coordinator", "principal", "supervisor")

CAPABILITIES: dict[str, Capability] = {c.name: c for c in (
    # Whose records a user reads at all (the person scope; see models/scoping.py).
    Capability("see_district", _DISTRICT, "sees every person and school in the district"),
    Capability("see_school_people", ("principal",),
               "sees people with a current or upcoming assignment at their schools"),
    Capability("see_agency_sros", ("supervisor",), "sees their agency's SROs"),
    Capability("see_own_record_only", ("staff",),
               "sees only their own record (so the account must be linked to it)"),
    # People and organization.
    Capability("manage_people", ("admin", "hr"),
               "creates and edits schools, agencies, people and assignments; reads a person's history"),
    Capability("manage_users", ("admin",), "creates accounts and sets their roles"),
    Capability("invite_people", ("admin", "hr"),
               "invites people on the roster to sign in (one person, or everyone at a school without an "
               "account) and sends an account a new password link"),
    Capability("run_jobs", ("admin",), "reads job runs and the outbox, retries mail, edits reminder steps"),
    # Step 3: hiring.
    Capability("see_vacancy", ("admin", "hr", "principal", "supervisor", "staff"),
               "opens the hiring pages: every vacancy for HR, else those at their schools or on "
               "whose panel they sit (the hiring funnel report and chart too)"),
    Capability("manage_hiring", ("admin", "hr"),
               "opens vacancies, moves candidates, records screening, panels and appointments"),
    Capability("see_background_details", ("admin", "hr"), "reads background-check details"),
    Capability("score_panel", ("admin", "hr", "principal", "supervisor", "staff"),
               "scores candidates on a panel they sit on"),
    # Step 4: training.
    Capability("see_training", _OVERSIGHT, "opens the training board and course pages"),
    Capability("record_training", _DISTRICT, "records completions and waivers, imports rosters"),
    Capability("verify_training", ("admin", "coordinator"), "verifies recorded completions"),
    Capability("manage_catalog", ("admin", "coordinator"),
               "edits the catalog: courses, requirements, state presets"),
    Capability("manage_sessions", _DISTRICT,
               "schedules, edits and cancels training sessions, enrols people, checks off attendance "
               "and closes a session (which records the attendees' completions)"),
    # Step 5: evaluations and recognition.
    Capability("see_evaluations", ("admin", "hr", "principal", "supervisor", "staff"),
               "reads evaluations in scope (staff: their own) and per-person evaluation status"),
    Capability("list_evaluations", ("admin", "hr", "principal"), "opens the evaluations list"),
    Capability("start_evaluation", ("principal",),
               "starts and drafts evaluations of people at their schools"),
    Capability("co_sign", ("supervisor",), "co-signs their agency's SRO evaluations"),
    Capability("amend_evaluation", ("admin", "hr", "principal"), "attaches amendments to final evaluations"),
    Capability("manage_cycles", ("admin", "hr"), "edits evaluation cycles and templates"),
    Capability("see_own_evaluations", ("principal", "supervisor", "staff"),
               "reads their own evaluation history"),
    Capability("see_recognitions", USER_ROLES, "reads the recognitions of the people they see"),
    Capability("recognize", ("admin", "hr", "principal", "supervisor"), "records recognitions"),
    # Reports and home pages.
    Capability("see_reports", _OVERSIGHT, "opens reports and charts, scoped to whom they see"),
    Capability("see_district_reports", _DISTRICT,
               "opens the annual report and the self-assessment, edits program outcomes"),
    Capability("oversee_calendar", ("coordinator", "principal", "supervisor"),
               "their calendar feed holds the training due dates of the people they oversee"),
    Capability("oversee_evaluation_calendar", ("principal", "supervisor"),
               "their calendar feed holds the evaluation due dates of the people they oversee"),
    Capability("home_course_figures", ("admin", "coordinator"), "home page: compliance by course"),
    Capability("home_training_figures", ("admin", "coordinator", "principal"),
               "home page: compliance by school"),
    Capability("home_oversight", ("principal", "supervisor"), "home page: open flags and evaluations"),
    Capability("home_sros", ("supervisor",), "home page: their SROs at a glance"),
    Capability("home_todo", ("staff",), "home page: their own open items"),
)}
if _unknown := {r for c in CAPABILITIES.values() for r in c.roles} - set(USER_ROLES):
    raise ValueError(f"capabilities name unknown roles: {_unknown}")  # a typo in the table


def _capability(name: str) -> Capability:
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise KeyError(f"no capability called {name!r}") from None  # a typo must not mean "denied"


def roles_with(name: str) -> tuple[str, ...]:
    """The roles that hold capability `name`."""
    return _capability(name).roles


def role_can(role: str | None, name: str) -> bool:
    """Whether `role` holds capability `name`."""
    return role in _capability(name).roles


# Columns too sensitive for the audit trail, by table: a change is recorded (who, when, that it
# changed), never the text. Background-check details are for HR and admins only, and the audit keeps
# everything forever.
SENSITIVE_FIELDS: dict[str, frozenset[str]] = {
    "background_checks": frozenset({"detail"}),
    "users": frozenset({"totp_secret"}),  # the audit says MFA was set up or removed, never the secret
}
SENSITIVE_MARK = "(sensitive: not recorded)"


def can(user: User | None, name: str) -> bool:
    """Whether `user` (an active, signed-in account) holds capability `name`."""
    if user is None or not getattr(user, "is_authenticated", True) or not getattr(user, "active", True):
        return False
    return role_can(user.role, name)


def second_factor_required(user: User | None, required_roles) -> bool:
    """Whether `user`'s role is one that must sign in with a second factor (MFA_REQUIRED_ROLES names them)."""
    return user is not None and user.role in set(required_roles)


def holders(column, name: str) -> ColumnElement[bool]:
    """SQL condition over a role column: the accounts that hold capability `name`."""
    return column.in_(roles_with(name))


def capability_table() -> str:
    """The role x capability table as Markdown (what docs/roles-and-access.md shows)."""
    head = "| capability | " + " | ".join(ROLE_LABELS[r] for r in USER_ROLES) + " | what it allows |"
    rule = "|---|" + "---|" * len(USER_ROLES) + "---|"
    rows = [f"| `{c.name}` | " + " | ".join("yes" if r in c.roles else "—" for r in USER_ROLES)
            + f" | {c.means} |" for c in CAPABILITIES.values()]
    return "\n".join([head, rule, *rows])


if __name__ == "__main__":  # python -m models.policy > table.md
    print(capability_table())
