"""The referral package for the receivables financing platform and partner banks (.xlsx).

Layout (one sheet 应收账款推介清单, header row then one row per referral, in this order):

| column | content |
|---|---|
| 序号 | 1, 2, … |
| 债务人名称 | the debtor unit's name |
| 债务人统一社会信用代码 | as the debtor gave it when confirming |
| 债权人名称 | the SME |
| 债权人统一社会信用代码 | the SME's code |
| 合同编号 | |
| 发票号码 | as the SME listed them |
| 应收账款金额（元） | the confirmed amount, a number with two decimals |
| 到期日 | the confirmed payment due date (yyyy-mm-dd) |
| 确权编号 | |
| 确权日期 | the day the debtor answered (yyyy-mm-dd) |
| 推介机构 | |
| 推介日期 | (yyyy-mm-dd) |

Only open referrals (待反馈) whose SME's consent still stands are exported.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from core.extensions import db
from core.tenancy.models import TenantNode
from plugins.finance.confirmations.models import Confirmation, Referral, ReferralStatus

COLUMNS = (
    "序号",
    "债务人名称",
    "债务人统一社会信用代码",
    "债权人名称",
    "债权人统一社会信用代码",
    "合同编号",
    "发票号码",
    "应收账款金额（元）",
    "到期日",
    "确权编号",
    "确权日期",
    "推介机构",
    "推介日期",
)


def rows(partner_code: str | None = None) -> list[tuple]:
    stmt = (
        db.select(Referral, Confirmation)
        .join(Confirmation, Confirmation.id == Referral.confirmation_id)
        .where(Referral.status == ReferralStatus.REFERRED, Confirmation.consent == "given")
        .order_by(Referral.referred_on, Referral.id)
    )
    if partner_code:
        stmt = stmt.where(Referral.partner_code == partner_code)
    names = {n.id: n.name for n in db.session.scalars(db.select(TenantNode))}
    out = []
    for number, (referral, item) in enumerate(db.session.execute(stmt), start=1):
        out.append(
            (
                number,
                names.get(item.unit_id, ""),
                item.debtor_code or "",
                item.creditor_name,
                item.creditor_code,
                item.contract_no,
                item.invoice_numbers or "",
                Decimal(item.confirmed_amount),
                item.payment_due_date.isoformat() if item.payment_due_date else "",
                item.confirmation_no or "",
                item.answered_on.isoformat() if item.answered_on else "",
                referral.partner_name,
                referral.referred_on.isoformat(),
            )
        )
    return out


def to_xlsx(data: list[tuple]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "应收账款推介清单"
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
