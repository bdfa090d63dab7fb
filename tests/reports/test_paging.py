"""Report pages show 100 rows at a time, in the downloads' order, and read the stored engine rows."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pandas as pd
from sqlalchemy import update

from models.org import School
from models.services.stores import refresh as stores
from models.stores import compliance_items
from tests.conftest import TODAY
from tests.factories import make_assignment, make_person
from tests.training.factories import make_course, make_requirement


def _names(html: str) -> list[str]:
    """The row headers (people) of the report table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', body)


def _crowd(session, rw, n=130):
    """`n` teachers at school A, each overdue on one requirement (started 90 days ago, due in 30)."""
    make_requirement(session, make_course(session, "CROWD"), roles=("teacher",), due_days=30)
    school = session.get(School, rw.school_a)
    for i in range(n):
        person = make_person(session, first_name=f"T{i:03d}", last_name=f"Crowd{i % 7}",
                             person_type="teacher")
        make_assignment(session, person, [school], start_date=TODAY - timedelta(days=90))
    session.commit()


def test_overdue_report_pages_follow_the_download_order(client, auth, rw, session):
    _crowd(session, rw)
    auth.login(rw.emails["coordinator"])
    csv = pd.read_csv(io.BytesIO(client.get("/reports/overdue?format=csv").data), encoding="utf-8-sig")
    total = len(csv)
    assert 200 < total <= 300  # 130 teachers overdue on CROWD and PBIS, and the world's own
    pages = [client.get(f"/reports/overdue?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    assert f"Rows 1–100 of {total}" in pages[0] and 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    assert f"Rows 101–200 of {total}" in pages[1] and 'rel="prev"' in pages[1]
    assert f"Rows 201–{total} of {total}" in pages[2] and 'rel="next"' not in pages[2]
    assert [name for page in pages for name in _names(page)] == list(csv["Person"])


def test_matrix_pages_through_people_with_every_requirement_as_a_column(client, auth, rw, session):
    _crowd(session, rw)
    auth.login(rw.emails["coordinator"])
    csv = pd.read_csv(io.BytesIO(client.get("/reports/compliance-matrix?format=csv").data),
                      encoding="utf-8-sig")
    second = client.get("/reports/compliance-matrix?page=2").get_data(as_text=True)
    assert f"Rows 101–{len(csv)} of {len(csv)}" in second
    assert _names(second) == list(csv["Person"])[100:]
    header = second.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert all(f">{code}<" in header for code in ("BASIC", "CROWD", "PBIS"))


def test_pages_read_the_stored_rows(client, auth, rw, session):
    """Marking every stored row waived shows on the page: it reads the store, not the engine."""
    auth.login(rw.emails["coordinator"])
    assert "Nothing to show." not in client.get("/reports/overdue").get_data(as_text=True)
    session.execute(update(compliance_items).values(status="waived"))
    session.commit()
    assert "Nothing to show." in client.get("/reports/overdue").get_data(as_text=True)
    matrix = client.get("/reports/compliance-matrix").get_data(as_text=True)
    assert "Waived" in matrix and "Overdue" not in matrix.split("<tbody>", 1)[1]
    stores.refresh_all(session, TODAY)  # put the store back for the teardown check
    session.commit()
