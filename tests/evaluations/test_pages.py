"""The evaluation pages: what each user sees, and what the database holds afterwards."""

from __future__ import annotations

import re
from datetime import date

from flask.testing import FlaskClient

from models.evaluations import Evaluation
from models.services.evaluations import workflow as svc
from tests.conftest import csrf_token
from tests.evaluations.conftest import forget_request_state, login_fast, ratings, start, user

TODAY = date(2026, 10, 15)
NINE = [4, 3, 3, 4, 3, 3, 3, 4, 3]


def _form(ev, values, comment=""):
    return {k: str(v) for k, v in ratings(ev, values, comment).items()}


def _stored(session, ev_id):
    session.expire_all()
    return session.get(Evaluation, ev_id)


def test_rating_of_one_without_comment_shows_message_on_that_criterion(client, session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    login_fast(client, ew.users["principal"])
    url = f"/evaluations/{ev.id}/edit"
    data = _form(ev, [1] + NINE[1:]) | {"csrf_token": csrf_token(client, url), "save": "Save draft"}
    html = client.post(url, data=data).get_data(as_text=True)
    title = ev.ratings[0].criterion.title
    message = f"“{title}”: a rating of 1 needs a comment explaining it."
    assert "nothing was saved" in html
    cid = ev.ratings[0].criterion_id
    assert re.search(rf'id="comment_{cid}-error">{re.escape(message)}', html.replace("&#34;", '"'))
    stored = _stored(session, ev.id)
    assert [r.rating for r in stored.ratings] == [None] * 9 and stored.version_id == 1 and not stored.goals


def test_two_concurrent_saves_the_later_gets_a_conflict_and_winner_stays(app, session, ew):
    ev = start(session, ew, ew.teacher, TODAY)
    url = f"/evaluations/{ev.id}/edit"
    alice, bob = FlaskClient(app, use_cookies=True), FlaskClient(app, use_cookies=True)
    login_fast(alice, ew.users["principal"])
    login_fast(bob, ew.users["principal"])
    tokens = []
    for c in (alice, bob):  # both open the form at version 1
        forget_request_state()
        tokens.append(csrf_token(c, url))
    forget_request_state()
    assert 'name="version_id" type="hidden" value="1"' in alice.get(url).get_data(as_text=True)
    forget_request_state()
    seen = {"version_id": "1", "save": "1"}  # the version each of them loaded
    first = alice.post(url, data=_form(ev, [4, 4, 4, 4]) | seen | {"csrf_token": tokens[0]})
    assert first.status_code == 302
    forget_request_state()
    second = bob.post(url, data=_form(ev, [3, 3, 3, 3]) | seen | {"csrf_token": tokens[1]})
    assert second.status_code == 200
    assert "Someone else saved this evaluation after you opened it" in second.get_data(as_text=True)
    stored = _stored(session, ev.id)
    assert [r.rating for r in stored.ratings] == [4, 4, 4, 4] and stored.version_id == 2


def test_editing_a_final_evaluation_is_refused_and_amendment_shows_in_history(client, session, ew):
    ev = start(session, ew, ew.teacher, TODAY)
    principal = user(session, ew, "principal")
    svc.save_evaluation(session, ev, ratings(ev, [4, 3, 3, 4]), user=principal, today=TODAY, submit=True)
    svc.acknowledge_evaluation(session, ev, user=user(session, ew, "teacher"), response="Fine.", today=TODAY)
    session.commit()
    login_fast(client, ew.users["principal"])
    url = f"/evaluations/{ev.id}/edit"
    token = csrf_token(client, f"/evaluations/{ev.id}")
    response = client.post(url, data=_form(ev, [1, 1, 1, 1], "x") | {"csrf_token": token, "save": "1"},
                           follow_redirects=True)
    assert "final and locked" in response.get_data(as_text=True)
    assert [r.rating for r in _stored(session, ev.id).ratings] == [4, 3, 3, 4]
    client.post(f"/evaluations/{ev.id}/amend", data={"csrf_token": token, "body": "Rating 2 was a typo."})
    stored = _stored(session, ev.id)
    assert [a.body for a in stored.amendments] == ["Rating 2 was a typo."] and stored.status == "final"
    history = client.get(f"/people/{ew.teacher}").get_data(as_text=True)
    assert "School year 2025-2026" in history and "Rating 2 was a typo." in history and "Final" in history


def test_acknowledge_refused_while_supervisor_signature_missing(client, session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    svc.save_evaluation(session, ev, ratings(ev, NINE), user=user(session, ew, "principal"), today=TODAY,
                        submit=True)
    session.commit()
    login_fast(client, ew.users["sro"])
    page = client.get(f"/evaluations/{ev.id}").get_data(as_text=True)
    assert "You can acknowledge once every signature is in." in page
    token = csrf_token(client, f"/evaluations/{ev.id}")
    response = client.post(f"/evaluations/{ev.id}/acknowledge", data={"csrf_token": token, "response": "ok"},
                           follow_redirects=True)
    assert "still needs the signature of the agency supervisor" in response.get_data(as_text=True)
    stored = _stored(session, ev.id)
    assert stored.status == "submitted" and stored.person_response is None
    assert stored.signature("person") is None


def test_other_principal_coordinator_and_person_before_submission_get_404(client, session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    for role in ("principal_b", "coordinator", "sro"):
        login_fast(client, ew.users[role])
        assert client.get(f"/evaluations/{ev.id}").status_code == 404, role
    login_fast(client, ew.users["principal"])
    assert client.get(f"/evaluations/{ev.id}").status_code == 200


def test_dashboard_and_cosign_queue_list_the_right_items(client, session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    svc.save_evaluation(session, ev, ratings(ev, NINE), user=user(session, ew, "principal"), today=TODAY,
                        submit=True)
    session.commit()
    login_fast(client, ew.users["principal"])
    html = client.get("/evaluations/").get_data(as_text=True)
    assert "Awaiting signatures (1)" in html and "Overdue (1)" in html  # the teacher; not the principal
    assert "Alice Atwood" in html and "Pia Principal" not in html and "Bob Barnes" not in html
    login_fast(client, ew.users["supervisor"])
    queue = client.get("/evaluations/cosign").get_data(as_text=True)
    assert "Waiting for your signature (1)" in queue and "Sam Officer" in queue
    token = csrf_token(client, f"/evaluations/{ev.id}")
    client.post(f"/evaluations/{ev.id}/cosign", data={"csrf_token": token})
    stored = _stored(session, ev.id)
    assert stored.status == "signed"
    assert stored.signature("supervisor").signer_name == "supervisor@example.org"
    login_fast(client, ew.users["supervisor_other"])
    assert "Sam Officer" not in client.get("/evaluations/cosign").get_data(as_text=True)


def test_hr_editing_a_template_saves_a_new_version(client, session, ew):
    from models.evaluations import EvaluationTemplate

    old = session.query(EvaluationTemplate).filter_by(key="school-personnel").one()
    ev = start(session, ew, ew.teacher, TODAY)
    login_fast(client, ew.users["hr"])
    url = f"/evaluations/templates/{old.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="criteria-4-title"' in page  # four criteria plus an empty row to add one
    data = {"csrf_token": csrf_token(client, url), "name": "Personnel v2", "description": "",
            "criteria-0-title": "Uses non-punitive responses", "criteria-0-weight": "2",
            "criteria-1-title": "New: attends joint debriefs", "criteria-1-weight": "abc"}
    html = client.post(url, data=data).get_data(as_text=True)
    assert "the weight must be a number above 0" in html
    assert session.query(EvaluationTemplate).filter_by(key="school-personnel").count() == 1
    data["criteria-1-weight"] = "1"
    assert client.post(url, data=data).status_code == 302
    session.expire_all()
    versions = session.query(EvaluationTemplate).filter_by(key="school-personnel").order_by("version").all()
    assert [(t.version, t.is_current) for t in versions] == [(1, False), (2, True)]
    titles = [c.title for c in versions[1].criteria]
    assert titles == ["Uses non-punitive responses", "New: attends joint debriefs"]
    assert _stored(session, ev.id).template_id == old.id
