"""Referral to financing: the SME's consent (given, revoked), the referral to a partner from the plan, the
outcome, and the export the partners read.

Plan key ``finance.partners``: a list of ``{code, name, kind}`` (``kind``: ``bank`` or ``platform``); without
it, the receivables financing service platform alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from plugins.finance.confirmations import ledger
from plugins.finance.confirmations.models import (
    PRODUCTS,
    Confirmation,
    Referral,
    ReferralStatus,
    Status,
)
from plugins.finance.confirmations.service import Refused, record_step

DEFAULT_PARTNERS = [
    {"code": "zhongzheng", "name": "应收账款融资服务平台（中征应收账款融资服务平台）", "kind": "platform"}
]
REFERABLE = (Status.CONFIRMED, Status.PARTIAL)


def partners(node: TenantNode) -> list[dict]:
    listed = ((plan_for(node) or {}).get("finance") or {}).get("partners") or DEFAULT_PARTNERS
    return [
        {"code": str(p["code"]), "name": str(p["name"]), "kind": str(p.get("kind", "bank"))} for p in listed
    ]


def _jurisdiction(item) -> TenantNode:
    return db.session.get(TenantNode, item.jurisdiction_id)


def set_consent(item: Confirmation, given: bool, *, actor=None, note: str | None = None) -> Confirmation:
    """Record the SME's consent or its withdrawal; withdrawing takes back the referrals still open."""
    today = clock.today(_jurisdiction(item))
    wanted = "given" if given else "revoked"
    if item.consent == wanted or (not given and item.consent == "none"):
        raise Refused({"given": ["企业已同意推介" if given else "企业尚未同意推介，无需撤回"]})
    item.consent, item.consent_on = wanted, today
    item.version += 1
    who = "（企业凭查询码办理）" if actor is None else ""
    record_step(
        item, "consent", ("同意推介融资" if given else "撤回推介融资的同意") + who, actor=actor, note=note
    )
    if not given:
        for referral in open_referrals(item):
            referral.status, referral.outcome_on = ReferralStatus.WITHDRAWN, today
            referral.version += 1
            record_step(
                item, "referral_withdrawn", f"企业撤回同意，撤回向{referral.partner_name}的推介", actor=actor
            )
    db.session.flush()
    return item


def open_referrals(item: Confirmation) -> list[Referral]:
    return list(
        db.session.scalars(
            db.select(Referral).where(
                Referral.confirmation_id == item.id, Referral.status == ReferralStatus.REFERRED
            )
        )
    )


def refer(item: Confirmation, partner_code: str, *, actor=None) -> Referral:
    """Refer a confirmed receivable to a partner: only with the SME's consent, one open referral at a time."""
    errors: dict[str, list[str]] = {}
    if item.status not in REFERABLE:
        errors["confirmation_id"] = ["只有欠款单位已确认（含部分确认）的应收账款才能推介融资"]
    if item.consent != "given":
        errors.setdefault("confirmation_id", []).append("企业尚未同意（或已撤回同意）推介融资")
    if item.status in REFERABLE and open_referrals(item):
        errors.setdefault("confirmation_id", []).append("已有待反馈的推介，请先记录其结果")
    partner = next((p for p in partners(_jurisdiction(item)) if p["code"] == partner_code), None)
    if partner is None:
        errors["partner"] = ["请从方案所列的合作金融机构中选择"]
    if errors:
        raise Refused(errors)
    referral = Referral(
        jurisdiction_id=item.jurisdiction_id,
        unit_id=item.unit_id,
        confirmation=item,
        partner_code=partner["code"],
        partner_name=partner["name"],
        referred_on=clock.today(_jurisdiction(item)),
        status=ReferralStatus.REFERRED,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(referral)
    record_step(item, "referred", f"推介至{partner['name']}", actor=actor)
    db.session.flush()
    return referral


def record_outcome(referral: Referral, data: dict, *, actor=None) -> Referral:
    """The partner's answer: financed (product, amount, annual rate, date) or declined with the reason."""
    if referral.status != ReferralStatus.REFERRED:
        raise Refused({"status": [f"该推介已有结果（{referral.status_label}）"]})
    item = referral.confirmation
    today = clock.today(_jurisdiction(item))
    errors: dict[str, list[str]] = {}
    if data["outcome"] == ReferralStatus.FINANCED:
        amount: Decimal | None = data.get("financed_amount")
        if data.get("product") not in PRODUCTS:
            errors["product"] = ["融资方式应为保理、应收账款质押或供应链票据"]
        if amount is None or amount <= 0:
            errors["financed_amount"] = ["请填写融资金额（大于零）"]
        elif amount > item.confirmed_amount:
            errors["financed_amount"] = [f"融资金额不能超过确认金额 {item.confirmed_amount} 元"]
        rate = data.get("annual_rate")
        if rate is None or not (Decimal("0") < rate < Decimal("100")):
            errors["annual_rate"] = ["请填写年化利率（百分比，大于0、小于100）"]
        on: dt.date | None = data.get("financed_on")
        if on is None or on > today or on < referral.referred_on:
            errors["financed_on"] = ["放款日期应在推介之日与今天之间"]
        if errors:
            raise Refused(errors)
        referral.product, referral.financed_amount, referral.annual_rate = data["product"], amount, rate
        referral.financed_on = on
        label = f"{referral.partner_name}已放款：{PRODUCTS[data['product']]} {amount} 元，年化 {rate}%"
    else:
        reason = (data.get("declined_reason") or "").strip()
        if not reason:
            raise Refused({"declined_reason": ["请填写未获融资的原因"]})
        referral.declined_reason = reason
        label = f"{referral.partner_name}未予融资"
    referral.status, referral.outcome_on = data["outcome"], today
    referral.version += 1
    record_step(item, "referral_outcome", label, actor=actor, note=referral.declined_reason)
    db.session.flush()
    if referral.status == ReferralStatus.FINANCED and referral.product == "factoring":
        ledger.assign(item, referral.partner_name, referral.financed_on, actor)
        item.version += 1
        db.session.flush()
    return referral
