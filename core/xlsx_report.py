"""Excel that prints: the one sheet layout every list export uses, core's and plugins'.

A title row, a line naming who reports (left) and "单位：万元" (right), the header (frozen, repeated on every
printed page), the rows, then a 合计 row. Money is written as numbers in the chosen unit, rounded once per
cell (``core.units``); the 合计 is the exact total rounded once, with a footnote when that differs from adding
the rounded cells. Dates are real dates shown as 2023年8月25日, ratios real numbers shown as 25.12%. Pages are
landscape A4, fitted to one page wide; columns are as wide as their longest text (Chinese counts double).

Rows are streamed to a temporary file (xlsxwriter's constant-memory mode), so a ledger of hundreds of
thousands of debts never sits in memory. Text is never turned into a formula, number or link, and every
string goes through ``safe_text`` for the programs that would read a leading "=" in other ways.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

from core.units import TOTAL_NOTE, UNITS, in_unit

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.00%"
MONEY_FORMAT = "#,##0.00"
BOX = {"border": 1, "border_color": "#999999"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
A4 = 9
MIN_WIDTH, MAX_WIDTH = 6, 48


def safe_text(value: Any) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def display_width(text: str) -> int:
    """Columns a text needs: wide (Chinese) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Column:
    """One column: ``kind`` is text, int, money (yuan in, the sheet's unit out), date or percent."""

    header: str
    kind: str = "text"
    total: bool | None = None  # None: money columns are totalled

    @property
    def totalled(self) -> bool:
        return self.kind == "money" if self.total is None else self.total


class ReportSheet:
    """Write ``add(values)`` row by row, then ``total_row()``, any ``write_line``, and ``close()``."""

    def __init__(
        self,
        title: str,
        columns: list[Column],
        *,
        unit: str = "wan",
        reporter: str | None = None,
        sheet_name: str = "数据",
    ) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the response, which closes it)
        self.wb = xlsxwriter.Workbook(
            self.file,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.ws = self.wb.add_worksheet(sheet_name[:31])
        self.columns = columns
        self.unit = unit
        self.exact = {i: Decimal("0.00") for i, c in enumerate(columns) if c.totalled}
        self.shown = {i: Decimal("0.00") for i, c in enumerate(columns) if c.totalled}
        self.widths = [max(MIN_WIDTH, display_width(c.header) + 2) for c in columns]
        fmt = self.wb.add_format
        text_fmt = fmt({**BOX, "valign": "top"})
        kind_formats = {
            "money": fmt({**BOX, "num_format": MONEY_FORMAT}),
            "date": fmt({**BOX, "num_format": DATE_FORMAT, "align": "left"}),
            "percent": fmt({**BOX, "num_format": PERCENT_FORMAT}),
            "int": fmt(BOX),
        }
        self.formats = [kind_formats.get(c.kind, text_fmt) for c in columns]
        bold = {**BOX, "bold": True, "bg_color": "#F2F2F2"}
        self.total_formats = [
            fmt({**bold, "num_format": MONEY_FORMAT})
            if c.kind == "money"
            else fmt({**bold, "num_format": PERCENT_FORMAT})
            if c.kind == "percent"
            else fmt(bold)
            for c in columns
        ]
        ws, last = self.ws, len(columns) - 1
        ws.set_row(0, 30)
        title_format = fmt({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        if last > 0:
            ws.merge_range(0, 0, 0, last, safe_text(title), title_format)
        else:
            ws.write_string(0, 0, safe_text(title), title_format)
        ws.write_string(1, 0, safe_text(f"填报单位：{reporter}" if reporter else ""))
        ws.write_string(1, last, f"单位：{UNITS[unit]}", fmt({"align": "right"}))
        header_format = fmt(
            {
                **BOX,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DCE6F1",
            }
        )
        for col, column in enumerate(columns):
            ws.write_string(2, col, safe_text(column.header), header_format)
        self.header_row = 2
        self.row = 3
        # Print setup: what an office prints and files.
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, self.header_row)
        ws.freeze_panes(self.header_row + 1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")

    def add(self, values: list[Any]) -> None:
        ws, row = self.ws, self.row
        for i, value in enumerate(values):
            kind, cell_format = self.columns[i].kind, self.formats[i]
            if value is None or value == "":
                ws.write_blank(row, i, None, cell_format)
                continue
            if kind == "money":
                exact = Decimal(str(value))
                shown = in_unit(exact, self.unit)
                self.exact[i] += exact
                self.shown[i] += shown
                ws.write_number(row, i, shown, cell_format)
                text = f"{shown:,.2f}"
            elif kind == "date" and isinstance(value, dt.date):
                day = (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime(value.year, value.month, value.day)
                )
                ws.write_datetime(row, i, day, cell_format)
                text = f"{value.year}年{value.month}月{value.day}日"
            elif kind == "percent":
                ws.write_number(row, i, float(value), cell_format)
                text = "100.00%"
            elif isinstance(value, bool):
                text = "是" if value else "否"
                ws.write_string(row, i, text, cell_format)
            elif isinstance(value, int | float | Decimal):
                if i in self.exact:
                    self.exact[i] += Decimal(str(value))
                    self.shown[i] += Decimal(str(value))
                ws.write_number(row, i, value, cell_format)
                text = str(value)
            else:
                text = safe_text(value)
                ws.write_string(row, i, text, cell_format)
            self.widths[i] = max(self.widths[i], display_width(text) + 2)
        self.row += 1

    def total_row(self, label: str = "合计", label_col: int = 0, extra: dict[int, Any] | None = None) -> None:
        """The 合计 row (``extra`` fills other cells, e.g. a count) and the rounding note if needed."""
        ws, row = self.ws, self.row
        extra = extra or {}
        differs = False
        for col, column in enumerate(self.columns):
            cell_format = self.total_formats[col]
            if col == label_col:
                ws.write_string(row, col, label, cell_format)
            elif col in extra:
                ws.write(row, col, extra[col], cell_format)
            elif column.totalled and column.kind == "money":
                total = in_unit(self.exact[col], self.unit)
                differs |= total != self.shown[col]
                ws.write_number(row, col, total, cell_format)
            elif column.totalled:
                ws.write_number(row, col, self.exact[col], cell_format)
            else:
                ws.write_blank(row, col, None, cell_format)
        self.row = row + 1
        if differs:
            ws.write_string(self.row, 0, TOTAL_NOTE)
            self.row += 1

    def close(self) -> IO[bytes]:
        """Fit the columns and close the workbook; returns its file, at the start."""
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, min(MAX_WIDTH, width))
        self.wb.close()
        self.file.seek(0)
        return self.file

    def write_line(self, text: str, col: int = 0) -> None:
        """A free line below the table (signatures, dates)."""
        self.ws.write_string(self.row, col, safe_text(text))

    def skip(self, rows: int = 1) -> None:
        self.row += rows
