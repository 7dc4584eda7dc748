"""The 应收账款确认函 (.docx) a confirmation issues, and its verification code.

The letter carries a verification code; anyone holding the letter (a bank, the platform) checks it on the
public verification page, which answers genuine or not and the confirmed amount — nothing about people.
"""

from __future__ import annotations

import io
from decimal import Decimal

from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.finance.confirmations.models import Confirmation

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def capital(amount: Decimal) -> str:
    """An amount in yuan written in capitals as on a cheque: 125000.00 → 壹拾贰万伍仟元整."""
    fen_total = int((amount * 100).to_integral_value())
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    text = _integer(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def _integer(number: int) -> str:
    digits = str(number)
    groups = [digits[max(0, end - 4) : end] for end in range(len(digits), 0, -4)][::-1]
    out, gap = "", False
    for index, group in enumerate(groups):
        value = int(group)
        unit = _GROUPS[len(groups) - 1 - index]
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _group(value) + unit
        gap = False
    return out


def _group(value: int) -> str:
    out, zero, started = "", False, False
    for position, char in enumerate(f"{value:04d}"):
        digit = int(char)
        if digit == 0:
            zero = started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _PLACES[3 - position]
        started = True
    return out


def to_docx(item: Confirmation, verify_url: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    debtor = db.session.get(TenantNode, item.unit_id)
    doc = Document()
    title = doc.add_heading("应收账款确认函", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"编号：{item.confirmation_no}")
    doc.add_paragraph(f"{item.creditor_name}（统一社会信用代码：{item.creditor_code}）：")
    invoices = f"，发票号码 {item.invoice_numbers}" if item.invoice_numbers else ""
    contract = (
        f"《{item.contract_name}》（编号 {item.contract_no}）"
        if item.contract_name
        else f"编号 {item.contract_no} 的合同"
    )
    partial = "（部分确认，其余部分另行核对）" if item.status == "partial" else ""
    doc.add_paragraph(
        f"贵公司于{cn_date(item.requested_on)}申请确认{contract}项下的应收账款{invoices}。经核对，本单位确认"
        f"应付贵公司款项人民币 {item.confirmed_amount:,.2f} 元"
        f"（大写：{capital(item.confirmed_amount)}）{partial}，"
        f"付款到期日为{cn_date(item.payment_due_date)}。"
    )
    doc.add_paragraph("特此确认。依据《保障中小企业款项支付条例》第十六条出具。")
    doc.add_paragraph(f"核验码：{item.verification_code}　核验网址：{verify_url}")
    sign = doc.add_paragraph(
        f"{debtor.name if debtor else ''}（统一社会信用代码：{item.debtor_code}）\n"
        f"{cn_date(item.answered_on)}"
    )
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
