"""Which roster files can be read, and reading them without trusting them (pandas at the edge).

`read_table` is the one place that decides: it looks at the content first (a workbook, an old
Excel file) and at the name second. Workbooks are checked as archives before openpyxl sees them;
CSV text is decoded as UTF-8, or as Windows-1252 with a notice. Every refusal is a
`ValidationFailed` on the "file" field with a sentence a clerk can act on.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import NoReturn

import pandas as pd

from models.errors import ValidationFailed

ZIP_MAGIC = b"PK\x03\x04"  # every .xlsx starts with the header of its first part
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Excel 97-2003 .xls, and Excel's password-protected files
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
WORKBOOK_PART = "xl/workbook.xml"
# A workbook Excel writes has 10-30 parts; a 50,000-row roster's sheet is about 11 MB of XML that
# deflates about 12:1. The limits leave room for ten times that and refuse anything built to hurt.
MAX_PARTS = 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked cost nothing, whatever their ratio
INFLATE_STEP = 1024 * 1024
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length

SAVE_AS = "Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8 and upload that file."
OLD_EXCEL = ("This file is an old Excel 97-2003 workbook (.xls) or a password-protected workbook, "
             "which cannot be read here. Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8, "
             "without a password, and upload that file.")
DAMAGED = ("This workbook is damaged or incomplete and cannot be read. Open it in Excel and save it "
           "again as Excel Workbook (.xlsx) or CSV UTF-8, then upload that file.")
TOO_LARGE = (f"This workbook is too large to import: its contents come to more than "
             f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB. Split the roster into smaller files or save "
             f"it as CSV UTF-8.")
TOO_DENSE = ("This workbook holds far more data than its file size suggests, which real rosters never "
             "do, so it was not opened. " + SAVE_AS)
TOO_MANY_PARTS = (f"This workbook is made of more than {MAX_PARTS:,} pieces, far more than a roster "
                  f"needs, so it was not opened. " + SAVE_AS)
PROTECTED = ("This workbook is password-protected. Save it from Excel without a password, as Excel "
             "Workbook (.xlsx) or CSV UTF-8, and upload that file.")
NOT_A_WORKBOOK = "This file is not an Excel workbook (it may be another kind of document). " + SAVE_AS
NOT_TEXT = ("This file is not a plain-text CSV file. Save it from Excel as CSV UTF-8 or Excel "
            "Workbook (.xlsx) and upload that file.")
UNREADABLE_TEXT = ("Some characters in this file cannot be read. Save it from Excel as "
                   "“CSV UTF-8 (Comma delimited)” and upload that file.")
READ_AS_WINDOWS_1252 = ("This file was not saved as UTF-8, so it was read as Windows-1252 (Western "
                        "European). Check that accented names look right; to avoid this, save it "
                        "from Excel as “CSV UTF-8”.")
NOT_A_TABLE = ("The file could not be read as rows and columns. Save it from Excel as CSV UTF-8 and "
               "upload that file.")
EMPTY = "The file is empty."
EMPTY_SHEET = "The first sheet of this workbook is empty."
HEADING_ONLY = "The file has a heading row but no rows of completions below it."
WRONG_KIND = "Upload a .csv or .xlsx file."
# pandas' C parser has worded these two the same way for a decade; anything else gets NOT_A_TABLE.
RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
# What openpyxl raises on malformed parts varies with the part (XML, numbers, missing pieces).
PARSE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, ValueError, KeyError,
                IndexError, TypeError, AttributeError, NotImplementedError, OSError)


def _refuse(message: str) -> NoReturn:
    raise ValidationFailed([("file", message)])


def read_table(data: bytes, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Read a roster's first sheet or CSV table as text cells, with notices about how it was read."""
    suffix = Path(filename or "").suffix.lower()
    if not data.strip():
        _refuse(EMPTY)
    if data.startswith(OLE2_MAGIC):
        _refuse(OLD_EXCEL)
    if data.startswith(ZIP_MAGIC):  # a workbook whatever its name says
        frame, notices = read_workbook(data), []
    elif suffix in WORKBOOK_SUFFIXES:
        _refuse(f"This file is not an Excel workbook, although its name ends in {suffix}. {SAVE_AS}")
    elif suffix in CSV_SUFFIXES:
        text, notices = decode_csv(data)
        frame = read_csv_text(text)
    else:
        _refuse(WRONG_KIND)
    if frame.columns.empty:
        _refuse(EMPTY_SHEET if data.startswith(ZIP_MAGIC) else EMPTY)
    if frame.empty:
        _refuse(HEADING_ONLY)
    return frame, notices


def check_workbook(data: bytes) -> None:
    """Refuse a workbook archive that is damaged, protected, not a workbook, or would unpack too large.

    zipfile stops every part at its declared size (a header that lies gives a CRC error or a short
    part), but ZipFile.read(), which openpyxl uses for the small parts, inflates a deflated part in
    one call of up to 1 GiB before cutting it to that size. So each part is inflated once here in
    1 MiB steps and must not exceed its declared size; after that the declared sizes bound memory.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        _refuse(DAMAGED)
    if len(parts) > MAX_PARTS:
        _refuse(TOO_MANY_PARTS)
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        _refuse(TOO_LARGE)
    if any(p.file_size > RATIO_FLOOR and p.file_size > MAX_RATIO * p.compress_size for p in parts):
        _refuse(TOO_DENSE)
    if any(p.flag_bits & 0x1 for p in parts):
        _refuse(PROTECTED)
    if WORKBOOK_PART not in archive.namelist():
        _refuse(NOT_A_WORKBOOK)
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _refuse(DAMAGED)  # Excel writes nothing else; other methods would need other limits
        if part.compress_type == zipfile.ZIP_DEFLATED and not _inflates_within(data, part):
            _refuse(DAMAGED)


def _inflates_within(data: bytes, part: zipfile.ZipInfo) -> bool:
    """Whether a deflated part really unpacks to no more than its declared size."""
    start = part.header_offset
    try:
        signature, name_length, extra_length = LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        return False
    if signature != ZIP_MAGIC:
        return False
    begin = start + LOCAL_HEADER.size + name_length + extra_length
    pending = data[begin:begin + part.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        while not inflater.eof:
            out = inflater.decompress(pending, INFLATE_STEP)
            produced += len(out)
            if produced > part.file_size:
                return False
            pending = inflater.unconsumed_tail
            if not out and not pending:  # input used up: a short part fails zipfile's CRC check later
                break
    except zlib.error:
        return False
    return True


def read_workbook(data: bytes) -> pd.DataFrame:
    """The first sheet of a checked workbook as text cells."""
    check_workbook(data)
    try:
        return pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    except PARSE_ERRORS:
        _refuse(DAMAGED)


def decode_csv(data: bytes) -> tuple[str, list[str]]:
    """CSV bytes as text: UTF-8 (with or without a BOM), else Windows-1252 with a notice."""
    if b"\x00" in data:  # UTF-16 text or a binary file: neither is a CSV we can read
        _refuse(NOT_TEXT)
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV (Comma delimited)" in the system code page, almost always 1252.
    try:
        return data.decode("cp1252"), [READ_AS_WINDOWS_1252]
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D mean nothing in Windows-1252
        _refuse(UNREADABLE_TEXT)


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV table as text cells, with pandas' parser errors told as sentences."""
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        _refuse(EMPTY)
    except pd.errors.ParserError as error:
        if ragged := RAGGED.search(str(error)):
            expected, line, saw = ragged.groups()
            _refuse(f"Line {line} has more cells than the heading row ({saw} instead of {expected}). "
                    f"Check that line for an extra comma; a value that contains a comma must be in "
                    f"quotes.")
        if quote := OPEN_QUOTE.search(str(error)):
            _refuse(f"A quotation mark on line {int(quote.group(1)) + 1} is never closed. Check that "
                    f"line, or save the file again from Excel as CSV UTF-8.")
        _refuse(NOT_A_TABLE)
