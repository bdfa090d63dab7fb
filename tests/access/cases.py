"""The walk's cases and what the policy and the scope functions say each should answer."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from sqlalchemy import select

from models.accounts import User
from models.api_tokens import ApiToken, CalendarFeed
from models.evaluations import Evaluation, EvaluationTemplate
from models.hiring import PanelMember, SelectionCriterion
from models.notifications import OutboxMessage, ReminderStep
from models.org import Agency
from models.people import Assignment
from models.policy import role_can
from models.reports import SelfAssessmentItem
from models.scoping import can_view_school, visible_person
from models.services.accounts.api_tokens import (
    find_calendar_feed,
)
from models.services.evaluations import access as evaluation_access
from models.services.hiring.panel import may_score
from models.services.hiring.vacancies import visible_candidate, visible_vacancy
from models.services.reminders.email_prefs import read_unsubscribe_token, unsubscribe_token
from models.services.reports.builders import REPORTS, visible_school_ids
from models.services.training.completions import certificate_path
from models.training import Completion, Course, Requirement
from models.training_sessions import TrainingSession
from tests.conftest import TODAY, make_config
from tracker import create_app

USERS = ("anonymous", "admin", "hr", "coordinator", "principal", "principal_b", "supervisor",
         "supervisor_other", "staff", "sro", "panelist")
SKIPPED = {
    "static": "files, no data",
    "auth.login": "tests/foundation/test_auth.py (signing in is how each walk starts)",
    "auth.logout": "tests/foundation/test_auth.py (it would end the walk's session)",
    "auth.mfa_verify": "tests/foundation/test_mfa.py (only between a password and a session)",
    "auth.mfa_enrol": "tests/foundation/test_mfa.py (only between a password and a session)",
    # Single sign-on answers only with a running OpenID Provider (the walk's app configures none).
    "auth.start_sso": "tests/sso/test_refusals.py, test_matching.py (against a real local provider)",
    "auth.finish_sso": "tests/sso/test_refusals.py (replays, mix-ups, tampered tokens), test_matching.py",
    # Pages for signed-out visitors, opened by an emailed link (the link is the credential).
    "auth.forgot_password": "tests/accounts/test_reset.py (same answer, per-client limit)",
    "auth.reset_password": "tests/accounts/test_reset.py (works once, expires, tampered links)",
    "auth.welcome": "tests/accounts/test_invitations.py (an invitation opens the person's own account)",
}


def _areas() -> list[str]:
    """The blueprints with routes to walk, read from an app's URL map at collection time."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(make_config(Path(folder)))
        rules = app.url_map.iter_rules()
        return sorted({r.endpoint.split(".")[0] for r in rules if r.endpoint not in SKIPPED})


AREAS = _areas()  # one test per user and blueprint: a failure names both
# Routes that answer without a session (their URL, if any, is the credential).
PUBLIC = {"api.openapi_document", "main.healthz", "calendar.feed", "notifications.confirm_unsubscribe",
          "notifications.unsubscribe"}
MISSING = 999_999  # an id no row has
# Columns a refused request may still write: the request's own bookkeeping, not data.
SCOPED_ARGS = {"person_id", "assignment_id", "school_id", "vacancy_id", "candidate_id", "evaluation_id",
               "completion_id", "token_id", "feed_id"}
# Objects every user who reaches the view may open, by URL argument (the view's get_or_404).
PLAIN_OBJECTS = {"course_id": Course, "requirement_id": Requirement, "agency_id": Agency, "user_id": User,
                 "template_id": EvaluationTemplate, "step_id": ReminderStep,
                 "criterion_id": SelectionCriterion, "item_id": SelfAssessmentItem,
                 "message_id": OutboxMessage, "session_id": TrainingSession}


def _variants(rule, w, key: str, secret_key: str) -> list[dict]:
    """Values for the rule's arguments: objects in and out of each user's scope, and one that is missing."""
    args = set(rule.arguments) - set(rule.defaults or ())  # "/schools/new" names no school
    if "person_id" in args:
        out = [{"person_id": p, "assignment_id": w.assignments[p]} for p in w.people]
        if "assignment_id" in args:  # someone else's assignment under Alice's record
            out.append({"person_id": w.teacher_a, "assignment_id": w.assignments[w.teacher_b]})
        out.append({"person_id": MISSING, "assignment_id": MISSING})
    elif "assignment_id" in args:
        out = [{"assignment_id": a} for a in (*w.assignments.values(), MISSING)]
    elif "school_id" in args:
        out = [{"school_id": s} for s in (w.school_a, w.school_b, MISSING)]
    elif "candidate_id" in args:
        out = [{"candidate_id": c, "member_id": m} for c in (w.candidate_a, w.candidate_b, MISSING)
               for m in (w.seats if "member_id" in args else (None,))]
    elif "vacancy_id" in args:
        out = [{"vacancy_id": v, "member_id": m, "fmt": f} for v in (w.vacancy_a, w.vacancy_b, MISSING)
               for m in (w.seats if "member_id" in args else (None,))
               for f in (("csv", "xlsx") if "fmt" in args else (None,))]
        if "fmt" in args:
            out.append({"vacancy_id": w.vacancy_a, "fmt": "pdf", "_missing": True})
    elif "evaluation_id" in args:
        out = [{"evaluation_id": e} for e in (*w.evaluations, MISSING)]
    elif "completion_id" in args:
        out = [{"completion_id": c} for c in (*w.completions, MISSING)]
    elif "token_id" in args:
        out = [{"token_id": t} for t in (w.token_ids["admin"], w.token_ids["staff"], MISSING)]
    elif "feed_id" in args:
        out = [{"feed_id": f} for f in (w.feed_ids["admin"], w.feed_ids["staff"], MISSING)]
    elif "secret" in args:
        own = [w.feeds[key]] if key in w.feeds else []
        out = [{"secret": s} for s in (*own, w.revoked_feed, "unknown")]
    elif "token" in args:
        valid = unsubscribe_token(secret_key, "alice@example.org")
        out = [{"token": valid}, {"token": valid[:-2] + "xx"}]
    elif "rest" in args:
        out = [{"rest": "no-such-resource", "_missing": True}]
    elif "key" in args:  # each report asks for its own capability on top of the page's
        out = [{"key": k, "_query": q, "_capability": spec.capability} | extra for k, spec in REPORTS.items()
               for q, extra in (("", {}), ("?format=csv", {}), ("?format=xlsx", {}),
                                (f"?school={w.school_b}", {"_school": w.school_b}))]
        out.append({"key": "no-such-report"})
    else:
        out = [{name: w.objects[name] for name in args}]
        if args:
            out.append({name: MISSING for name in args})
    return [{k: v for k, v in values.items() if k in args or k.startswith("_")} for values in out]


def _path(rule, values: dict) -> str:
    path = rule.rule
    for name in set(rule.arguments) - set(rule.defaults or ()):
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path + values.get("_query", "")


def in_scope(session, user: User, values: dict) -> bool:
    """Whether every object the URL names exists and `user` may see it (the app's lookups and scopes)."""
    if values.get("_missing"):
        return False
    person_id = values.get("person_id")
    if person_id is not None and visible_person(session, user, person_id, TODAY) is None:
        return False
    if "assignment_id" in values:
        assignment = session.get(Assignment, values["assignment_id"])
        if assignment is None or (person_id is not None and assignment.person_id != person_id):
            return False
        if person_id is None and visible_person(session, user, assignment.person_id, TODAY) is None:
            return False
    if "school_id" in values and not can_view_school(session, user, values["school_id"], TODAY):
        return False
    if "_school" in values and values["_school"] not in visible_school_ids(session, user, TODAY):
        return False
    vacancy_id = values.get("vacancy_id")
    if vacancy_id is not None and visible_vacancy(session, user, vacancy_id) is None:
        return False
    if "candidate_id" in values:
        candidate = visible_candidate(session, user, values["candidate_id"])
        if candidate is None:
            return False
        vacancy_id = candidate.vacancy_id
    if values.get("member_id") is not None:
        member = session.get(PanelMember, values["member_id"])
        if member is None or member.vacancy_id != vacancy_id:
            return False
    if "evaluation_id" in values:
        stmt = select(Evaluation.id).where(Evaluation.id == values["evaluation_id"],
                                           evaluation_access.evaluation_scope(user, TODAY))
        if session.scalar(stmt) is None:
            return False
    if "completion_id" in values:
        completion = session.get(Completion, values["completion_id"])
        if completion is None or visible_person(session, user, completion.person_id, TODAY) is None:
            return False
    for name, model in (("token_id", ApiToken), ("feed_id", CalendarFeed)):
        if name in values:
            row = session.get(model, values[name])
            if row is None or row.user_id != user.id:  # one's own only
                return False
    if "key" in values and values["key"] not in REPORTS:
        return False
    for name, model in PLAIN_OBJECTS.items():
        if name in values and session.get(model, values[name]) is None:
            return False
    return True


def _state(app, session, user: User, endpoint: str, values: dict) -> tuple[int, bool] | None:
    """What the view decides from the state of an object the user may see, through the app's own rules.

    (status, refused), or None for the view's normal answer.
    """
    if endpoint == "hiring.edit_scores":  # a seat with an account is its holder's; HR scores the others
        if not may_score(user, session.get(PanelMember, values["member_id"])):
            return 403, True
    evaluation = session.get(Evaluation, values["evaluation_id"]) if "evaluation_id" in values else None
    if endpoint == "evaluations.edit_evaluation" and not evaluation_access.can_edit(user, evaluation):
        return 302, True  # back to the evaluation, with the reason flashed
    if endpoint == "evaluations.acknowledge_evaluation":
        if not evaluation_access.can_acknowledge(user, evaluation):
            return 302, True  # back to the evaluation, with the refusal flashed
    if endpoint == "evaluations.print_evaluation" and not evaluation.is_locked:
        return 404, True  # only a final evaluation prints
    if endpoint == "evaluations.own_evaluations":  # the history of the account's own person record
        return (404, True) if user.person_id is None else (302, False)
    if endpoint == "training.download_certificate":
        path = certificate_path(app.config["UPLOAD_DIR"], session.get(Completion, values["completion_id"]))
        if path is None or not path.is_file():
            return 404, True
    return None


def expected_answer(app, session, user: User | None, rule, values: dict) -> tuple[int, bool]:
    """The status the policy and the app's rules give `user` for this URL, and whether it is a refusal."""
    view = app.view_functions[rule.endpoint]
    api = rule.rule.startswith("/api/")
    if rule.endpoint.startswith("notifications.") and "token" in values:
        if read_unsubscribe_token(app.config["SECRET_KEY"], values["token"]) is None:
            return 400, True  # a tampered link, whoever follows it
        return 200, False
    if rule.endpoint == "calendar.feed":
        return (200, False) if find_calendar_feed(session, values["secret"]) else (404, True)
    if rule.endpoint in PUBLIC:
        return 200, False
    if user is None:
        return (401 if api else 302), True
    for capability in (getattr(view, "capability", None), values.get("_capability")):
        if capability and not role_can(user.role, capability):
            return 403, True
    if not in_scope(session, user, values):
        return 404, True
    return _state(app, session, user, rule.endpoint, values) or (200, False)


def walk_cases(app, w, key: str):
    """(rule, method, path, values) for every route this test drives, GETs first."""
    rules = [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if r.endpoint not in SKIPPED]
    for wanted in ("GET", "write"):
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if (method == "GET") == (wanted == "GET"):
                    for values in _variants(rule, w, key, app.config["SECRET_KEY"]):
                        yield rule, method, _path(rule, values), values


def api_headers(rule, key, w) -> dict:
    if not rule.rule.startswith("/api/") or key == "anonymous":
        return {}
    return {"Authorization": f"Bearer {w.tokens[key]}"}


