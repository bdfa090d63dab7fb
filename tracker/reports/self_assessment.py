"""The SECURe self-assessment page and editing of its checklist items."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from models import db
from models.reports import CHECKLISTS, STEPS, SelfAssessmentItem
from models.services.reports import self_assessment as svc
from tracker.forms import get_or_404, submit
from tracker.reports.blueprint import bp
from tracker.reports.forms import SelfAssessmentForm
from tracker.security import requires, today


@bp.route("/self-assessment")
@requires("see_district_reports")
def show_self_assessment():
    """Checklist items for Steps 3–5 with status, owner, notes and computed evidence."""
    rows = svc.checklist(db.session, today())
    return render_template("reports/self_assessment.html", rows=rows, steps=STEPS, checklists=CHECKLISTS)


@bp.route("/self-assessment/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/self-assessment/<int:item_id>/edit", methods=["GET", "POST"])
@requires("see_district_reports")
def edit_self_assessment(item_id: int | None):
    """Add a checklist item or change one (text, status, owner, notes, measure)."""
    item = get_or_404(SelfAssessmentItem, item_id) if item_id else None
    form = SelfAssessmentForm(obj=item)
    form.evidence_key.choices = [("", "— none —")] + [(k, k.replace("_", " ").capitalize())
                                                     for k in svc.EVIDENCE]
    if request.method == "POST":
        if submit(form, lambda data: svc.save_item(db.session, item, data)):
            flash("Checklist item saved.", "success")
            return redirect(url_for("reports.show_self_assessment"))
    return render_template("reports/edit_self_assessment.html", form=form, item=item)
