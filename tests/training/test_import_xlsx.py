"""Roster import from XLSX: real date cells and numeric cells, other column names, all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select

from models.training import Completion
from tests.conftest import post_form
from tests.factories import make_agency, make_person, make_user
from tests.training.factories import make_course


def _world(session):
    agency = make_agency(session)
    officers = [make_person(session, person_type="sro", agency=agency, first_name=f"Officer{i}",
                            last_name="Reyes", licence_number=f"4821{i}") for i in range(3)]
    course = make_course(session, code="NASRO-BASIC", title="NASRO Basic SRO Course", hours=40)
    session.commit()
    return officers, course


def _xlsx(path, rows):
    """Write a roster the way a training provider's spreadsheet looks (dates as date cells)."""
    pd.DataFrame(rows).to_excel(path, index=False, engine="openpyxl")
    return path


def _count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Completion))


def test_xlsx_roster_with_date_cells_imports_once(runner, session, tmp_path):
    officers, course = _world(session)
    rows = [{"License No.": int(o.licence_number), "Course Title": course.title,
             "Date Completed": datetime(2026, 3, i + 2), "Contact Hours": 40 - i, "Cert #": f"NB-{i}"}
            for i, o in enumerate(officers)]
    f = _xlsx(tmp_path / "roster.xlsx", rows)
    first = runner.invoke(args=["training", "import", str(f)])
    assert first.exit_code == 0, first.output
    assert "3 rows read, 3 completions added" in first.output
    got = session.execute(select(Completion.person_id, Completion.completed_on, Completion.hours,
                                 Completion.certificate_number, Completion.source)
                          .order_by(Completion.person_id)).all()
    assert [tuple(r) for r in got] == [
        (o.id, date(2026, 3, i + 2), 40.0 - i, f"NB-{i}", "import") for i, o in enumerate(officers)]

    again = runner.invoke(args=["training", "import", str(f)])
    assert again.exit_code == 0, again.output
    assert "0 completions added" in again.output
    assert _count(session) == 3


def test_xlsx_upload_with_a_bad_row_writes_nothing_and_names_it(client, auth, session, tmp_path):
    officers, course = _world(session)
    coordinator = make_user(session, "coordinator")
    session.commit()
    auth.login(coordinator.email)
    rows = [{"Email": o.email, "Course code": course.code, "Completion date": datetime(2026, 5, 1),
             "Hours": 40} for o in officers]
    rows[1]["Hours"] = 400  # row 3 of the file
    rows.append({"Email": "stranger@example.org", "Course code": course.code,
                 "Completion date": datetime(2026, 5, 1), "Hours": 8})  # row 5
    f = _xlsx(tmp_path / "roster.xlsx", rows)
    response = post_form(client, "/training/import",
                         {"file": (io.BytesIO(f.read_bytes()), "roster.xlsx")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 problems in 4 rows; nothing was imported" in html
    assert "<td>3</td><td>Hours “400” must be a number above 0 and at most 200.</td>" in html
    assert "<td>5</td><td>Unknown person “stranger@example.org”.</td>" in html
    assert _count(session) == 0
