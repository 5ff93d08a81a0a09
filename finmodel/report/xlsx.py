"""The workbook: every schedule behind the report, one sheet each (XlsxWriter, in memory).

The bytes depend only on the tables: the workbook's creation date is fixed
(the scenario's valuation date) and XlsxWriter stamps every zip member with
1 January 1980 when it builds in memory.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Sheet", "workbook_bytes"]

FORMATS = {
    "money": "#,##0;[Red]-#,##0",
    "money2": "#,##0.00;[Red]-#,##0.00",
    "price": "#,##0.000",
    "percent": "0.0%",
    "number": "#,##0.00",
    "months": "0.0",
    "integer": "#,##0",
    "date": "yyyy-mm-dd",
    "text": "@",
}
"""Excel number formats by kind."""


@dataclass(frozen=True)
class Sheet:
    """One table to write.

    Attributes
    ----------
    name : str
        Sheet name (at most 31 characters).
    frame : DataFrame
        Written with its index as the first columns when ``index`` is true.
    kinds : mapping of column -> kind or tuple of kinds
        Number format per column (keys of :data:`FORMATS`), or one per row;
        unlisted numeric columns take ``number``, dates ``date``.
    title : str
        A line above the table saying what it is and its unit.
    index : bool
    """

    name: str
    frame: pd.DataFrame
    kinds: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    title: str = ""
    index: bool = False


def workbook_bytes(sheets: Sequence[Sheet], *, created: dt.datetime, title: str = "",
                   author: str = "finmodel") -> bytes:
    """The xlsx file of ``sheets``, as bytes; the same sheets give the same bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "author": author, "company": "", "created": created,
                         "comments": "written by finmodel"})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top",
                              "bg_color": "#E8EEF4"})
    caption = book.add_format({"italic": True, "font_color": "#555555"})
    for sheet in sheets:
        _write_sheet(book, sheet, formats, header, caption)
    book.close()
    return buffer.getvalue()


def _write_sheet(book, sheet: Sheet, formats, header, caption) -> None:
    ws = book.add_worksheet(sheet.name[:31])
    frame = sheet.frame.reset_index() if sheet.index else sheet.frame
    top = 0
    if sheet.title:
        ws.write_string(0, 0, sheet.title, caption)
        top = 2
    columns = [str(c) for c in frame.columns]
    for j, name in enumerate(columns):
        ws.write_string(top, j, name, header)
    widths = [max(8, min(len(name) + 2, 40)) for name in columns]
    for j, column in enumerate(frame.columns):
        values = frame[column]
        kind = sheet.kinds.get(str(column)) or _default_kind(values)
        per_row = kind if isinstance(kind, tuple) else (kind,) * len(values)
        for i, (value, row_kind) in enumerate(zip(values.tolist(), per_row), start=top + 1):
            width = _write_cell(ws, i, j, value, formats.get(row_kind), formats)
            widths[j] = max(widths[j], min(width, 60))
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    ws.freeze_panes(top + 1, 1 if sheet.index else 0)
    if len(frame):
        ws.autofilter(top, 0, top + len(frame), max(len(columns) - 1, 0))


def _default_kind(values: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_numeric_dtype(values):
        return "number"
    return "text"


def _write_cell(ws, row: int, col: int, value, cell_format, formats) -> int:
    """Write one value by its type; returns the width it needs. NaN and infinities stay blank."""
    if value is None or value is pd.NaT:
        return 0
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value))
        return 6
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            if math.isinf(number):
                ws.write_string(row, col, "inf" if number > 0 else "-inf")
            return 4
        ws.write_number(row, col, number, cell_format)
        return min(len(f"{number:,.2f}") + 2, 18)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return 0
        ws.write_datetime(row, col, stamp.to_pydatetime().replace(tzinfo=None), formats["date"])
        return 12
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value) if value else "none"
    text = str(value)
    ws.write_string(row, col, text)
    return len(text) + 2
