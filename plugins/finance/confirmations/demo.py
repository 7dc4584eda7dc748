"""Demo content, in the present: a request waiting for the answer (its contract attached), one confirmed
(its ledger debt created, the SME's consent, a referral financed by factoring, an e-voucher payment
flagged), one disputed and one overdue and escalated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.rules.credit_code import make
from core.services import debts
from core.tenancy.models import TenantNode
from plugins.finance.confirmations import rules, service
from plugins.finance.confirmations.models import Channel, Confirmation, Status
from plugins.finance.referrals import service as referrals


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(Confirmation.id).where(Confirmation.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    units = service.debtor_units(jurisdiction.id)
    if not units:
        return None
    debtor = units[0]
    today = clock.today(jurisdiction)
    pending = service.create(
        jurisdiction,
        {
            "creditor_name": "演示华晟建材有限公司",
            "creditor_code": make("91140922MA0K88801"),
            "contact_name": "王经理",
            "contact_phone": "13900001234",
            "contract_no": "DEMO-QR-2026-001",
            "contract_name": "景区步道石材供货合同",
            "invoice_numbers": "14002300000012345678",
            "amount": Decimal("286000.00"),
            "note": None,
            "debtor": debtor,
        },
        files=[("景区步道石材供货合同.pdf", demo_pdf("DEMO-QR-2026-001 supply contract"), "application/pdf")],
    )
    confirmed = service.create(
        jurisdiction,
        {
            "creditor_name": "演示恒通物业服务有限公司",
            "creditor_code": make("91140922MA0K88802"),
            "contact_name": "李会计",
            "contact_phone": "13900005678",
            "contract_no": "DEMO-QR-2026-002",
            "contract_name": "游客中心保洁服务合同",
            "invoice_numbers": "14002300000087654321, 14002300000087654322",
            "amount": Decimal("98500.00"),
            "note": None,
            "debtor": debtor,
        },
        channel=Channel.OFFICE,
        actor=users.get("office_admin"),
    )
    clerk = users.get("unit_clerk") or users.get("office_admin")
    office = users.get("office_admin")
    service.answer(
        confirmed,
        {
            "outcome": Status.CONFIRMED,
            "payment_due_date": today + dt.timedelta(days=30),
            "debtor_code": make("11140900MB0K88804"),
            "bills_agreed": False,
        },
        actor=clerk,
    )
    # The SME consents, the office refers, the platform's partner buys the receivable (factoring).
    referrals.set_consent(confirmed, True, actor=office, note="企业书面同意书")
    referral = referrals.refer(confirmed, referrals.partners(jurisdiction)[0]["code"], actor=office)
    referrals.record_outcome(
        referral,
        {
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": Decimal("90000.00"),
            "annual_rate": Decimal("3.6500"),
            "financed_on": today,
        },
        actor=office,
    )
    # The unit then pays part of it with an e-voucher the contract never provided for: flagged (Art. 11).
    if confirmed.debt_id is not None:
        debts.record_payment(
            db.session.get(Debt, confirmed.debt_id),
            {"amount": Decimal("20000.00"), "paid_on": today, "method": "e_voucher", "evidence": "演示"},
            actor=clerk,
        )
    disputed = _request(
        jurisdiction,
        debtor,
        "演示汇丰广告有限公司",
        "91140922MA0K88805",
        "DEMO-QR-2026-003",
        "景区导视牌制作合同",
        "46000.00",
    )
    service.answer(
        disputed,
        {"outcome": Status.DISPUTED, "reason_code": "not_performed", "reason": "导视牌尚未安装验收"},
        actor=clerk,
    )
    late = _request(
        jurisdiction,
        debtor,
        "演示通达运输有限公司",
        "91140922MA0K88806",
        "DEMO-QR-2026-004",
        "游客接驳车辆租赁合同",
        "152000.00",
    )
    # Filed forty days ago and never answered: overdue, escalated by the daily clock.
    late.requested_on = today - dt.timedelta(days=40)
    late.due_on = rules.due_date(late.requested_on)
    service.check_deadlines(jurisdiction, today)
    return (
        f"应收账款确权申请 4 件（{debtor.name}：待确认 {pending.tracking_code}，"
        f"已确认 {confirmed.confirmation_no} 并经推介保理融资，有异议 1 件，逾期未答复 1 件；"
        f"公开申请页 /public/{jurisdiction.code}/finance/confirm）"
    )


def demo_pdf(text: str) -> bytes:
    """A one-page PDF saying ``text`` (ASCII): the demo request's attachment opens in any viewer."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _request(jurisdiction, debtor, name, code, contract_no, contract_name, amount) -> Confirmation:
    return service.create(
        jurisdiction,
        {
            "creditor_name": name,
            "creditor_code": make(code),
            "contact_name": "张经理",
            "contact_phone": "13900009876",
            "contract_no": contract_no,
            "contract_name": contract_name,
            "invoice_numbers": None,
            "amount": Decimal(amount),
            "category": "services",
            "note": None,
            "debtor": debtor,
        },
    )
