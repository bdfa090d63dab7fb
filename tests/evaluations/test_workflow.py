"""The workflow rules: comments on low ratings, signatures, locking, amendments, version checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import db
from models.errors import DomainError, ValidationFailed
from models.evaluations import Evaluation, EvaluationRating
from models.services.evaluations import workflow as svc
from tests.evaluations.conftest import ratings, start, user

TODAY = date(2026, 10, 15)
NINE = [4, 3, 3, 4, 3, 3, 3, 4, 3]


def test_rating_of_one_without_comment_is_refused_and_nothing_saved(session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    data = ratings(ev, [1, 3, 3, 4, 3, 3, 3, 4, 3])
    with pytest.raises(ValidationFailed) as err:
        svc.save_evaluation(session, ev, data, user=user(session, ew, "principal"), today=TODAY)
    first = ev.ratings[0].criterion
    assert err.value.by_field() == {
        f"comment_{first.id}": [f"“{first.title}”: a rating of 1 needs a comment explaining it."]}
    session.rollback()
    stored = session.scalars(select(EvaluationRating.rating).where(EvaluationRating.evaluation_id == ev.id))
    assert set(stored) == {None}
    assert session.get(Evaluation, ev.id).version_id == 1


def test_weighted_overall_leaves_out_not_observed(session, ew):
    ev = start(session, ew, ew.teacher, TODAY)  # weights 2, 1.5, 1, 1
    svc.save_evaluation(session, ev, ratings(ev, [4, 2, 0, 3], comment="Seen twice"),
                        user=user(session, ew, "principal"), today=TODAY)
    # (4*2 + 2*1.5 + 3*1) / (2 + 1.5 + 1) = 14 / 4.5
    assert ev.overall_score == Decimal("3.11")


def test_sro_with_only_the_principal_signature_cannot_be_acknowledged(session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    svc.save_evaluation(session, ev, ratings(ev, NINE), user=user(session, ew, "principal"), today=TODAY,
                        submit=True)
    session.commit()
    assert ev.status == "submitted" and [s.role for s in ev.signatures] == ["principal"]
    with pytest.raises(DomainError, match="still needs the signature of the agency supervisor"):
        svc.acknowledge_evaluation(session, ev, user=user(session, ew, "sro"), response="ok", today=TODAY)
    session.rollback()
    # Supervisor alone (principal signature removed by hand) is not enough either.
    ev = session.get(Evaluation, ev.id)
    svc.cosign_evaluation(session, ev, user=user(session, ew, "supervisor"), today=TODAY)
    assert ev.status == "signed"
    ev.signatures.remove(ev.signature("principal"))
    session.commit()
    with pytest.raises(DomainError, match="still needs the signature of the principal"):
        svc.acknowledge_evaluation(session, ev, user=user(session, ew, "sro"), response="ok", today=TODAY)
    session.rollback()
    assert session.get(Evaluation, ev.id).status == "signed"
    assert session.get(Evaluation, ev.id).signature("person") is None


def test_other_agency_supervisor_cannot_cosign(session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    svc.save_evaluation(session, ev, ratings(ev, NINE), user=user(session, ew, "principal"), today=TODAY,
                        submit=True)
    with pytest.raises(DomainError):
        svc.cosign_evaluation(session, ev, user=user(session, ew, "supervisor_other"), today=TODAY)


def test_full_journey_locks_and_amendment_sits_beside_it(session, ew):
    ev = start(session, ew, ew.sro, TODAY)
    principal = user(session, ew, "principal")
    svc.save_evaluation(session, ev, ratings(ev, NINE), user=principal, today=TODAY, submit=True)
    svc.cosign_evaluation(session, ev, user=user(session, ew, "supervisor"), today=TODAY)
    svc.acknowledge_evaluation(session, ev, user=user(session, ew, "sro"), response="Agreed.", today=TODAY)
    session.commit()
    assert ev.status == "final" and ev.person_response == "Agreed."
    assert {s.role: s.signer_name for s in ev.signatures} == {
        "principal": "principal@example.org", "supervisor": "supervisor@example.org",
        "person": "sro@example.org"}
    assert all(s.signed_at is not None for s in ev.signatures)
    assert ev.compliance_snapshot["as_of"] == TODAY.isoformat() and "compliant" in ev.compliance_snapshot
    with pytest.raises(DomainError, match="final and locked"):
        svc.save_evaluation(session, ev, ratings(ev, [1] * 9, comment="x"), user=principal, today=TODAY)
    session.rollback()
    svc.add_amendment(session, ev, user=principal, body="Drill count was 6.", today=TODAY)
    session.commit()
    ev = session.get(Evaluation, ev.id)
    assert [r.rating for r in ev.ratings] == NINE
    assert [a.body for a in ev.amendments] == ["Drill count was 6."]


def test_school_personnel_need_only_the_principal(session, ew):
    ev = start(session, ew, ew.teacher, TODAY)
    svc.save_evaluation(session, ev, ratings(ev, [4, 3, 3, 4]), user=user(session, ew, "principal"),
                        today=TODAY, submit=True)
    assert ev.status == "signed"
    svc.acknowledge_evaluation(session, ev, user=user(session, ew, "teacher"), response=None, today=TODAY)
    assert ev.status == "final"


def test_submit_needs_every_criterion_rated(session, ew):
    ev = start(session, ew, ew.teacher, TODAY)
    with pytest.raises(ValidationFailed) as err:
        svc.save_evaluation(session, ev, ratings(ev, [4, 3]), user=user(session, ew, "principal"),
                            today=TODAY, submit=True)
    assert len(err.value.problems) == 2


def test_two_concurrent_sessions_saving_one_draft_the_later_is_refused(app, session, ew):
    ev_id = start(session, ew, ew.teacher, TODAY).id
    first, second = Session(db.engine), Session(db.engine)
    try:
        ev1, ev2 = first.get(Evaluation, ev_id), second.get(Evaluation, ev_id)
        data1, data2 = ratings(ev1, [4, 4, 4, 4]), ratings(ev2, [3, 3, 3, 3])
        u1, u2 = user(first, ew, "principal"), user(second, ew, "principal")
        [r.criterion for r in ev2.ratings]  # both have read version 1 before either writes
        svc.save_evaluation(first, ev1, data1, user=u1, today=TODAY)
        first.commit()
        with pytest.raises(ValidationFailed, match="Someone else saved this evaluation"):
            svc.save_evaluation(second, ev2, data2, user=u2, today=TODAY)
        second.rollback()
    finally:
        first.close()
        second.close()
    session.expire_all()
    stored = session.get(Evaluation, ev_id)
    assert [r.rating for r in stored.ratings] == [4, 4, 4, 4] and stored.version_id == 2


def test_evaluation_keeps_its_template_version_when_template_is_revised(session, ew):
    from models.services.evaluations.templates import revise_template

    ev = start(session, ew, ew.teacher, TODAY)
    old = ev.template
    new = revise_template(session, old, {"name": "New name",
                                         "criteria": [{"title": "Only one", "weight": "1"}]})
    session.commit()
    assert (new.version, new.is_current, old.is_current) == (2, True, False)
    assert session.get(Evaluation, ev.id).template_id == old.id and len(ev.ratings) == 4
    ev2 = start(session, ew, ew.sro, TODAY)
    assert ev2.template.key == "sro"
    ev3 = start(session, ew, ew.teacher_b, TODAY, principal="principal_b")
    assert ev3.template_id == new.id and len(ev3.ratings) == 1
