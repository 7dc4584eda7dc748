"""The jurisdiction's ledger template: header in canonical order with required columns marked, drop-downs,
number/date formats, and a 填表说明 sheet generated from the plan. It parses back with every row accepted.

Plan keys read here: ``name``, ``document_no``, ``deadlines``, ``rules``, ``scope`` and
``ledger.amount_unit`` — ``yuan`` (default) or ``wan``: the unit the template's amounts are written in
(the official 2023 layout uses 万元), and so the unit a file without any unit marker is read in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from plugins.ledger.parsing.headers import (
    AMOUNT_FIELDS,
    BOOL_FIELDS,
    CANONICAL_FIELDS,
    DATE_FIELDS,
    FIELD_LABELS,
    REQUIRED_FIELDS,
)
from plugins.ledger.parsing.normalize import DEBTOR_TYPE_LABELS
from plugins.ledger.parsing.safety import safe_cell

DATA_SHEET = "清欠台账"
HELP_SHEET = "填表说明"
LISTS_SHEET = "选项"
HEADER_ROW = 3  # row 1 title, row 2 填报单位/单位, row 3 header
VALIDATION_ROWS = 5000
REQUIRED_MARK = "*"

CATEGORY_CHOICES = {"goods": "货物", "works": "工程", "services": "服务"}
SIZE_CHOICES = {"medium": "中型", "small": "小型", "micro": "微型"}
SOURCE_CHOICES = ["自查", "审计", "巡视", "督导", "线索", "其他"]
DEADLINE_LABELS = {
    "ledger_complete": "清欠台账上报截止",
    "agreements_signed": "还款协议签订截止",
    "all_cleared": "全部清偿截止",
    "disclosure": "逾期未付账款信息披露截止",
}
_WIDTHS = {
    "debtor_unit": 24,
    "creditor_name": 30,
    "credit_code": 22,
    "project_name": 28,
    "reason": 24,
    "remarks": 20,
}
_THIN = Side(style="thin", color="999999")


UNIT_CODES = {"yuan": Decimal(1), "wan": Decimal(10000)}


def plan_unit(plan: dict | None) -> Decimal:
    """The jurisdiction template's amount unit as a multiplier (plan key ``ledger.amount_unit``)."""
    code = str(((plan or {}).get("ledger") or {}).get("amount_unit") or "yuan").strip().lower()
    return UNIT_CODES.get(code, Decimal(1))


def header_label(fld: str, wan: bool = False) -> str:
    label = FIELD_LABELS[fld]
    if wan and fld in AMOUNT_FIELDS:
        label = label.replace("（元）", "（万元）")
    return (REQUIRED_MARK if fld in REQUIRED_FIELDS else "") + label


def cn_date(value: object) -> str:
    """2023-08-25 (plans store ISO strings) → 2023年8月25日."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def build_template(plan: dict, path: Path, *, unit_names: list[str] | None = None) -> None:
    """Write the jurisdiction's .xlsx ledger template to ``path``.

    ``unit_names`` (the units of the downloader's subtree) become a drop-down for 欠款单位.
    """
    plan = plan or {}
    scope = plan.get("scope") or {}
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    fields = list(CANONICAL_FIELDS)
    last = get_column_letter(len(fields))

    title = f"{plan.get('name') or '清理拖欠中小企业账款'} — 清欠台账"
    ws["A1"] = safe_cell(title)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = "填报单位："
    wan = plan_unit(plan) != 1
    ws[f"{get_column_letter(len(fields) - 3)}2"] = "单位：万元" if wan else "单位：元"
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    req_fill = PatternFill("solid", fgColor="FCE4D6")
    for i, fld in enumerate(fields, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=header_label(fld, wan))
        cell.font = Font(bold=True, color="C00000" if fld in REQUIRED_FIELDS else "000000")
        cell.fill = req_fill if fld in REQUIRED_FIELDS else head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(fld, 14)
        first, end = HEADER_ROW + 1, HEADER_ROW + VALIDATION_ROWS
        if fld in AMOUNT_FIELDS:
            _number_format(ws, letter, first, end, "#,##0.00####" if wan else "#,##0.00")
        elif fld in DATE_FIELDS:
            _number_format(ws, letter, first, end, "yyyy-mm-dd")
        elif fld == "credit_code" or fld == "contract_no":
            _number_format(ws, letter, first, end, "@")  # keep leading zeros and long digit strings as text
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)

    allowed_categories = [
        CATEGORY_CHOICES[c] for c in scope.get("categories") or CATEGORY_CHOICES if c in CATEGORY_CHOICES
    ]
    allowed_sizes = [
        SIZE_CHOICES[s] for s in scope.get("creditor_sizes") or SIZE_CHOICES if s in SIZE_CHOICES
    ]
    kinds = scope.get("debtor_kinds") or list(DEBTOR_TYPE_LABELS)
    debtor_types = [DEBTOR_TYPE_LABELS[k] for k in kinds if k in DEBTOR_TYPE_LABELS]
    col = {fld: get_column_letter(i) for i, fld in enumerate(fields, start=1)}
    _choice(
        ws,
        col["category"],
        allowed_categories,
        "款项类别",
        "请从下拉列表选择：" + "、".join(allowed_categories),
    )
    _choice(ws, col["creditor_size"], allowed_sizes, "企业规模", "大型企业不属于清欠范围")
    _choice(ws, col["debtor_type"], debtor_types, "欠款单位类型", "请从下拉列表选择")
    _choice(ws, col["source"], SOURCE_CHOICES, "线索来源", "请从下拉列表选择")
    for fld in BOOL_FIELDS:
        _choice(ws, col[fld], ["是", "否"], FIELD_LABELS[fld], "请填写“是”或“否”")
    _help_sheet(wb.create_sheet(HELP_SHEET), plan, allowed_categories, allowed_sizes, debtor_types)
    if unit_names:
        lists = wb.create_sheet(LISTS_SHEET)
        for i, name in enumerate(unit_names, start=1):
            lists.cell(row=i, column=1, value=safe_cell(name))
        lists.sheet_state = "hidden"
        ref = f"{quote_sheetname(LISTS_SHEET)}!$A$1:$A${len(unit_names)}"
        dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
        dv.add(f"{col['debtor_unit']}{HEADER_ROW + 1}:{col['debtor_unit']}{HEADER_ROW + VALIDATION_ROWS}")
        ws.add_data_validation(dv)
    wb.active = 0
    wb.save(path)


def _number_format(ws, letter: str, first: int, end: int, fmt: str) -> None:
    # Column-level style: applies to every cell a clerk fills, without writing 5,000 styled empty cells.
    ws.column_dimensions[letter].number_format = fmt


def _choice(ws, letter: str, options: list[str], title: str, prompt: str) -> None:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error="请从下拉列表中选择：" + "、".join(options),
        promptTitle=title,
        prompt=prompt,
        showInputMessage=True,
    )
    dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + VALIDATION_ROWS}")
    ws.add_data_validation(dv)


def _help_sheet(ws, plan: dict, categories: list[str], sizes: list[str], debtor_types: list[str]) -> None:
    rules = plan.get("rules") or {}
    scope = plan.get("scope") or {}
    lines: list[tuple[str, str]] = [("填表说明", "")]
    if plan.get("name"):
        lines.append(
            ("工作方案", plan["name"] + (f"（{plan['document_no']}）" if plan.get("document_no") else ""))
        )
    for key, value in (plan.get("deadlines") or {}).items():
        lines.append((DEADLINE_LABELS.get(key, key), cn_date(value)))
    required = "、".join(FIELD_LABELS[f].split("（")[0] for f in REQUIRED_FIELDS)
    lines += [
        (
            "填写范围",
            "每行填写一笔欠款；请勿修改、删除或调换表头，不要合并单元格；表头以下第一行起填写数据。",
        ),
        ("必填列", f"带“{REQUIRED_MARK}”且标红的列必须填写：{required}。"),
        (
            "金额单位",
            "金额单位为万元，最多保留六位小数（精确到分）；不要加文字说明。"
            if plan_unit(plan) != 1
            else "金额单位为元，保留两位小数；不要填写“万元”或加文字说明。",
        ),
        (
            "金额关系",
            "欠款金额 = 无争议金额 + 有争议金额；只填其中一项时，另一项按差额自动计算。金额须大于0。",
        ),
        (
            "日期格式",
            "日期按 2023-08-25 格式填写；只知道年月的可填 2023-08，系统按当月1日记录并提示核实。"
            "日期不得晚于填报当天。",
        ),
        (
            "统一社会信用代码",
            "18位，由数字和大写字母组成（不含I、O、S、V、Z）。长度或字符错误的行将被退回；校验位不符的"
            + (
                "行将被退回（本辖区要求严格校验）。"
                if rules.get("credit_code_strict")
                else "行可导入，但会提示核实。"
            ),
        ),
        ("款项类别", "从下拉列表选择：" + "、".join(categories) + "。"),
        ("欠款单位类型", "从下拉列表选择：" + "、".join(debtor_types) + "。"),
        (
            "企业规模",
            "按合同签订时企业规模填写：" + "、".join(sizes) + "（依据工信部联企业〔2011〕300号划型标准）；"
            "大型企业不属于清欠范围。",
        ),
    ]
    if scope.get("exclude_judicial", True):
        lines.append(("司法程序", "已进入司法程序（诉讼、仲裁）的欠款不属于清欠范围，不要填报。"))
    if rules.get("payment_term_days"):
        lines.append(
            (
                "付款期限",
                f"机关、事业单位应自货物、工程、服务交付之日起{rules['payment_term_days']}日内支付；"
                f"约定付款期限最长不超过{rules.get('max_agreed_term_days', 60)}日。",
            )
        )
    if rules.get("wages_first"):
        lines.append(("农民工工资", "涉及农民工工资的，请填写农民工工资金额，清偿时优先支付。"))
    lines += [
        (
            "行标识",
            "可选。本单位自编的唯一编号；再次上传时按此更新同一笔欠款。不填时按欠款单位、统一社会信用代码和合同编号匹配。",
        ),
        (
            "再次上传",
            "同一文件重复上传不会重复导入；修改后上传会更新对应欠款。被退回的行可下载、修改后重新上传。",
        ),
        ("应报尽报", "应报尽报，严禁瞒报、漏报；无欠款的单位请在系统中提交零报告（无拖欠）。"),
    ]
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
    for r, (k, v) in enumerate(lines, start=1):
        a = ws.cell(row=r, column=1, value=safe_cell(k))
        b = ws.cell(row=r, column=2, value=safe_cell(v))
        a.font = Font(bold=True, size=14 if r == 1 else 11)
        a.alignment = Alignment(vertical="top")
        b.alignment = Alignment(wrap_text=True, vertical="top")
