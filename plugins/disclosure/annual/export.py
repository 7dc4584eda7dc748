"""The published table as offices post it on the government website: .xlsx and .docx, amounts in 元."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from core.tenancy.models import TenantNode
from core.web.templating import cn_date

HEADERS = ["序号", "单位名称", "逾期未支付中小企业款项合同数（笔）", "逾期未支付金额（元）"]


def title_of(jurisdiction: TenantNode, view: dict) -> str:
    return f"{jurisdiction.name}{view['year']}年度逾期未支付中小企业款项情况"


def lead_of(jurisdiction: TenantNode, view: dict) -> str:
    return (
        f"根据《保障中小企业款项支付条例》第十八条，现将{jurisdiction.name}各机关、事业单位截至{view['year']}年"
        f"12月31日逾期未支付中小企业款项情况公开如下：合计{view['total_count']}笔，金额"
        f"{view['total_amount']:,.2f}元。"
    )


def body_rows(view: dict) -> list[list]:
    rows = [
        [n, r["unit_name"], int(r["count"]), Decimal(r["amount"])]
        for n, r in enumerate(view["rows"], start=1)
    ]
    rows.append(["合计", "", view["total_count"], view["total_amount"]])
    return rows


def to_xlsx(jurisdiction: TenantNode, view: dict) -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False}) as wb:
        ws = wb.add_worksheet("信息公开")
        box = {"border": 1, "border_color": "#999999"}
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        header = wb.add_format(
            {**box, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        text, number = wb.add_format(box), wb.add_format({**box, "num_format": "#,##0.00"})
        ws.merge_range(0, 0, 0, len(HEADERS) - 1, title_of(jurisdiction, view), title)
        ws.set_row(0, 28)
        ws.merge_range(
            1, 0, 1, len(HEADERS) - 1, lead_of(jurisdiction, view), wb.add_format({"text_wrap": True})
        )
        ws.set_row(1, 48)
        for col, (name, width) in enumerate(zip(HEADERS, (8, 36, 20, 22), strict=True)):
            ws.write_string(2, col, name, header)
            ws.set_column(col, col, width)
        for r, row in enumerate(body_rows(view), start=3):
            for c, value in enumerate(row):
                ws.write(r, c, value, number if isinstance(value, Decimal) else text)
        ws.write_string(r + 2, 0, f"发布日期：{cn_date(view['published_at'])}")
    return out.getvalue()


def to_docx(jurisdiction: TenantNode, view: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    heading = doc.add_heading(title_of(jurisdiction, view), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(lead_of(jurisdiction, view))
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = name
    for row in body_rows(view):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = f"{value:,.2f}" if isinstance(value, Decimal) else str(value)
    doc.add_paragraph(f"发布日期：{cn_date(view['published_at'])}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
