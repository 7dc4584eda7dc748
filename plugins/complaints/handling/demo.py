"""Demo content of the complaints plugin: clues at each stage, received over the last weeks (new, past its
transfer deadline, waiting for the complainant to add information, transferred, answered, paid and closed,
out of scope)."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.models import NodeKind, TenantNode
from plugins.complaints.handling import service
from plugins.complaints.intake.service import clean_complaint, create_complaint
from plugins.complaints.models import Channel, Complaint

CLUES = (
    # (channel, creditor, code base, what, category, amount, stage, received days ago)
    (
        Channel.PUBLIC,
        "五台县福源建材有限公司",
        "91140922MA0D10001",
        "游客中心建材采购",
        "goods",
        "86000.50",
        "transfer",
        12,
    ),
    (
        Channel.HOTLINE,
        "忻州市锦程园林绿化有限公司",
        "91140900MA0D10002",
        "景区绿化养护",
        "services",
        "42000",
        "received",
        2,
    ),
    (
        Channel.NATIONAL_PLATFORM,
        "山西宏远工程机械租赁有限公司",
        "91140100MA0D10003",
        "道路施工机械租赁",
        "works",
        "130000",
        "out",
        20,
    ),
    (
        Channel.PUBLIC,
        "五台县恒信印务有限公司",
        "91140922MA0D10004",
        "导览手册印刷",
        "goods",
        "18600",
        "received",
        25,  # ten working days have passed: overdue for transfer
    ),
    (
        Channel.HOTLINE,
        "忻州市康达物业服务有限公司",
        "91140900MA0D10005",
        "游客服务中心保洁",
        "services",
        "56800",
        "answered",
        40,
    ),
    (
        Channel.PUBLIC,
        "五台县佳源餐饮管理有限公司",
        "91140922MA0D10007",
        "景区职工食堂配餐",
        "services",
        "约3万",
        "needs_info",
        4,
    ),
    (
        Channel.NATIONAL_PLATFORM,
        "忻州市通达电子科技有限公司",
        "91140900MA0D10008",
        "景区监控设备维护",
        "services",
        "24500",
        "closed",
        60,
    ),
)


# A labour subcontractor whose workers are owed wages because the works payment is late: the intake's
# 是否涉及农民工工资 and amount, which the wage linkage plugin (when enabled) shows in its shared view.
WAGE_CLUE = {
    "creditor_name": "五台县顺达劳务服务有限公司",
    "creditor_code": "91140922MA0D10006",
    "what": "景区道路维修工程劳务分包",
    "category": "works",
    "amount": "48000",
    "migrant_wages": "是",
    "migrant_wage_amount": "36000",
    "received_days_ago": 3,
}


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
    today = clock.today(jurisdiction)
    for channel, creditor, code, what, category, amount, stage, days_ago in CLUES:
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
        received = today - dt.timedelta(days=days_ago)
        complaint = create_complaint(jurisdiction, clean, channel=channel, actor=office, received_on=received)
        if stage in ("transfer", "answered", "closed"):
            service.triage(complaint, in_scope=True, debtor_unit=township, actor=office)
            service.transfer(complaint, township, actor=office, note="请于时限内核实并书面答复")
        if stage in ("answered", "closed"):
            service.record_outcome(
                complaint,
                outcome="undisputed",
                detail="经核实，服务已按合同完成，款项无争议",
                payment_deadline=today + dt.timedelta(days=15),
                actor=office,
            )
        if stage == "closed":  # paid in full last week: the case closes with its debt
            debt = service.linked_debts(complaint)[0]
            service.record_payment(complaint, debt.outstanding, today - dt.timedelta(days=7), actor=office)
        elif stage == "needs_info":
            service.request_info(
                complaint, "请补充合同或验收单的照片，并写明欠款的准确金额及计算依据", actor=office
            )
        elif stage == "out":
            service.triage(complaint, in_scope=False, reason="judicial", actor=office)
    _wage_clue(jurisdiction, township, office, today)
    db.session.flush()
    return (
        f"线索投诉 {len(CLUES) + 1} 件（2 件已转办{township.name}，1 件已反馈核查结果，1 件已清偿办结，"
        "1 件不予受理（已进入司法程序），2 件待核实（其中 1 件已超转办期限），1 件待投诉人补充材料；"
        "1 件涉及农民工工资）"
    )


def _wage_clue(jurisdiction: TenantNode, township: TenantNode, office, today: dt.date) -> Complaint:
    """The subcontractor's complaint about unpaid migrant wages, transferred to the township."""
    w = WAGE_CLUE
    clean = clean_complaint(
        {
            "creditor_name": w["creditor_name"],
            "creditor_code": make(w["creditor_code"]),
            "creditor_size": "micro",
            "contact_name": "李经理",
            "contact_phone": "139 0000 4321",
            "debtor": township.name,
            "contract_name": f"{w['what']}合同",
            "category": w["category"],
            "amount": w["amount"],
            "migrant_wages": w["migrant_wages"],
            "migrant_wage_amount": w["migrant_wage_amount"],
            "description": f"{w['what']}已完工验收，工程款至今未付，拖欠农民工工资3.6万元，工人多次讨薪。",
        }
    )
    received = today - dt.timedelta(days=w["received_days_ago"])
    complaint = create_complaint(
        jurisdiction, clean, channel=Channel.HOTLINE, actor=office, received_on=received
    )
    service.triage(complaint, in_scope=True, debtor_unit=township, actor=office)
    service.transfer(complaint, township, actor=office, note="涉及农民工工资，请优先核实并督促支付")
    return complaint
