"""Workbook rosters that are not what they claim: renamed programs, workbook bombs, damaged archives and
old Excel files are refused with a sentence, never a traceback (CSV text: test_import_csv.py).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from models.errors import ValidationFailed
from models.services.training import roster_files
from tests.training.roster_helpers import assert_clerk_sentence, cli_in_child, coordinator, counts, upload

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


def test_renamed_executable_xlsx_cli_exits_with_a_sentence_and_no_traceback(app, session, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(EXECUTABLE)
    run = cli_in_child(tmp_path, path)
    print(f"renamed executable: {run.seconds:.2f} s, peak {run.peak_mib:.0f} MiB")
    assert run.code == 1, run.stderr
    assert f"Error: {NOT_A_WORKBOOK}" in run.stderr
    assert_clerk_sentence(run.stderr)
    assert counts(session) == (0, 0)


def test_renamed_executable_xlsx_upload_shows_the_sentence_and_writes_nothing(client, auth, session):
    coordinator(client, auth, session)
    before = counts(session)
    response, page = upload(client, EXECUTABLE, "roster.xlsx")
    assert response.status_code == 200
    assert NOT_A_WORKBOOK in page
    assert counts(session) == before


def test_workbook_bomb_cli_refused_quickly_in_bounded_memory(app, session, tmp_path, bomb):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(bomb)
    run = cli_in_child(tmp_path, path)
    print(f"bomb of {len(bomb):,} bytes: {run.seconds:.2f} s, peak {run.peak_mib:.0f} MiB")
    assert run.code == 1, run.stderr
    assert f"Error: {roster_files.TOO_LARGE}" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.seconds < 10
    assert run.peak_mib < 500
    assert counts(session) == (0, 0)


def test_workbook_bomb_check_takes_well_under_a_second(bomb):
    start = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        roster_files.read_table(bomb, "roster.xlsx")
    assert time.perf_counter() - start < 0.5
    assert refused.value.problems == [("file", roster_files.TOO_LARGE)]


def test_workbook_bomb_upload_shows_the_sentence(client, auth, session, bomb):
    coordinator(client, auth, session)
    before = counts(session)
    response, page = upload(client, bomb, "roster.xlsx")
    assert response.status_code == 200
    assert roster_files.TOO_LARGE in page
    assert counts(session) == before


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
    coordinator(client, auth, session)
    data = _damaged(kind)
    before = counts(session)
    start = time.perf_counter()
    response, page = upload(client, data, "roster.xlsx")
    assert time.perf_counter() - start < 5
    assert response.status_code == 200
    assert roster_files.DAMAGED in page
    assert counts(session) == before


@pytest.mark.parametrize("filename", ["roster.xlsx", "roster.xls"])
def test_old_excel_file_refused_with_what_to_do(client, auth, session, filename):
    coordinator(client, auth, session)
    response, page = upload(client, OLE2, filename)
    assert response.status_code == 200
    assert ("This file is an old Excel 97-2003 workbook (.xls) or a password-protected workbook, which "
            "cannot be read here. Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8") in page
    assert counts(session)[0] == 0


def test_heading_only_workbook_refused_with_a_sentence(runner, session, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(_workbook_with_rows(0))
    result = runner.invoke(args=["training", "import", str(path)])
    assert result.exit_code == 1
    assert f"Error: {roster_files.HEADING_ONLY}" in result.stderr
