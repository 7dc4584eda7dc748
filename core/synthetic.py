"""Deterministic synthetic arrears data for the demo, the tests and benchmarks.

Two layers. ``generate()`` is pure: from a seed it builds plain dataclasses (creditors, debts, payments)
and touches no database, so a bulk loader can COPY them. ``load_demo_debts()`` feeds the same data
through ``core.services.debts`` so that every debt and payment has its events, exactly like real input.

The shape follows what clearing campaigns report: mostly works contracts, amounts long-tailed (most between
10 thousand and 500 thousand yuan, a few in the millions), most items from self-inspection, some from
audits, inspections and complaints, about one in ten involving migrant-worker wages, a few disputed or in
court, and a few units owning a large share of the ledger.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.rules.credit_code import ALPHABET, check_digit

REFERENCE_DATE = dt.date(2023, 12, 31)  # fixed, so output never depends on today's date


@dataclass(frozen=True)
class Timeline:
    """When contracts are signed, goods delivered and payments made. The fixed one (the 2023 campaign)
    keeps benchmarks reproducible; the demo passes ``Timeline.ending(today)`` so its ledger is current."""

    contracts_from: dt.date = dt.date(2019, 1, 1)
    contracts_to: dt.date = dt.date(2023, 6, 30)
    delivered_by: dt.date = dt.date(2023, 7, 31)
    payments_from: dt.date = dt.date(2023, 1, 1)
    payments_to: dt.date = REFERENCE_DATE

    @classmethod
    def ending(cls, today: dt.date) -> Timeline:
        """Debts and payments spread over the three years up to yesterday (``today`` not included: near
        midnight the server's date and the jurisdiction's may differ by one)."""
        start = today - dt.timedelta(days=3 * 365)
        return cls(
            contracts_from=start - dt.timedelta(days=120),
            contracts_to=today - dt.timedelta(days=75),
            delivered_by=today - dt.timedelta(days=20),
            payments_from=start,
            payments_to=today - dt.timedelta(days=1),
        )


CENT = Decimal("0.01")

AREA_CODES = (
    ("140922", 40),  # 五台县 (the scenic area's surroundings)
    ("140900", 12),  # 忻州市
    ("140902", 10),  # 忻府区
    ("140924", 8),  # 繁峙县
    ("140921", 6),  # 定襄县
    ("140923", 6),  # 代县
    ("140981", 6),  # 原平市
    ("140100", 8),  # 太原市
    ("140105", 4),  # 太原市小店区
)
NAME_PREFIXES = {
    "140922": ("山西五台山", "五台县", "五台山"),
    "140900": ("忻州市", "山西忻州"),
    "140902": ("忻州市", "忻州"),
    "140924": ("繁峙县",),
    "140921": ("定襄县",),
    "140923": ("代县",),
    "140981": ("原平市",),
    "140100": ("山西", "太原市"),
    "140105": ("太原市", "山西"),
}
BRANDS = (
    "宏达", "鑫源", "华泰", "恒通", "晋兴", "瑞丰", "天成", "金诚", "永盛", "聚力",
    "博远", "正和", "佳美", "顺达", "德润", "嘉禾", "富民", "祥瑞", "腾飞", "新兴",
    "宇宏", "锦程", "昊天", "广厦", "兴旺", "安泰", "众诚", "润泽", "金鼎", "恒信",
    "泰和", "远航", "盛世", "通达", "汇丰", "弘毅", "鼎盛", "华兴", "东升", "晋源",
    "清凉", "台顶", "文殊", "五峰", "灵境", "云岫", "龙泉", "紫府", "明月", "怀山",
)  # fmt: skip
INDUSTRIES = {
    "works": (
        "建筑工程",
        "市政工程",
        "路桥工程",
        "园林绿化工程",
        "水利工程",
        "建筑装饰工程",
        "电力安装工程",
        "古建筑修缮工程",
    ),
    "goods": ("商贸", "建材", "物资", "办公设备", "机电设备", "电子科技", "环卫设备", "消防器材"),
    "services": (
        "物业管理",
        "环保科技",
        "信息技术",
        "广告传媒",
        "餐饮管理",
        "保洁服务",
        "工程咨询",
        "文化传播",
    ),
}
PLACES = (
    "台怀镇", "金岗库乡", "石咀乡", "耿镇镇", "景区", "南山寺", "黛螺顶", "东台", "清水河", "鸿门岩",
    "台怀", "杨林街", "光明寺村", "景区北大门", "旅游环线",
)  # fmt: skip
PROJECTS = {
    "works": (
        "道路维修工程", "停车场改造工程", "污水管网改造工程", "公厕提升改造工程", "游客步道修缮工程",
        "河道治理工程", "亮化工程", "古建筑保护修缮工程", "供水管网工程", "边坡治理工程", "安置房建设工程",
        "绿化提升工程",
    ),
    "goods": (
        "环卫车辆采购", "办公设备采购", "消防器材采购", "防疫物资采购", "监控设备采购", "垃圾桶采购",
        "建材采购", "标识标牌制作",
    ),
    "services": (
        "保洁服务项目", "信息化运维服务", "宣传片制作服务", "工程造价咨询服务", "物业管理服务",
        "餐饮保障服务", "规划编制服务", "安保服务",
    ),
}  # fmt: skip
CATEGORY_WEIGHTS = (("works", 55), ("goods", 25), ("services", 20))
SOURCE_WEIGHTS = (
    ("self_inspection", 74),
    ("audit", 8),
    ("inspection", 5),
    ("supervision", 6),
    ("complaint", 7),
)
SIZE_WEIGHTS = (("small", 55), ("micro", 30), ("medium", 15))
# Planned final state; payments are generated to match it.
STATUS_WEIGHTS = (
    ("to_verify", 14),
    ("confirmed", 24),
    ("disputed", 6),
    ("under_agreement", 8),
    ("partly_repaid", 22),
    ("cleared", 20),
    ("judicial", 3),
    ("out_of_scope", 3),
)
METHOD_WEIGHTS = (("transfer", 90), ("commercial_bill", 4), ("cash", 3), ("offset", 3))
REASONS = (
    "财政资金紧张，尚未拨付",
    "项目资金未到位",
    "工程尚未完成决算审计",
    "原负责人调离，交接未完成",
    "内部付款审批流程未走完",
    "等待上级补助资金",
    "双方对工程量存在分歧",
    "项目未办理竣工验收备案",
)
DISPUTE_REASONS = ("双方对工程量存在分歧", "对服务质量存在争议", "对结算价款存在争议", "合同变更部分未确认")


@dataclass
class SyntheticEnterprise:
    name: str
    credit_code: str
    size_class: str
    is_private: bool
    checksum_ok: bool


@dataclass
class SyntheticPayment:
    paid_on: dt.date
    amount: Decimal
    method: str
    wage_amount: Decimal = Decimal("0")


@dataclass
class SyntheticDebt:
    unit: int  # index into the caller's list of units
    creditor: int  # index into ``SyntheticDataset.enterprises``
    project_name: str
    contract_no: str | None
    contract_date: dt.date
    contract_amount: Decimal
    category: str
    amount_owed: Decimal
    disputed_amount: Decimal
    delivery_date: dt.date
    clock_start: str
    acceptance_date: dt.date | None
    settlement_date: dt.date | None
    agreed_term_days: int | None
    status: str  # final status once the payments are applied
    source: str
    migrant_wages: bool
    migrant_wage_amount: Decimal
    judicial: bool
    reason: str | None
    remarks: str | None
    payments: list[SyntheticPayment] = field(default_factory=list)

    @property
    def undisputed_amount(self) -> Decimal:
        return self.amount_owed - self.disputed_amount

    @property
    def initial_status(self) -> str:
        """The status to create the debt with, before payments and agreements move it on."""
        if self.judicial:
            return "judicial"
        if self.status in ("to_verify", "disputed", "out_of_scope"):
            return self.status
        return "disputed" if self.disputed_amount > 0 else "confirmed"

    def fields(self) -> dict:
        """The debt as the ``data`` argument of ``core.services.debts.create_debt``."""
        return {
            "project_name": self.project_name,
            "contract_no": self.contract_no,
            "contract_date": self.contract_date,
            "contract_amount": self.contract_amount,
            "category": self.category,
            "amount_owed": self.amount_owed,
            "undisputed_amount": self.undisputed_amount,
            "disputed_amount": self.disputed_amount,
            "origin_date": self.delivery_date,
            "delivery_date": self.delivery_date,
            "clock_start": self.clock_start,
            "acceptance_date": self.acceptance_date,
            "settlement_date": self.settlement_date,
            "agreed_term_days": self.agreed_term_days,
            "source": self.source,
            "migrant_wages": self.migrant_wages,
            "migrant_wage_amount": self.migrant_wage_amount,
            "judicial": self.judicial,
            "reason": self.reason,
            "remarks": self.remarks,
            "status": self.initial_status,
        }


@dataclass
class SyntheticDataset:
    seed: int
    units: int
    enterprises: list[SyntheticEnterprise]
    debts: list[SyntheticDebt]

    @property
    def payment_count(self) -> int:
        return sum(len(d.payments) for d in self.debts)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _amount(rng: random.Random) -> Decimal:
    """Long-tailed: a log-normal body (median ~80 thousand) plus a thin tail of multi-million items."""
    if rng.random() < 0.03:
        value = rng.uniform(1_000_000, 8_000_000)
    else:
        value = math.exp(rng.gauss(math.log(80_000), 0.9))
        value = min(max(value, 5_000), 900_000)
    # Real ledgers mix round figures with settled amounts to the cent.
    if rng.random() < 0.4:
        return Decimal(round(value, -2)).quantize(CENT)
    return Decimal(str(round(value, 2))).quantize(CENT)


def credit_code(rng: random.Random, area: str, bad: bool = False) -> str:
    """A unified social credit code for an enterprise (9 1 …) in ``area``; ``bad`` breaks the check digit."""
    body = "91" + area + "MA0" + "".join(rng.choice(ALPHABET) for _ in range(6))
    digit = check_digit(body)
    if bad:
        digit = rng.choice([c for c in ALPHABET if c != digit])
    return body + digit


def _enterprise(rng: random.Random, used_names: set[str], used_codes: set[str], bad_ratio: float):
    area = _pick(rng, AREA_CODES)
    category = _pick(rng, CATEGORY_WEIGHTS)
    for attempt in range(50):
        brand = rng.choice(BRANDS)
        if attempt > 10:
            brand += rng.choice(BRANDS)
        suffix = "有限责任公司" if rng.random() < 0.2 else "有限公司"
        name = f"{rng.choice(NAME_PREFIXES[area])}{brand}{rng.choice(INDUSTRIES[category])}{suffix}"
        if name not in used_names:
            break
    used_names.add(name)
    bad = rng.random() < bad_ratio
    code = credit_code(rng, area, bad)
    while code in used_codes:
        code = credit_code(rng, area, bad)
    used_codes.add(code)
    size = _pick(rng, SIZE_WEIGHTS)
    return SyntheticEnterprise(name, code, size, rng.random() < 0.92, not bad), category


def _unit_weights(rng: random.Random, units: int) -> list[float]:
    """Skewed: a handful of units (the big builders of roads and buildings) carry much of the ledger."""
    weights = [rng.lognormvariate(0, 0.7) for _ in range(units)]
    for index in rng.sample(range(units), k=max(1, units // 10)):
        weights[index] *= 6
    return weights


def _payments(
    rng: random.Random,
    debt: SyntheticDebt,
    max_instalments: int | None = None,
    timeline: Timeline | None = None,
) -> list[SyntheticPayment]:
    timeline = timeline or Timeline()
    status = debt.status
    if status not in ("cleared", "partly_repaid", "under_agreement"):
        return []
    if max_instalments is not None:
        # Progress payments on long works contracts: monthly or quarterly instalments (benchmarks use
        # this to reach the three payments per debt of a mature provincial ledger).
        low = 0 if status == "under_agreement" else 1
        high = max_instalments // 2 if status == "under_agreement" else max_instalments
        count = rng.randint(low, max(low, high))
    elif status == "cleared":
        count = rng.choices([1, 2, 3], weights=[55, 35, 10])[0]
    elif status == "partly_repaid":
        count = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
    else:
        count = rng.choices([0, 1], weights=[50, 50])[0]
    if count == 0:
        return []
    total = debt.amount_owed
    if status == "cleared":
        to_pay = total
    else:
        to_pay = (total * Decimal(str(round(rng.uniform(0.15, 0.8), 2)))).quantize(CENT)
    first = max(debt.delivery_date + dt.timedelta(days=15), timeline.payments_from)
    dates = sorted(_date_between(rng, first, timeline.payments_to) for _ in range(count))
    shares = sorted(rng.uniform(0.2, 1.0) for _ in range(count))
    scale = sum(shares)
    amounts, left = [], to_pay
    for share in shares[:-1]:
        part = (to_pay * Decimal(str(share / scale))).quantize(CENT)
        if part >= 1000:  # instalments are usually round sums
            part = Decimal(int(part) // 100 * 100).quantize(CENT)
        part = min(part, left - CENT)
        amounts.append(part)
        left -= part
    amounts.append(left)
    wages_left = debt.migrant_wage_amount if debt.migrant_wages else Decimal("0")
    out = []
    for paid_on, amount in zip(dates, amounts, strict=True):
        if amount <= 0:
            continue
        # The seed: money owed for works pays the migrant workers' wages first.
        wage = min(amount, wages_left)
        wages_left -= wage
        out.append(SyntheticPayment(paid_on, amount, _pick(rng, METHOD_WEIGHTS), wage))
    return out


def generate(
    seed: int,
    units: int,
    debts_per_unit: float = 8,
    *,
    total: int | None = None,
    enterprise_ratio: float = 0.6,
    bad_code_ratio: float = 0.02,
    places: Sequence[str] = PLACES,
    contract_prefix: str = "HT",
    max_instalments: int | None = None,
    timeline: Timeline | None = None,
) -> SyntheticDataset:
    """Generate creditors and debts (with their payments) for ``units`` debtor units.

    ``total`` (default ``units * debts_per_unit``) is the exact number of debts. The same arguments always
    give the same data. About ``bad_code_ratio`` of the credit codes fail their check digit on purpose.
    ``max_instalments`` (default: one to three payments) lets repaid debts carry up to that many payments.
    ``timeline`` (default: the fixed 2019–2023 one) sets when contracts, deliveries and payments happen.
    """
    timeline = timeline or Timeline()
    if units < 1:
        raise ValueError("units must be at least 1")
    rng = random.Random(seed)
    count = total if total is not None else round(units * debts_per_unit)
    used_names: set[str] = set()
    used_codes: set[str] = set()
    enterprises: list[SyntheticEnterprise] = []
    by_category: dict[str, list[int]] = {"works": [], "goods": [], "services": []}
    for _ in range(max(1, round(count * enterprise_ratio))):
        ent, category = _enterprise(rng, used_names, used_codes, bad_code_ratio)
        by_category[category].append(len(enterprises))
        enterprises.append(ent)
    weights = _unit_weights(rng, units)
    seq_by_year: dict[int, int] = {}
    debts: list[SyntheticDebt] = []
    for _ in range(count):
        category = _pick(rng, CATEGORY_WEIGHTS)
        pool = by_category[category] or range(len(enterprises))
        creditor = rng.choice(pool)
        unit = rng.choices(range(units), weights=weights)[0]
        contract_date = _date_between(rng, timeline.contracts_from, timeline.contracts_to)
        delivery = min(contract_date + dt.timedelta(days=rng.randint(20, 420)), timeline.delivered_by)
        amount = _amount(rng)
        contract_amount = (amount * Decimal(str(round(rng.uniform(1.0, 2.5), 2)))).quantize(CENT)
        status = _pick(rng, STATUS_WEIGHTS)
        judicial = status == "judicial"
        disputed = Decimal("0")
        if status == "disputed" or (status in ("confirmed", "to_verify") and rng.random() < 0.04):
            status = "disputed"
            disputed = (amount * Decimal(str(round(rng.uniform(0.1, 0.6), 2)))).quantize(CENT)
        wages = category == "works" and rng.random() < 0.18
        wage_amount = (
            (amount * Decimal(str(round(rng.uniform(0.1, 0.4), 2)))).quantize(CENT) if wages else Decimal("0")
        )
        clock = rng.choices(["delivery", "acceptance", "settlement"], weights=[75, 15, 10])[0]
        # Capped at the timeline's end: nothing is accepted or settled in the future.
        end = timeline.payments_to
        acceptance = (
            min(delivery + dt.timedelta(days=rng.randint(10, 90)), end) if clock == "acceptance" else None
        )
        settlement = (
            min(delivery + dt.timedelta(days=rng.randint(5, 60)), end) if clock == "settlement" else None
        )
        year = contract_date.year
        seq_by_year[year] = seq_by_year.get(year, 0) + 1
        contract_no = None if rng.random() < 0.08 else f"{contract_prefix}-{year}-{seq_by_year[year]:03d}"
        debt = SyntheticDebt(
            unit=unit,
            creditor=creditor,
            project_name=f"{rng.choice(places)}{rng.choice(PROJECTS[category])}",
            contract_no=contract_no,
            contract_date=contract_date,
            contract_amount=contract_amount,
            category=category,
            amount_owed=amount,
            disputed_amount=disputed,
            delivery_date=delivery,
            clock_start=clock,
            acceptance_date=acceptance,
            settlement_date=settlement,
            agreed_term_days=rng.choice([None, None, None, 30, 60]),
            status=status,
            source=_pick(rng, SOURCE_WEIGHTS),
            migrant_wages=wages,
            migrant_wage_amount=wage_amount,
            judicial=judicial,
            reason=rng.choice(DISPUTE_REASONS)
            if disputed
            else (rng.choice(REASONS) if rng.random() < 0.6 else None),
            remarks="涉及农民工工资，优先支付" if wages else None,
        )
        debt.payments = _payments(rng, debt, max_instalments, timeline)
        if status in ("partly_repaid", "cleared") and not debt.payments:
            debt.status = "confirmed"
        debts.append(debt)
    return SyntheticDataset(seed, units, enterprises, debts)


# --- Loading through the services -------------------------------------------------------------------


@dataclass
class DemoLoadResult:
    debts: int = 0
    payments: int = 0
    enterprises: int = 0
    skipped: bool = False


def debt_units(jurisdiction) -> list:
    """Active, non-halted nodes of a jurisdiction that can owe money, in a stable order."""
    from core.extensions import db
    from core.tenancy.isolation import SKIP_FILTER
    from core.tenancy.models import TenantNode

    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(
                TenantNode.jurisdiction_id == jurisdiction.id,
                TenantNode.active.is_(True),
                TenantNode.halted.is_(False),
            )
            .order_by(TenantNode.code),
            execution_options={SKIP_FILTER: True},
        )
    )


def jurisdiction_debt_count(jurisdiction) -> int:
    from core.extensions import db
    from core.models.debt import Debt
    from core.tenancy.isolation import SKIP_FILTER

    return db.session.scalar(
        db.select(db.func.count(Debt.id)).where(Debt.jurisdiction_id == jurisdiction.id),
        execution_options={SKIP_FILTER: True, "include_deleted": True},
    )


def load_demo_debts(
    jurisdiction, seed: int = 2023, count: int = 480, batch: int = 100, today: dt.date | None = None
) -> DemoLoadResult:
    """Create ``count`` synthetic debts and their payments in ``jurisdiction`` through the debt services.

    With ``today`` the debts and payments spread over the three years up to it (``Timeline.ending``);
    without it they follow the fixed 2019–2023 timeline.
    ``jurisdiction`` is a jurisdiction node or its code.
    Skips (and says so) when the jurisdiction already has debts, so the demo can be rerun safely.
    Runs in a system scope and commits every ``batch`` debts.
    """
    from core.extensions import db
    from core.services import debts as debt_service
    from core.tenancy.plans import plan_for
    from core.tenancy.scope import system_scope
    from core.tenancy.service import find_by_code

    with system_scope():
        if isinstance(jurisdiction, str):
            code = jurisdiction
            jurisdiction = find_by_code(code)
            if jurisdiction is None:
                raise LookupError(f"找不到编码为 {code} 的辖区")
        if jurisdiction_debt_count(jurisdiction):
            return DemoLoadResult(skipped=True)
        units = debt_units(jurisdiction)
        strict = bool(plan_for(jurisdiction).get("rules", {}).get("credit_code_strict"))
        places = [
            u.name.removesuffix("人民政府") for u in units if u.kind == "township"
        ] or list(PLACES)  # fmt: skip
        places += ["辖区", "新区" if jurisdiction.code != "wutaishan" else "景区"]
        data = generate(
            seed,
            len(units),
            total=count,
            bad_code_ratio=0.0 if strict else 0.02,  # a strict plan refuses them outright
            places=places,
            contract_prefix=jurisdiction.code[:3].upper() + "-HT",
            timeline=Timeline.ending(today) if today else None,
        )
        result = DemoLoadResult()
        for number, item in enumerate(data.debts, start=1):
            unit = units[item.unit]
            ent = data.enterprises[item.creditor]
            creditor, created = debt_service.register_enterprise(
                unit,
                {
                    "name": ent.name,
                    "credit_code": ent.credit_code,
                    "size_class": ent.size_class,
                    "is_private": ent.is_private,
                },
            )
            result.enterprises += int(created)
            debt, _ = debt_service.create_debt(unit, item.fields(), creditor)
            result.debts += 1
            if item.status == "under_agreement":
                debt_service.update_debt(
                    debt, {"status": "under_agreement"}, note="已签订还款协议（演示数据）"
                )
            for pay in item.payments:
                if pay.amount > debt.outstanding:
                    break
                debt_service.record_payment(
                    debt,
                    {
                        "paid_on": pay.paid_on,
                        "amount": pay.amount,
                        "method": pay.method,
                        "wage_amount": pay.wage_amount,
                        "evidence": "银行回单（演示数据）",
                    },
                )
                result.payments += 1
            if number % batch == 0:
                db.session.commit()
        db.session.commit()
        return result
