"""Training pages: the compliance board, transcripts, course pages, completions, certificates, presets."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import db
from models.base import utcnow
from models.errors import ValidationFailed
from models.org import School
from models.people import ROLES
from models.scoping import school_scope
from models.services.infra.words import plural
from models.services.training import board as board_svc
from models.services.training import completions as svc
from models.services.training.board import BoardFilters, board_page, parse_row_keys
from models.services.training.catalog import offered_courses
from models.services.training.compliance import (
    STATUS_LABELS,
    STATUSES,
    compliance_rows,
    unmet_before_assignment,
)
from models.training import PRESETS, Completion, Course, Requirement, Waiver
from tracker.downloads import download, requested_format
from tracker.forms import get_or_404, submit
from tracker.nav import add_nav
from tracker.people.queries import visible_person_or_404
from tracker.security import requires, safe_next, today
from tracker.training.blueprint import bp
from tracker.training.forms import BulkForm, CompletionForm, PresetsForm, VerifyForm, WaiverForm
from tracker.training.queries import SORT_LABELS, board_frame

add_nav("Training", "training.board", "see_training", 30)


@bp.route("/")
@requires("see_training")
def board():
    """The compliance board: filters, search and sort in the address, paged; ?format=csv|xlsx exports it."""
    day, filters = today(), BoardFilters.from_args(request.args)
    fmt = requested_format()
    if fmt:
        frame = board_frame(db.session, current_user, day, filters)
        return download(frame, f"training-board-{day.isoformat()}", fmt)
    page = board_page(db.session, current_user, day, filters, current_app.config["TRAINING_BOARD_PER_PAGE"])
    schools = db.session.scalars(select(School).where(school_scope(current_user, day))
                                 .order_by(School.name)).all()
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    return render_template("training/board.html", board=page, f=filters, statuses=STATUSES,
                           labels=STATUS_LABELS, schools=schools, courses=courses, roles=ROLES,
                           sorts=SORT_LABELS, bulk_form=BulkForm(back=request.full_path), today_=day)


def _bulk(action, done, skipped):
    """Run a bulk action on the rows selected on the board, then go back to the same filtered view."""
    form = BulkForm()
    back = safe_next(form.back.data) or url_for("training.board")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for messages in form.errors.values():  # the reason: too long, or a hidden character
            for message in messages:
                flash(message, "error")
        return redirect(back)
    try:
        keys = parse_row_keys(request.form.getlist("rows"))
        made, passed = action(keys, form)
    except ValidationFailed as error:
        db.session.rollback()
        for _, message in error.problems:
            flash(message, "error")
    else:
        db.session.commit()
        flash(done(made) + (skipped(passed) if passed else ""), "success")
    return redirect(back)


@bp.route("/bulk/verify", methods=["POST"])
@requires("verify_training")
def bulk_verify():
    """Verify the latest completion of every selected row."""
    return _bulk(lambda keys, _: board_svc.bulk_verify(db.session, current_user, today(), keys, utcnow()),
                 lambda n: f"{plural(n, 'completion')} verified.",
                 lambda n: f" {plural(n, 'row')} had no completion to verify, or "
                           f"{'it was' if n == 1 else 'they were'} verified already.")


@bp.route("/bulk/waive", methods=["POST"])
@requires("record_training")
def bulk_waive():
    """Waive every selected requirement for its person, with one reason."""
    return _bulk(lambda keys, form: board_svc.bulk_waive(db.session, current_user, today(), keys,
                                                         form.reason.data, current_user.email),
                 lambda n: f"{plural(n, 'requirement')} waived.",
                 lambda n: f" {plural(n, 'row')} {'was' if n == 1 else 'were'} already waived.")


def _transcript_context(person, day):
    rows = compliance_rows(db.session, day, person_ids=[person.id])
    courses = {c.id: c for c in db.session.scalars(select(Course))}
    history = db.session.scalars(select(Completion).where(Completion.person_id == person.id)
                                 .options(selectinload(Completion.course))
                                 .order_by(Completion.completed_on.desc(), Completion.id.desc())).all()
    waivers = db.session.scalars(select(Waiver).where(Waiver.person_id == person.id)).all()
    cleared = None
    if any(a.role == "sro" and (a.end_date is None or a.end_date >= day) for a in person.assignments):
        cleared = unmet_before_assignment(db.session, person.id, "sro", day)
    return {"person": person, "rows": rows, "courses": courses, "history": history,
            "waivers": waivers, "unmet": cleared, "labels": STATUS_LABELS, "today_": day}


@bp.route("/people/<int:person_id>")
@login_required
def transcript(person_id: int):
    """A person's printable transcript: status per requirement and the full history."""
    day = today()
    person = visible_person_or_404(current_user, person_id, day)
    return render_template("training/transcript.html", verify_form=VerifyForm(),
                           **_transcript_context(person, day))


@bp.route("/people/<int:person_id>/completions/new", methods=["GET", "POST"])
@requires("record_training")
def create_completion(person_id: int):
    """Record one completion, with an optional certificate."""
    day = today()
    person = visible_person_or_404(current_user, person_id, day)
    form = CompletionForm()
    form.course_id.choices = [("", "— choose —")] + [
        (c.id, f"{c.code} {c.title}") for c in offered_courses(db.session)]
    if request.method == "POST":
        def action(data):
            upload = request.files.get("certificate")
            cert = None
            if upload and upload.filename:
                name, kind = svc.store_certificate(current_app.config["UPLOAD_DIR"], upload.read())
                cert = (name, kind, upload.filename[:255])
            return svc.record_completion(db.session, person, data, day, user_id=current_user.id,
                                         certificate=cert)
        if submit(form, action):
            flash("Completion recorded.", "success")
            return redirect(url_for("training.transcript", person_id=person.id))
    return render_template("training/edit_completion.html", form=form, person=person)


@bp.route("/completions/<int:completion_id>/certificate")
@login_required
def download_certificate(completion_id: int):
    """The certificate file, only for users who may see the person (404 otherwise)."""
    comp = get_or_404(Completion, completion_id)
    visible_person_or_404(current_user, comp.person_id, today())
    path = svc.certificate_path(current_app.config["UPLOAD_DIR"], comp)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype=comp.certificate_type, as_attachment=True,
                     download_name=comp.certificate_name or path.name)


@bp.route("/completions/<int:completion_id>/verify", methods=["POST"])
@requires("verify_training")
def verify_completion(completion_id: int):
    """A coordinator verifies a completion."""
    comp = get_or_404(Completion, completion_id)
    visible_person_or_404(current_user, comp.person_id, today())
    if not VerifyForm().validate_on_submit():
        abort(400)
    svc.verify_completion(db.session, comp, current_user.id, utcnow())
    db.session.commit()
    flash("Completion verified.", "success")
    return redirect(url_for("training.transcript", person_id=comp.person_id))


@bp.route("/people/<int:person_id>/waivers/new", methods=["GET", "POST"])
@requires("record_training")
def create_waiver(person_id: int):
    """Waive a requirement for a person, with the reason."""
    day = today()
    person = visible_person_or_404(current_user, person_id, day)
    form = WaiverForm()
    reqs = db.session.scalars(select(Requirement).options(selectinload(Requirement.course))).all()
    form.requirement_id.choices = [("", "— choose —")] + [
        (r.id, f"{r.course.code} ({r.preset or 'national'})") for r in reqs]
    if request.method == "POST":
        if submit(form, lambda data: svc.grant_waiver(db.session, person, data, day,
                                                       user_id=current_user.id,
                                                       label=current_user.email)):
            flash("Waiver recorded.", "success")
            return redirect(url_for("training.transcript", person_id=person.id))
    return render_template("training/edit_waiver.html", form=form, person=person)


@bp.route("/courses/<int:course_id>")
@requires("see_training")
def show_course(course_id: int):
    """A course and the people (in scope) who are due, overdue or expired on it."""
    course, day = get_or_404(Course, course_id), today()
    filters = BoardFilters(course_id=course.id)
    counts = board_svc.board_counts(db.session, current_user, day, filters)
    rows = db.session.execute(board_svc.board_query(db.session, current_user, day, filters).limit(500)).all()
    due = [r for r in rows if r.status in ("due_soon", "overdue", "expired", "not_yet_due")]
    return render_template("training/show_course.html", course=course, rows=due, counts=counts,
                           labels=STATUS_LABELS, statuses=STATUSES)


@bp.route("/presets", methods=["GET", "POST"])
@requires("manage_catalog")
def edit_presets():
    """Switch the district's state presets on or off (each change is audited)."""
    form = PresetsForm()
    form.presets.choices = list(PRESETS.items())
    if request.method == "GET":
        form.presets.data = sorted(svc.district_presets(db.session))
    elif submit(form, lambda data: svc.set_presets(db.session, data["presets"] or [])):
        flash("State presets saved.", "success")
        return redirect(url_for("training.edit_presets"))
    reqs = db.session.scalars(select(Requirement).where(Requirement.preset.is_not(None))
                              .options(selectinload(Requirement.course),
                                       selectinload(Requirement.role_links))
                              .order_by(Requirement.preset, Requirement.id)).all()
    return render_template("training/edit_presets.html", form=form, presets=PRESETS,
                           requirements=reqs, roles=ROLES)


@bp.app_context_processor
def _training_helpers():
    """`training_summary(person)` for the person page's training section."""
    return {"training_summary": lambda person: _transcript_context(person, today())}
