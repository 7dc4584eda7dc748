"""A bulletin as the office sends it: .docx in the official layout (tables in 万元 with 合计) and .xlsx of
its tables (amounts in 元, to the fen)."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from core import clock
from core.web.templating import cn_date
from plugins.accountability.bulletins.models import Bulletin

NUMERALS = "一二三四五六七八九十"
WAN = Decimal(10000)


def heading(n: int, section: dict) -> str:
    return f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、{section['title']}"


def label(column: dict, unit: str) -> str:
    return f"{column['label']}（{unit}）" if column["kind"] == "money" else column["label"]


def cell_text(value, kind: str) -> str:
    """A value as the Word table shows it: money in 万元, ratios as percentages, dates in Chinese."""
    if value is None or value == "":
        return "—" if kind in ("ratio", "points") else ""
    if kind == "money":
        return f"{Decimal(value) / WAN:,.2f}"
    if kind == "ratio":
        return f"{Decimal(value) * 100:.2f}%"
    if kind == "points":
        return f"{Decimal(value):+.2f}"
    if kind == "date":
        return cn_date(value)
    return str(value)


def signed_on(bulletin: Bulletin) -> str:
    return cn_date(bulletin.issued_on or clock.today())


def to_docx(bulletin: Bulletin) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    number = doc.add_paragraph(bulletin.doc_no or "（草稿，印发时编号）")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_heading(bulletin.title, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (bulletin.intro or "").split("\n"):
        if text.strip():
            doc.add_paragraph(text.strip())
    for n, section in enumerate(bulletin.sections):
        doc.add_heading(heading(n, section), level=2)
        columns = section["columns"]
        rows = section["rows"]
        if not rows:
            doc.add_paragraph("无。")
        else:
            table = doc.add_table(rows=1, cols=len(columns))
            table.style = "Table Grid"
            for cell, column in zip(table.rows[0].cells, columns, strict=True):
                cell.text = label(column, "万元")
            for row in [*rows, *([section["total"]] if section.get("total") else [])]:
                for cell, column in zip(table.add_row().cells, columns, strict=True):
                    cell.text = cell_text(row.get(column["key"]), column["kind"])
        if section.get("note"):
            doc.add_paragraph(section["note"])
    for text in (bulletin.closing or "").split("\n"):
        if text.strip():
            doc.add_paragraph(text.strip())
    for text in (bulletin.issuer, signed_on(bulletin)):
        line = doc.add_paragraph(text)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if bulletin.cc:
        doc.add_paragraph(f"抄送：{bulletin.cc}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_xlsx(bulletin: Bulletin) -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False}) as wb:
        box = {"border": 1, "border_color": "#999999"}
        bold = wb.add_format({"bold": True, "font_size": 13})
        header = wb.add_format({**box, "bold": True, "align": "center", "text_wrap": True})
        text = wb.add_format(box)
        money = wb.add_format({**box, "num_format": "#,##0.00"})
        ratio = wb.add_format({**box, "num_format": "0.00%"})
        for n, section in enumerate(bulletin.sections):
            ws = wb.add_worksheet(f"{n + 1}{section['title']}"[:31])
            columns = section["columns"]
            ws.write_string(0, 0, f"{bulletin.doc_no or '通报草稿'} {heading(n, section)}", bold)
            ws.write_string(1, 0, f"统计截至{cn_date(bulletin.period_end)} · 金额单位：元")
            for c, column in enumerate(columns):
                ws.write_string(2, c, label(column, "元"), header)
                ws.set_column(c, c, 28 if column["key"] in ("unit_name", "creditor") else 14)
            r = 2
            for r, row in enumerate(
                [*section["rows"], *([section["total"]] if section.get("total") else [])], start=3
            ):
                for c, column in enumerate(columns):
                    value = row.get(column["key"])
                    if value is None or value == "":
                        ws.write_blank(r, c, None, text)
                    elif column["kind"] == "money":
                        ws.write_number(r, c, Decimal(value), money)
                    elif column["kind"] == "ratio":
                        ws.write_number(r, c, Decimal(value), ratio)
                    elif column["kind"] in ("int", "points") and not isinstance(value, str):
                        ws.write_number(r, c, value, text)
                    elif column["kind"] == "points":
                        ws.write_number(r, c, Decimal(value), text)
                    else:
                        ws.write_string(r, c, str(value), text)
            if section.get("note"):
                ws.write_string(r + 2, 0, section["note"])
    return out.getvalue()
