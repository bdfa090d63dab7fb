"""Roster files that are not what they claim: renamed programs, workbook bombs, damaged archives, old
Excel files, Windows-1252 CSVs and ragged rows are refused (or read) with a sentence, never a traceback.
"""

from __future__ import annotations

import html
import io
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.errors import ValidationFailed
from models.services import roster_files
from models.training import Completion
from tests.conftest import PG_URL, post_form
from tests.factories import make_person, make_user
from tests.training.factories import make_course

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 40
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 4000
NOT_A_WORKBOOK = ("This file is not an Excel workbook, although its name ends in .xlsx. Save it from Excel "
                  "as Excel Workbook (.xlsx) or CSV UTF-8 and upload that file.")
CSV_UTF8_HINT = "Save it from Excel as “CSV UTF-8 (Comma delimited)” and upload that file."
WORKBOOK_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>Email</t></is></c>'
               b'<c t="inlineStr"><is><t>Course code</t></is></c><c t="inlineStr"><is><t>Completion date'
               b'</t></is></c></row>')
SHEET_END = b"</sheetData></worksheet>"
EMPTY_ROWS = b"<row/>" * 100_000  # 6 bytes repeat exactly within deflate's longest match: about 690:1


def _workbook_with_rows(size: int, *, padding: int = 0) -> bytes:
    """A valid-looking workbook whose sheet is `size` bytes of empty rows, streamed into the archive.

    `padding` spaces follow the workbook part's XML (for a header that hides them).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in WORKBOOK_PARTS.items():
            with archive.open(name, "w") as part:
                part.write(text.encode())
                for _ in range(padding // 1_000_000 if name == "xl/workbook.xml" else 0):
                    part.write(b" " * 1_000_000)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_START)
            for _ in range(size // len(EMPTY_ROWS)):
                sheet.write(EMPTY_ROWS)
            sheet.write(SHEET_END)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 440 KB that inflates to 300 MB of sheet XML (built once for the module)."""
    data = _workbook_with_rows(300_000_000)
    assert len(data) < 500_000
    return data


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s headers claiming `size` bytes (and the CRC of its first `size` bytes)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    crc = zlib.crc32(archive.read(name)[:size])
    out = bytearray(data)
    local = archive.getinfo(name).header_offset
    struct.pack_into("<I", out, local + 14, crc)
    struct.pack_into("<I", out, local + 22, size)
    central = out.find(b"PK\x01\x02", archive.start_dir)
    while out[central + 46:central + 46 + len(name)] != name.encode():
        central = out.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", out, central + 16, crc)
    struct.pack_into("<I", out, central + 24, size)
    assert zipfile.ZipFile(io.BytesIO(bytes(out))).getinfo(name).file_size == size
    return bytes(out)


def _roster_xlsx(rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


@dataclass
class ChildRun:
    """What a child `flask training import` did."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float


# Linux keeps a process's peak RSS across vfork+exec, so a child started from pytest would report
# at least pytest's own size; this small launcher starts the command and reports its peak alone.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _cli_in_child(tmp_path, file: Path, *, limit: float = 20) -> ChildRun:
    """Run the real command in a child process on this test's database, measuring time and peak memory."""
    env = {**os.environ, "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
           "TRACKER_ENV": "development", "PYTHONUNBUFFERED": "1"}
    out, err, peak = tmp_path / "child.out", tmp_path / "child.err", tmp_path / "child.maxrss"
    cmd = [sys.executable, "-c", LAUNCHER, str(peak),
           sys.executable, "-m", "flask", "--app", "wsgi", "training", "import", str(file)]
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        launcher = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=stdout, stderr=stderr,  # noqa: S603
                                    start_new_session=True)
    # A runaway import fails the test instead of hanging it (the group holds the launcher and the command).
    watchdog = threading.Timer(limit, os.killpg, (launcher.pid, signal.SIGKILL))
    watchdog.start()
    try:
        _, status, _ = os.wait4(launcher.pid, 0)
    finally:
        watchdog.cancel()
    seconds = time.monotonic() - start
    launcher.returncode = os.waitstatus_to_exitcode(status)
    assert peak.exists(), f"the import was killed after {limit} s"
    return ChildRun(launcher.returncode, out.read_text(), err.read_text(), seconds,
                    int(peak.read_text()) / 1024)  # ru_maxrss is in KiB on Linux


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Completion)),
            session.scalar(select(func.count()).select_from(AuditEvent)))


def _coordinator(client, auth, session):
    user = make_user(session, "coordinator", email="co@x.org")
    session.commit()
    auth.login(user.email)
    return user


def _upload(client, data: bytes, filename: str):
    response = post_form(client, "/training/import", {"file": (io.BytesIO(data), filename)},
                         content_type="multipart/form-data")
    return response, html.unescape(response.get_data(as_text=True))


def _assert_clerk_sentence(text: str) -> None:
    """No exception text reaches the clerk."""
    lowered = text.lower()
    for word in ("traceback", "zip", "codec", "error tokenizing", "crc", "exception"):
        assert word not in lowered, word


def test_renamed_executable_xlsx_cli_exits_with_a_sentence_and_no_traceback(app, session, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(EXECUTABLE)
    run = _cli_in_child(tmp_path, path)
    print(f"renamed executable: {run.seconds:.2f} s, peak {run.peak_mib:.0f} MiB")
    assert run.code == 1, run.stderr
    assert f"Error: {NOT_A_WORKBOOK}" in run.stderr
    _assert_clerk_sentence(run.stderr)
    assert _counts(session) == (0, 0)


def test_renamed_executable_xlsx_upload_shows_the_sentence_and_writes_nothing(client, auth, session):
    _coordinator(client, auth, session)
    before = _counts(session)
    response, page = _upload(client, EXECUTABLE, "roster.xlsx")
    assert response.status_code == 200
    assert NOT_A_WORKBOOK in page
    assert _counts(session) == before


def test_workbook_bomb_cli_refused_quickly_in_bounded_memory(app, session, tmp_path, bomb):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(bomb)
    run = _cli_in_child(tmp_path, path)
    print(f"bomb of {len(bomb):,} bytes: {run.seconds:.2f} s, peak {run.peak_mib:.0f} MiB")
    assert run.code == 1, run.stderr
    assert f"Error: {roster_files.TOO_LARGE}" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.seconds < 10
    assert run.peak_mib < 500
    assert _counts(session) == (0, 0)


def test_workbook_bomb_check_takes_well_under_a_second(bomb):
    start = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        roster_files.read_table(bomb, "roster.xlsx")
    assert time.perf_counter() - start < 0.5
    assert refused.value.problems == [("file", roster_files.TOO_LARGE)]


def test_workbook_bomb_upload_shows_the_sentence(client, auth, session, bomb):
    _coordinator(client, auth, session)
    before = _counts(session)
    response, page = _upload(client, bomb, "roster.xlsx")
    assert response.status_code == 200
    assert roster_files.TOO_LARGE in page
    assert _counts(session) == before


def test_dense_part_refused_when_within_the_size_limit():
    data = _workbook_with_rows(50_000_000)  # under 100 MB, but about 690:1
    with pytest.raises(ValidationFailed) as refused:
        roster_files.read_table(data, "roster.xlsx")
    assert refused.value.problems == [("file", roster_files.TOO_DENSE)]


def _damaged(kind: str) -> bytes:
    good = _roster_xlsx([{"Email": "a@x.org", "Course code": "YMHFA", "Completion date": "2025-01-01"}])
    if kind == "size header lies":
        # Declares 2 KB (with a matching CRC) but holds 200 MB: zipfile's own checks would pass.
        return _declare_size(_workbook_with_rows(200_000_000), "xl/worksheets/sheet1.xml", 2048)
    if kind == "workbook part hides data":
        # The real workbook XML, then 200 MB of spaces its header does not count: openpyxl reads this
        # part with ZipFile.read(), which inflates all of it before cutting it to the declared size.
        data = _workbook_with_rows(1000, padding=200_000_000)
        return _declare_size(data, "xl/workbook.xml", len(WORKBOOK_PARTS["xl/workbook.xml"]))
    if kind == "corrupt data":
        info = zipfile.ZipFile(io.BytesIO(good)).getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename) + 8
        return good[:start] + b"\xff" * 40 + good[start + 40:]
    return good[: len(good) // 2]  # a download cut short


@pytest.mark.parametrize("kind", ["size header lies", "workbook part hides data", "corrupt data",
                                  "truncated"])
def test_damaged_workbook_upload_refused_with_a_sentence(client, auth, session, kind):
    _coordinator(client, auth, session)
    data = _damaged(kind)
    before = _counts(session)
    start = time.perf_counter()
    response, page = _upload(client, data, "roster.xlsx")
    assert time.perf_counter() - start < 5
    assert response.status_code == 200
    assert roster_files.DAMAGED in page
    assert _counts(session) == before


@pytest.mark.parametrize("filename", ["roster.xlsx", "roster.xls"])
def test_old_excel_file_refused_with_what_to_do(client, auth, session, filename):
    _coordinator(client, auth, session)
    response, page = _upload(client, OLE2, filename)
    assert response.status_code == 200
    assert ("This file is an old Excel 97-2003 workbook (.xls) or a password-protected workbook, which "
            "cannot be read here. Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8") in page
    assert _counts(session)[0] == 0


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
    _coordinator(client, auth, session)
    response, _ = _upload(client, WINDOWS_CSV, "roster.csv")
    assert response.status_code == 302
    assert _imported(session) == {(zoe.id, "Nº 1"), (jose.id, "Nº 2")}
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "2 rows read, 2 completions added." in page
    assert (f'<p class="flash flash-warning">{roster_files.READ_AS_WINDOWS_1252}</p>') in page
    assert '<div class="flashes" role="status">' in page


def test_windows_1252_csv_preview_with_a_problem_shows_the_notice(client, auth, session):
    _accented_world(session)
    _coordinator(client, auth, session)
    data = WINDOWS_CSV + "Zoë Nobody,YMHFA,2025-03-03,\r\n".encode("cp1252")
    response, page = _upload(client, data, "roster.csv")
    assert response.status_code == 200
    assert (f'<div class="notice notice-warn" role="status">\n  <p>{roster_files.READ_AS_WINDOWS_1252}'
            f'</p>\n</div>') in page
    assert "<td>4</td><td>Unknown person “Zoë Nobody”.</td>" in page
    assert _counts(session)[0] == 0


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
    before = _counts(session)
    path = tmp_path / "roster.csv"
    path.write_bytes(WINDOWS_CSV + b"Zo\x81 M\x81ller,YMHFA,2025-03-04,\r\n")
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: Some characters in this file cannot be read. {CSV_UTF8_HINT}" in result.stderr
    _assert_clerk_sentence(result.stderr)
    assert _counts(session) == before


def test_utf8_bom_csv_imports_without_a_notice(runner, session, tmp_path):
    _, zoe, jose = _accented_world(session)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xef\xbb\xbf" + WINDOWS_CSV.decode("cp1252").encode("utf-8"))
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Notice" not in result.output
    assert _imported(session) == {(zoe.id, "Nº 1"), (jose.id, "Nº 2")}


def test_ragged_csv_row_upload_names_the_line(client, auth, session):
    _coordinator(client, auth, session)
    text = ("Email,Course code,Completion date,Hours,Certificate number\n"
            "a@x.org,YMHFA,2025-01-01,8,C-1\n"
            "b@x.org,YMHFA,2025-01-01,8,C-2\n"
            "c@x.org,YMHFA,2025-01-01,8,C-3\n"
            "d@x.org,YMHFA,1 March, 2025,8,C-4\n")
    response, page = _upload(client, text.encode(), "roster.csv")
    assert response.status_code == 200
    assert ("Line 5 has more cells than the heading row (6 instead of 5). Check that line for an extra "
            "comma; a value that contains a comma must be in quotes.") in page
    _assert_clerk_sentence(page[page.index("error-summary"):page.index("<form")])
    assert _counts(session)[0] == 0


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
    assert _counts(session) == (0, 0)


def test_heading_only_workbook_refused_with_a_sentence(runner, session, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(_workbook_with_rows(0))
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: {roster_files.HEADING_ONLY}" in result.stderr
