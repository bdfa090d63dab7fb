"""Spreadsheet exports from pandas DataFrames, with formula injection neutralized (reusable)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from models.services.infra.xlsx import write_xlsx

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

    names = [clean_value(str(c)) for c in frame.columns]
    text = [i for i, kind in enumerate(frame.dtypes) if not pd.api.types.is_numeric_dtype(kind)]
    columns = {i: frame.iloc[:, i] for i in range(len(names)) if i not in text}
    if text:
        # One pass over every text cell at once: column by column costs a Series per column, which
        # dominated the 100-column compliance matrix.
        cells = np.frompyfunc(clean_value, 1, 1)(frame.iloc[:, text].to_numpy(dtype=object))
        columns.update({i: pd.Series(cells[:, j], index=frame.index, dtype=object)
                        for j, i in enumerate(text)})
    clean = pd.concat([columns[i] for i in range(len(names))], axis=1) if names else frame.copy()
    clean.columns = names
    return clean


def dataframe_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM so spreadsheet programs detect the encoding), neutralized."""
    return neutralize_frame(frame).to_csv(index=False).encode("utf-8-sig")


def dataframe_to_xlsx_bytes(frame: pd.DataFrame | dict[str, pd.DataFrame],
                            sheet_name: str = "Sheet1") -> bytes:
    """An XLSX workbook (one sheet, or one per dict entry), neutralized and stored as text cells."""
    sheets = frame if isinstance(frame, dict) else {sheet_name: frame}
    return write_xlsx({name: neutralize_frame(sheet, xlsx=True) for name, sheet in sheets.items()})
