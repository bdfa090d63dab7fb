"""Evaluation pages: dashboards, the form, signatures, acknowledgement, amendments and printing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import db
from models.errors import DomainError, ValidationFailed
from models.services.evaluations import access
from models.services.evaluations import workflow as svc
from tracker.evaluations.blueprint import bp
from tracker.evaluations.forms import (
    AcknowledgeForm,
    ActionForm,
    AmendmentForm,
    StartForm,
    evaluation_form,
)
from tracker.evaluations.queries import (
    dashboard,
    person_recognitions,
    visible_evaluation_or_404,
    visible_evaluations,
)
from tracker.forms import act, submit
from tracker.nav import add_nav
from tracker.people.queries import visible_person_or_404
from tracker.security import requires, today

add_nav("Evaluations", "evaluations.my_evaluations", "list_evaluations", 50)
add_nav("Co-sign queue", "evaluations.cosign_queue", "co_sign", 50)
add_nav("My evaluation history", "evaluations.own_evaluations", "see_own_evaluations", 51)


@bp.app_context_processor
def _evaluation_helpers():
    def person_panel(person):
        if not current_user.is_authenticated:
            return {"evaluations": [], "recognitions": []}
        return {"evaluations": visible_evaluations(current_user, today(), person_id=person.id),
                "recognitions": person_recognitions(current_user, today(), person.id)}

    return {"evaluation_panel": person_panel}


def _run(action, success: str):
    """Run a one-button service call: commit on success, flash the refusal otherwise."""
    try:
        action()
    except (DomainError, ValidationFailed) as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


@bp.route("/")
@requires("list_evaluations")
def my_evaluations():
    """Due, overdue, in-progress and awaiting-signature evaluations for the principal's schools (HR: all)."""
    return render_template("evaluations/my_evaluations.html", groups=dashboard(current_user, today()),
                           start_form=StartForm())


@bp.route("/cosign")
@requires("co_sign")
def cosign_queue():
    """The agency supervisor's SRO evaluations waiting for a co-signature, and the ones done."""
    evaluations = visible_evaluations(current_user, today())
    waiting = [e for e in evaluations if access.can_cosign(current_user, e)]
    return render_template("evaluations/cosign_queue.html", waiting=waiting,
                           others=[e for e in evaluations if e not in waiting and e.audience == "sro"])


@bp.route("/mine")
@login_required
def own_evaluations():
    """The logged-in person's own evaluation history."""
    if current_user.person_id is None:
        abort(404)
    return redirect(url_for("evaluations.person_evaluations", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>")
@requires("see_evaluations")
def person_evaluations(person_id: int):
    """A person's evaluation history (only what the user may see) and recognitions."""
    person = visible_person_or_404(current_user, person_id, today())
    return render_template("evaluations/person_evaluations.html", person=person)


@bp.route("/start", methods=["POST"])
@requires("start_evaluation")
def start_evaluation():
    """Open a draft for a due item of a person at the principal's schools."""
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    person = visible_person_or_404(current_user, form.person_id.data, today())
    ev = act(lambda: svc.start_evaluation(db.session, person_id=person.id,
                                          assignment_id=form.assignment_id.data or 0,
                                          cycle=form.cycle.data, evaluator=current_user, today=today()))
    if ev is None:
        return redirect(url_for("evaluations.my_evaluations"))
    return redirect(url_for("evaluations.edit_evaluation", evaluation_id=ev.id))


@bp.route("/<int:evaluation_id>")
@login_required
def show_evaluation(evaluation_id: int):
    """One evaluation with its ratings, signatures, response and amendments."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    return render_template("evaluations/show_evaluation.html", ev=ev, ack_form=AcknowledgeForm(),
                           amend_form=AmendmentForm(), action_form=ActionForm(), access=access)


@bp.route("/<int:evaluation_id>/edit", methods=["GET", "POST"])
@requires("start_evaluation")
def edit_evaluation(evaluation_id: int):
    """The principal rates each criterion, saves the draft, and signs and submits it."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    if not access.can_edit(current_user, ev):
        flash("This evaluation is final and locked; add an amendment to correct it." if ev.is_locked
              else "This evaluation has been submitted and can no longer be edited.", "error")
        return redirect(url_for("evaluations.show_evaluation", evaluation_id=ev.id))
    form = evaluation_form(ev, obj=ev if request.method == "GET" else None)
    if request.method == "GET":
        for r in ev.ratings:
            form[f"rating_{r.criterion_id}"].data = "" if r.rating is None else str(r.rating)
            form[f"comment_{r.criterion_id}"].data = r.comment or ""
    if request.method == "POST":
        final = bool(form.submit_evaluation.data)
        if submit(form, lambda data: svc.save_evaluation(db.session, ev, data, user=current_user,
                                                         today=today(), submit=final)):
            flash("Evaluation signed and submitted." if final else "Draft saved.", "success")
            return redirect(url_for("evaluations.show_evaluation" if final else "evaluations.edit_evaluation",
                                    evaluation_id=ev.id))
    return render_template("evaluations/edit_evaluation.html", ev=ev, form=form)


@bp.route("/<int:evaluation_id>/cosign", methods=["POST"])
@requires("co_sign")
def cosign_evaluation(evaluation_id: int):
    """The SRO's agency supervisor co-signs."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    if not ActionForm().validate_on_submit():
        abort(400)
    _run(lambda: svc.cosign_evaluation(db.session, ev, user=current_user, today=today()),
         "Evaluation co-signed.")
    return redirect(url_for("evaluations.show_evaluation", evaluation_id=ev.id))


@bp.route("/<int:evaluation_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_evaluation(evaluation_id: int):
    """The evaluated person acknowledges, optionally with a written response; the evaluation is final."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    _run(lambda: svc.acknowledge_evaluation(db.session, ev, user=current_user,
                                            response=form.response.data, today=today()),
         "Thank you: your acknowledgement is recorded and the evaluation is final.")
    return redirect(url_for("evaluations.show_evaluation", evaluation_id=ev.id))


@bp.route("/<int:evaluation_id>/amend", methods=["POST"])
@requires("amend_evaluation")
def amend_evaluation(evaluation_id: int):
    """Attach a correction to a final evaluation."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    form = AmendmentForm()
    if not form.validate_on_submit():
        abort(400)
    _run(lambda: svc.add_amendment(db.session, ev, user=current_user, body=form.body.data, today=today()),
         "Amendment recorded.")
    return redirect(url_for("evaluations.show_evaluation", evaluation_id=ev.id))


@bp.route("/<int:evaluation_id>/print")
@login_required
def print_evaluation(evaluation_id: int):
    """A printable view of a final evaluation."""
    ev = visible_evaluation_or_404(current_user, evaluation_id, today())
    if not ev.is_locked:
        abort(404)
    return render_template("evaluations/print_evaluation.html", ev=ev)

