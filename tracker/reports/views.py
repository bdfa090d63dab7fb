"""Reports (HTML, CSV, XLSX) and the charts page, every one scoped to what the user may see."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from models import db
from models.policy import can
from models.services.infra.exports import neutralize_frame
from models.services.reports import dashboards as dash
from models.services.reports.builders import REPORTS, visible_school_ids
from tracker.charts import bar_chart, funnel_chart, line_chart
from tracker.downloads import download, requested_format
from tracker.nav import add_nav
from tracker.reports.blueprint import bp
from tracker.reports.common import visible_schools
from tracker.security import requires, today

HTML_ROWS = 100  # rows per page of a report; the downloads hold them all

add_nav("Reports", "reports.index", "see_reports", 60)


@bp.app_template_filter("table_rows")
def table_rows(frame) -> Markup:
    """A report frame's rows as HTML, the first cell of each a row header.

    Built here rather than in a Jinja loop: a page of the compliance matrix holds 10,000 cells,
    and a template loop spends about 10 µs on each.
    """
    if frame.empty:
        return Markup('<tr><td colspan="{}">Nothing to show.</td></tr>').format(len(frame.columns) or 1)
    lines = (f'<tr><th scope="row">{escape(row[0])}</th>' + "".join(f"<td>{escape(v)}</td>" for v in row[1:])
             + "</tr>" for row in frame.itertuples(index=False, name=None))
    return Markup("\n".join(lines))  # noqa: S704 - every value went through escape()


def _params(day: date) -> dict:
    """Report parameters from the query string; a school outside the user's scope answers 404."""
    params = {"school": request.args.get("school", type=int), "days": request.args.get("days", type=int),
              "year": request.args.get("year", type=int)}
    if params["school"] and params["school"] not in visible_school_ids(db.session, current_user, day):
        abort(404)
    return params


@bp.route("/")
@requires("see_reports")
def index():
    """The list of reports and the other report pages."""
    reports = [r for r in REPORTS.values() if can(current_user, r.capability)]
    return render_template("reports/index.html", reports=reports)


@bp.route("/<key>")
@requires("see_reports")
def show_report(key: str):
    """One report as a table, or as a CSV/XLSX download with ?format=csv|xlsx."""
    spec = REPORTS.get(key) or abort(404)
    if not can(current_user, spec.capability):
        abort(403)
    day = today()
    params = _params(day)
    fmt = requested_format()
    if fmt:
        frame = spec.build(db.session, current_user, day, params)
        return download(frame, f"{key}-{day.isoformat()}", fmt)
    page = min(max(request.args.get("page", 1, type=int), 1), 10**6)  # beyond any report's pages
    frame = spec.build(db.session, current_user, day,
                       {**params, "limit": HTML_ROWS, "offset": (page - 1) * HTML_ROWS})
    total = frame.attrs.get("total", len(frame))
    if "total" not in frame.attrs:  # a small report built whole: slice the page here
        frame = frame.iloc[(page - 1) * HTML_ROWS:]
    shown = neutralize_frame(frame.head(HTML_ROWS)).fillna("")
    # The download and pager links repeat the page's filters, not the names url_for itself takes.
    link_args = {k: v for k, v in request.args.items() if k not in ("key", "format", "page") and k[:1] != "_"}
    return render_template("reports/show_report.html", spec=spec, frame=shown, total=total,
                           link_args=link_args, params=params, schools=visible_schools(day), limit=HTML_ROWS,
                           page=page,
                           first=(page - 1) * HTML_ROWS + 1 if len(shown) else 0,
                           last=(page - 1) * HTML_ROWS + len(shown))


@bp.route("/charts")
@requires("see_reports")
def charts():
    """Compliance by school and over time, evaluations against due, and the hiring funnel."""
    day = today()
    by_school = dash.compliance_by_school(db.session, current_user, day)
    x_labels, series = dash.compliance_trend(db.session, current_user, day, days=30)
    charts = [
        bar_chart("Training compliance by school",
                  [(r["school"], None if r["rate"] is None else 100 * r["rate"]) for r in by_school],
                  max_value=100, value_label="Requirements in good standing"),
        line_chart("Training compliance over the last 30 days", x_labels, series),
    ]
    if can(current_user, "see_evaluations"):
        evals = dash.evaluations_by_school(db.session, current_user, day)
        shares = [(r["school"], 100 * r["complete"] / r["due"] if r["due"] else None) for r in evals]
        chart = bar_chart("Evaluations completed against due, by school", shares,
                          max_value=100, value_label="Completed of those due")
        chart.columns = ["School", "Due so far", "Completed", "Share completed"]
        chart.rows = [[r["school"], str(r["due"]), str(r["complete"]), row[1]]
                      for r, row in zip(evals, chart.rows, strict=True)]
        charts.append(chart)
    if can(current_user, "see_vacancy"):
        charts.append(funnel_chart("Hiring funnel",
                                   dash.funnel(dash.hiring_summary(db.session, current_user, day))))
    return render_template("reports/charts.html", charts=charts)

