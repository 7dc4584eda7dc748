"""The progress report as an office sends it upward: .xlsx and .docx, amounts in 万元 with 2 decimals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.units import in_unit

FORMULA_STARTS = ("=", "+", "-", "@")
HEADERS = [
    "序号",
    "单位",
    "欠款笔数",
    "欠款金额（万元）",
    "已清偿（万元）",
    "未清偿（万元）",
    "清偿率（已确认欠款）",
    "已清偿笔数",
]
CLASS_HEADERS = ["欠款类别", "笔数", "欠款金额（万元）", "已清偿（万元）", "未清偿（万元）"]


def safe_text(value: Any) -> str:
    """Text that a spreadsheet would run as a formula is written as text (leading apostrophe)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def wan(value: Decimal) -> Decimal:
    return in_unit(value, "wan")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def title_of(report: dict[str, Any]) -> str:
    return f"{report['node_name']}防范和化解拖欠中小企业账款工作进展情况表"


def _pct(value: Decimal) -> str:
    return f"{Decimal(value) * 100:.2f}%"


def unit_rows(report: dict[str, Any], pct=_pct) -> list[list[Any]]:
    """The unit table with its 合计 (exact totals rounded once); ``pct`` shapes the ratio cell."""
    rows = []
    for i, u in enumerate(report["units"], start=1):
        rows.append(
            [
                i,
                safe_text(u["unit_name"]),
                u["count"],
                wan(u["owed"]),
                wan(u["paid"]),
                wan(u["outstanding"]),
                pct(u["ratio"]),
                u["cleared_count"],
            ]
        )
    t = report["total"]
    rows.append(
        [
            "合计",
            "",
            t["count"],
            wan(t["owed"]),
            wan(t["paid"]),
            wan(t["outstanding"]),
            pct(t["ratio"]),
            t["cleared_count"],
        ]
    )
    return rows


def class_rows(report: dict[str, Any]) -> list[list[Any]]:
    rows = [
        [c["label"], c["count"], wan(c["owed"]), wan(c["paid"]), wan(c["outstanding"])]
        for c in report["by_class"]
    ]
    t = report["total"]
    rows.append(["合计", t["count"], wan(t["owed"]), wan(t["paid"]), wan(t["outstanding"])])
    return rows


def to_xlsx(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "化解进度"
    ws.append([title_of(report)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"统计日期：{cn_date(report['as_of'])}"])
    ws.append(HEADERS)
    for row in unit_rows(report, pct=float):
        ws.append(row)
    for line in ws.iter_rows(min_row=4, min_col=4, max_col=7):
        for cell in line:
            # The ratio is a real number shown as a percentage, so it sorts and sums like one.
            cell.number_format = "0.00%" if cell.column == 7 else "0.00"
    ws.append([])
    ws.append(CLASS_HEADERS)
    start = ws.max_row + 1
    for row in class_rows(report):
        ws.append(row)
    for line in ws.iter_rows(min_row=start, min_col=3, max_col=5):
        for cell in line:
            cell.number_format = "0.00"
    for column, width in zip("ABCDEFGH", (8, 28, 10, 16, 16, 16, 10, 12), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_docx(report: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    heading = doc.add_heading(title_of(report), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"统计日期：{cn_date(report['as_of'])}　金额单位：万元")
    t = report["total"]
    doc.add_paragraph(
        f"截至{cn_date(report['as_of'])}，纳入清欠台账的欠款{t['count']}笔、{wan(t['owed']):.2f}万元，"
        f"已清偿{wan(t['paid']):.2f}万元，清偿率（已确认欠款）{_pct(t['ratio'])}，已清偿完毕{t['cleared_count']}笔，"
        f"尚未清偿{wan(t['outstanding']):.2f}万元。"
    )
    _table(doc, HEADERS, unit_rows(report))
    doc.add_paragraph("按欠款类别：")
    _table(doc, CLASS_HEADERS, class_rows(report))
    if report["behind"]:
        names = "、".join(u["unit_name"] for u in report["behind"])
        doc.add_paragraph(f"进度滞后的单位（按差距排序）：{names}。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, headers: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
