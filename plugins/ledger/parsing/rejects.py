"""The rejected-rows workbook: the clerk's columns plus 行号 and 错误原因, ready to fix and upload again."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from plugins.ledger.parsing.safety import safe_cell
from plugins.ledger.parsing.types import ParsedRow

ROW_HEADER = "行号"
REASON_HEADER = "错误原因"
_REASON_FILL = PatternFill("solid", fgColor="FDE9E7")


def write_rejected(rows: list[ParsedRow], path: Path) -> None:
    """Write ``rows`` (normally the rejected ones) as .xlsx with the header on row 1.

    Columns are the original headers in first-seen order (amount headers carry their unit, e.g.
    "欠款金额（万元）", so the values mean the same on re-upload). 行号 and 错误原因 are recognised and
    ignored by the parser, so the file can be uploaded again after fixing as is.
    """
    headers: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for h in row.raw:
            if h not in seen:
                seen.add(h)
                headers.append(h)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("被拒绝的行")
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 8
    for i, h in enumerate(headers, start=2):
        ws.column_dimensions[_col(i)].width = max(12, min(40, len(h) * 2 + 4))
    ws.column_dimensions[_col(len(headers) + 2)].width = 60

    def head(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=safe_cell(text))
        cell.font = Font(bold=True)
        return cell

    ws.append([head(ROW_HEADER), *(head(h) for h in headers), head(REASON_HEADER)])
    for row in rows:
        reason = WriteOnlyCell(ws, value=safe_cell(row.reason_text()))
        reason.fill = _REASON_FILL
        reason.alignment = Alignment(wrap_text=True)
        ws.append([row.row_number, *(safe_cell(row.raw.get(h)) for h in headers), reason])
    wb.save(path)


def _col(index: int) -> str:
    return get_column_letter(index)
