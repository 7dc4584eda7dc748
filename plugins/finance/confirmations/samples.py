"""One of each tenant-owned model, for the route-enumerating isolation tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.rules.credit_code import make
from plugins.finance.confirmations import service
from plugins.finance.confirmations.models import (
    Channel,
    Confirmation,
    ConfirmationAttachment,
    ConfirmationStep,
    Status,
)


def sample_objects(unit, user) -> list:
    # No flush here: the isolation tests call this in an outsider's scope and expect the refusal at their
    # own flush; the step links to its request through the relationship.
    item = Confirmation(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        tracking_code=service.new_tracking_code(),
        channel=Channel.OFFICE,
        status=Status.PENDING,
        creditor_name="隔离标记甲一建筑有限公司",
        creditor_code=make("91140922MA0K88803"),
        contact_name="隔离样例联系人",
        contact_phone="13800009999",
        contract_no="ISO-A1-MARK-0001",
        amount=Decimal("5000.00"),
        requested_on=dt.date(2023, 9, 1),
        due_on=dt.date(2023, 10, 8),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(item)
    step = ConfirmationStep(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        confirmation=item,
        action="requested",
        label="隔离样例确权申请",
        actor_name="隔离样例",
    )
    db.session.add(step)
    attachment = ConfirmationAttachment(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        confirmation=item,
        filename="隔离样例合同.pdf",
        content_type="application/pdf",
        size=9,
        data=b"%PDF-1.4\n",
    )
    db.session.add(attachment)
    return [item, step, attachment]
