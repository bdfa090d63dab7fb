"""The XLSX writer: every kind of cell reads back as written, in openpyxl and pandas."""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd

from models.services.infra.xlsx import write_xlsx


def test_cells_round_trip_with_types_and_styles():
    frame = pd.DataFrame({
        "Text": ["plain", ' <&> "quoted" ', "'=1+1", "Ünïcødé ✓"],
        "Int": [1, -2, 0, 10**12],
        "Float": [1.5, np.nan, np.float64(2.25), -0.1],
        "Date": [date(2026, 1, 31), None, pd.Timestamp("2026-02-03"), datetime(2024, 2, 29)],
        "Flag": [True, False, None, True],
    })
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns about a malformed style sheet
        book = openpyxl.load_workbook(io.BytesIO(write_xlsx({"Report: one/two": frame, "Second": frame[:1]})))
    assert book.sheetnames == ["Report onetwo", "Second"]
    sheet = book["Report onetwo"]
    assert [c.value for c in sheet[1]] == list(frame.columns) and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["plain", 1, 1.5, datetime(2026, 1, 31), True]
    assert [c.value for c in sheet[3]] == [' <&> "quoted" ', -2, None, None, False]
    assert [c.value for c in sheet[4]] == ["'=1+1", 0, 2.25, datetime(2026, 2, 3), None]
    assert [c.value for c in sheet[5]] == ["Ünïcødé ✓", 10**12, -0.1, datetime(2024, 2, 29), True]
    assert sheet["A4"].data_type == "s" and sheet["D2"].number_format == "yyyy-mm-dd"
    back = pd.read_excel(io.BytesIO(write_xlsx({"x": frame})))
    assert back["Int"].tolist() == frame["Int"].tolist() and back.shape == frame.shape


def test_empty_frame_has_its_header_only():
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx({"Empty": pd.DataFrame(columns=["A", "B"])}))).active
    assert [c.value for c in sheet[1]] == ["A", "B"] and sheet.max_row == 1
