"""A minimal, fast XLSX writer for report tables: inline strings, numbers, dates; one bold header row.

openpyxl and xlsxwriter both spend 10-15 µs of Python per cell (a 12,000 × 100 compliance matrix
took over 20 s); this writes each cell's XML with one small function and compresses once.
The package holds only the parts every spreadsheet program needs (ECMA-376: content types,
relationships, workbook, styles, one worksheet per table).
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk folded in)
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {NS}>'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _text(value: str, style: str = "") -> str:
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def cell(value) -> str:
    """One cell's XML: text, number, boolean, date (as a date-formatted serial) or empty."""
    if value is None:
        return "<c/>"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real):  # Python and numpy numbers
        return f"<c><v>{value!r}</v></c>" if math.isfinite(value) else "<c/>"
    if isinstance(value, datetime):
        if pd.isna(value):
            return "<c/>"
        serial = (value.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
        return f'<c s="2"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c s="2"><v>{(value - EPOCH.date()).days}</v></c>'
    if pd.isna(value):
        return "<c/>"
    return _text(str(value))


def _sheet(frame: pd.DataFrame) -> str:
    header = "".join(_text(str(c), ' s="1"') for c in frame.columns)
    columns = [[cell(v) for v in frame[c].astype(object).tolist()] for c in frame.columns]
    rows = ["<row>" + "".join(cells) + "</row>" for cells in zip(*columns, strict=True)] if columns else []
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><sheetData>'
            f'<row>{header}</row>{"".join(rows)}</sheetData></worksheet>')


def write_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one worksheet per (name, frame); cell values are written as they are."""
    names = []
    for name in sheets:
        clean = SHEET_NAME_BAD.sub("", str(name))[:31] or "Sheet"
        while clean in names:
            clean = clean[:28] + f"~{len(names)}"
        names.append(clean)
    n = range(1, len(names) + 1)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns='
            '"http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType='
                      '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in n)
            + "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS} xmlns:r="{REL_NS}">'
            "<sheets>" + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                                 for i, name in zip(n, names, strict=True))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet"'
                      f' Target="worksheets/sheet{i}.xml"/>' for i in n)
            + f'<Relationship Id="rId{len(names) + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": STYLES,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for path, xml in parts.items():
            book.writestr(path, xml)
        for i, frame in zip(n, sheets.values(), strict=True):
            book.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(frame))
    return buffer.getvalue()
