"""Demo content of the complaints plugin: clues at each stage (received, transferred, out of scope)."""

from __future__ import annotations

from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.models import NodeKind, TenantNode
from plugins.complaints.handling import service
from plugins.complaints.intake.service import clean_complaint, create_complaint
from plugins.complaints.models import Channel, Complaint

CLUES = (
    # (channel, creditor, code base, what, category, amount, stage)
    (
        Channel.PUBLIC,
        "五台县福源建材有限公司",
        "91140922MA0D10001",
        "游客中心建材采购",
        "goods",
        "86000.50",
        "transfer",
    ),
    (
        Channel.HOTLINE,
        "忻州市锦程园林绿化有限公司",
        "91140900MA0D10002",
        "景区绿化养护",
        "services",
        "42000",
        "received",
    ),
    (
        Channel.NATIONAL_PLATFORM,
        "山西宏远工程机械租赁有限公司",
        "91140100MA0D10003",
        "道路施工机械租赁",
        "works",
        "130000",
        "out",
    ),
)


def _first_township(jurisdiction: TenantNode) -> TenantNode | None:
    return db.session.scalar(
        db.select(TenantNode)
        .where(TenantNode.jurisdiction_id == jurisdiction.id, TenantNode.kind == NodeKind.TOWNSHIP)
        .order_by(TenantNode.sort_order, TenantNode.path)
        .limit(1)
    )


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(Complaint.id).where(Complaint.jurisdiction_id == jurisdiction.id).limit(1)
    )
    township = _first_township(jurisdiction)
    if exists is not None or township is None:
        return None
    office = users.get("office_admin")
    for channel, creditor, code, what, category, amount, stage in CLUES:
        clean = clean_complaint(
            {
                "creditor_name": creditor,
                "creditor_code": make(code),
                "creditor_size": "small",
                "contact_name": "王经理",
                "contact_phone": "138 0000 5678",
                "debtor": township.name,
                "contract_name": f"{what}合同",
                "category": category,
                "amount": amount,
                "description": f"{what}已按合同完成并验收，约定付款期限已过，至今未付款。",
            }
        )
        complaint = create_complaint(jurisdiction, clean, channel=channel, actor=office)
        if stage == "transfer":
            service.triage(complaint, in_scope=True, debtor_unit=township, actor=office)
            service.transfer(complaint, township, actor=office, note="请于时限内核实并书面答复")
        elif stage == "out":
            service.triage(complaint, in_scope=False, reason="judicial", actor=office)
    db.session.flush()
    return (
        f"线索投诉 {len(CLUES)} 件（1 件已转办{township.name}，1 件不予受理（已进入司法程序），1 件待核实）"
    )
