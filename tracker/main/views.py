"""The home page (what each role needs first) and the health check."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from models import db
from models.org import School
from models.people import Person
from models.policy import can
from models.scoping import person_scope, school_scope
from models.services.reports import dashboards as dash
from tracker.charts import bar_chart, funnel_chart
from tracker.main.blueprint import bp
from tracker.security import today


def _figures(day) -> dict:
    """The figures the user's home page shows (models/policy.py: home_*), each from one or two queries."""
    s, u = db.session, current_user
    figures: dict = {}
    if can(u, "manage_hiring"):
        figures["hiring"] = dash.hiring_summary(s, u, day)
        figures["funnel"] = funnel_chart("Hiring funnel", dash.funnel(figures["hiring"]))
    if can(u, "home_training_figures"):
        # One run of the engine for every training figure on the page.
        by_course = can(u, "home_course_figures")
        overview = dash.compliance_overview(s, u, day, courses=by_course)
        figures["by_school"], figures["counts"] = overview["by_school"], overview["counts"]
        if by_course:
            figures["by_course"], figures["expiring"] = overview["by_course"], overview["expiring"]
        figures["school_chart"] = bar_chart(
            "Training compliance by school",
            [(r["school"], None if r["rate"] is None else 100 * r["rate"]) for r in figures["by_school"]],
            max_value=100, value_label="Requirements in good standing")
    if can(u, "home_oversight"):
        figures["evals"] = dash.evaluation_counts(s, u, day)
        figures["flags_total"], figures["flags"] = dash.open_flags(s, u, day)
    if can(u, "home_sros"):
        figures["sros"] = dash.people_overview(s, u, day, "sro")
    if can(u, "home_todo") and u.person_id:
        figures["todo"] = dash.my_todo(s, u.person_id, day)
    return figures


@bp.route("/")
@login_required
def home():
    """Landing page: the figures this user's role answers to, within their scope."""
    day = today()
    people = db.session.scalar(select(func.count(Person.id)).where(person_scope(current_user, day)))
    schools = db.session.scalar(select(func.count(School.id)).where(school_scope(current_user, day)))
    return render_template("main/home.html", people_count=people, school_count=schools, day=day,
                           **_figures(day))


@bp.route("/healthz")
def healthz():
    """Liveness and database state, as JSON."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception as exc:  # the point of the endpoint is to report, not raise
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
