"""Outcome data pages: suppressed tables, entry form, CSV import and downloads."""

from __future__ import annotations

import pandas as pd
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from models.policy import can
from models.reports import OUTCOME_MEASURES
from models.services.reports import outcomes as svc
from models.services.reports.builders import visible_school_ids
from tracker.downloads import download
from tracker.forms import submit
from tracker.reports.blueprint import bp
from tracker.reports.common import threshold, visible_schools
from tracker.reports.forms import OutcomeForm, OutcomeImportForm
from tracker.security import requires, today


def _tables(term: str, measure: str):
    day = today()
    scoped = None if current_user.district_wide else visible_school_ids(db.session, current_user, day)
    return svc.outcome_tables(db.session, term, measure, scoped, threshold())


@bp.route("/outcomes")
@requires("see_reports")
def list_outcomes():
    """Outcome counts per school for a term and measure, small cells suppressed."""
    terms = svc.outcome_terms(db.session)
    term = request.args.get("term") if request.args.get("term") in terms else (terms[0] if terms else None)
    measure = request.args.get("measure") if request.args.get("measure") in OUTCOME_MEASURES else "referral"
    tables = _tables(term, measure) if term else []
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx") and term:
        frames = []
        for t in tables:
            rows = [[t.title, label, *cells] for label, cells in t.table.rows()]
            frames.append(pd.DataFrame(rows, columns=["Breakdown", "School", *t.table.col_labels, "Total"]))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return download(frame, f"outcomes-{measure}-{term}", fmt)
    return render_template("reports/outcomes.html", terms=terms, term=term, measure=measure,
                           measures=OUTCOME_MEASURES, tables=tables, threshold=threshold(),
                           can_edit=can(current_user, "see_district_reports"))


@bp.route("/outcomes/new", methods=["GET", "POST"])
@requires("see_district_reports")
def edit_outcomes():
    """Enter or correct one school's counts for a term and measure."""
    form = OutcomeForm()
    form.school_id.choices = [(s.id, s.name) for s in visible_schools(today())]
    if request.method == "POST":
        changed = submit(form, lambda data: svc.save_outcome_counts(
            db.session, data["school_id"], data["term"], data["measure"], form.counts()))
        if changed:
            flash("Outcome counts saved.", "success")
            return redirect(url_for("reports.list_outcomes", term=form.term.data.strip(),
                                    measure=form.measure.data))
    return render_template("reports/edit_outcomes.html", form=form, import_form=OutcomeImportForm())


@bp.route("/outcomes/import", methods=["POST"])
@requires("see_district_reports")
def import_outcomes():
    """Import counts from a CSV file: all rows or none."""
    form = OutcomeImportForm()
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    done = submit(form, lambda _: svc.import_outcomes_csv(db.session, data))
    if done:
        flash("The file was imported.", "success")
        return redirect(url_for("reports.list_outcomes"))
    entry = OutcomeForm(formdata=None)
    entry.school_id.choices = [(s.id, s.name) for s in visible_schools(today())]
    return render_template("reports/edit_outcomes.html", form=entry, import_form=form), 400
