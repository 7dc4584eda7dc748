"""An assessment as .xlsx: one sheet of scores by unit, one of every item with the facts behind it."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from core.web.templating import cn_date


def to_xlsx(result: dict, title: str) -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False}) as wb:
        bold = wb.add_format({"bold": True, "font_size": 13})
        header = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
        cell = wb.add_format({"border": 1})
        number = wb.add_format({"border": 1, "num_format": "0.00"})
        card = result["scorecard"]
        ws = wb.add_worksheet("考核得分")
        ws.write_string(0, 0, f"{title}（考核期末{cn_date(result['period_end'])}）", bold)
        heads = ["排名", "单位", *[f"{c['label']}（{c['weight']}分）" for c in card], "总分"]
        for c, name in enumerate(heads):
            ws.write_string(2, c, name, header)
            ws.set_column(c, c, 28 if c == 1 else 14)
        for r, row in enumerate(result["rows"], start=3):
            ws.write_number(r, 0, row["rank"], cell)
            ws.write_string(r, 1, row["unit_name"], cell)
            for c, item in enumerate(row["items"], start=2):
                ws.write_number(r, c, Decimal(item["points"]), number)
            ws.write_number(r, len(heads) - 1, Decimal(row["score"]), number)
        detail = wb.add_worksheet("得分说明")
        for c, name in enumerate(["单位", "指标", "分值", "得分率", "得分", "依据"]):
            detail.write_string(0, c, name, header)
        r = 1
        for row in result["rows"]:
            for item in row["items"]:
                detail.write_string(r, 0, row["unit_name"], cell)
                detail.write_string(r, 1, item["label"], cell)
                detail.write_number(r, 2, Decimal(item["weight"]), number)
                detail.write_number(r, 3, Decimal(item["value"]), number)
                detail.write_number(r, 4, Decimal(item["points"]), number)
                detail.write_string(r, 5, item["detail"], cell)
                r += 1
        detail.set_column(0, 1, 24)
        detail.set_column(5, 5, 50)
    return out.getvalue()
