"""CSV rosters as Excel saves them: Windows-1252, BOMs, undecodable bytes, ragged rows, empty files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.services.training import roster_files
from models.training import Completion
from tests.factories import make_person
from tests.training.factories import make_course
from tests.training.roster_helpers import (
    assert_clerk_sentence,
    confirm,
    coordinator,
    counts,
    preview_token,
    upload,
)

CSV_UTF8_HINT = "Save it from Excel as “CSV UTF-8 (Comma delimited)” and upload that file."


def _accented_world(session):
    course = make_course(session, code="YMHFA")
    zoe = make_person(session, first_name="Zoë", last_name="Müller")
    jose = make_person(session, first_name="José", last_name="Peña")
    session.commit()
    return course, zoe, jose


WINDOWS_CSV = ("Name,Course code,Completion date,Certificate number\r\n"
               "Zoë Müller,YMHFA,2025-03-01,Nº 1\r\n"
               "José Peña,YMHFA,2025-03-02,Nº 2\r\n").encode("cp1252")


def _imported(session):
    session.expire_all()
    return {(c.person_id, c.certificate_number) for c in session.scalars(select(Completion))}


def test_windows_1252_csv_upload_imports_accented_names_with_a_notice(client, auth, session):
    _, zoe, jose = _accented_world(session)
    coordinator(client, auth, session)
    response, preview = upload(client, WINDOWS_CSV, "roster.csv")
    assert response.status_code == 200
    assert "<td>Zoë Müller</td>" in preview and roster_files.READ_AS_WINDOWS_1252 in preview
    assert counts(session)[0] == 0
    response, page = confirm(client, preview_token(preview))
    assert response.status_code == 302
    assert _imported(session) == {(zoe.id, "Nº 1"), (jose.id, "Nº 2")}
    assert "2 completions added." in page
    assert (f'<p class="flash flash-warning">{roster_files.READ_AS_WINDOWS_1252}</p>') in page
    assert '<div class="flashes" role="status">' in page


def test_windows_1252_csv_preview_with_a_problem_shows_the_notice(client, auth, session):
    _accented_world(session)
    coordinator(client, auth, session)
    data = WINDOWS_CSV + "Zoë Nobody,YMHFA,2025-03-03,\r\n".encode("cp1252")
    response, page = upload(client, data, "roster.csv")
    assert response.status_code == 200
    assert (f'<div class="notice notice-warn" role="status">\n  <p>{roster_files.READ_AS_WINDOWS_1252}'
            f'</p>\n</div>') in page
    assert "<td>4</td><td>Unknown person “Zoë Nobody”.</td>" in page
    assert counts(session)[0] == 0


def test_windows_1252_csv_cli_prints_the_notice_before_the_summary(runner, session, tmp_path):
    _, zoe, jose = _accented_world(session)
    path = tmp_path / "roster.csv"
    path.write_bytes(WINDOWS_CSV)
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 0, result.output
    notice = result.stdout.index(f"Notice: {roster_files.READ_AS_WINDOWS_1252}")
    assert result.stdout.index("2 rows read, 2 completions added") > notice
    assert {p for p, _ in _imported(session)} == {zoe.id, jose.id}


def test_undecodable_csv_refused_with_the_csv_utf8_sentence(runner, session, tmp_path):
    _accented_world(session)
    before = counts(session)
    path = tmp_path / "roster.csv"
    path.write_bytes(WINDOWS_CSV + b"Zo\x81 M\x81ller,YMHFA,2025-03-04,\r\n")
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: Some characters in this file cannot be read. {CSV_UTF8_HINT}" in result.stderr
    assert_clerk_sentence(result.stderr)
    assert counts(session) == before


def test_utf8_bom_csv_imports_without_a_notice(runner, session, tmp_path):
    _, zoe, jose = _accented_world(session)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + WINDOWS_CSV.decode("cp1252").encode("utf-8"))
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Notice" not in result.output
    assert _imported(session) == {(zoe.id, "Nº 1"), (jose.id, "Nº 2")}


def test_ragged_csv_row_upload_names_the_line(client, auth, session):
    coordinator(client, auth, session)
    text = ("Email,Course code,Completion date,Hours,Certificate number\n"
            "a@x.org,YMHFA,2025-01-01,8,C-1\n"
            "b@x.org,YMHFA,2025-01-01,8,C-2\n"
            "c@x.org,YMHFA,2025-01-01,8,C-3\n"
            "d@x.org,YMHFA,1 March, 2025,8,C-4\n")
    response, page = upload(client, text.encode(), "roster.csv")
    assert response.status_code == 200
    assert ("Line 5 has more cells than the heading row (6 instead of 5). Check that line for an extra "
            "comma; a value that contains a comma must be in quotes.") in page
    assert_clerk_sentence(page[page.index("error-summary"):page.index("<form")])
    assert counts(session)[0] == 0


@pytest.mark.parametrize(("content", "sentence"), [
    (b"", "The file is empty."),
    (b"\r\n\r\n", "The file is empty."),
    (b"Email,Course code,Completion date\r\n", roster_files.HEADING_ONLY),
    (b'Email,Course code,Completion date\r\na@x.org,"YMHFA,2025-01-01\r\n',
     "A quotation mark on line 2 is never closed."),
])
def test_empty_heading_only_or_unclosed_csv_refused_with_a_sentence(runner, session, tmp_path, content,
                                                                     sentence):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: {sentence}" in result.stderr
    assert counts(session) == (0, 0)
