"""A referral for the route-enumerating isolation tests (its request comes from the confirmations part)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from plugins.finance.confirmations.models import Confirmation, Referral, ReferralStatus


def sample_objects(unit, user) -> list:
    item = next((o for o in db.session.new if isinstance(o, Confirmation) and o.unit_id == unit.id), None)
    if item is None:
        return []
    item.status, item.confirmed_amount, item.consent = "confirmed", Decimal("5000.00"), "given"
    referral = Referral(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        confirmation=item,
        partner_code="zhongzheng",
        partner_name="隔离样例融资平台",
        referred_on=dt.date(2023, 10, 9),
        status=ReferralStatus.REFERRED,
    )
    db.session.add(referral)
    return [referral]
