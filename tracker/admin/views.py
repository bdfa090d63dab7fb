"""Admin pages: job runs, the outbox (and what would have been sent), the reminder plan."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from jobs.registry import JOBS
from jobs.runs import describe
from models import db
from models.base import utcnow
from models.jobruns import JobRun, SchedulerLease
from models.notifications import OUTBOX_STATUSES, RECIPIENT_ROLES, OutboxMessage, ReminderStep
from models.services.reminders.mailer import MailSettings, render
from models.services.reminders.plan import update_step
from tracker.admin.blueprint import bp
from tracker.admin.forms import ActionForm, ReminderStepForm
from tracker.forms import get_or_404, submit
from tracker.nav import add_nav
from tracker.security import requires
from tracker.security import today as district_today

add_nav("Jobs", "admin.list_job_runs", "run_jobs", order=91)
add_nav("Outbox", "admin.list_outbox", "run_jobs", order=92)
add_nav("Reminder plan", "admin.list_reminder_steps", "run_jobs", order=93)
PAGE = 200


@bp.route("/jobs")
@requires("run_jobs")
def list_job_runs():
    """The schedule, the scheduler lease and the latest runs (attempts, dead owners, retries)."""
    runs = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                              .limit(PAGE)).all()
    lease = db.session.get(SchedulerLease, "scheduler")
    daily, now, today = {s.name for s in JOBS if s.daily}, utcnow(), district_today()
    states = {run.id: describe(run, today=today, now=now, daily=daily) for run in runs}
    return render_template("admin/list_job_runs.html", runs=runs, jobs=JOBS, lease=lease, states=states)


@bp.route("/outbox")
@requires("run_jobs")
def list_outbox():
    """Messages by status: pending, sent, parked, and those that would have been sent."""
    status = request.args.get("status", "")
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                                     .group_by(OutboxMessage.status)).all())
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE)
    if status in OUTBOX_STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    return render_template("admin/list_outbox.html", rows=db.session.scalars(stmt).all(), counts=counts,
                           statuses=OUTBOX_STATUSES, status=status,
                           mail_server=current_app.config.get("MAIL_SERVER"), action_form=ActionForm())


@bp.route("/outbox/<int:message_id>")
@requires("run_jobs")
def show_outbox_message(message_id: int):
    """One message as it was (or would have been) sent, with every delivery attempt."""
    row = db.session.scalar(select(OutboxMessage).options(selectinload(OutboxMessage.attempt_log))
                            .where(OutboxMessage.id == message_id))
    if row is None:
        abort(404)
    text, html = render(row, MailSettings.from_config(current_app.config))
    return render_template("admin/show_outbox_message.html", row=row, text=text, html=html,
                           action_form=ActionForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@requires("run_jobs")
def retry_outbox_message(message_id: int):
    """Put a parked or unsent message back in the queue (after fixing the address, say)."""
    row = get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit() and row.status in ("parked", "skipped"):
        row.status, row.next_attempt_at, row.attempts = "pending", None, 0
        db.session.commit()
        flash("The message is queued again; the next send-email run will try it.", "success")
    return redirect(url_for("admin.show_outbox_message", message_id=row.id))


@bp.route("/reminders")
@requires("run_jobs")
def list_reminder_steps():
    """The reminder plan, step by step."""
    steps = db.session.scalars(select(ReminderStep)
                               .order_by(ReminderStep.kind.desc(), ReminderStep.offset_days)).all()
    return render_template("admin/list_reminder_steps.html", steps=steps, roles=RECIPIENT_ROLES)


@bp.route("/reminders/<int:step_id>/edit", methods=["GET", "POST"])
@requires("run_jobs")
def edit_reminder_step(step_id: int):
    """Change when a step is sent and to whom."""
    step = get_or_404(ReminderStep, step_id)
    form = ReminderStepForm(obj=step)
    if request.method == "GET":
        form.recipients.data = step.recipient_list
    if request.method == "POST" and submit(form, lambda data: update_step(db.session, step, data)):
        flash(f"Saved “{step.label}”.", "success")
        return redirect(url_for("admin.list_reminder_steps"))
    return render_template("admin/edit_reminder_step.html", form=form, step=step)
