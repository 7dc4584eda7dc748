"""Payment-practice metrics per unit, as the UK and Australian payment-times reporting schemes publish them.

The unit of measure is a payment (each settles part or all of an invoice-like debt): days to pay run from the
day the payment clock started (delivery, settlement or acceptance — core's Art. 10 rule) to the payment date;
"within terms" means paid on or before the debt's due date.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.rules.payment_terms import TermInput, clock_start_date
from core.tenancy.models import TenantNode
from plugins.agreements.progress.compute import ZERO, load, ratio

BANDS = (("within_30", "30天以内"), ("31_60", "31–60天"), ("over_60", "60天以上"))


def _band(days: int) -> str:
    return "within_30" if days <= 30 else "31_60" if days <= 60 else "over_60"


def _empty() -> dict[str, Any]:
    return {
        "days": [],
        "bands": {k: [0, ZERO] for k, _ in BANDS},
        "late": [0, ZERO],
        "count": 0,
        "value": ZERO,
    }


def metrics(node: TenantNode, as_of: dt.date) -> dict[str, Any]:
    scope = load(node)
    groups: dict[int, dict[str, Any]] = {}
    names: dict[int, str] = {}
    total = _empty()
    open_late = [0, ZERO]
    for debt in scope.debts:
        start = clock_start_date(
            TermInput(
                debtor_class=debt.unit.debtor_class,
                contract_date=debt.contract_date,
                clock_start=debt.clock_start or "delivery",
                delivery_date=debt.delivery_date,
                settlement_date=debt.settlement_date,
                acceptance_date=debt.acceptance_date,
                acceptance_period_days=debt.acceptance_period_days,
                agreed_term_days=debt.agreed_term_days,
                agreed_payment_date=debt.agreed_payment_date,
            )
        )
        names[debt.unit_id] = debt.unit.name
        group = groups.setdefault(debt.unit_id, _empty())
        for p in scope.payments.get(debt.id, []):
            if p.paid_on > as_of:
                continue
            for g in (group, total):
                g["count"] += 1
                g["value"] += p.amount
                if start is not None:
                    days = max(0, (p.paid_on - start).days)
                    g["days"].append(days)
                    band = g["bands"][_band(days)]
                    band[0] += 1
                    band[1] += p.amount
                if debt.due_date is not None and p.paid_on > debt.due_date:
                    g["late"][0] += 1
                    g["late"][1] += p.amount
        # Open past terms *on as_of*: the balance left after the payments made by then, whatever came later.
        paid_by = sum((p.amount for p in scope.payments.get(debt.id, []) if p.paid_on <= as_of), ZERO)
        balance = debt.amount_owed - paid_by
        if debt.due_date is not None and debt.due_date < as_of and balance > 0:
            open_late[0] += 1
            open_late[1] += balance
    units = [
        {"unit_id": uid, "unit_name": names[uid], **_summary(g)} for uid, g in groups.items() if g["count"]
    ]
    units.sort(key=lambda u: u["unit_name"])
    return {
        "as_of": as_of,
        "total": _summary(total),
        "units": units,
        "open_past_terms": {"count": open_late[0], "value": open_late[1]},
    }


def _summary(g: dict[str, Any]) -> dict[str, Any]:
    timed = len(g["days"])
    timed_value = sum((v for _, v in g["bands"].values()), ZERO)
    avg = (Decimal(sum(g["days"])) / timed).quantize(Decimal("0.1"), ROUND_HALF_UP) if timed else None
    return {
        "payments": g["count"],
        "value": g["value"],
        "average_days": avg,
        "bands": [
            {
                "key": key,
                "label": label,
                "count": g["bands"][key][0],
                "value": g["bands"][key][1],
                "share_count": ratio(Decimal(g["bands"][key][0]), Decimal(timed)),
                "share_value": ratio(g["bands"][key][1], timed_value),
            }
            for key, label in BANDS
        ],
        "late_share_count": ratio(Decimal(g["late"][0]), Decimal(g["count"])),
        "late_share_value": ratio(g["late"][1], g["value"]),
    }
