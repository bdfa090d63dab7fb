"""Spreadsheet exports from pandas DataFrames, with formula injection neutralized (reusable)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from models.services.xlsx import write_xlsx

# A cell starting with one of these may be run as a formula by a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Prefix a single quote to text that a spreadsheet would read as a formula; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _xlsx_text(value: Any) -> Any:
    """Drop control characters that XLSX cannot hold (they would make the export fail)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def neutralize_frame(frame: pd.DataFrame, *, xlsx: bool = False) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name neutralized."""
    def clean_value(value):
        return neutralize(_xlsx_text(value) if xlsx else value)

    clean = frame.copy()
    clean.columns = [clean_value(str(c)) for c in clean.columns]
    for column in clean.columns:
        if not pd.api.types.is_numeric_dtype(clean[column]):
            clean[column] = clean[column].map(clean_value)
    return clean


def dataframe_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM so spreadsheet programs detect the encoding), neutralized."""
    return neutralize_frame(frame).to_csv(index=False).encode("utf-8-sig")


def dataframe_to_xlsx_bytes(frame: pd.DataFrame | dict[str, pd.DataFrame],
                            sheet_name: str = "Sheet1") -> bytes:
    """An XLSX workbook (one sheet, or one per dict entry), neutralized and stored as text cells."""
    sheets = frame if isinstance(frame, dict) else {sheet_name: frame}
    return write_xlsx({name: neutralize_frame(sheet, xlsx=True) for name, sheet in sheets.items()})
