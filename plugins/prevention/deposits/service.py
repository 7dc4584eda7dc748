"""The deposits register: what is held, when it must go back, refunds, and reminders before the date."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.models.notification import Notification, NotificationLevel
from core.rules import credit_code
from core.services import history
from core.web.templating import cn_date
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.errors import Refused
from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS

ARTICLE = "《保障中小企业款项支付条例》第十三条"


class DepositRefused(Refused):
    pass


def create(unit, data: dict, allowed_kinds: list[str], actor) -> Deposit:
    if data["kind"] not in allowed_kinds:
        raise DepositRefused(
            {
                "kind": [
                    "只能收取投标、履约、工程质量和农民工工资保证金（《保障中小企业款项支付条例》第十三条）"
                ]
            },
            409,
        )
    if data["due_back_on"] < data["received_on"]:
        raise DepositRefused({"due_back_on": ["退还日期不能早于收取日期"]})
    if data.get("credit_code"):
        code = credit_code.check(data["credit_code"])
        if not code.valid:
            raise DepositRefused({"credit_code": [code.message or "统一社会信用代码无效"]})
        data = {**data, "credit_code": code.code}
    deposit = Deposit(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        created_by_id=getattr(actor, "id", None),
        **data,
    )
    db.session.add(deposit)
    db.session.flush()
    history.record(
        deposit, "created", after={"amount": f"{deposit.amount:.2f}", "kind": deposit.kind}, actor=actor
    )
    return deposit


def refund(deposit: Deposit, on: dt.date, today: dt.date, actor) -> Deposit:
    if deposit.returned_on is not None:
        raise DepositRefused({"returned_on": [f"已于{cn_date(deposit.returned_on)}退还"]}, 409)
    if on < deposit.received_on or on > today:
        raise DepositRefused({"returned_on": ["退还日期须在收取日期之后、且不晚于今天"]})
    deposit.returned_on = on
    deposit.version += 1
    db.session.flush()
    history.record(deposit, "refunded", after={"returned_on": on.isoformat()}, actor=actor)
    if deposit.debt_id is not None:
        from plugins.prevention.deposits.conversion import settle_debt

        settle_debt(deposit, on, actor)
    return deposit


def state(deposit: Deposit, today: dt.date) -> str:
    if deposit.returned_on is not None:
        return "returned"
    if deposit.debt_id is not None:
        return "converted"
    return "overdue" if deposit.due_back_on < today else "held"


STATE_LABELS = {
    "held": "未到期",
    "overdue": "逾期未退",
    "converted": "逾期未退，已转为欠款",
    "returned": "已退还",
}


def remind(jurisdiction_id: int, today: dt.date, days_before: list[int]) -> int:
    """One notification per deposit and reminder day (30/7/1 days before; then each day overdue).
    Idempotent: the notification key names the deposit and the day."""
    created = 0
    rows = db.session.scalars(
        db.select(Deposit).where(Deposit.jurisdiction_id == jurisdiction_id, Deposit.returned_on.is_(None))
    )
    for deposit in rows:
        left = (deposit.due_back_on - today).days
        if left >= 0 and left not in days_before:
            continue
        key = f"prevention:deposit:{deposit.id}:{today.isoformat()}"
        exists = db.session.scalar(
            db.select(Notification.id).where(Notification.unit_id == deposit.unit_id, Notification.key == key)
        )
        if exists is not None:
            continue
        label = DEPOSIT_KIND_LABELS.get(deposit.kind, deposit.kind)
        if left >= 0:
            title = f"{deposit.enterprise_name}的{label}还有 {left} 天到期，请按时退还"
            level = NotificationLevel.URGENT if left <= 1 else NotificationLevel.WARNING
        else:
            title = f"{deposit.enterprise_name}的{label}已逾期 {-left} 天未退还"
            level = NotificationLevel.URGENT
        db.session.add(
            Notification(
                jurisdiction_id=deposit.jurisdiction_id,
                unit_id=deposit.unit_id,
                key=key,
                title=title,
                body=f"{deposit.amount:,.2f} 元，应于{cn_date(deposit.due_back_on)}退还（{ARTICLE}）。",
                link=f"/prevention/deposits#deposit-{deposit.id}",
                level=level,
            )
        )
        created += 1
    return created
