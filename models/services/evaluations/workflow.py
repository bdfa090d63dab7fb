"""The evaluation workflow: draft -> submitted -> co-signed -> acknowledged (final, locked) -> amendments."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.accounts import User
from models.base import utcnow
from models.errors import DomainError, ValidationFailed
from models.evaluations import (
    COMMENT_REQUIRED_AT_OR_BELOW,
    NOT_OBSERVED,
    SIGNATURE_ROLES,
    Evaluation,
    EvaluationAmendment,
    EvaluationRating,
    EvaluationSignature,
    EvaluationTemplate,
)
from models.services.evaluations import access
from models.services.evaluations.due import FIRST_REVIEW, evaluation_due_rows
from models.services.training.compliance import person_compliance_summary

TEXT_FIELDS = ("goals", "progress", "strengths", "growth_areas")
CONFLICT = ("Someone else saved this evaluation after you opened it, so your changes were not saved. "
            "Reload the page to see their version, then make your changes again.")


def current_template(session: Session, audience: str) -> EvaluationTemplate | None:
    """The current template version for an audience."""
    return session.scalar(select(EvaluationTemplate).where(
        EvaluationTemplate.audience == audience, EvaluationTemplate.is_current.is_(True))
        .order_by(EvaluationTemplate.version.desc()).limit(1))


def compliance_snapshot(session: Session, person_id: int, today: date) -> dict[str, Any]:
    """The person's training compliance from the Step 4 engine, as stored with the evaluation."""
    summary = person_compliance_summary(session, person_id, today)
    return {**summary, "as_of": today.isoformat()}


def weighted_overall(evaluation: Evaluation) -> Decimal | None:
    """Weighted mean of the ratings 1-4; "not observed" and unrated criteria are left out."""
    total = weights = Decimal(0)
    for r in evaluation.ratings:
        if r.rating is not None and r.rating != NOT_OBSERVED:
            total += Decimal(r.rating) * Decimal(r.criterion.weight)
            weights += Decimal(r.criterion.weight)
    if not weights:
        return None
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _sign(evaluation: Evaluation, role: str, user: User) -> None:
    evaluation.signatures.append(EvaluationSignature(
        role=role, user_id=user.id, signer_name=user.email, signed_at=utcnow()))


def _bump(session: Session, evaluation: Evaluation) -> None:
    """Write with the version check: a save based on an older version is refused."""
    evaluation.version_id = evaluation.version_id + 1
    try:
        session.flush()
    except StaleDataError:
        raise ValidationFailed([(None, CONFLICT)]) from None


def start_evaluation(session: Session, *, person_id: int, assignment_id: int, cycle: str,
                     evaluator: User, today: date) -> Evaluation:
    """Open a draft for a due item (person, assignment, cycle) on the current template of its audience."""
    if not access.can_start(evaluator, person_id):
        raise DomainError("Only a principal of the person's school starts an evaluation, never their own.")
    rows = [r for r in evaluation_due_rows(session, today, person_ids=[person_id])
            if r.assignment_id == assignment_id and r.cycle == cycle]
    if not rows:
        raise DomainError("No evaluation is due for this person in that cycle.")
    item = rows[0]
    if item.evaluation_id is not None:
        raise DomainError("An evaluation for this cycle already exists; open it instead.")
    template = current_template(session, item.audience)
    if template is None:
        raise DomainError("There is no evaluation template for this audience yet; ask HR to add one.")
    evaluation = Evaluation(
        person_id=person_id, assignment_id=assignment_id if cycle == FIRST_REVIEW else item.assignment_id,
        template=template, audience=item.audience, cycle=cycle, due_date=item.due_date,
        evaluator_user_id=evaluator.id, status="draft", version_id=1,
        compliance_snapshot=compliance_snapshot(session, person_id, today),
        ratings=[EvaluationRating(criterion=c, position=c.position) for c in template.criteria])
    session.add(evaluation)
    session.flush()
    return evaluation


def _parse_rating(raw: Any, allowed: set[int]) -> tuple[int | None, bool]:
    if raw in (None, "", "None"):
        return None, True
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None, False
    return value, value in allowed or value == NOT_OBSERVED


def save_evaluation(session: Session, evaluation: Evaluation, data: dict[str, Any], *, user: User,
                    today: date, submit: bool = False) -> Evaluation:
    """Save a draft's ratings and text (and optionally submit it); every problem is reported at once."""
    if evaluation.is_locked:
        raise DomainError("This evaluation is final and locked. Add an amendment to correct it.")
    if not access.can_edit(user, evaluation):
        raise DomainError("This evaluation has been submitted and can no longer be edited.")
    if str(data.get("version_id") or "") != str(evaluation.version_id):
        raise ValidationFailed([(None, CONFLICT)])
    allowed = {level["value"] for level in evaluation.template.scale}
    problems: list[tuple[str | None, str]] = []
    parsed = {}
    for r in evaluation.ratings:
        title = r.criterion.title
        value, ok = _parse_rating(data.get(f"rating_{r.criterion_id}"), allowed)
        comment = (data.get(f"comment_{r.criterion_id}") or "").strip() or None
        if not ok:
            problems.append((f"rating_{r.criterion_id}", f"“{title}”: choose a rating from the scale."))
        elif value is not None and value != NOT_OBSERVED and value <= COMMENT_REQUIRED_AT_OR_BELOW \
                and not comment:
            problems.append((f"comment_{r.criterion_id}",
                             f"“{title}”: a rating of {value} needs a comment explaining it."))
        elif submit and value is None:
            problems.append((f"rating_{r.criterion_id}", f"“{title}”: rate it or mark it not observed."))
        parsed[r.id] = (value, comment)
    if problems:
        raise ValidationFailed(problems)
    for r in evaluation.ratings:
        r.rating, r.comment = parsed[r.id]
    for name in TEXT_FIELDS:
        setattr(evaluation, name, (data.get(name) or "").strip() or None)
    evaluation.overall_score = weighted_overall(evaluation)
    if submit:
        # Submission is the principal's signature; school personnel then need nobody else's.
        _sign(evaluation, "principal", user)
        evaluation.status = "signed" if not evaluation.missing_signatures else "submitted"
        evaluation.submitted_at = utcnow()
        evaluation.compliance_snapshot = compliance_snapshot(session, evaluation.person_id, today)
    _bump(session, evaluation)
    return evaluation


def cosign_evaluation(session: Session, evaluation: Evaluation, *, user: User, today: date) -> Evaluation:
    """The SRO's agency supervisor co-signs a submitted evaluation."""
    if not access.can_cosign(user, evaluation):
        raise DomainError("Only the SRO's agency supervisor co-signs, once the principal has submitted.")
    _sign(evaluation, "supervisor", user)
    if not evaluation.missing_signatures:
        evaluation.status = "signed"
    _bump(session, evaluation)
    return evaluation


def acknowledge_evaluation(session: Session, evaluation: Evaluation, *, user: User,
                           response: str | None, today: date) -> Evaluation:
    """The evaluated person acknowledges (with an optional response); the evaluation becomes final."""
    if user.person_id != evaluation.person_id:
        raise DomainError("Only the evaluated person acknowledges their evaluation.")
    missing = evaluation.missing_signatures
    if missing or evaluation.status != "signed":
        names = " and the ".join(SIGNATURE_ROLES[m].lower() for m in missing) or "required signers"
        raise DomainError(f"This evaluation cannot be acknowledged yet: it still needs the signature "
                          f"of the {names}.")
    _sign(evaluation, "person", user)
    # The signature must reach the database before the row turns final: from then on the database
    # refuses any change to the evaluation's signatures and ratings.
    session.flush()
    evaluation.person_response = (response or "").strip() or None
    evaluation.status = "final"
    evaluation.finalized_at = utcnow()
    _bump(session, evaluation)
    return evaluation


def add_amendment(session: Session, evaluation: Evaluation, *, user: User, body: str | None,
                  today: date) -> EvaluationAmendment:
    """Attach a correction to a final evaluation (the evaluation itself stays as signed)."""
    if evaluation.status != "final":
        raise DomainError("Only a final evaluation takes amendments; change the draft instead.")
    if not access.can_amend(user, evaluation):
        raise DomainError("You may not amend this evaluation.")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed([("body", "Write the correction.")])
    amendment = EvaluationAmendment(evaluation=evaluation, author_user_id=user.id,
                                    author_name=user.email, body=body, created_at=utcnow())
    session.add(amendment)
    session.flush()
    return amendment

