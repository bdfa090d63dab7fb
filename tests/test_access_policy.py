"""Every endpoint x every role, generated from the policy: the status it answers and no row out of scope.

The cases come from the app's own URL map: each view carries the capability its decorator asks for
(`@requires` / `@capability_required`), and the expected answer is derived from models/policy.py
and the scope functions, never written by hand:
- anonymous: HTML pages redirect to sign-in, the API answers 401;
- a role without the view's capability: 403 (and a POST changes nothing);
- a role with it: 200, or 404 when the object in the URL is outside the user's scope.
Lists and downloads must not name any person the user may not see.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import func, select

from models.accounts import User
from models.audit import AuditEvent
from models.evaluations import Evaluation, EvaluationTemplate
from models.hiring import Candidate, SelectionCriterion, Vacancy
from models.notifications import ReminderStep
from models.people import Assignment, Person
from models.policy import USER_ROLES, role_can
from models.scoping import person_scope
from models.seed.evaluations import seed_templates
from models.seed.notifications import seed_reminder_plan
from models.services.evaluations import access as evaluation_access
from models.services.evaluations import workflow as eval_svc
from models.services.hiring.vacancies import vacancy_scope
from models.services.reports.builders import REPORTS
from models.training import Completion, Course, Requirement
from tests.conftest import TODAY, AuthActions, csrf_token
from tests.foundation.conftest import world  # noqa: F401 - fixture
from tests.reports.conftest import rw  # noqa: F401 - fixture

ROLES = ("anonymous", *USER_ROLES)
# Routes this generator does not drive, each with where it is tested instead.
SKIPPED = {
    "static": "files",
    "api.no_such_route": "tests/api (unknown routes answer a 404 problem)",
    "calendar.feed": "tests/api/test_calendar.py (a secret address, no session)",
    "notifications.confirm_unsubscribe": "tests/jobs (signed links, no session)",
    "notifications.unsubscribe": "tests/jobs",
    "auth.login": "tests/foundation/test_auth.py",
    "auth.logout": "tests/foundation/test_auth.py",
    "main.healthz": "public",
    "hiring.edit_scores": "tests/hiring/test_access.py (needs a panel seat)",
    "admin.show_outbox_message": "tests/jobs/test_pages.py (needs a queued message)",
    "admin.retry_outbox_message": "tests/jobs/test_pages.py",
    "reports.edit_self_assessment": "tests/reports/test_self_assessment.py (item ids)",
    "account.revoke_feed": "tests/api/test_calendar.py (own feeds only)",
    "account.revoke_token": "tests/api/test_account.py (own tokens only)",
}
PUBLIC = {"api.openapi_document"}  # answers everyone, signed in or not
# Views that may also answer 404 for an object in scope, because of its state rather than who asks.
STATE_404 = {
    "evaluations.print_evaluation": "only a final evaluation prints",
    "training.download_certificate": "only a completion with a certificate file has one",
    "evaluations.own_evaluations": "only an account linked to a person's record has its own history",
}


@pytest.fixture
def pw(rw, session):  # noqa: F811
    """The reporting world plus an evaluation of Sam (school A) and one of Bob (school B)."""
    principal = session.scalar(select(User).where(User.role == "principal"))
    seed_templates(session)
    seed_reminder_plan(session, TODAY)
    criterion = SelectionCriterion(role="sro", title="Works well with students", kind="preference")
    session.add(criterion)
    ids = {}
    for key, pid in (("eval_a", rw.sro), ("eval_b", rw.teacher_b)):
        assignment = session.scalar(select(Assignment.id).where(Assignment.person_id == pid))
        ev = eval_svc.start_evaluation(session, person_id=pid, assignment_id=assignment, cycle="2025-2026",
                                       evaluator=principal, today=TODAY)
        ids[key] = ev.id
    session.commit()
    first = {v.title: v for v in session.scalars(select(Vacancy))}
    vacancy_a, vacancy_b = first["SRO, Adams High"], first["Teacher, Burr"]
    return SimpleNamespace(
        **vars(rw), **ids, vacancy_a=vacancy_a.id, vacancy_b=vacancy_b.id,
        candidate_a=vacancy_a.candidates[0].id, candidate_b=vacancy_b.candidates[0].id,
        completion=session.scalar(select(Completion.id).where(Completion.person_id == rw.sro)),
        course=session.scalar(select(Course.id)), requirement=session.scalar(select(Requirement.id)),
        user=session.scalar(select(User.id).where(User.role == "staff")), criterion=criterion.id,
        step=session.scalar(select(func.min(ReminderStep.id))),
        template=session.scalar(select(func.min(EvaluationTemplate.id))),
        assignment_a=session.scalar(select(Assignment.id).where(Assignment.person_id == rw.teacher_a)),
        assignment_b=session.scalar(select(Assignment.id).where(Assignment.person_id == rw.teacher_b)),
    )


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _urls(rule, w) -> list[tuple[str, dict]]:
    """The rule's URL once per object it can name: one in the principal's school A, one in school B."""
    args = set(rule.arguments)
    variants = []
    for side in ("a", "b"):
        values = {"person_id": w.teacher_a if side == "a" else w.teacher_b,
                  "school_id": w.school_a if side == "a" else w.school_b,
                  "assignment_id": w.assignment_a if side == "a" else w.assignment_b,
                  "vacancy_id": getattr(w, f"vacancy_{side}"),
                  "candidate_id": getattr(w, f"candidate_{side}"),
                  "evaluation_id": getattr(w, f"eval_{side}"), "completion_id": w.completion,
                  "course_id": w.course, "requirement_id": w.requirement, "agency_id": w.agency,
                  "user_id": w.user, "template_id": w.template, "step_id": w.step, "fmt": "csv",
                  "key": "compliance-matrix", "member_id": 0,
                  "criterion_id": w.criterion, "item_id": 0}
        variants.append({k: values[k] for k in args})
        if not args & {"person_id", "school_id", "assignment_id", "vacancy_id", "candidate_id",
                       "evaluation_id"}:
            break
    out = []
    for values in variants:
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
        out.append((path, values))
    if rule.endpoint == "reports.show_report":
        # Each report asks for its own capability on top of the page's.
        out = [(f"/reports/{key}{query}", {"_capability": spec.capability})
               for key, spec in REPORTS.items() for query in ("", "?format=csv")]
    return out


def _in_scope(session, user: User, values: dict) -> bool:
    """Whether every object the URL names is one `user` may see (the app's own scope rules)."""
    if "person_id" in values or "assignment_id" in values:
        pid = values.get("person_id") or session.get(Assignment, values["assignment_id"]).person_id
        if session.scalar(select(Person.id).where(Person.id == pid, person_scope(user, TODAY))) is None:
            return False
    if "school_id" in values:
        from models.scoping import can_view_school
        if not can_view_school(session, user, values["school_id"], TODAY):
            return False
    if "vacancy_id" in values or "candidate_id" in values:
        vid = values.get("vacancy_id") or session.get(Candidate, values["candidate_id"]).vacancy_id
        if session.scalar(select(Vacancy.id).where(Vacancy.id == vid, vacancy_scope(user))) is None:
            return False
    if "evaluation_id" in values:
        scope = evaluation_access.evaluation_scope(user, TODAY)
        stmt = select(Evaluation.id).where(Evaluation.id == values["evaluation_id"], scope)
        if session.scalar(stmt) is None:
            return False
    if "completion_id" in values:
        pid = session.get(Completion, values["completion_id"]).person_id
        if session.scalar(select(Person.id).where(Person.id == pid, person_scope(user, TODAY))) is None:
            return False
    return True


def _hidden_names(session, user: User) -> list[str]:
    """Last names of the people `user` may not see (none may appear on a list or in a download)."""
    visible = select(Person.id).where(person_scope(user, TODAY))
    return list(session.scalars(select(Person.last_name).where(Person.id.not_in(visible))))


def _expected(view, role: str, rule, session, user, values) -> set[int]:
    api = rule.rule.startswith("/api/")
    if rule.endpoint in PUBLIC:
        return {200}
    if role == "anonymous":
        return {401} if api else {302}
    capability = getattr(view, "capability", None)
    extra = values.get("_capability")
    if any(c and not role_can(role, c) for c in (capability, extra)):
        return {403}
    if not _in_scope(session, user, values):
        return {404}
    return {200, 302, 404} if rule.endpoint in STATE_404 else {200, 302}


def test_every_endpoint_answers_every_role_as_the_policy_says(app, pw, session):
    """Walk the URL map for each role: statuses from the policy, nothing out of scope on any list."""
    users = {u.role: u for u in session.scalars(select(User))}
    failures, checked = [], 0
    for role in ROLES:
        client = app.test_client()  # a fresh session per role
        # The test's app context outlives its requests, so `g` still holds the last role's signed-in
        # user and CSRF token: empty it, as a new process would start.
        for name in list(vars(g)):
            g.pop(name)
        if role != "anonymous":
            response = AuthActions(client).login(pw.emails[role])
            assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        user = users.get(role)
        hidden = _hidden_names(session, user) if user else []
        for rule, method in _rules(app):
            view = app.view_functions[rule.endpoint]
            for path, values in _urls(rule, pw):
                expected = _expected(view, role, rule, session, user, values)
                if method == "GET":
                    response = client.get(path, headers=_api_headers(rule, role, pw))
                elif {403, 401, 302} >= expected:  # only refusals are driven for writes
                    before = session.scalar(select(func.count(AuditEvent.id)))
                    token = csrf_token(client, "/login" if role == "anonymous" else "/")
                    response = client.open(path, method=method, data={"csrf_token": token},
                                           headers=_api_headers(rule, role, pw))
                    if session.scalar(select(func.count(AuditEvent.id))) != before:
                        failures.append(f"{role} {method} {path} changed data although refused")
                else:
                    continue
                checked += 1
                if response.status_code not in expected:
                    failures.append(f"{role} {method} {path}: {response.status_code}, policy says {expected}")
                elif response.status_code == 200 and method == "GET":
                    body = response.get_data(as_text=True)
                    leaked = [n for n in hidden if re.search(rf"\b{re.escape(n)}\b", body)]
                    if leaked:
                        failures.append(f"{role} GET {path} shows people out of scope: {leaked}")
    assert checked > 500, checked
    assert not failures, "\n".join(failures)


def _api_headers(rule, role, w) -> dict:
    if not rule.rule.startswith("/api/") or role == "anonymous":
        return {}
    return {"Authorization": f"Bearer {w.tokens[role]}"}


@pytest.fixture(autouse=True)
def _tokens(pw, session):
    """An API token per role (the API authenticates by token, not by the session cookie)."""
    from models.services.accounts.api_tokens import create_api_token
    pw.tokens = {}
    for user in session.scalars(select(User)):
        _, secret = create_api_token(session, user, "access test", datetime(2026, 10, 15, 12, tzinfo=UTC))
        pw.tokens[user.role] = secret
    session.commit()
