"""Each role's home page shows its figures, checked against values counted by hand (see conftest)."""

from __future__ import annotations

import re


def _figure(html: str, fig_id: str) -> str:
    match = re.search(rf'id="{fig_id}">([^<]*)<', html)
    assert match, f"no figure {fig_id}"
    return match.group(1)


def _row(html: str, table_id: str, header: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf"<th scope=\"row\">(?:<a[^>]*>)?{re.escape(header)}(?:</a>)?</th>(.*?)</tr>", table)
    assert row, f"no row {header} in {table_id}"
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def _home(client, auth, email):
    assert auth.login(email).status_code == 302
    return client.get("/").get_data(as_text=True)


def test_coordinator_home_shows_district_compliance(client, auth, rw):
    html = _home(client, auth, rw.emails["coordinator"])
    assert _figure(html, "fig-overdue") == "1"
    assert _figure(html, "fig-expired") == "1"
    assert _figure(html, "fig-due-soon") == "1"
    assert [_figure(html, f"fig-expiring-{d}") for d in (30, 60, 90)] == ["1", "1", "1"]
    assert _row(html, "compliance-by-school", "Adams High") == ["2", "2", "100%", "0", "0"]
    assert _row(html, "compliance-by-school", "Burr Middle") == ["2", "0", "0%", "1", "1"]
    assert _row(html, "compliance-by-course", "BASIC") == ["2", "1", "50%"]
    assert _row(html, "compliance-by-course", "PBIS") == ["2", "1", "50%"]
    assert "Hiring" not in html


def test_hr_home_shows_vacancies_and_candidates_by_stage(client, auth, rw):
    html = _home(client, auth, rw.emails["hr"])
    assert _figure(html, "fig-open-vacancies") == "1"
    assert _figure(html, "fig-in-progress") == "3"
    assert _row(html, "candidates-by-stage", "Applied") == ["2"]
    assert _row(html, "candidates-by-stage", "Interviewed") == ["1"]
    assert _row(html, "candidates-by-stage", "Appointed") == ["1"]
    assert _row(html, "candidates-by-stage", "Not selected") == ["1"]
    assert "<svg" in html and "Data for “Hiring funnel”" in html


def test_principal_home_shows_only_their_school(client, auth, rw):
    html = _home(client, auth, rw.emails["principal"])
    assert _row(html, "compliance-by-school", "Adams High") == ["2", "2", "100%", "0", "0"]
    assert "Burr Middle" not in html
    assert _figure(html, "fig-overdue") == "0"
    assert _figure(html, "fig-due-soon") == "1"
    # Alice's PBIS renewal and two overdue evaluations each for Alice and Sam; nobody from Burr Middle.
    assert _figure(html, "fig-flags") == "5"
    flags = html.split("Open flags, earliest due first", 1)[1].split("</table>", 1)[0]
    assert "PBIS" in flags and "Atwood" in flags and "Officer" in flags
    assert "Barnes" not in flags and "Deputy" not in flags and "BASIC" not in flags
    # Alice and Sam each: first review (2025-11-30) and 2025-2026 annual overdue, 2026-2027 not yet due.
    assert _figure(html, "fig-evals-overdue") == "4"
    assert _figure(html, "fig-evals-due") == "0"


def test_supervisor_home_lists_their_sros(client, auth, rw):
    html = _home(client, auth, rw.emails["supervisor"])
    assert _row(html, "your-sros", "Officer, Sam") == ["1", "1", "2", "2"]
    assert "Deputy" not in html
    assert _figure(html, "fig-flags") == "2"  # Sam's two overdue evaluations; his training is complete


def test_staff_home_shows_own_todo(client, auth, rw):
    html = _home(client, auth, rw.emails["staff"])
    todo = html.split('id="todo"', 1)[1].split("</table>", 1)[0]
    assert "PBIS" in todo and "Due soon" in todo
    assert todo.count("Evaluation (") == 3
    assert "BASIC" not in todo
    assert "compliance-by-school" not in html


def test_coordinator_reads_no_vacancy_titles_or_evaluation_status(client, auth, rw):
    """The coordinator's reports index, charts and home page name no vacancy and no evaluation status."""
    auth.login(rw.emails["coordinator"])
    index = client.get("/reports/").get_data(as_text=True)
    assert "Compliance matrix" in index
    assert "Hiring funnel" not in index and "Evaluation completion" not in index
    charts = client.get("/reports/charts").get_data(as_text=True)
    assert "Training compliance by school" in charts
    assert "Hiring funnel" not in charts and "Evaluations completed" not in charts
    assert "SRO, Adams High" not in charts + index + client.get("/").get_data(as_text=True)
    # HR, who may see vacancies and evaluations, still get both.
    auth.logout()
    auth.login(rw.emails["hr"])
    charts = client.get("/reports/charts").get_data(as_text=True)
    assert "Hiring funnel" in charts and "Evaluations completed" in charts
    assert "SRO, Adams High" in client.get("/reports/hiring-funnel").get_data(as_text=True)
