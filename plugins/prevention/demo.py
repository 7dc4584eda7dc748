"""Demo content: a project started with funds missing (listed as an override), a fully funded one, a
contract review with open findings and its uploaded contract, one fixed and signed (and a debt under it
that went unpaid: a new arrears traced to its review), deposits due soon, returned, and one overdue that
the conversion turns into a deposit debt, and a budget arrangement."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from core import clock
from core.extensions import db
from core.rules.credit_code import make
from core.services import debts
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from plugins.prevention.budget import service as budget
from plugins.prevention.budget.service import unbudgeted_stmt
from plugins.prevention.deposits import conversion
from plugins.prevention.deposits import service as deposits
from plugins.prevention.projects import service as projects
from plugins.prevention.projects.models import Project
from plugins.prevention.reviews import documents
from plugins.prevention.reviews import service as reviews
from plugins.prevention.reviews.rules import plan_settings

BASE_TERMS = {
    "payment_term_days": 30,
    "term_specially_agreed": False,
    "clock_start": "acceptance",
    "acceptance_days": 15,
    "payment_method": "transfer",
    "sme_chose_method": False,
    "bill_maturity_days": None,
    "back_to_back": False,
    "audit_condition": False,
    "audit_agreed": False,
    "advance_funding": False,
    "deposits": [],
}


def _unit(jurisdiction: TenantNode) -> TenantNode:
    return (
        db.session.scalar(
            db.select(TenantNode)
            .where(TenantNode.jurisdiction_id == jurisdiction.id, TenantNode.kind == "township")
            .order_by(TenantNode.id)
            .limit(1)
        )
        or jurisdiction
    )


def _budget_one(today: dt.date, clerk) -> bool:
    """One of this year's debts gets its budget arrangement; the rest stay on the unbudgeted list."""
    debt = db.session.scalar(unbudgeted_stmt(today.year).limit(1))
    if debt is None:
        return False
    data = {
        "year": today.year,
        "budget_line": "2120501 城乡社区管理事务",
        "amount": debt.outstanding,
        "remarks": None,
    }
    budget.arrange(debt, data, clerk)
    return True


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(Project.id).where(Project.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    unit = _unit(jurisdiction)
    clerk = users.get("unit_clerk") or users.get("office_admin")
    today = clock.today(jurisdiction)
    road = projects.create(
        unit,
        {
            "name": "景区环线道路提升改造工程",
            "approval_doc": "五景发改审批〔2026〕12号",
            "approved_on": today - dt.timedelta(days=90),
            "budget": Decimal("8600000.00"),
            "planned_start": today - dt.timedelta(days=30),
            "funding": [
                {"source": "本级财政资金", "amount": Decimal("3600000.00"), "secured": True},
                {"source": "地方政府专项债券", "amount": Decimal("5000000.00"), "secured": False},
            ],
        },
        clerk,
    )
    projects.start(road, today - dt.timedelta(days=20), "旅游旺季前须完成路基施工，专项债已申报待批", clerk)
    projects.create(
        unit,
        {
            "name": "游客中心污水管网工程",
            "approval_doc": "五景发改审批〔2026〕18号",
            "approved_on": today - dt.timedelta(days=40),
            "budget": Decimal("1200000.00"),
            "planned_start": today + dt.timedelta(days=20),
            "funding": [{"source": "上级补助资金", "amount": Decimal("1200000.00"), "secured": True}],
        },
        clerk,
    )
    flawed = {
        **BASE_TERMS,
        "payment_term_days": 90,
        "audit_condition": True,
        "deposits": [{"kind": "quality", "rate": "5.00", "form": "cash", "guarantee_refused": True}],
    }
    common = {
        "counterparty_size": "small",
        "category": "works",
        "contract_date": today,
        "project_id": road.id,
    }
    open_review = reviews.create(
        unit,
        {
            **common,
            "title": "环线道路路面工程施工合同",
            "counterparty": "五台山金路建筑工程有限公司",
            "contract_amount": Decimal("2400000.00"),
            "terms": flawed,
        },
        clerk,
    )
    fixed = reviews.create(
        unit,
        {
            **common,
            "contract_date": today - dt.timedelta(days=60),
            "title": "环线道路标志标线采购合同",
            "counterparty": "忻州安通交通设施有限公司",
            "contract_amount": Decimal("380000.00"),
            "terms": {**BASE_TERMS, "payment_term_days": 45},
        },
        clerk,
    )
    reviews.update(fixed, {"terms": {**BASE_TERMS, "payment_term_days": 30}}, clerk)
    reviews.sign(fixed, today - dt.timedelta(days=60), "WTS-HT-2026-031", clerk)
    allowed = plan_settings(plan_for(unit))["deposit_kinds"]
    documents.attach(open_review, "环线道路路面工程施工合同.docx", _contract_docx(), clerk)
    rows = [
        (
            "五台山金路建筑工程有限公司",
            "91140922MA0K5JL01",
            "performance",
            "guarantee",
            "120000.00",
            330,
            7,
            None,
        ),
        ("忻州安通交通设施有限公司", "91140900MA0K6AT02", "quality", "cash", "11400.00", 400, -12, None),
        ("五台县宏达劳务有限公司", "91140922MA0K7HD03", "migrant_wage", "cash", "50000.00", 200, -30, -31),
    ]
    for name, code, kind, form, amount, ago, due_in, returned in rows:
        deposit = deposits.create(
            unit,
            {
                "enterprise_name": name,
                "credit_code": make(code),
                "contract_no": "WTS-HT-2026-031" if kind == "quality" else None,
                "kind": kind,
                "form": form,
                "amount": Decimal(amount),
                "received_on": today - dt.timedelta(days=ago),
                "due_back_on": today + dt.timedelta(days=due_in),
                "remarks": None,
            },
            allowed,
            clerk,
        )
        if returned is not None:
            deposits.refund(deposit, today + dt.timedelta(days=returned), today, clerk)
    budgeted = _budget_one(today, clerk)
    deposits.remind(jurisdiction.id, today, plan_settings(plan_for(jurisdiction))["deposit_reminder_days"])
    converted = conversion.convert_overdue(jurisdiction.id, today)["converted"]
    _debt_under_reviewed_contract(unit, today, clerk)
    return (
        "源头治理：2 个政府投资项目（1 个资金未落实先开工），"
        f"合同审查 2 份（{len(open_review.findings)} 条意见待整改，附合同文本），"
        f"保证金 3 笔（1 笔7天后到期、{converted} 笔逾期未退已转为欠款），"
        "1 笔经审查合同的新增拖欠" + ("，1 笔欠款已安排还款预算" if budgeted else "")
    )


def _contract_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("环线道路路面工程施工合同", level=1)
    for text in (
        "第六条 付款：工程竣工验收合格后，甲方于90日内支付至合同价款的97%。",
        "第七条 结算：工程款以审计部门出具的审计结论为准，审计完成后支付。",
        "第九条 保证金：乙方应以现金缴纳合同价款5%的质量保证金，不接受银行保函。",
    ):
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _debt_under_reviewed_contract(unit: TenantNode, today: dt.date, clerk) -> None:
    """The signed, reviewed contract still goes unpaid: a new arrears traced to its review."""
    creditor, _created, _linked = debts.register_and_link(
        unit,
        {"name": "忻州安通交通设施有限公司", "credit_code": make("91140900MA0K6AT02"), "size_class": "small"},
    )
    debts.create_debt(
        unit,
        {
            "project_name": "环线道路标志标线采购",
            "contract_no": "WTS-HT-2026-031",
            "contract_date": today - dt.timedelta(days=60),
            "category": "goods",
            "amount_owed": Decimal("380000.00"),
            "delivery_date": today - dt.timedelta(days=40),
            "status": "confirmed",
        },
        creditor,
        actor=clerk,
    )
