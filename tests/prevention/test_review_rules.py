"""Each contract-review rule, table-driven, with the article it cites (DESIGN.md, 2025 text of the 条例)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from core.tenancy.plans import NATIONAL_DEFAULTS, deep_merge
from plugins.prevention.reviews import rules

REG = "《保障中小企业款项支付条例》"
AGENCY = SimpleNamespace(kind="township")
SOE = SimpleNamespace(kind="soe")
NEW = dt.date(2025, 7, 1)  # 2025 rule set
OLD = dt.date(2024, 7, 1)  # 2020 rule set
CLEAN = {
    "payment_term_days": 30,
    "term_specially_agreed": False,
    "clock_start": "delivery",
    "acceptance_days": None,
    "payment_method": "transfer",
    "sme_chose_method": False,
    "bill_maturity_days": None,
    "back_to_back": False,
    "audit_condition": False,
    "audit_agreed": False,
    "advance_funding": False,
    "deposits": [],
}


def run(unit, terms: dict, on=NEW, plan=None, size="small", project=False):
    ctx = rules.context_for(unit, plan or NATIONAL_DEFAULTS, on, for_project=project)
    return [(f.code, f.article) for f in rules.review({**CLEAN, **terms}, ctx, None, size)]


CASES = [
    # (name, debtor, terms, contract date, expected [(code, article)])
    ("30 days from an agency is fine", AGENCY, {}, NEW, []),
    (
        "45 days without an agreement",
        AGENCY,
        {"payment_term_days": 45},
        NEW,
        [("term_over_default", f"{REG}第九条")],
    ),
    ("45 days expressly agreed", AGENCY, {"payment_term_days": 45, "term_specially_agreed": True}, NEW, []),
    (
        "61 days even if agreed",
        AGENCY,
        {"payment_term_days": 61, "term_specially_agreed": True},
        NEW,
        [("term_over_cap", f"{REG}第九条")],
    ),
    ("SOE 60 days is fine", SOE, {"payment_term_days": 60}, NEW, []),
    (
        "SOE 90 days under the 2025 rules",
        SOE,
        {"payment_term_days": 90},
        NEW,
        [("term_large_enterprise", f"{REG}第九条")],
    ),
    ("SOE 90 days under the 2020 rules", SOE, {"payment_term_days": 90}, OLD, []),
    ("back-to-back under 2025", AGENCY, {"back_to_back": True}, NEW, [("back_to_back", f"{REG}第九条")]),
    ("back-to-back under 2020", AGENCY, {"back_to_back": True}, OLD, []),
    (
        "acceptance without a period",
        AGENCY,
        {"clock_start": "acceptance"},
        NEW,
        [("acceptance_period_missing", f"{REG}第十条")],
    ),
    ("acceptance with a period", AGENCY, {"clock_start": "acceptance", "acceptance_days": 15}, NEW, []),
    (
        "bill forced on the SME",
        AGENCY,
        {"payment_method": "commercial_bill"},
        NEW,
        [("forced_bill", f"{REG}第十一条")],
    ),
    (
        "e-voucher stretching the term",
        AGENCY,
        {"payment_method": "e_voucher", "sme_chose_method": True, "bill_maturity_days": 180},
        NEW,
        [("bill_extends_term", f"{REG}第十一条")],
    ),
    (
        "bill chosen by the SME, no stretch",
        AGENCY,
        {"payment_method": "commercial_bill", "sme_chose_method": True},
        NEW,
        [],
    ),
    (
        "audit as a payment condition",
        AGENCY,
        {"audit_condition": True},
        NEW,
        [("audit_condition", f"{REG}第十二条、第十四条")],
    ),
    ("audit condition agreed by both", AGENCY, {"audit_condition": True, "audit_agreed": True}, NEW, []),
    ("advance funding", AGENCY, {"advance_funding": True}, NEW, [("advance_funding", f"{REG}第八条")]),
    (
        "deposit of a banned kind",
        AGENCY,
        {"deposits": [{"kind": "other", "form": "cash"}]},
        NEW,
        [("deposit_kind.0", f"{REG}第十三条")],
    ),
    (
        "quality deposit above the cap",
        AGENCY,
        {"deposits": [{"kind": "quality", "rate": "5.00", "form": "cash"}]},
        NEW,
        [("deposit_rate.0", f"{REG}第十三条")],
    ),
    (
        "guarantee refused",
        AGENCY,
        {"deposits": [{"kind": "performance", "rate": "10", "form": "cash", "guarantee_refused": True}]},
        NEW,
        [("deposit_guarantee.0", f"{REG}第十三条")],
    ),
    (
        "allowed deposits",
        AGENCY,
        {
            "deposits": [
                {"kind": "bid", "rate": "2", "form": "guarantee"},
                {"kind": "migrant_wage", "form": "cash"},
            ]
        },
        NEW,
        [],
    ),
]


@pytest.mark.parametrize(("name", "unit", "terms", "on", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(name, unit, terms, on, expected):
    assert run(unit, terms, on) == expected


def test_advance_funding_on_an_investment_project_cites_the_investment_regulation():
    [(code, article)] = run(AGENCY, {"advance_funding": True}, project=True)
    assert article == f"{REG}第八条；《政府投资条例》第二十二条"


def test_a_large_counterparty_is_outside_the_regulation():
    assert run(AGENCY, {"payment_term_days": 120, "advance_funding": True}, size="large") == []


def test_plan_sets_the_terms_and_deposit_caps():
    plan = deep_merge(
        NATIONAL_DEFAULTS,
        {
            "rules": {"payment_term_days": 20, "max_agreed_term_days": 45},
            "prevention": {"deposit_caps": {"quality": "5"}},
        },
    )
    assert run(AGENCY, {"payment_term_days": 25}, plan=plan) == [("term_over_default", f"{REG}第九条")]
    assert run(AGENCY, {"payment_term_days": 50, "term_specially_agreed": True}, plan=plan) == [
        ("term_over_cap", f"{REG}第九条")
    ]
    deposit = {"kind": "quality", "rate": "5", "form": "cash"}
    assert run(AGENCY, {"payment_term_days": 20, "deposits": [deposit]}, plan=plan) == []


def test_every_finding_has_a_suggested_wording_in_chinese():
    terms = {"payment_term_days": 90, "back_to_back": True, "audit_condition": True, "advance_funding": True}
    ctx = rules.context_for(AGENCY, NATIONAL_DEFAULTS, NEW)
    found = rules.review({**CLEAN, **terms}, ctx, None, "small")
    assert len(found) == 4 and all(f.suggestion and f.message and f.article.startswith("《") for f in found)
