"""Spreadsheets for reporting upward, in the layout officials expect.

A title row ("…拖欠中小企业账款台账（截至2023年8月25日）"), a row naming the reporting unit and "单位：万元",
the header, the data with amounts in 万元 to two decimals and dates as 2023年8月25日, then a 合计 row and a
填表人/审核人 footer. Columns follow the jurisdiction's ledger template (the parsing engine's canonical
fields), so an exported ledger reads back through the importer. Every text cell goes through ``safe_cell``:
creditor and project names are typed by outsiders and must never run as formulas in the recipient's Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import IO

from core import clock
from core.models.debt import Debt
from core.rules.columns import ExportColumn
from core.services.creditors import prefetch_names
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from core.xlsx_report import Column, ReportSheet
from plugins.ledger.rounds.rollup import Rollup

PROGRESS_EVERY = 1000
EXTRA_FIELDS = {"paid_amount": "已付金额", "outstanding": "未付余额", "status": "状态"}


def _yes_no(value) -> str:
    return "是" if value else "否"


def _debtor_type(debt: Debt) -> str:
    """The debt's own 欠款单位类型 as the template spells it (so it reads back), else its unit's class."""
    from plugins.ledger.parsing.normalize import DEBTOR_TYPE_LABELS

    return DEBTOR_TYPE_LABELS.get(debt.debtor_type or debt.unit.debtor_class, debt.unit.kind_label)


def _field_values() -> dict[str, Callable[[Debt], object]]:
    from core.rules.status import STATUS_LABELS

    return {
        "debtor_unit": lambda d: d.unit.name,
        "debtor_type": _debtor_type,
        "creditor_name": lambda d: d.creditor.display_name,
        "credit_code": lambda d: d.creditor.credit_code,
        "creditor_size": lambda d: d.creditor.size_label,
        "is_private": lambda d: _yes_no(d.creditor.is_private if d.is_private is None else d.is_private),
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
    """The ledger's frame on core's printable sheet (``core.xlsx_report``): title, reporting unit and
    "单位：万元", header, data, 合计 (exact totals rounded once) and a 填表人/审核人 footer."""

    def __init__(
        self,
        title: str,
        reporter: str,
        headers: list[str],
        money_cols: set[int],
        date_cols: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        columns = [
            Column(h, "money" if i in money_cols else "date" if i in date_cols else "text")
            for i, h in enumerate(headers)
        ]
        self.report = ReportSheet(
            title, columns, unit="wan", reporter=reporter, sheet_name="台账" if "台账" in title else "汇总"
        )
        self.headers = headers

    def add(self, values: list) -> None:
        self.report.add(values)

    def finish(self, count_col: int | None = None, count: int | None = None) -> IO[bytes]:
        """Close the workbook; returns its file, at the start."""
        report, last = self.report, len(self.headers) - 1
        report.total_row(extra={count_col: count} if count_col is not None else None)
        report.skip(1)
        report.write_line("填表人：")
        report.write_line("审核人：", min(3, last))
        report.write_line(f"填报日期：{cn_date(clock.today())}", last)
        return report.close()


def ledger_title(jurisdiction: TenantNode, as_of: dt.date, what: str = "台账") -> str:
    return f"{jurisdiction.name}拖欠中小企业账款{what}（截至{cn_date(as_of)}）"


def plugin_columns(jurisdiction: TenantNode) -> list[ExportColumn]:
    """The columns the jurisdiction's enabled plugins add to debt exports (``qingqian_export_columns``)."""
    from core.plugins import flatten, get_pm
    from core.tenancy.plans import plan_for

    caller = get_pm().hook_for(jurisdiction, "qingqian_export_columns")
    return [c for c in flatten(caller(plan=plan_for(jurisdiction))) if isinstance(c, ExportColumn)]


def export_ledger(
    debts: Iterable[Debt],
    *,
    jurisdiction: TenantNode,
    reporter: TenantNode,
    as_of: dt.date,
    extra: Sequence[ExportColumn] = (),
    progress: Callable[[int], None] | None = None,
) -> IO[bytes]:
    """The whole ledger, then the ``extra`` columns plugins add; ``progress(n)`` is called every
    ``PROGRESS_EVERY`` debts and once at the end."""
    columns = ledger_columns()
    values = _field_values()
    headers = ["序号"] + [h for _, h, _ in columns]
    headers += [c.header + ("（万元）" if c.kind == "money" else "") for c in extra]
    kinds = [kind for _, _, kind in columns] + [c.kind for c in extra]
    money_cols = {i + 1 for i, kind in enumerate(kinds) if kind == "money"}
    date_cols = {i + 1 for i, kind in enumerate(kinds) if kind == "date"}
    sheet = Sheet(ledger_title(jurisdiction, as_of), reporter.name, headers, money_cols, date_cols)
    n = 0
    debts = iter(debts)
    while batch := list(islice(debts, PROGRESS_EVERY)):
        # One query per plugin column per batch, not per debt; the reader's creditor names likewise.
        cells = [column.values(batch) for column in extra]
        prefetch_names({debt.creditor_id for debt in batch})
        for debt in batch:
            n += 1
            row: list = [n]
            for name, _, _kind in columns:
                getter = values.get(name)
                row.append(getter(debt) if getter else getattr(debt, name, None))
            row += [by_debt.get(debt.id) for by_debt in cells]
            sheet.add(row)
        if progress is not None:
            progress(n)
    if progress is not None and n == 0:
        progress(0)
    return sheet.finish()


def export_rollup(
    result: Rollup, *, jurisdiction: TenantNode, reporter: TenantNode, as_of: dt.date
) -> IO[bytes]:
    first = {"unit": "单位", "kind": "债务人类型", "category": "欠款类别", "status": "状态", "source": "来源"}
    headers = ["序号", first.get(result.by, "月份"), "笔数", "欠款金额", "已付金额", "未付余额"]
    title = ledger_title(jurisdiction, as_of, f"汇总表（{result.label}）")
    sheet = Sheet(title, reporter.name, headers, {3, 4, 5})
    for n, row in enumerate(result.rows, start=1):
        sheet.add([n, row.label, row.count, row.owed, row.paid, row.outstanding])
    return sheet.finish(count_col=2, count=sum(r.count for r in result.rows))


def export_submissions(
    rows: list[dict], *, jurisdiction: TenantNode, reporter: TenantNode, as_of: dt.date
) -> IO[bytes]:
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
    sheet = Sheet(ledger_title(jurisdiction, as_of), reporter.name, headers, {9, 10, 11}, {8})
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
