"""HR and admins set when evaluations fall due (school-year end, annual, first review)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from models import db
from models.services.evaluations.cycles import cycle_settings, save_cycle_settings
from tracker.evaluations.blueprint import bp
from tracker.evaluations.forms import CycleSettingsForm
from tracker.forms import submit
from tracker.nav import add_nav
from tracker.security import requires

add_nav("Evaluation cycles", "evaluations.edit_cycles", "manage_cycles", 54)


@bp.route("/cycles", methods=["GET", "POST"])
@requires("manage_cycles")
def edit_cycles():
    """Show and change the cycle settings; every change is audited."""
    form = CycleSettingsForm(data=cycle_settings(db.session) if request.method == "GET" else None)
    if request.method == "POST" and submit(form, lambda data: save_cycle_settings(db.session, data)):
        flash("Evaluation cycle settings saved. Due dates everywhere now follow them.", "success")
        return redirect(url_for("evaluations.edit_cycles"))
    return render_template("evaluations/edit_cycles.html", form=form)
