"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from models import db
from models.org import School
from models.people import Person
from models.scoping import person_scope, school_scope
from tracker.security import today

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Landing page: the counts this user's scope covers, and links onward."""
    day = today()
    people = db.session.scalar(select(func.count(Person.id)).where(person_scope(current_user, day)))
    schools = db.session.scalar(select(func.count(School.id)).where(school_scope(current_user, day)))
    return render_template("main/home.html", people_count=people, school_count=schools)


@bp.route("/healthz")
def healthz():
    """Liveness and database state, as JSON."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception as exc:  # the point of the endpoint is to report, not raise
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
