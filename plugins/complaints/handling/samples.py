"""One of each tenant-owned model, for the isolation tests and demos."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.rules.credit_code import make
from plugins.complaints.intake import security
from plugins.complaints.models import (
    Channel,
    Complaint,
    ComplaintAttachment,
    ComplaintDebtLink,
    ComplaintStep,
    ConfidentialNote,
    Status,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _debt_in(unit, user) -> Debt:
    # No flush anywhere here: the isolation tests call this in an outsider's scope and expect the refusal
    # at their own flush, not inside the hook (where other plugins' pending rows would trip it).
    with db.session.no_autoflush:
        debt = db.session.scalar(db.select(Debt).where(Debt.unit_id == unit.id).limit(1))
    if debt is not None:
        return debt
    creditor = Enterprise(
        jurisdiction_id=unit.jurisdiction_id,
        name="样例投诉转台账企业有限公司",
        credit_code=make("91140922MA0KDEBT1"),
    )
    debt = Debt(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        creditor=creditor,
        category="works",
        amount_owed=Decimal("5000"),
        status="confirmed",
        source="complaint",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(debt)
    return debt


def sample_objects(unit, user) -> list:
    today = dt.date(2023, 9, 25)
    complaint = Complaint(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        tracking_code=security.new_tracking_code(),
        channel=Channel.HOTLINE,
        status=Status.TRANSFERRED,
        creditor_name="样例投诉宏远建材有限公司",
        creditor_code=make("91140922MA0KCMPL1"),
        contact_name="样例联系人",
        contact_phone="13800001234",
        debtor_text="样例被投诉单位名称",
        category="goods",
        amount=Decimal("12345.60"),
        description="样例投诉情况说明：货款逾期未付",
        received_on=today,
        transfer_due=today + dt.timedelta(days=18),
        transferred_on=today,
        result_due=today + dt.timedelta(days=30),
    )
    db.session.add(complaint)
    debt = _debt_in(unit, user)
    common = {"jurisdiction_id": unit.jurisdiction_id, "unit_id": unit.id, "complaint": complaint}
    objects = [
        complaint,
        ComplaintAttachment(
            **common, filename="样例合同扫描件.png", content_type="image/png", size=len(PNG), data=PNG
        ),
        ComplaintStep(**common, action="received", label="样例办理步骤记录", actor_name="系统"),
        ComplaintDebtLink(**common, debt=debt),
        ConfidentialNote(**common, text="样例保密信息：担心被打击报复"),
    ]
    db.session.add_all(objects[1:])
    return objects
