"""Panel pages: seating members, scoring, finalizing, the scorecard and its exports."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import db
from models.accounts import User
from models.hiring import Score
from models.services.hiring import panel as panel_svc
from models.services.hiring.screening import SUMMARY_LABELS
from models.services.hiring.vacancies import can_see_background
from models.services.infra.exports import dataframe_to_csv_bytes, dataframe_to_xlsx_bytes
from tracker.forms import act, submit
from tracker.hiring.access import (
    candidate_or_404,
    member_or_404,
    my_seat,
    vacancy_or_404,
)
from tracker.hiring.blueprint import bp
from tracker.hiring.exports import scorecard_frames
from tracker.hiring.forms import ActionForm, PanelMemberForm, score_form_class
from tracker.security import requires, today


@bp.route("/vacancies/<int:vacancy_id>/panel", methods=["GET", "POST"])
@requires("manage_hiring")
def edit_panel(vacancy_id: int):
    """HR seats panel members (with or without accounts)."""
    vacancy = vacancy_or_404(vacancy_id)
    form = PanelMemberForm()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)).all()
    form.user_id.choices = [("", "— no account —")] + [(u.id, f"{u.email} ({u.role_label})") for u in users]
    if request.method == "POST":
        member = submit(form, lambda data: panel_svc.add_member(db.session, vacancy, data))
        if member:
            flash(f"{member.name} joined the panel as {member.seat_label.lower()}.", "success")
            return redirect(url_for("hiring.edit_panel", vacancy_id=vacancy.id))
    return render_template("hiring/edit_panel.html", form=form, vacancy=vacancy, action_form=ActionForm())


@bp.route("/vacancies/<int:vacancy_id>/panel/<int:member_id>/remove", methods=["POST"])
@requires("manage_hiring")
def remove_member(vacancy_id: int, member_id: int):
    """HR takes a member off the panel before scoring is finalized."""
    vacancy = vacancy_or_404(vacancy_id)
    member = member_or_404(vacancy, member_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if act(lambda: panel_svc.remove_member(db.session, member)):
        flash("Member removed from the panel.", "success")
    return redirect(url_for("hiring.edit_panel", vacancy_id=vacancy.id))


@bp.route("/candidates/<int:candidate_id>/scores/<int:member_id>", methods=["GET", "POST"])
@requires("see_vacancy")
def edit_scores(candidate_id: int, member_id: int):
    """A member scores a candidate (HR enters scores for members without an account)."""
    candidate = candidate_or_404(candidate_id)
    vacancy = candidate.vacancy
    member = member_or_404(vacancy, member_id)
    if not panel_svc.may_score(current_user, member):
        abort(403)
    form = score_form_class(vacancy)()
    if request.method == "GET":
        for s in db.session.scalars(select(Score).where(Score.member_id == member.id,
                                                        Score.candidate_id == candidate.id)):
            form[f"rating_{s.criterion_id}"].data = str(s.rating)
            form[f"comment_{s.criterion_id}"].data = s.comment
    if request.method == "POST":
        if submit(form, lambda data: panel_svc.save_scores(db.session, member, candidate, data,
                                                           current_user)):
            flash(f"Scores by {member.name} for {candidate.full_name} saved.", "success")
            return redirect(url_for("hiring.show_vacancy", vacancy_id=vacancy.id))
    return render_template("hiring/edit_scores.html", form=form, candidate=candidate, vacancy=vacancy,
                           member=member)


@bp.route("/vacancies/<int:vacancy_id>/finalize", methods=["POST"])
@requires("manage_hiring")
def finalize_scoring(vacancy_id: int):
    """HR locks the panel's scores (refused without a school administrator on the panel)."""
    vacancy = vacancy_or_404(vacancy_id)
    form = ActionForm()
    if submit(form, lambda data: panel_svc.finalize_scoring(db.session, vacancy, today())):
        flash("Scoring finalized: scores are locked.", "success")
    else:
        flash(" ".join(form.form_errors) or "Scoring could not be finalized.", "error")
    return redirect(url_for("hiring.show_vacancy", vacancy_id=vacancy.id))


@bp.route("/vacancies/<int:vacancy_id>/scorecard")
@requires("see_vacancy")
def show_scorecard(vacancy_id: int):
    """Candidates side by side: per-member weighted totals, average, hard requirements, background."""
    vacancy = vacancy_or_404(vacancy_id)
    rows = panel_svc.scorecard(db.session, vacancy)
    return render_template("hiring/show_scorecard.html", vacancy=vacancy, rows=rows,
                           max_total=panel_svc.max_total(vacancy), summary_labels=SUMMARY_LABELS,
                           seat=my_seat(vacancy))


@bp.route("/vacancies/<int:vacancy_id>/scorecard.<fmt>")
@requires("see_vacancy")
def export_scorecard(vacancy_id: int, fmt: str):
    """The scorecard as CSV or XLSX (background details only for HR and admins)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    vacancy = vacancy_or_404(vacancy_id)
    summary, ratings = scorecard_frames(db.session, vacancy, detail=can_see_background(current_user))
    name = f"scorecard-vacancy-{vacancy.id}-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        body, mimetype = dataframe_to_csv_bytes(summary), "text/csv"
    else:
        body = dataframe_to_xlsx_bytes({"Scorecard": summary, "Ratings": ratings})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
