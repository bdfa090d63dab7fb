"""The SECURe self-assessment: editing checklist items, and the evidence the app computes for them.

Each evidence function looks at the whole district (the self-assessment is a district document, seen
by district-wide roles only) with a handful of set-based queries, and returns an `Evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.errors import ValidationFailed
from models.evaluations import EvaluationSignature, Recognition
from models.hiring import Candidate, Decision, Vacancy
from models.hiring_panel import PanelMember
from models.org import District, School
from models.people import ROLES, Assignment
from models.reports import CHECKLISTS, SELF_ASSESSMENT_STATUSES, STEPS, OutcomeCount, SelfAssessmentItem
from models.scoping import Scope
from models.services.stores.reads import compliance_source, evaluation_due_source
from models.services.training.compliance import MET
from models.training import Requirement


@dataclass
class Evidence:
    """A measure the app computes from its records, e.g. 4 of 5 SROs cleared before placement."""

    label: str
    numerator: int | None = None
    denominator: int | None = None
    detail: str = ""

    @property
    def share(self) -> float | None:
        """Numerator / denominator, or None when there is nothing to count."""
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def text(self) -> str:
        """The evidence in one line."""
        if self.denominator is None:
            return f"{self.label}: {self.detail}" if self.detail else self.label
        if not self.denominator:
            return f"{self.label}: no records yet."
        base = f"{self.label}: {self.numerator} of {self.denominator} ({self.share:.0%})"
        return f"{base}; {self.detail}" if self.detail else base


def _placed_sros(today: date):
    return (select(Assignment.person_id, Assignment.id)
            .where(Assignment.role == "sro", Assignment.start_date <= today,
                   or_(Assignment.end_date.is_(None), Assignment.end_date >= today)))


def sros_cleared_before_placement(session: Session, today: date) -> Evidence:
    """Placed SROs with no placement exception and no unmet before-placement training."""
    placed = _placed_sros(today).subquery()
    people = set(session.scalars(select(placed.c.person_id).distinct()))
    excepted = set(session.scalars(
        select(Assignment.person_id).join(AuditEvent, and_(
            AuditEvent.entity_type == "assignments", AuditEvent.entity_id == Assignment.id))
        .where(AuditEvent.action == "placement_exception", Assignment.id.in_(select(placed.c.id)))))
    rows = compliance_source(session, Scope.everyone(today), person_ids=people).subquery()
    unmet = set(session.scalars(
        select(rows.c.person_id).distinct()
        .join(Requirement, Requirement.id == rows.c.requirement_id)
        .where(Requirement.due_rule == "before_start", rows.c.role == "sro",
               rows.c.status.not_in(MET)))) if people else set()
    return Evidence("SROs now placed who were cleared before placement",
                    len(people - excepted - unmet), len(people),
                    f"{len(excepted & people)} placed by exception" if excepted & people else "")


def training_compliance_by_role(session: Session, today: date) -> Evidence:
    """Share of person × requirement rows in good standing, overall and for each role."""
    sub = compliance_source(session, Scope.everyone(today)).subquery()
    good = func.sum(case((sub.c.status.in_(MET), 1), else_=0))
    rows = session.execute(select(sub.c.role, func.count(), good).group_by(sub.c.role)
                           .order_by(sub.c.role)).all()
    total = sum(n for _, n, _ in rows)
    met = sum(int(g or 0) for _, _, g in rows)
    detail = ", ".join(f"{ROLES.get(r, r)} {int(g or 0) / n:.0%}" for r, n, g in rows if n)
    return Evidence("Training requirements in good standing", met, total, detail)


def panels_with_administrator(session: Session, today: date) -> Evidence:
    """Vacancies with a selection panel that includes a school administrator."""
    with_panel = set(session.scalars(select(PanelMember.vacancy_id).distinct()))
    with_admin = set(session.scalars(select(PanelMember.vacancy_id).distinct()
                                     .where(PanelMember.seat == "school_administrator")))
    return Evidence("Selection panels with a school administrator", len(with_admin), len(with_panel))


def appointments_without_override(session: Session, today: date) -> Evidence:
    """Appointments made with every hard requirement met and the district's concurrence."""
    total, clean = session.execute(select(
        func.count(Decision.id),
        func.count(Decision.id).filter(Decision.override_justification.is_(None),
                                       Decision.district_concurrence.is_(True)))).one()
    return Evidence("Appointments with every hard requirement met and district concurrence",
                    clean, total)


def sro_candidates_volunteered(session: Session, today: date) -> Evidence:
    """SRO candidates (for SRO vacancies) who volunteered for the post."""
    total, yes = session.execute(
        select(func.count(Candidate.id), func.count(Candidate.id).filter(Candidate.volunteered.is_(True)))
        .join(Vacancy, Vacancy.id == Candidate.vacancy_id).where(Vacancy.role == "sro")).one()
    return Evidence("SRO candidates who volunteered for the post", yes, total)


def _this_year_cycle(today: date, session: Session) -> str:
    month, day = session.execute(select(District.school_year_end_month, District.school_year_end_day)
                                 .order_by(District.id).limit(1)).one_or_none() or (6, 30)
    end_year = today.year + (1 if (today.month, today.day) > (month, day) else 0)
    return f"{end_year - 1}-{end_year}"


def sro_evaluations_cosigned(session: Session, today: date) -> Evidence:
    """SRO evaluations due this school year that both the principal and the agency supervisor signed."""
    cycle = _this_year_cycle(today, session)
    items = evaluation_due_source(session, Scope.everyone(today)).subquery()
    signed_by = (select(EvaluationSignature.evaluation_id)
                 .where(EvaluationSignature.role.in_(("principal", "supervisor")))
                 .group_by(EvaluationSignature.evaluation_id)
                 .having(func.count(distinct(EvaluationSignature.role)) == 2))
    total, cosigned = session.execute(select(
        func.count(), func.count().filter(items.c.evaluation_id.in_(signed_by)))
        .where(items.c.audience == "sro", items.c.cycle == cycle)).one()
    return Evidence(f"SRO evaluations for {cycle} co-signed by principal and supervisor", cosigned, total)


def evaluations_completed_when_due(session: Session, today: date) -> Evidence:
    """Evaluations whose due date has passed (or that are done) and that are final."""
    items = evaluation_due_source(session, Scope.everyone(today)).subquery()
    total, done = session.execute(select(func.count(), func.count().filter(items.c.status == "complete"))
                                  .where(or_(items.c.due_date <= today, items.c.status == "complete"))).one()
    return Evidence("Evaluations due so far that are final", done, total)


def recognitions_this_year(session: Session, today: date) -> Evidence:
    """Recognitions awarded in the last twelve months."""
    n = session.scalar(select(func.count(Recognition.id))
                       .where(Recognition.awarded_on > date(today.year - 1, today.month, min(today.day, 28))))
    return Evidence("Recognitions awarded in the last 12 months", detail=str(n))


def outcome_data_latest_term(session: Session, today: date) -> Evidence:
    """Schools with outcome data entered for the latest term on record."""
    schools = session.scalar(select(func.count(School.id)))
    term = session.scalar(select(func.max(OutcomeCount.term)))
    entered = session.scalar(select(func.count(distinct(OutcomeCount.school_id)))
                             .where(OutcomeCount.term == term)) if term else 0
    return Evidence(f"Schools with outcome data for {term or 'any term'}", entered, schools)


EVIDENCE = {
    "panel_with_admin": panels_with_administrator,
    "appointments_clean": appointments_without_override,
    "sro_volunteered": sro_candidates_volunteered,
    "sros_cleared": sros_cleared_before_placement,
    "training_by_role": training_compliance_by_role,
    "sro_evals_cosigned": sro_evaluations_cosigned,
    "evaluations_complete": evaluations_completed_when_due,
    "recognitions": recognitions_this_year,
    "outcome_data": outcome_data_latest_term,
}


def checklist(session: Session, today: date) -> list[tuple[SelfAssessmentItem, Evidence | None]]:
    """Every item in step/checklist order with its computed evidence (each measure computed once)."""
    items = list(session.scalars(select(SelfAssessmentItem).order_by(
        SelfAssessmentItem.step, SelfAssessmentItem.checklist.desc(), SelfAssessmentItem.position,
        SelfAssessmentItem.id)))
    cache: dict[str, Evidence] = {}
    out = []
    for item in items:
        key = item.evidence_key
        if key in EVIDENCE and key not in cache:
            cache[key] = EVIDENCE[key](session, today)
        out.append((item, cache.get(key)))
    return out


def save_item(session: Session, item: SelfAssessmentItem | None, data: dict) -> SelfAssessmentItem:
    """Create or change a checklist item; raises ValidationFailed listing every problem."""
    problems: list[tuple[str | None, str]] = []
    text = (data.get("text") or "").strip()
    if not text:
        problems.append(("text", "Write the checklist item."))
    if data.get("step") not in STEPS:
        problems.append(("step", "Choose step 3, 4 or 5."))
    if data.get("checklist") not in CHECKLISTS:
        problems.append(("checklist", "Choose the Checklist to Start or the Checklist to Improve."))
    if data.get("status") not in SELF_ASSESSMENT_STATUSES:
        problems.append(("status", "Choose a status from the list."))
    key = data.get("evidence_key") or None
    if key and key not in EVIDENCE:
        problems.append(("evidence_key", "Choose a measure from the list, or none."))
    if problems:
        raise ValidationFailed(problems)
    item = item or SelfAssessmentItem()
    item.text, item.step, item.checklist, item.status = text, data["step"], data["checklist"], data["status"]
    item.owner = (data.get("owner") or "").strip() or None
    item.notes = (data.get("notes") or "").strip() or None
    item.evidence_key = key
    if item.id is None:
        item.position = data.get("position") or 99
        session.add(item)
    session.flush()
    return item
