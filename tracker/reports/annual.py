"""The annual program report for the school board: one printable page set."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from models import db
from models.evaluations import RECOGNITION_KINDS, Recognition
from models.people import PERSON_TYPES, Assignment, Person
from models.reports import OUTCOME_MEASURES, STEPS
from models.scoping import not_ended
from models.services.reports import dashboards as dash
from models.services.reports import outcomes as outcome_svc
from models.services.reports import self_assessment as sa
from tracker.reports.blueprint import bp
from tracker.reports.common import threshold
from tracker.security import requires, today


def _staffing(day):
    stmt = (select(Person.person_type, func.count(func.distinct(Person.id)))
            .join(Assignment, Assignment.person_id == Person.id)
            .where(not_ended(day), Assignment.start_date <= day).group_by(Person.person_type))
    counts = dict(db.session.execute(stmt).all())
    return [(label, counts.get(key, 0)) for key, label in PERSON_TYPES.items()]


@bp.route("/annual")
@requires("see_district_reports")
def annual_report():
    """Staffing, training, evaluations, recognition, outcome data and self-assessment in one document."""
    day = today()
    recognitions = dict(db.session.execute(
        select(Recognition.kind, func.count(Recognition.id))
        .where(Recognition.awarded_on > day - timedelta(days=365)).group_by(Recognition.kind)).all())
    terms = outcome_svc.outcome_terms(db.session)
    outcome_totals = []
    if terms:
        for key, label in OUTCOME_MEASURES.items():
            tables = outcome_svc.outcome_tables(db.session, terms[0], key, None, threshold())
            totals = [(t.title, t.table.col_labels, t.table.rows()[-1][1]) for t in tables]
            outcome_totals.append((label, totals))
    checklist = sa.checklist(db.session, day)
    training = dash.compliance_overview(db.session, current_user, day, courses=True)  # one engine run
    return render_template(
        "reports/annual.html", day=day, staffing=_staffing(day),
        counts=training["counts"], by_school=training["by_school"], by_course=training["by_course"],
        evals=dash.evaluation_counts(db.session, current_user, day),
        recognitions=[(label, recognitions.get(k, 0)) for k, label in RECOGNITION_KINDS.items()],
        term=terms[0] if terms else None, outcome_totals=outcome_totals, threshold=threshold(),
        checklist=checklist, steps=STEPS)
