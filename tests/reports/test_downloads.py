"""Report downloads: a principal's files hold only their schools; formula-like names come out inert."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from models.org import School
from tests.factories import make_assignment, make_person
from tests.training.factories import make_completion

REPORTS = ["compliance-matrix", "overdue", "expiring", "training-hours", "evaluations"]


def _read(response, fmt):
    assert response.status_code == 200
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str)
    return pd.read_excel(io.BytesIO(response.data), dtype=str)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("key", REPORTS)
def test_principal_download_holds_only_their_schools(client, auth, rw, session, key, fmt):
    # A counselor at both schools: the principal may see them, but only with school A named.
    both = make_person(session, first_name="Cora", last_name="Both", person_type="teacher")
    make_assignment(session, both, [session.get(School, rw.school_a), session.get(School, rw.school_b)])
    session.commit()
    auth.login(rw.emails["principal"])
    frame = _read(client.get(f"/reports/{key}?format={fmt}"), fmt)
    assert not frame.empty, key
    assert set(frame["Schools"].dropna()) <= {"Adams High"}
    names = set(frame["Person"])
    assert not names & {"Barnes, Bob", "Deputy, Olga"}
    # HR's download of the same report does include school B (HR read every report district-wide).
    auth.logout()
    auth.login(rw.emails["hr"])
    district = _read(client.get(f"/reports/{key}?format={fmt}"), fmt)
    if key != "expiring":  # only Alice's (school A) certificate expires soon
        assert "Burr Middle" in " ".join(district["Schools"].dropna())


def test_principal_cannot_ask_for_another_school(client, auth, rw):
    auth.login(rw.emails["principal"])
    assert client.get(f"/reports/overdue?school={rw.school_b}&format=csv").status_code == 404
    assert client.get(f"/reports/overdue?school={rw.school_a}&format=csv").status_code == 200


@pytest.mark.parametrize("first,last", [("=1+1", "@SUM(A1)"), ("+cmd", "-2+3")])
def test_formula_like_names_come_out_inert(client, auth, rw, session, first, last):
    evil = make_person(session, first_name=first, last_name=last, person_type="sro", licence_number="X9")
    make_assignment(session, evil, [session.get(School, rw.school_a)])
    session.commit()
    auth.login(rw.emails["coordinator"])
    expected = "'" + f"{last}, {first}"
    csv = client.get("/reports/overdue?format=csv")
    frame = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig", dtype=str)
    assert expected in set(frame["Person"])
    assert not any(v.startswith(("=", "+", "-", "@")) for v in frame["Person"])
    xlsx = client.get("/reports/overdue?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    person_cells = [c for c in cells if isinstance(c.value, str) and first in c.value]
    assert person_cells and all(c.data_type == "s" and c.value == expected for c in person_cells)
    html = client.get("/reports/overdue").get_data(as_text=True)
    assert f"&#39;{last}, {first}" in html or f"'{last}, {first}" in html


def test_training_hours_add_up_per_person_and_year(client, auth, rw, session):
    from models.people import Person
    from models.training import Course
    sam = session.get(Person, rw.sro)
    make_completion(session, sam, session.get(Course, rw.pbis), date(2026, 3, 1), hours=2.5)
    session.commit()
    auth.login(rw.emails["coordinator"])
    frame = _read(client.get("/reports/training-hours?format=csv&year=2026"), "csv")
    row = frame[frame["Person"] == "Officer, Sam"].iloc[0]
    assert (row["Year"], float(row["Hours"]), row["Courses"]) == ("2026", 42.5, "2")
