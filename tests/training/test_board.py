"""The compliance board works like a spreadsheet: search, sort, counts that filter, paging, export, bulk."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.training import Completion, Waiver
from tests.conftest import TODAY, AuthActions, csrf_token, fresh_client
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course, make_requirement

ROW = re.compile(r'name="rows" value="(\d+-\d+)"')


@pytest.fixture
def board(session):
    """Two schools: 130 SROs at Adams (a course each, some done), 3 teachers at Burr; accounts."""
    adams, burr = make_school(session, "Adams High"), make_school(session, "Burr Middle")
    basic = make_course(session, "SRO-40", title="Basic SRO")
    make_requirement(session, basic, roles=("sro",), due_days=30)
    pbis = make_course(session, "PBIS", title="Positive behaviour")
    make_requirement(session, pbis, roles=("teacher",), due_days=30)
    sros = []
    for i in range(130):
        person = make_person(session, first_name=f"Sam{i:03d}", last_name=f"Officer{i:03d}",
                             person_type="sro", licence_number=f"LIC-{i:03d}")
        make_assignment(session, person, [adams], start_date=TODAY - timedelta(days=10 + i))
        if i < 110:  # 110 completed (unverified), 20 not yet
            make_completion(session, person, basic, TODAY - timedelta(days=1 + i % 7))
        sros.append(person.id)
    teachers = []
    for i in range(3):
        person = make_person(session, first_name=f"Tess{i}", last_name="Teacher", person_type="teacher")
        make_assignment(session, person, [burr], start_date=TODAY - timedelta(days=90))
        teachers.append(person.id)
    make_user(session, "coordinator", email="coordinator@example.org")
    make_user(session, "principal", email="principal.burr@example.org", schools=[burr])
    session.commit()
    return {"sros": sros, "teachers": teachers, "adams": adams.id, "burr": burr.id}


def _as(app, email):
    client = fresh_client(app)
    assert AuthActions(client).login(email).status_code == 302
    return client


def _names(html: str) -> list[str]:
    return re.findall(r'/training/people/\d+">([^<]+)</a>', html)


def test_search_by_name_or_licence_number(app, board):
    client = _as(app, "coordinator@example.org")
    assert _names(client.get("/training/?q=sam007").get_data(as_text=True)) == ["Sam007 Officer007"]
    assert _names(client.get("/training/?q=lic-012").get_data(as_text=True)) == ["Sam012 Officer012"]
    page = client.get("/training/?q=nobody-at-all").get_data(as_text=True)
    assert "Nobody matches these filters." in page


@pytest.mark.parametrize("column", ["person", "role", "course", "due", "status", "completed", "expires"])
def test_every_column_sorts_both_ways(app, board, column):
    client = _as(app, "coordinator@example.org")
    up = _names(client.get(f"/training/?sort={column}&school={board['adams']}").get_data(as_text=True))
    down = _names(client.get(f"/training/?sort={column}&dir=desc&school={board['adams']}")
                  .get_data(as_text=True))
    assert len(up) == len(down) == 100
    if column == "person":
        assert up == sorted(up, key=lambda n: n.split()[1]) and up[0] == "Sam000 Officer000"
        assert down[0] == "Sam129 Officer129"
    if column == "due":  # started 10 + i days ago, due 30 days after: the latest start is due last
        assert up[0] == "Sam129 Officer129" and down[0] == "Sam000 Officer000"


def test_status_counts_are_links_that_filter_and_ignore_the_status_filter(app, board):
    client = _as(app, "coordinator@example.org")
    page = client.get("/training/?status=complete").get_data(as_text=True)
    # Counts keep every status even though the board shows only the complete ones.
    assert re.search(r"Complete: <strong>110</strong>", page)
    link = re.search(r'href="([^"]*status=overdue[^"]*)"[^>]*>Overdue: <strong>(\d+)</strong>', page)
    overdue = int(link.group(2))
    assert overdue > 0
    shown = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f"of {overdue}" in shown and all(s in ("Overdue",) for s in
                                             re.findall(r'<span class="status status-\w+">([^<]+)', shown))


def test_paging_past_the_first_page_with_totals_and_the_filter_kept(app, board):
    client = _as(app, "coordinator@example.org")
    first = client.get("/training/?role=sro").get_data(as_text=True)
    assert "Showing 1–100 of 130" in first and "Page 1 of 2" in first
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "role=sro" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert "Showing 101–130 of 130" in second
    assert set(_names(first)).isdisjoint(_names(second)) and len(_names(first) + _names(second)) == 130
    # A page past the end shows the last page, never an error.
    assert "Showing 101–130 of 130" in client.get("/training/?role=sro&page=999").get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_holds_exactly_the_filtered_rows_of_every_page(app, board, fmt):
    import pandas as pd

    client = _as(app, "coordinator@example.org")
    shown = []
    for page in (1, 2):
        shown += _names(client.get(f"/training/?role=sro&sort=person&page={page}").get_data(as_text=True))
    response = client.get(f"/training/?role=sro&sort=person&format={fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    frame = (pd.read_csv(io.BytesIO(response.data)) if fmt == "csv"
             else pd.read_excel(io.BytesIO(response.data)))
    assert list(frame["Person"]) == shown and len(shown) == 130
    assert client.get("/training/?format=pdf").status_code == 400


def test_bulk_verify_of_100_rows_writes_100_verifications_and_100_audit_rows(app, session, board):
    client = _as(app, "coordinator@example.org")
    page = client.get("/training/?status=complete&sort=person").get_data(as_text=True)
    keys = ROW.findall(page)
    assert len(keys) == 100
    audits = session.scalar(select(func.count(AuditEvent.id)))
    token = csrf_token(client, "/training/")
    response = client.post("/training/bulk/verify", data={"rows": keys, "csrf_token": token,
                                                           "back": "/training/?status=complete"})
    assert response.status_code == 302 and response.location.endswith("/training/?status=complete")
    session.expire_all()
    assert session.scalar(select(func.count(Completion.id)).where(Completion.verified_at.is_not(None))) == 100
    assert session.scalar(select(func.count(AuditEvent.id))) == audits + 100
    assert "100 completions verified." in client.get("/training/").get_data(as_text=True)
    # Again: nothing left to verify among them, nothing written.
    client.post("/training/bulk/verify", data={"rows": keys, "csrf_token": token})
    assert session.scalar(select(func.count(AuditEvent.id))) == audits + 100


def test_bulk_waive_with_one_reason_and_every_refusal_writes_nothing(app, session, board):
    client = _as(app, "coordinator@example.org")
    keys = ROW.findall(client.get("/training/?status=overdue").get_data(as_text=True))[:5]
    token = csrf_token(client, "/training/")
    before = session.scalar(select(func.count(Waiver.id)))
    for data in ({"rows": keys}, {"rows": keys, "reason": "no"}, {"rows": [], "reason": "Medical leave"},
                 {"rows": ["1-x"], "reason": "Medical leave"},
                 {"rows": keys + ["999999-1"], "reason": "Medical leave"},
                 {"rows": keys, "reason": "Medical\x00leave"}):
        response = client.post("/training/bulk/waive", data={**data, "csrf_token": token})
        assert response.status_code == 302
        assert session.scalar(select(func.count(Waiver.id))) == before, data
    response = client.post("/training/bulk/waive", follow_redirects=True, data={
        "rows": keys, "reason": "On medical leave until May", "csrf_token": token})
    assert "5 requirements waived." in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Waiver.id))) == before + 5
    assert set(session.scalars(select(Waiver.reason))) == {"On medical leave until May"}
    no_token = client.post("/training/bulk/waive", data={"rows": keys, "reason": "Medical leave"})
    assert no_token.status_code == 400


def test_a_principal_sees_and_acts_on_only_their_schools_rows(app, session, board):
    """The principal at Burr sees Burr's teachers only, in the page, counts and export; no bulk action."""
    client = _as(app, "principal.burr@example.org")
    page = client.get("/training/").get_data(as_text=True)
    assert sorted(_names(page)) == ["Tess0 Teacher", "Tess1 Teacher", "Tess2 Teacher"]
    assert "Sam0" not in page and "Showing 1–3 of 3" in page
    assert "Sam0" not in client.get("/training/?format=csv").get_data(as_text=True)
    assert 'name="rows"' not in page  # principals neither verify nor waive
    token = csrf_token(client, "/training/")
    key = f"{board['sros'][0]}-1"
    assert client.post("/training/bulk/verify", data={"rows": [key], "csrf_token": token}).status_code == 403
    assert client.post("/training/bulk/waive", data={"rows": [key], "reason": "Because",
                                                     "csrf_token": token}).status_code == 403


def test_a_coordinator_cannot_act_on_a_row_that_is_not_on_the_board(app, session, board):
    """A row key for a person or requirement that does not apply is refused as a whole."""
    client = _as(app, "coordinator@example.org")
    token = csrf_token(client, "/training/")
    teacher_on_sro_course = f"{board['teachers'][0]}-1"
    response = client.post("/training/bulk/verify", data={"rows": [teacher_on_sro_course],
                                                          "csrf_token": token}, follow_redirects=True)
    assert "no longer on your board" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Completion.id)).where(Completion.verified_at.is_not(None))) == 0
