"""Every endpoint x every user, generated from the policy: the status it answers and no row out of scope.

The cases come from the app's own URL map: each view carries the capability its decorator asks for
(`@requires` / `@capability_required`), and the expected answer is derived from models/policy.py and
the functions the views themselves call (scopes, seats, evaluation and certificate rules), never
written by hand:
- anonymous: HTML pages redirect to the sign-in page, the API answers 401;
- a user without the view's capability: 403;
- a user with it: 404 when an object in the URL is missing or outside the user's scope, else what the
  view's own rules say for that object (a seat held by someone else: 403; a submitted evaluation's
  form: a redirect; a completion without a certificate: 404), else 200.
Every refusal is also driven as a write where the route takes one: it must change no row in any table.
Lists, pages and downloads (CSV, XLSX, calendar) must not name a person, nor a vacancy, the user may
not see, nor link to an object outside their scope.

The users: one account per role, plus a second principal (school B), a supervisor of the other agency,
Sam's own account (an SRO with a staff account; `staff` is Alice's) and a panelist (a staff account
with no person record, seated on vacancy A's panel).
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from jobs import flag_overdue
from models import db
from models.accounts import User
from models.api_tokens import ApiToken, CalendarFeed
from models.evaluations import Evaluation, EvaluationTemplate
from models.hiring import PanelMember, SelectionCriterion, Vacancy
from models.notifications import OutboxMessage, ReminderStep
from models.org import Agency, School
from models.people import Assignment, Person
from models.policy import role_can
from models.reports import SelfAssessmentItem
from models.scoping import can_view_school, person_scope, visible_person
from models.seed.evaluations import seed_templates
from models.seed.notifications import seed_reminder_plan
from models.seed.reports import seed_self_assessment
from models.services.accounts.api_tokens import (
    create_api_token,
    create_calendar_feed,
    find_calendar_feed,
    revoke_calendar_feed,
)
from models.services.evaluations import access as evaluation_access
from models.services.evaluations import workflow as eval_svc
from models.services.hiring.panel import add_member, may_score
from models.services.hiring.vacancies import vacancy_scope, visible_candidate, visible_vacancy
from models.services.reminders.email_prefs import read_unsubscribe_token, unsubscribe_token
from models.services.reports.builders import REPORTS, visible_school_ids
from models.services.training.completions import certificate_path, store_certificate
from models.training import Completion, Course, Requirement
from tests.conftest import TODAY, AuthActions, csrf_token, make_config
from tests.evaluations.conftest import ratings
from tests.factories import make_user
from tests.foundation.conftest import world  # noqa: F401 - fixture
from tests.reports.conftest import rw  # noqa: F401 - fixture
from tests.training.factories import make_completion
from tracker import create_app

USERS = ("anonymous", "admin", "hr", "coordinator", "principal", "principal_b", "supervisor",
         "supervisor_other", "staff", "sro", "panelist")
# Routes this generator does not drive, each with where it is tested instead.
SKIPPED = {
    "static": "files, no data",
    "auth.login": "tests/foundation/test_auth.py (signing in is how each walk starts)",
    "auth.logout": "tests/foundation/test_auth.py (it would end the walk's session)",
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
BOOKKEEPING = {"rate_limit_counters": None, "api_tokens": {"last_used_at"}}  # None: the whole table
# The objects a link may name, by URL argument: a page must not link to one outside the user's scope.
SCOPED_ARGS = {"person_id", "assignment_id", "school_id", "vacancy_id", "candidate_id", "evaluation_id",
               "completion_id", "token_id", "feed_id"}
# Objects every user who reaches the view may open, by URL argument (the view's get_or_404).
PLAIN_OBJECTS = {"course_id": Course, "requirement_id": Requirement, "agency_id": Agency, "user_id": User,
                 "template_id": EvaluationTemplate, "step_id": ReminderStep,
                 "criterion_id": SelectionCriterion, "item_id": SelfAssessmentItem,
                 "message_id": OutboxMessage}


def build_pw(session, rw, upload_dir):  # noqa: F811
    """The reporting world plus the users above, evaluations, a panel, certificates, tokens and feeds.

    Evaluations: Sam's draft and his submitted one (school A), Alice's final one (A), Bob's draft (B).
    Vacancy A's panel: the principal (school administrator), the panelist (teacher), a parent without
    an account. Certificates: on new completions of Sam (A) and Bob (B); Alice's PBIS has none.
    """
    users = {u.role: u for u in session.scalars(select(User))}
    school_b = session.get(School, rw.school_b)
    other_agency = session.scalar(select(Agency).where(Agency.id != rw.agency))
    sam, alice, bob = (session.get(Person, i) for i in (rw.sro, rw.teacher_a, rw.teacher_b))
    sam.last_name = "Oakes"  # not "Officer", a word SRO pages show ("Officer licence"): leaks stay exact
    users["principal_b"] = make_user(session, "principal", email="principal.b@example.org",
                                     schools=[school_b])
    users["supervisor_other"] = make_user(session, "supervisor", email="supervisor.other@example.org",
                                          agency=other_agency)
    users["sro"] = make_user(session, "staff", email="sro@example.org", person=sam)
    users["panelist"] = make_user(session, "staff", email="panelist@example.org")
    seed_templates(session)
    seed_reminder_plan(session, TODAY)
    seed_self_assessment(session, TODAY)
    criterion = SelectionCriterion(role="sro", title="Works well with students", kind="preference")
    session.add(criterion)

    def start(person, evaluator, cycle="2025-2026"):
        assignment = session.scalar(select(Assignment.id).where(Assignment.person_id == person.id))
        return eval_svc.start_evaluation(session, person_id=person.id, assignment_id=assignment, cycle=cycle,
                                         evaluator=evaluator, today=TODAY)

    def submit(ev):
        eval_svc.save_evaluation(session, ev, ratings(ev, [3] * len(ev.ratings)), user=users["principal"],
                                 today=TODAY, submit=True)

    draft_a, draft_b = start(sam, users["principal"]), start(bob, users["principal_b"])
    submitted_a = start(sam, users["principal"], cycle="2026-2027")
    submit(submitted_a)
    final_a = start(alice, users["principal"])
    submit(final_a)
    eval_svc.acknowledge_evaluation(session, final_a, user=users["staff"], response=None, today=TODAY)

    vacancies = {v.title: v for v in session.scalars(select(Vacancy))}
    vacancy_a, vacancy_b = vacancies["SRO, Adams High"], vacancies["Teacher, Burr"]
    seats = {seat: add_member(session, vacancy_a, {"seat": seat, "user_id": u and u.id, "name": name}).id
             for seat, u, name in (("school_administrator", users["principal"], "Principal Adams"),
                                   ("teacher", users["panelist"], "Terry Teacher"),
                                   ("parent", None, "Pat Parent"))}

    basic = session.get(Course, rw.basic)
    name, kind = store_certificate(upload_dir, b"%PDF-1.4 certificate")
    certificates = [make_completion(session, person, basic, date(2026, 2, 1), certificate_file=name,
                                    certificate_type=kind, certificate_name="certificate.pdf").id
                    for person in (sam, bob)]
    plain = session.scalar(select(Completion.id).where(Completion.person_id == alice.id))

    now = datetime(2026, 10, 15, 12, tzinfo=UTC)
    tokens, token_ids, feeds, feed_ids = {}, {}, {}, {}
    for key, user in users.items():
        token, tokens[key] = create_api_token(session, user, "access test", now)
        feed, feeds[key] = create_calendar_feed(session, user, now)
        token_ids[key], feed_ids[key] = token.id, feed.id
    revoked, revoked_secret = create_calendar_feed(session, users["admin"], now)
    revoke_calendar_feed(session, revoked, now)
    session.commit()
    flag_overdue.run(session, TODAY)  # flags the world's due items and queues their reminders
    session.commit()
    assert session.scalar(select(OutboxMessage.id).limit(1)), "the outbox holds no message"

    people = (rw.teacher_a, rw.teacher_b, rw.sro, rw.other_sro)
    return SimpleNamespace(
        **(vars(rw) | {"emails": {key: u.email for key, u in users.items()}}), people=people,
        assignments={p: session.scalar(select(Assignment.id).where(Assignment.person_id == p))
                     for p in people},
        evaluations=(draft_a.id, submitted_a.id, final_a.id, draft_b.id),
        vacancy_a=vacancy_a.id, vacancy_b=vacancy_b.id, seats=tuple(seats.values()),
        candidate_a=vacancy_a.candidates[0].id, candidate_b=vacancy_b.candidates[0].id,
        completions=(*certificates, plain), tokens=tokens, token_ids=token_ids, feeds=feeds,
        feed_ids=feed_ids, revoked_feed=revoked_secret,
        objects={"course_id": rw.basic, "requirement_id": session.scalar(select(Requirement.id)),
                 "agency_id": rw.agency, "user_id": users["staff"].id, "criterion_id": criterion.id,
                 "template_id": session.scalar(select(EvaluationTemplate.id).limit(1)),
                 "step_id": session.scalar(select(ReminderStep.id).limit(1)),
                 "item_id": session.scalar(select(SelfAssessmentItem.id).limit(1)),
                 "message_id": session.scalar(select(OutboxMessage.id).limit(1))},
    )


@pytest.fixture
def pw(app, rw, session, snapshot):  # noqa: F811
    """The world above, built once per run on SQLite and copied (certificates too) into each test."""
    return snapshot(build_pw, session, rw, app.config["UPLOAD_DIR"])


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


def _found(session, user: User, values: dict) -> bool:
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


def _expected(app, session, user: User | None, rule, values: dict) -> tuple[int, bool]:
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
    if not _found(session, user, values):
        return 404, True
    return _state(app, session, user, rule.endpoint, values) or (200, False)


def _cases(app, w, key: str):
    """(rule, method, path, values) for every route this test drives, GETs first."""
    rules = [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if r.endpoint not in SKIPPED]
    for wanted in ("GET", "write"):
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if (method == "GET") == (wanted == "GET"):
                    for values in _variants(rule, w, key, app.config["SECRET_KEY"]):
                        yield rule, method, _path(rule, values), values


def _hidden(session, user: User | None) -> list[str]:
    """Last names of the people, and titles of the vacancies, `user` may not see (anonymous: none)."""
    if user is None:
        return [*session.scalars(select(Person.last_name)), *session.scalars(select(Vacancy.title))]
    visible = select(Person.id).where(person_scope(user, TODAY))
    names = session.scalars(select(Person.last_name).where(Person.id.not_in(visible)))
    titles = session.scalars(select(Vacancy.title).where(~vacancy_scope(user)))
    return [*names, *titles]


def _text(response) -> str:
    """The body as text; an XLSX download's sheets and shared strings."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            return "\n".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return response.get_data(as_text=True)


LINK = re.compile(r'(?:href|action)="(/[^"?#]*)')


def _links_out_of_scope(app, session, user, body: str, seen: dict) -> list[str]:
    """Links (and form targets) on a page that name an object outside `user`'s scope."""
    adapter = app.url_map.bind("localhost")
    bad = []
    for path in set(LINK.findall(body)):
        if path not in seen:
            seen[path] = True
            for method in ("GET", "POST"):
                try:
                    _, args = adapter.match(path, method=method)
                except HTTPException:
                    continue
                scoped = {k: v for k, v in args.items() if k in SCOPED_ARGS and v is not None}
                seen[path] = not scoped or _found(session, user, scoped)
                break
        if not seen[path]:
            bad.append(path)
    return bad


def _database(session) -> dict:
    """Every row of every table (less the request bookkeeping), to show a refused request wrote nothing."""
    session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        skip = BOOKKEEPING.get(table.name, set())
        if skip is None:
            continue
        columns = [c for c in table.columns if c.name not in skip]
        state[table.name] = sorted(map(repr, session.execute(select(*columns)).all()))
    return state


def _changes(before: dict, after: dict) -> list[str]:
    return [f"{name}: {len(before[name])} -> {len(after[name])} rows" if len(before[name]) != len(after[name])
            else f"{name}: rows changed" for name in before if before[name] != after[name]]


def _api_headers(rule, key, w) -> dict:
    if not rule.rule.startswith("/api/") or key == "anonymous":
        return {}
    return {"Authorization": f"Bearer {w.tokens[key]}"}


def test_the_walk_covers_every_route(app, pw):
    """Each user's cases, over all the blueprints, name every route but the skipped ones."""
    routes = {r.endpoint for r in app.url_map.iter_rules()} - set(SKIPPED)
    for key in USERS:
        cases = list(_cases(app, pw, key))
        assert {rule.endpoint for rule, *_ in cases} == routes, key
        assert sum(method == "GET" for _, method, *_ in cases) > 200, key
    assert {r.split(".")[0] for r in routes} == set(AREAS)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("key", USERS)
def test_every_endpoint_answers_every_user_as_the_policy_says(app, pw, session, key, area):
    """One user walks one blueprint's routes: statuses from the policy, refusals write nothing, no leak."""
    client = app.test_client()  # a fresh session
    # The test's app context outlives its requests, so `g` could still hold a signed-in user or a
    # CSRF token from before: empty it, as a new process would start.
    for name in list(vars(g)):
        g.pop(name)
    user = None
    if key != "anonymous":
        response = AuthActions(client).login(pw.emails[key])
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        user = session.scalar(select(User).where(User.email == pw.emails[key]))
    token = csrf_token(client, "/login" if user is None else "/")
    hidden, links = _hidden(session, user), {}
    failures, checked, gets, before = [], 0, 0, None
    for rule, method, path, values in _cases(app, pw, key):
        if rule.endpoint.split(".")[0] != area:
            continue
        expected, refused = _expected(app, session, user, rule, values)
        headers = _api_headers(rule, key, pw)
        if method == "GET":
            gets += 1
            response = client.get(path, headers=headers)
        elif refused:  # only refusals are driven as writes: they must change nothing
            before = before or _database(session)
            response = client.open(path, method=method, data={"csrf_token": token}, headers=headers)
            after = _database(session)
            if after != before:
                failures.append(f"{key} {method} {path} changed data although refused: "
                                f"{_changes(before, after)}")
            before = after
        else:
            continue
        checked += 1
        status = response.status_code
        if status != expected:
            failures.append(f"{key} {method} {path}: {status}, policy says {expected}")
        elif status == 302 and user is None and not response.location.startswith("/login"):
            failures.append(f"{key} {method} {path}: redirected to {response.location}, not the login page")
        elif status == 200 and method == "GET":
            body = _text(response)
            leaked = [n for n in hidden if re.search(rf"\b{re.escape(n)}\b", body)]
            leaked += _links_out_of_scope(app, session, user, body, links) if user else []
            if leaked:
                failures.append(f"{key} GET {path} shows what is out of scope: {leaked}")
    # Every GET case is sent to every user, and the refused writes on top (anonymous: every case).
    assert checked >= gets > 0, (checked, gets)
    assert not failures, f"{len(failures)} of {checked} cases:\n" + "\n".join(failures)

