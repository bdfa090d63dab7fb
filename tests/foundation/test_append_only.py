"""The database itself refuses to rewrite history: audit rows, completions and final evaluations.

Raw SQL goes through the app's own connection (the session and the engine), the way a careless script
or a bug would; every attempt must fail and leave the rows as they were. The app's own workflows
(verifying, acknowledging, amending, editing drafts) must keep working, and removing a person or an
assignment that holds permanent records is refused with a message, never a server error.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from models import db
from models.evaluations import Evaluation
from models.people import Assignment, Person
from models.services.evaluations import workflow as svc
from models.services.training.completions import record_completion, verify_completion
from models.training import Completion
from tests.conftest import PG_URL, csrf_token, post_form
from tests.evaluations.conftest import (
    ew,  # noqa: F401 - fixture
    login_fast,
    ratings,
    start,
    user,
)
from tests.training.factories import make_course

TODAY = date(2026, 10, 15)
NINE = [4, 3, 3, 4, 3, 3, 3, 4, 3]
PROTECTED = ("audit_events", "completions", "evaluations", "evaluation_ratings", "evaluation_signatures",
             "evaluation_amendments", "people")


def build_history(session, ew):  # noqa: F811 - the imported fixture
    """The SRO's completion; the teacher's final evaluation (amended); a draft and a submitted one."""
    principal = user(session, ew, "principal")
    course = make_course(session, "SRO-101", title="Basic SRO")
    sro = session.get(Person, ew.sro)
    completion = record_completion(session, sro, {"course_id": course.id, "completed_on": date(2026, 3, 1)},
                                   TODAY, user_id=ew.users["hr"])
    final = start(session, ew, ew.teacher, TODAY)
    svc.save_evaluation(session, final, ratings(final, [4, 3, 3, 4]), user=principal, today=TODAY,
                        submit=True)
    svc.acknowledge_evaluation(session, final, user=user(session, ew, "teacher"), response="Fine.",
                               today=TODAY)
    svc.add_amendment(session, final, user=principal, body="Rating 2 was a typo.", today=TODAY)
    draft = start(session, ew, ew.sro, TODAY)
    submitted = start(session, ew, ew.sro, TODAY, cycle="2026-2027")
    svc.save_evaluation(session, submitted, ratings(submitted, NINE), user=principal, today=TODAY,
                        submit=True)
    session.commit()
    return SimpleNamespace(ew=ew, completion=completion.id, final=final.id, draft=draft.id,
                           submitted=submitted.id, final_assignment=final.assignment_id)


@pytest.fixture
def history(session, ew, snapshot):  # noqa: F811 - the imported fixture
    """The history above, built once per run on SQLite and copied into each test's database."""
    return snapshot(build_history, session, ew)


def _snapshot(session) -> dict[str, list[tuple]]:
    """Every row of the protected tables, as stored."""
    session.rollback()
    rows = {t: [tuple(r) for r in session.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in PROTECTED}
    session.rollback()  # release the read locks: a TRUNCATE on another connection would wait for them
    return rows


REFUSED = [
    ("UPDATE audit_events SET actor_label = 'x'", "audit events are permanent"),
    ("DELETE FROM audit_events", "audit events are permanent"),
    ("UPDATE completions SET completed_on = '2020-01-01'", "completions are permanent"),
    ("UPDATE completions SET hours = 1, verified_at = NULL", "completions are permanent"),
    ("DELETE FROM completions", "completions are permanent"),
    ("DELETE FROM people WHERE id = {sro}", "completions are permanent"),  # the cascade is refused too
    ("UPDATE evaluations SET overall_score = 1 WHERE id = {final}", "final and locked"),
    ("UPDATE evaluations SET status = 'draft' WHERE id = {final}", "final and locked"),
    ("DELETE FROM evaluations WHERE id = {final}", "final and locked"),
    ("UPDATE evaluation_ratings SET rating = 1 WHERE evaluation_id = {final}", "ratings of a final"),
    ("DELETE FROM evaluation_ratings WHERE evaluation_id = {final}", "ratings of a final"),
    ("UPDATE evaluation_ratings SET evaluation_id = {final} WHERE evaluation_id = {draft}",
     "ratings of a final"),  # nor may a row be moved onto a final evaluation
    ("UPDATE evaluation_signatures SET signer_name = 'x' WHERE evaluation_id = {final}",
     "signatures of a final"),
    ("INSERT INTO evaluation_signatures (evaluation_id, role, signer_name, signed_at) "
     "VALUES ({final}, 'witness', 'x', CURRENT_TIMESTAMP)", "signatures of a final"),
    ("UPDATE evaluation_amendments SET body = 'x'", "amendments are permanent"),
    ("DELETE FROM evaluation_amendments", "amendments are permanent"),
]
if PG_URL:
    REFUSED += [("TRUNCATE audit_events", "audit events are permanent"),
                ("TRUNCATE completions CASCADE", "completions are permanent"),
                ("TRUNCATE evaluation_ratings", "ratings of a final")]


@pytest.mark.parametrize("via", ["session", "engine"])
@pytest.mark.parametrize(("sql", "message"), REFUSED, ids=[s for s, _ in REFUSED])
def test_raw_sql_rewriting_history_is_refused_and_rows_unchanged(session, history, via, sql, message):
    before = _snapshot(session)
    statement = text(sql.format(sro=history.ew.sro, final=history.final, draft=history.draft))
    with pytest.raises(IntegrityError, match=message):
        if via == "session":
            session.execute(statement)
            session.commit()
        else:
            with db.engine.begin() as conn:
                conn.execute(statement)
    assert _snapshot(session) == before


def test_verifying_a_completion_still_works_through_the_service(session, history):
    now = datetime(2026, 10, 15, 14, 0)
    coordinator = history.ew.users["coordinator"]
    verify_completion(session, session.get(Completion, history.completion), coordinator, now)
    session.commit()
    session.expire_all()
    stored = session.get(Completion, history.completion)
    assert stored.verified_by_user_id == coordinator
    assert stored.verified_at.replace(tzinfo=None) == now
    assert stored.completed_on == date(2026, 3, 1)


def test_amending_a_final_evaluation_still_works_through_the_page(client, session, history):
    login_fast(client, history.ew.users["principal"])
    url = f"/evaluations/{history.final}"
    response = client.post(f"{url}/amend", data={"csrf_token": csrf_token(client, url),
                                                 "body": "The drill count was 6."})
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(Evaluation, history.final)
    assert [a.body for a in stored.amendments] == ["Rating 2 was a typo.", "The drill count was 6."]
    assert stored.status == "final" and [r.rating for r in stored.ratings] == [4, 3, 3, 4]


def test_draft_and_submitted_evaluations_can_still_be_changed(session, history):
    principal, supervisor = (user(session, history.ew, k) for k in ("principal", "supervisor"))
    draft = session.get(Evaluation, history.draft)
    svc.save_evaluation(session, draft, ratings(draft, [3] * 9), user=principal, today=TODAY)
    session.commit()
    with db.engine.begin() as conn:  # below the app too: only a final evaluation is locked
        conn.execute(text("UPDATE evaluations SET goals = 'Raw' WHERE id = :id"), {"id": history.submitted})
        conn.execute(text("UPDATE evaluation_ratings SET comment = 'Raw' WHERE evaluation_id = :id"),
                     {"id": history.submitted})
    session.expire_all()
    svc.cosign_evaluation(session, session.get(Evaluation, history.submitted), user=supervisor, today=TODAY)
    session.commit()
    session.expire_all()
    assert [r.rating for r in session.get(Evaluation, history.draft).ratings] == [3] * 9
    submitted = session.get(Evaluation, history.submitted)
    assert (submitted.status, submitted.goals) == ("signed", "Raw")
    assert {r.comment for r in submitted.ratings} == {"Raw"}


@pytest.mark.parametrize(("who", "kept"), [
    ("sro", "has training records, which are permanent"),
    ("teacher", "has a final evaluation, which is permanent"),
])
def test_removing_a_person_with_permanent_records_shows_why_and_keeps_them(client, auth, session, history,
                                                                            who, kept):
    person_id = getattr(history.ew, who)
    name = session.get(Person, person_id).full_name
    auth.login(history.ew.emails["hr"])
    response = post_form(client, f"/people/{person_id}/delete", {}, token_from=f"/people/{person_id}",
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{name} {kept}, so they cannot be removed. End their assignments instead." in html
    session.expire_all()
    assert session.get(Person, person_id) is not None
    assert session.scalar(select(func.count()).select_from(Assignment)
                          .where(Assignment.person_id == person_id)) == 1


def test_removing_an_assignment_with_a_final_evaluation_shows_why_and_keeps_it(client, auth, session,
                                                                               history):
    teacher = history.ew.teacher
    auth.login(history.ew.emails["hr"])
    path = f"/people/{teacher}/assignments/{history.final_assignment}/delete"
    response = post_form(client, path, {}, token_from=f"/people/{teacher}", follow_redirects=True)
    assert response.status_code == 200
    assert "This assignment has a final evaluation, which is permanent" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Assignment, history.final_assignment) is not None
    assert session.get(Evaluation, history.final).assignment_id == history.final_assignment


def test_removing_a_person_without_permanent_records_still_works(client, auth, session, history):
    teacher_b = history.ew.teacher_b
    auth.login(history.ew.emails["hr"])
    response = post_form(client, f"/people/{teacher_b}/delete", {}, token_from=f"/people/{teacher_b}",
                         follow_redirects=True)
    assert response.status_code == 200 and "was removed" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Person, teacher_b) is None
