"""Spreadsheets for reporting upward, in the layout officials expect.

A title row ("…拖欠中小企业账款台账（截至2023年8月25日）"), a row naming the reporting unit and "单位：万元",
the header, the data with amounts in 万元 to two decimals and dates as 2023年8月25日, then a 合计 row and a
填表人/审核人 footer. Columns follow the jurisdiction's ledger template (the parsing engine's canonical
fields), so an exported ledger reads back through the importer. Every text cell goes through ``safe_cell``:
creditor and project names are typed by outsiders and must never run as formulas in the recipient's Excel.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.models.debt import Debt
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.ledger.rounds.rollup import Rollup

WAN = Decimal(10000)
CENT = Decimal("0.01")
MONEY_FORMAT = "#,##0.00"
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
EXTRA_FIELDS = {"paid_amount": "已付金额", "outstanding": "未付余额", "status": "状态"}


def to_wan(value) -> Decimal:
    return (Decimal(value or 0) / WAN).quantize(CENT)


def _yes_no(value) -> str:
    return "是" if value else "否"


def _field_values() -> dict[str, Callable[[Debt], object]]:
    from core.rules.status import STATUS_LABELS

    return {
        "debtor_unit": lambda d: d.unit.name,
        "debtor_type": lambda d: d.unit.kind_label,
        "creditor_name": lambda d: d.creditor.name,
        "credit_code": lambda d: d.creditor.credit_code,
        "creditor_size": lambda d: d.creditor.size_label,
        "is_private": lambda d: _yes_no(d.creditor.is_private),
        "project_name": lambda d: d.project_name,
        "contract_no": lambda d: d.contract_no,
        "category": lambda d: d.category_label,
        "source": lambda d: d.source_label,
        "migrant_wages": lambda d: _yes_no(d.migrant_wages),
        "judicial": lambda d: _yes_no(d.judicial),
        "reason": lambda d: d.reason,
        "remarks": lambda d: d.remarks,
        "outstanding": lambda d: d.outstanding,
        "status": lambda d: STATUS_LABELS.get(d.status, d.status),
    }


def ledger_columns() -> list[tuple[str, str, str]]:
    """(field, header, kind) in template order; kind is text, money or date. Amount headers say 万元."""
    from plugins.ledger.parsing.headers import AMOUNT_FIELDS, CANONICAL_FIELDS, DATE_FIELDS, FIELD_NAMES

    names = {**FIELD_NAMES, **EXTRA_FIELDS}
    fields = [f for f in CANONICAL_FIELDS if f != "row_key"]  # the clerk's own key, not ours to invent
    fields += [f for f in EXTRA_FIELDS if f not in fields]
    money = set(AMOUNT_FIELDS) | {"outstanding"}
    out = []
    for name in fields:
        kind = "money" if name in money else "date" if name in DATE_FIELDS else "text"
        header = names.get(name, name) + ("（万元）" if kind == "money" else "")
        out.append((name, header, kind))
    return out


def _safe(value):
    from plugins.ledger.parsing.safety import safe_cell

    return safe_cell(value)


class Sheet:
    """The title / unit / header / data / 合计 / footer frame shared by every export."""

    def __init__(self, title: str, reporter: str, headers: list[str], money_cols: set[int]) -> None:
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = "台账" if "台账" in title else "汇总"
        self.headers = headers
        self.money_cols = money_cols
        self.totals = {i: Decimal("0.00") for i in money_cols}
        width = len(headers)
        ws = self.ws
        ws.append([_safe(title)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1).font = Font(size=16, bold=True)
        ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 30
        unit_row = [None] * width
        unit_row[0] = _safe(f"填报单位：{reporter}")
        unit_row[-1] = "单位：万元"
        ws.append(unit_row)
        ws.cell(2, width).alignment = Alignment(horizontal="right")
        ws.append([_safe(h) for h in headers])
        for col in range(1, width + 1):
            cell = ws.cell(3, col)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BOX
            ws.column_dimensions[get_column_letter(col)].width = max(
                10, min(36, len(headers[col - 1]) * 2 + 4)
            )
        ws.freeze_panes = "A4"

    def add(self, values: list) -> None:
        row = []
        for i, value in enumerate(values):
            if i in self.money_cols:
                amount = to_wan(value)
                self.totals[i] += amount
                row.append(amount)
            elif isinstance(value, dt.date):
                row.append(cn_date(value))
            else:
                row.append(_safe(value) if isinstance(value, str) else value)
        self.ws.append(row)
        self._style(self.ws.max_row)

    def finish(self, count_col: int | None = None, count: int | None = None) -> bytes:
        # 合计 is the sum of the rounded figures shown above it, so the sheet adds up for whoever checks it.
        row: list = [None] * len(self.headers)
        row[0] = "合计"
        if count_col is not None:
            row[count_col] = count
        for i, total in self.totals.items():
            row[i] = total
        self.ws.append(row)
        self._style(self.ws.max_row, bold=True)
        self.ws.append([])
        footer = [None] * len(self.headers)
        footer[0] = "填表人："
        footer[min(3, len(footer) - 1)] = "审核人："
        footer[-1] = f"填报日期：{cn_date(dt.date.today())}"
        self.ws.append(footer)
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()

    def _style(self, row: int, bold: bool = False) -> None:
        for col in range(1, len(self.headers) + 1):
            cell = self.ws.cell(row, col)
            cell.border = BOX
            if bold:
                cell.font = Font(bold=True)
            if col - 1 in self.money_cols:
                cell.number_format = MONEY_FORMAT


def ledger_title(jurisdiction: TenantNode, as_of: dt.date, what: str = "台账") -> str:
    return f"{jurisdiction.name}拖欠中小企业账款{what}（截至{cn_date(as_of)}）"


def export_ledger(
    debts: list[Debt], *, jurisdiction: TenantNode, reporter: TenantNode, as_of: dt.date
) -> bytes:
    columns = ledger_columns()
    values = _field_values()
    headers = ["序号"] + [h for _, h, _ in columns]
    money_cols = {i + 1 for i, (_, _, kind) in enumerate(columns) if kind == "money"}
    sheet = Sheet(ledger_title(jurisdiction, as_of), reporter.name, headers, money_cols)
    for n, debt in enumerate(debts, start=1):
        row: list = [n]
        for name, _, _kind in columns:
            getter = values.get(name)
            row.append(getter(debt) if getter else getattr(debt, name, None))
        sheet.add(row)
    return sheet.finish()


def export_rollup(result: Rollup, *, jurisdiction: TenantNode, reporter: TenantNode, as_of: dt.date) -> bytes:
    first = {"unit": "单位", "kind": "债务人类型", "category": "欠款类别", "status": "状态", "source": "来源"}
    headers = ["序号", first.get(result.by, "月份"), "笔数", "欠款金额", "已付金额", "未付余额"]
    title = ledger_title(jurisdiction, as_of, f"汇总表（{result.label}）")
    sheet = Sheet(title, reporter.name, headers, {3, 4, 5})
    for n, row in enumerate(result.rows, start=1):
        sheet.add([n, row.label, row.count, row.owed, row.paid, row.outstanding])
    return sheet.finish(count_col=2, count=sum(r.count for r in result.rows))


def export_submissions(
    rows: list[dict], *, jurisdiction: TenantNode, reporter: TenantNode, as_of: dt.date
) -> bytes:
    """A round's submitted snapshots (what the units reported, not today's figures)."""
    from core.models.debt import CATEGORY_LABELS, SOURCE_LABELS
    from core.rules.status import STATUS_LABELS

    headers = [
        "序号",
        "欠款单位",
        "债权企业名称",
        "统一社会信用代码",
        "项目名称",
        "合同编号",
        "款项类别",
        "线索来源",
        "欠款形成日期",
        "欠款金额（万元）",
        "已付金额（万元）",
        "未付余额（万元）",
        "状态",
    ]
    sheet = Sheet(ledger_title(jurisdiction, as_of), reporter.name, headers, {9, 10, 11})
    for n, r in enumerate(rows, start=1):
        origin = dt.date.fromisoformat(r["origin_date"]) if r.get("origin_date") else None
        sheet.add(
            [
                n,
                r.get("unit_name"),
                r.get("creditor_name"),
                r.get("credit_code"),
                r.get("project_name"),
                r.get("contract_no"),
                CATEGORY_LABELS.get(r.get("category"), r.get("category")),
                SOURCE_LABELS.get(r.get("source"), r.get("source")),
                origin,
                r["amount_owed"],
                r["paid_amount"],
                r["outstanding"],
                STATUS_LABELS.get(r.get("status"), r.get("status")),
            ]
        )
    return sheet.finish()
