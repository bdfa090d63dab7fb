"""Outcome data: entry, CSV import, and the suppressed page and downloads."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import func, select

from models.reports import OUTCOME_DIMENSIONS, OutcomeCount
from models.services.reports import outcomes as svc
from tests.conftest import post_form

URL = "/reports/outcomes?term=2025-2026&measure=arrest"
HEAD = "school,term,measure,dimension,category,count\n"


def _enter(session, school_id, counts_by_dim, term="2025-2026", measure="arrest"):
    values = {}
    for dim, counts in counts_by_dim.items():
        for cat, n in zip(OUTCOME_DIMENSIONS[dim][1], counts, strict=True):
            values[(dim, cat)] = n
    svc.save_outcome_counts(session, school_id, term, measure, values)
    session.commit()


def test_outcome_cell_of_three_is_suppressed_on_page_and_in_downloads(client, auth, rw, session):
    _enter(session, rw.school_a, {"sex": [3, 40, 0]})
    _enter(session, rw.school_b, {"sex": [25, 30, 0]})
    auth.login(rw.emails["coordinator"])
    html = client.get("/reports/outcomes?term=2025-2026&measure=arrest").get_data(as_text=True)
    table = html.split("by sex, 2025-2026</caption>", 1)[1].split("</table>", 1)[0]
    assert 'class="suppressed">*</abbr>' in table
    assert ">3<" not in table
    # Showing 40 (with Adams's total 43) or 25 (with the Female total 28) would reveal 3: both hidden.
    assert ">40<" not in table and ">25<" not in table
    assert ">43<" in table and ">28<" in table  # totals stay visible: the four hidden cells form a cycle
    frame = pd.read_csv(io.BytesIO(client.get(URL + "&format=csv").data),
                        encoding="utf-8-sig", dtype=str)
    sex = frame[frame["Breakdown"] == "Sex"].set_index("School")
    assert sex.loc["Adams High", "Female"] == "*"
    assert "3" not in set(sex["Female"])
    xlsx = pd.read_excel(io.BytesIO(client.get(URL + "&format=xlsx").data),
                         dtype=str)
    assert xlsx[(xlsx["Breakdown"] == "Sex") & (xlsx["School"] == "Adams High")]["Female"].iloc[0] == "*"


def test_principal_sees_only_their_schools_outcomes(client, auth, rw, session):
    _enter(session, rw.school_a, {"sex": [30, 40, 0]})
    _enter(session, rw.school_b, {"sex": [25, 31, 0]})
    auth.login(rw.emails["principal"])
    html = client.get("/reports/outcomes?measure=arrest").get_data(as_text=True)
    assert '<th scope="row">Adams High</th>' in html and "Burr Middle" not in html


def test_entry_form_saves_counts_and_lists_every_problem(client, auth, rw, session):
    auth.login(rw.emails["coordinator"])
    data = {"school_id": rw.school_a, "term": "last year", "measure": "arrest",
            "sex__female": "-1", "sex__male": "4", "sex__nonbinary": "0",
            "english_learner__el": "10", "english_learner__not_el": "10"}
    response = post_form(client, "/reports/outcomes/new", data)
    html = response.get_data(as_text=True)
    assert "Term must look like" in html and "cannot be negative" in html and "same total" in html
    assert session.scalar(select(func.count(OutcomeCount.id))) == 0
    data.update({"term": "2025-2026", "sex__female": "16", "english_learner__not_el": "10"})
    data["sex__male"] = "4"
    response = post_form(client, "/reports/outcomes/new", data)
    assert response.status_code == 302
    assert session.scalar(select(func.sum(OutcomeCount.count)).where(OutcomeCount.dimension == "sex")) == 20


def test_csv_import_is_all_or_nothing(client, auth, rw, session):
    auth.login(rw.emails["coordinator"])
    bad = HEAD + "Adams High,2025-2026,arrest,sex,Female,5\nNowhere,2025-2026,arrest,sex,male,x\n"
    response = post_form(client, "/reports/outcomes/import",
                         {"file": (io.BytesIO(bad.encode()), "o.csv")}, token_from="/reports/outcomes/new",
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Line 3" in html and "Nowhere" in html
    assert session.scalar(select(func.count(OutcomeCount.id))) == 0
    good = HEAD + "Adams High,2025-2026,Citations,Sex,Female,5\nAdams High,2025-2026,citation,sex,male,7\n"
    response = post_form(client, "/reports/outcomes/import",
                         {"file": (io.BytesIO(good.encode()), "o.csv")}, token_from="/reports/outcomes/new",
                         content_type="multipart/form-data")
    assert response.status_code == 302
    assert session.scalar(select(func.sum(OutcomeCount.count))) == 12
