"""Roster imports: upload for a preview that writes nothing, confirm it once, and the template to fill in."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from models.errors import DomainError, ValidationFailed
from models.services.training.roster_import import (
    MAX_HOURS,
    MAX_IMPORT_BYTES,
    TEMPLATE_HEADINGS,
    roster_template,
)
from models.services.training.roster_preview import (
    confirm_roster,
    discard,
    preview_roster,
    result_sentence,
)
from tracker.downloads import download
from tracker.forms import show_problems
from tracker.security import now, requires, today
from tracker.training.blueprint import bp
from tracker.training.forms import ConfirmImportForm, ImportForm


def _page(form: ImportForm, preview=None):
    return render_template("training/import.html", form=form, preview=preview, plan=preview and preview.plan,
                           confirm_form=ConfirmImportForm(formdata=None), max_hours=MAX_HOURS,
                           headings=TEMPLATE_HEADINGS)


@bp.route("/import", methods=["GET", "POST"])
@requires("record_training")
def import_roster():
    """Upload a roster: a preview of what it would add and skip and every problem by row; writes nothing."""
    form, preview = ImportForm(), None
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        try:
            preview = preview_roster(db.session, current_app.config["UPLOAD_DIR"], data,
                                     upload.filename if upload else "", user_id=current_user.id,
                                     today=today(), now=now())
        except ValidationFailed as error:
            show_problems(form, error)
        db.session.rollback()  # a preview only reads
    return _page(form, preview)


@bp.route("/import/confirm", methods=["POST"])
@requires("record_training")
def confirm_import():
    """Write the previewed roster in one transaction, if checking it again gives the same preview."""
    form, page_form = ConfirmImportForm(), ImportForm(formdata=None)
    if not form.validate():
        page_form.form_errors.extend(m for messages in form.errors.values() for m in messages)
        return _page(page_form)
    try:
        preview = confirm_roster(db.session, current_app.config["UPLOAD_DIR"], form.token.data,
                                 user_id=current_user.id, today=today(), now=now())
    except ValidationFailed as error:  # the held file cannot be read now
        show_problems(page_form, error)
        preview = None
    except DomainError as error:  # no such preview of this user's, or its rows recorded meanwhile
        page_form.form_errors.append(str(error))
        preview = None
    if preview is None or not preview.written:
        db.session.rollback()
        return _page(page_form, preview)
    db.session.commit()
    discard(current_app.config["UPLOAD_DIR"], preview.token)
    flash(result_sentence(preview.plan.added, len(preview.plan.recorded)), "success")
    for notice in preview.plan.notices:
        flash(notice, "warning")
    return redirect(url_for("training.import_roster"))


@bp.route("/import/template.csv", defaults={"fmt": "csv"})
@bp.route("/import/template.xlsx", defaults={"fmt": "xlsx"})
@requires("record_training")
def import_template(fmt: str):
    """The roster to fill in (CSV or XLSX): the recognised headings and one example row."""
    return download(roster_template(today()), "training-roster", fmt)
