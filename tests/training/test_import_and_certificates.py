"""Roster import (all-or-nothing, idempotent) and certificate uploads/downloads."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from models.training import Completion
from tests.conftest import TODAY, post_form
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.training.factories import make_completion, make_course


def _roster(people, course, bad_row=None):
    lines = ["Email,Course code,Completion date,Hours,Certificate number"]
    for i, p in enumerate(people):
        day = (date(2025, 1, 1) + timedelta(days=i % 500)).isoformat()
        lines.append(f"{p.email},{course.code},{day},8,C-{i}")
    if bad_row is not None:
        lines[bad_row] = f"{people[0].email},{course.code},2031-01-01,8,X"
    return "\n".join(lines).encode()


def _world(session, n=20):
    course = make_course(session, code="YMHFA")
    people = [make_person(session, email=f"r{i}@example.org") for i in range(n)]
    return course, people


def _count(session):
    return session.scalar(select(func.count()).select_from(Completion))


def test_cli_bad_row_among_1000_writes_nothing(runner, session, tmp_path):
    course, people = _world(session, 50)
    session.commit()
    rows = (people * 20)[:1000]
    f = tmp_path / "roster.csv"
    data = _roster(rows, course, bad_row=700).decode().split("\n")
    # make every line unique: person i gets day offset by its position
    lines = [data[0]] + [f"{p.email},YMHFA,{(date(2020, 1, 1) + timedelta(days=i)).isoformat()},8,C"
                         for i, p in enumerate(rows)]
    lines[700] = f"{rows[0].email},YMHFA,2031-01-01,8,X"
    f.write_text("\n".join(lines))
    result = runner.invoke(args=["training", "import", str(f)])
    assert result.exit_code != 0
    assert "Row 701: The completion date 2031-01-01 is in the future." in result.output  # file line 701
    assert _count(session) == 0


def test_cli_same_file_twice_adds_nothing_second_time(runner, session, tmp_path):
    course, people = _world(session)
    session.commit()
    f = tmp_path / "roster.csv"
    f.write_bytes(_roster(people, course))
    first = runner.invoke(args=["training", "import", str(f)])
    assert first.exit_code == 0, first.output
    assert _count(session) == 20
    dry = runner.invoke(args=["training", "import", str(f), "--dry-run"])
    assert dry.exit_code == 0 and "0 would be added" in dry.output
    second = runner.invoke(args=["training", "import", str(f)])
    assert second.exit_code == 0 and "0 completions added" in second.output
    assert _count(session) == 20


def test_web_preview_lists_every_problem_by_row(client, auth, session):
    course, people = _world(session, 3)
    make_user(session, "coordinator", email="co@x.org")
    session.commit()
    text = ("Email,Course,Completion date,Hours\n"
            f"nobody@x.org,{course.code},2025-01-01,8\n"
            f"{people[0].email},NOPE,2025-01-01,8\n"
            f"{people[1].email},{course.code},not a date,8\n"
            f"{people[1].email},{course.code},2025-02-01,500\n"
            f"{people[2].email},{course.code},2025-03-01,8\n"
            f"{people[2].email},{course.code},2025-03-01,8\n")
    auth.login("co@x.org")
    resp = post_form(client, "/training/import", {"file": (io.BytesIO(text.encode()), "r.csv")},
                     content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    for needle in ("Unknown person", "Unknown course", "Cannot read the completion date",
                   "Hours “500”", "Duplicate of an earlier row"):
        assert needle in html
    assert _count(session) == 0


def _sro_with_completion(session):
    school_a, school_b = make_school(session), make_school(session)
    sro = make_person(session, person_type="sro")
    make_assignment(session, sro, [school_a])
    course = make_course(session)
    coordinator = make_user(session, "coordinator", email="co@x.org")
    make_user(session, "principal", email="pa@x.org", schools=[school_a])
    make_user(session, "principal", email="pb@x.org", schools=[school_b])
    session.commit()
    return sro, course, coordinator


def test_executable_renamed_pdf_is_refused(client, auth, session):
    sro, course, _ = _sro_with_completion(session)
    auth.login("co@x.org")
    url = f"/training/people/{sro.id}/completions/new"
    resp = post_form(client, url, {"course_id": course.id, "completed_on": "2026-01-10",
                                   "certificate": (io.BytesIO(b"MZ\x90\x00fake exe"), "cert.pdf")},
                     content_type="multipart/form-data")
    assert resp.status_code == 200
    assert "must be a PDF, PNG or JPEG" in resp.get_data(as_text=True)
    assert _count(session) == 0


def test_certificate_download_scoped_to_people_user_may_see(client, auth, session, app):
    sro, course, _ = _sro_with_completion(session)
    auth.login("co@x.org")
    url = f"/training/people/{sro.id}/completions/new"
    pdf = b"%PDF-1.4\n%fake but well-formed header\n"
    resp = post_form(client, url, {"course_id": course.id, "completed_on": "2026-01-10",
                                   "certificate": (io.BytesIO(pdf), "cert.pdf")},
                     content_type="multipart/form-data")
    assert resp.status_code == 302
    comp = session.scalar(select(Completion))
    assert comp.certificate_type == "application/pdf" and comp.certificate_file.endswith(".pdf")
    assert comp.certificate_file != "cert.pdf"
    download = f"/training/completions/{comp.id}/certificate"
    got = client.get(download)
    assert got.data == pdf
    assert got.headers["Cache-Control"] == "no-store"  # a personnel file: no browser or proxy keeps it
    auth.logout()
    auth.login("pa@x.org")
    assert client.get(download).status_code == 200
    auth.logout()
    auth.login("pb@x.org")
    assert client.get(download).status_code == 404


def test_completions_are_append_only(session):
    from models.errors import DomainError

    person = make_person(session)
    comp = make_completion(session, person, make_course(session), TODAY)
    comp.completed_on = date(2020, 1, 1)
    try:
        session.flush()
        raise AssertionError("edit was allowed")
    except DomainError:
        session.rollback()
