"""Downloads of a table: the one place that reads `?format=` and answers CSV or XLSX."""

from __future__ import annotations

from flask import Response, abort, request

from models.services.infra.exports import dataframe_to_csv_bytes, dataframe_to_xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def requested_format() -> str | None:
    """`csv` or `xlsx` when the address asks for a download, None for the page; 400 for any other format."""
    fmt = request.args.get("format")
    if fmt in (None, "", "html"):
        return None
    if fmt not in FORMATS:
        abort(400, description="Choose a format this table comes in: csv or xlsx (or none, for the page).")
    return fmt


def download(frame, name: str, fmt: str) -> Response:
    """The frame as a CSV or XLSX attachment (formula-like cells neutralized by the helpers)."""
    if fmt == "csv":
        return Response(dataframe_to_csv_bytes(frame), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(dataframe_to_xlsx_bytes(frame, sheet_name=name[:31]), mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
