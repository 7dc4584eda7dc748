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

    行号 is the row's number in the clerk's ORIGINAL file: a row of a re-uploaded rejected-rows workbook
    keeps the 行号 it came with (and its old 错误原因 gives way to the new one), so the numbers a clerk
    sees stay those of the file the clerk keeps.
    """
    headers: list[str] = []
    seen: set[str] = {ROW_HEADER, REASON_HEADER, *_OLD_REASONS}
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
        number = original_row(row)
        ws.append([number, *(safe_cell(row.raw.get(h)) for h in headers), reason])
    wb.save(path)


_OLD_REASONS = ("导入错误原因",)


def original_row(row: ParsedRow) -> int:
    """The row's number in the first file it came from (行号 of a re-uploaded workbook), else its own."""
    from plugins.ledger.parsing.normalize import row_number

    number = (row.values or {}).get("source_row") or row_number((row.raw or {}).get(ROW_HEADER))
    return number or row.row_number


def _col(index: int) -> str:
    return get_column_letter(index)
