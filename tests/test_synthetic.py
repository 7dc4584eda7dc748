"""The synthetic data generator: deterministic, plausible, and loadable through the debt services."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.event import Event
from core.rules import credit_code
from core.synthetic import generate, load_demo_debts
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.scope import system_scope


def test_same_seed_same_data():
    assert generate(7, 12, 6) == generate(7, 12, 6)
    assert generate(7, 12, 6) != generate(8, 12, 6)


def test_credit_codes_have_valid_form_and_a_few_fail_the_check_digit():
    data = generate(1, 40, total=3000)
    codes = [e.credit_code for e in data.enterprises]
    assert len(set(codes)) == len(codes)
    checks = [credit_code.check(c) for c in codes]
    assert all(c.valid for c in checks)
    assert all(c.startswith("911409") or c.startswith("911401") for c in codes)
    bad = sum(not c.checksum_ok for c in checks)
    assert 0.005 < bad / len(codes) < 0.05
    assert all(c.checksum_ok == e.checksum_ok for c, e in zip(checks, data.enterprises, strict=True))
    assert all(
        credit_code.check(e.credit_code).checksum_ok
        for e in generate(1, 5, total=300, bad_code_ratio=0).enterprises
    )


def test_shape_of_the_data():
    data = generate(2023, 25, total=1000)
    assert len(data.debts) == 1000
    assert len({e.name for e in data.enterprises}) == len(data.enterprises)
    assert all(e.name.endswith(("有限公司", "有限责任公司")) for e in data.enterprises)
    categories = Counter(d.category for d in data.debts)
    assert categories.most_common(1)[0][0] == "works"
    sources = Counter(d.source for d in data.debts)
    assert (
        sources["self_inspection"] > 600
        and {"audit", "inspection", "supervision", "complaint"} <= sources.keys()
    )
    assert 0.05 < sum(d.migrant_wages for d in data.debts) / 1000 < 0.15
    amounts = sorted(d.amount_owed for d in data.debts)
    assert Decimal("10000") < amounts[500] < Decimal("500000")
    assert amounts[-1] >= Decimal("1000000")
    assert all(isinstance(a, Decimal) and a == a.quantize(Decimal("0.01")) and a > 0 for a in amounts)
    statuses = Counter(d.status for d in data.debts)
    assert len(statuses) == 8
    assert any(d.disputed_amount > 0 for d in data.debts)
    per_unit = Counter(d.unit for d in data.debts).most_common()
    assert per_unit[0][1] > 3 * (1000 / 25)  # a few very large units
    for d in data.debts:
        assert 2019 <= d.contract_date.year <= 2023 and d.delivery_date >= d.contract_date
        paid = sum((p.amount for p in d.payments), Decimal("0"))
        assert paid <= d.amount_owed and all(p.amount > 0 for p in d.payments)
        if d.status == "cleared":
            assert paid == d.amount_owed
        if d.status == "partly_repaid":
            assert 0 < paid < d.amount_owed
        assert [p.paid_on for p in d.payments] == sorted(p.paid_on for p in d.payments)
    assert data.payment_count > 0


def test_load_demo_debts_goes_through_the_services(app, world):
    with system_scope():
        _check_demo_load(world.node("a"))


def _check_demo_load(jurisdiction) -> None:
    result = load_demo_debts(jurisdiction, seed=3, count=40)
    assert not result.skipped and result.debts == 40 and result.payments > 0
    opts = {SKIP_FILTER: True}
    assert db.session.scalar(db.select(db.func.count(Debt.id)), execution_options=opts) == 40
    payments = db.session.scalar(db.select(db.func.count(Payment.id)), execution_options=opts)
    assert payments == result.payments
    debt_events = db.session.scalar(
        db.select(db.func.count(Event.id)).where(Event.entity_type == "debts"), execution_options=opts
    )
    assert debt_events >= 40 + payments  # one "created" per debt and one "paid" per payment, at least
    halted_or_other = db.session.scalar(
        db.select(db.func.count(Debt.id)).where(Debt.jurisdiction_id != jurisdiction.id),
        execution_options=opts,
    )
    assert halted_or_other == 0
    again = load_demo_debts(jurisdiction, seed=3, count=40)
    assert again.skipped
    assert db.session.scalar(db.select(db.func.count(Debt.id)), execution_options=opts) == 40


def test_a_timeline_ending_today_spreads_the_ledger_over_the_last_three_years():
    import datetime as dt

    from core.synthetic import Timeline

    today = dt.date(2026, 6, 15)
    data = generate(2023, 25, total=1000, timeline=Timeline.ending(today))
    contract_years = Counter(d.contract_date.year for d in data.debts)
    assert set(contract_years) == {2023, 2024, 2025, 2026}
    for d in data.debts:
        dated = [d.contract_date, d.delivery_date, d.acceptance_date, d.settlement_date]
        assert all(day <= today for day in dated if day is not None)
        assert all(today - dt.timedelta(days=3 * 366) <= p.paid_on <= today for p in d.payments)
    paid_years = Counter(p.paid_on.year for d in data.debts for p in d.payments)
    assert len(paid_years) >= 3
    # The fixed timeline, which the benchmarks rely on, is unchanged.
    assert generate(7, 12, 6) == generate(7, 12, 6, timeline=Timeline())
