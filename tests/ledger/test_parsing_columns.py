"""The parse reads each field column once per distinct cell (issue 21: parse ≤ 3× calamine): remembered
cells give exactly what reading every cell afresh gives — outcomes, values, reasons, row keys, counts and
money to the fen — on realistic messy ledgers and on cells chosen to trip a memory keyed by value."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from plugins.ledger.parsing import normalize as nz
from plugins.ledger.parsing import parse_file
from plugins.ledger.parsing import rows as parse_rows
from plugins.ledger.parsing.headers import AMOUNT_FIELDS, FIELD_LABELS, FIELD_NAMES
from tests.ledger.fixtures import PLAN, code, messy_xlsx, write_csv, write_xlsx
from tests.ledger.messy import official_ledger

TODAY = dt.date(2023, 8, 1)


class _Forgetful(dict):
    """A memory that never remembers: every cell is read afresh, as before the column memories."""

    def __setitem__(self, key, value) -> None:
        pass


@pytest.fixture
def forgetful(monkeypatch):
    def use() -> None:
        monkeypatch.setattr(parse_rows, "_new_memo", _Forgetful)

    return use


class _Units:
    def resolve(self, text: str) -> tuple[int | None, str | None]:
        if "外县" in text:
            return None, f"欠款单位“{text}”不在您的管辖范围内"
        return sum(map(ord, nz.key(text))) % 97, None


def snapshot(res) -> tuple:
    """Everything a parse says, in order (values' and issues' order included, Decimals by repr)."""
    rows = [
        (
            r.row_number,
            r.sheet,
            list(r.raw.items()),
            [(k, repr(v)) for k, v in r.values.items()],
            [(i.field, i.message, i.level) for i in r.issues],
            r.status,
            r.skip_reason,
            r.row_key,
            r.reason_text(),
        )
        for r in res.rows
    ]
    return (
        rows,
        res.counts,
        res.reconciliation,
        res.unit_warnings,
        repr(res.unit_multiplier),
        res.unit_source,
        res.file_issues,
        res.notes,
        res.columns,
        res.headers,
    )


def both(monkeypatch, forgetful, path, plan=PLAN, **options) -> tuple[tuple, tuple]:
    remembered = snapshot(parse_file(path, path.name, plan, today=TODAY, **options))
    forgetful()
    fresh = snapshot(parse_file(path, path.name, plan, today=TODAY, **options))
    monkeypatch.undo()
    return remembered, fresh


# Cells chosen to trip a memory keyed by value: True == 1 == 1.0, False == 0 == -0.0 hash alike but do not
# read alike; spaces, NBSP, U+3000, full-width digits, empty marks, apostrophes, dates in every spelling.
TEXTS = [
    "五台山旅游开发有限公司",
    " 五台山旅游开发有限公司 ",
    "五台山\u3000旅游开发有限公司",
    "'0012",
    "-",
    "无",
    "—",
]
TRICKY = [True, False, 1, 1.0, 0, 0.0, -0.0, 2, 2.0, 12.5, "1", "0", "", " ", "\u00a0", "N/A"]
DATES = [
    dt.date(2022, 3, 15),
    dt.datetime(2022, 3, 15),
    dt.datetime(2022, 3, 15, 8, 30),
    "2022-03-15",
    "2022年3月15日",
    "2022.3",
    "２０２２－０３－１５",
    "20220315",
    20220315,
    44635,
    44635.0,
    2022.3,
    "2024-01-01",
    "1975-01-01",
    "2022-02-30",
    "待定",
]
AMOUNTS = [
    125000.0,
    "125,000元",
    "12.5万",
    "１２５０００",
    "(1,000.00)",
    -5.0,
    0.0,
    -0.0,
    "0",
    12.345,
    "12.345678",
    1e-05,
    True,
    1,
    "待核实",
    None,
    3e20,
]
FLAGS = ["是", "否", "Y", "n", True, False, 1, 0, 1.0, 0.0, "√", "×", "不清楚", None]
CATEGORIES = ["工程", "工程款", "货物", "服务", "采购", "工程物资采购", "其他", "服务类", " 劳务 ", None]
SIZES = ["小型", "微型", "中型", "大型", "小微", "个体", 1, None]
KINDS = ["机关", "事业单位", "国企", "民营企业", "村委会", None]
SOURCES = ["自查", "审计", "12345", 12345, "巡察", "群众反映", None]

TEMPLATE_FIELDS = [
    "debtor_unit",
    "debtor_type",
    "creditor_name",
    "credit_code",
    "creditor_size",
    "is_private",
    "project_name",
    "contract_no",
    "contract_date",
    "contract_amount",
    "category",
    "amount_owed",
    "undisputed_amount",
    "disputed_amount",
    "delivery_date",
    "agreed_payment_date",
    "source",
    "migrant_wages",
    "migrant_wage_amount",
    "judicial",
    "reason",
    "remarks",
]


def tricky_rows(n: int, seed: int) -> list[list]:
    """A template-layout sheet whose cells are drawn from the pools above, with repeated and identical
    rows, totals, footers, blank and repeated-header rows among them."""
    rnd = random.Random(seed)
    header = ["序号", *(FIELD_LABELS[f] for f in TEMPLATE_FIELDS), "行号"]
    rows: list[list] = [["清欠台账"], ["填报单位：测试局", None, "单位：元"], header]
    debtors = ["台怀镇人民政府", "五台山风景区旅游发展局", " 台怀镇人民政府", "外县财政局", None, 1, True]
    for i in range(n):
        roll = rnd.random()
        if roll < 0.05 and len(rows) > 4:
            rows.append([None, *rows[rnd.randrange(3, len(rows))][1:]])  # a copy (序号 aside)
            continue
        if roll < 0.07:
            rows.append(rnd.choice([["合计", None, None, 100], ["填表人：张三"], [None, None], list(header)]))
            continue

        def pick(good: object, pool: list) -> object:
            # Mostly a well-formed cell, so every outcome occurs; else anything from the pool.
            return good if rnd.random() < 0.8 else rnd.choice(pool)

        owed = float(1000 + i % 50)
        cells = {
            "debtor_unit": pick(debtors[i % 2], debtors),
            "debtor_type": pick("机关", KINDS),
            "creditor_name": pick(f"山西清凉建筑工程有限公司{i % 7}", [*TEXTS, None, 1, 0.0]),
            "credit_code": pick(code(i % 7), [code(i % 9).lower(), "91140900000000001X", "123", None, 1]),
            "creditor_size": pick("小型", SIZES),
            "is_private": pick("是", FLAGS),
            "project_name": pick(f"项目{i % 13}", [" 项目1 ", "第一行\n第二行", True, 1.0, None]),
            "contract_no": pick(f"HT-{i % 11:03d}", ["ＨＴ－００１", "HT-001", None, None, 7, 7.0]),
            "contract_date": pick(DATES[0], DATES),
            "contract_amount": pick(owed * 2, AMOUNTS),
            "category": pick("工程", CATEGORIES),
            "amount_owed": pick(owed, AMOUNTS),
            "undisputed_amount": pick(None, AMOUNTS),
            "disputed_amount": pick(None, AMOUNTS),
            "delivery_date": pick(DATES[i % 3], DATES),
            "agreed_payment_date": pick(DATES[3], DATES),
            "source": pick("自查", SOURCES),
            "migrant_wages": pick("否", FLAGS),
            "migrant_wage_amount": pick(None, AMOUNTS),
            "judicial": pick("否", FLAGS),
            "reason": pick("资金不足", ["资金不足\r\n待拨付", " ", None, *TRICKY]),
            "remarks": pick(None, ["已对账\n\n含质保金", *TRICKY]),
        }
        source_row = pick(None, [i + 5, str(i + 5), 0, True, "x"])
        rows.append([i + 1, *(cells[f] for f in TEMPLATE_FIELDS), source_row])
    rows.append(["合计", None, None, None, None, None, None, None, None, None, None, None, 12345])
    rows.append(["填表人：王晓燕", None, None, "审核人：李国华"])
    return rows


def _csv_cell(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


PLANS = [
    PLAN,
    {
        **PLAN,
        "rules": {"credit_code_strict": True},
        "scope": {
            "creditor_sizes": ["small"],
            "categories": ["works", "goods"],
            "debtor_kinds": ["agency"],
            "exclude_judicial": False,
        },
    },
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("plan", PLANS, ids=["plan", "narrow-scope"])
def test_remembered_cells_read_like_fresh_ones_on_tricky_cells(tmp_path, monkeypatch, forgetful, seed, plan):
    rows = tricky_rows(600, seed)
    path = write_xlsx(tmp_path / "tricky.xlsx", rows)
    remembered, fresh = both(monkeypatch, forgetful, path, plan, units=_Units())
    assert remembered == fresh
    statuses = {r[5] for r in remembered[0]}
    assert {"accepted", "warning", "rejected", "duplicate", "skipped"} <= statuses, statuses
    csv_path = write_csv(tmp_path / "tricky.csv", [[_csv_cell(c) for c in row] for row in rows])
    remembered, fresh = both(monkeypatch, forgetful, csv_path, plan, keep_raw=True, amount_unit="wan")
    assert remembered == fresh


def test_remembered_cells_read_like_fresh_ones_on_an_official_ledger(tmp_path, monkeypatch, forgetful):
    ledger = official_ledger(
        1500, debtors=["甲一镇人民政府", "甲一镇财政所"], foreign_debtor="外县财政局", seed=11
    )
    path = ledger.write_xlsx(tmp_path / "乡镇台账.xlsx")
    remembered, fresh = both(monkeypatch, forgetful, path, units=_Units())
    assert remembered == fresh
    res = parse_file(path, path.name, PLAN, today=TODAY, units=_Units())
    exp = ledger.expected
    counts = res.counts
    assert counts["duplicate"] == exp.rows["duplicate"]
    assert counts["skipped"] == exp.rows["skipped"]
    assert counts["accepted"] + counts["warning"] == exp.rows["accepted"]
    assert counts["rejected"] == exp.rows["rejected"]
    amounts = res.reconciliation["amounts"]
    assert Decimal(amounts["data"]) == exp.amounts["data"]
    assert Decimal(amounts["duplicate"]) == exp.amounts["duplicate"]
    assert Decimal(amounts["accepted"]) == exp.amounts["accepted"]
    csv_path = ledger.write_csv(tmp_path / "县台账.csv")
    remembered, fresh = both(monkeypatch, forgetful, csv_path, amount_unit="wan")
    assert remembered == fresh


def test_remembered_cells_read_like_fresh_ones_on_the_messy_fixture(tmp_path, monkeypatch, forgetful):
    path = messy_xlsx(tmp_path / "messy.xlsx")
    remembered, fresh = both(monkeypatch, forgetful, path, keep_raw=True)
    assert remembered == fresh


def test_a_flag_is_never_read_as_the_figure_it_equals(tmp_path):
    # True == 1 and False == 0 == -0.0: in one column, each still reads as itself.
    header = ["欠款单位", "债权企业名称", "款项类别", "欠款金额（元）", "合同金额（元）", "项目名称"]
    rows = [header]
    cells = [1, True, 1.0, 0, False, 0.0, -0.0]
    for i, cell in enumerate(cells * 2):
        rows.append(["台怀镇人民政府", f"山西清凉建筑工程有限公司{i}", "工程", 100 + i, cell, cell])
    path = write_xlsx(tmp_path / "flags.xlsx", rows)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    for row in res.rows:
        raw = row.raw.get("合同金额（元）")
        if raw in ("TRUE", "True", "FALSE", "False"):
            assert row.status == "rejected"
            assert "合同金额格式不正确" in row.reason_text()
        else:
            assert "contract_amount" in row.values, row.issues


def test_every_amount_counts_in_a_contract_duplicate(tmp_path):
    # Same contract and parties: a second row is a duplicate only when every amount is the same too.
    amount_labels = {FIELD_NAMES.get(f, f): f for f in AMOUNT_FIELDS}
    header = ["欠款单位", "债权企业名称", "统一社会信用代码", "合同编号", "款项类别", *amount_labels, "备注"]
    base = {"欠款金额": 1000, "合同金额": 2000, "无争议金额": 600, "有争议金额": 400, "农民工工资金额": 100}
    base["已付金额"] = 50
    rows = [header]

    def row(remark: str, **changes) -> list:
        figures = {**base, **changes}
        return [
            "台怀镇人民政府",
            "山西清凉建筑工程有限公司",
            code(1),
            "HT-001",
            "工程",
            *(figures[label] for label in amount_labels),
            remark,
        ]

    rows.append(row("首次"))
    rows.append(row("重复录入"))
    changes = {
        "欠款金额": {"欠款金额": 1001, "无争议金额": 601},
        "合同金额": {"合同金额": 2001},
        "无争议金额": {"无争议金额": 500, "有争议金额": 500},
        "有争议金额": {"无争议金额": 599, "有争议金额": 401},
        "农民工工资金额": {"农民工工资金额": 101},
        "已付金额": {"已付金额": 51},
    }
    assert set(changes) == set(amount_labels)
    for n, label in enumerate(amount_labels):
        rows.append(row(f"改{n}", **changes[label]))
    path = write_xlsx(tmp_path / "contracts.xlsx", rows)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    statuses = [r.status for r in res.rows]
    assert statuses[:2] == ["accepted", "duplicate"], [r.issues for r in res.rows[:2]]
    assert "与第2行合同编号和金额相同" in res.rows[1].reason_text()
    assert "duplicate" not in statuses[2:], [(r.row_number, r.reason_text()) for r in res.rows]


def test_several_row_number_columns_read_as_one(tmp_path):
    header = ["行号", "欠款单位", "债权企业名称", "款项类别", "欠款金额（元）", "原行号"]
    rows = [
        header,
        [7, "台怀镇人民政府", "山西清凉建筑工程有限公司", "工程", 100, 9],
        [None, "台怀镇人民政府", "山西佛光商贸有限公司", "货物", 200, 12],
        [8, "台怀镇人民政府", "山西金岗物业服务有限公司", "服务", 300, None],
        [4, "台怀镇人民政府", "山西黛螺科技有限公司", "服务", 400, "x"],
    ]
    path = write_xlsx(tmp_path / "rows.xlsx", rows)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    # The last filled 行号 cell counts; an unreadable one gives none.
    assert [r.values.get("source_row") for r in res.rows] == [9, 12, 8, None]


def test_fine_decimals_are_counted_past_the_unit_sample(tmp_path):
    header = ["欠款单位", "债权企业名称", "款项类别", "欠款金额（元）"]
    n = parse_rows.UNIT_SAMPLE + 300
    rows = [header]
    fine = 0
    for i in range(n):
        owed = 1000 + i + (0.125 if i % 7 == 0 else 0.5)
        fine += i % 7 == 0
        rows.append(["台怀镇人民政府", f"山西清凉建筑工程有限公司{i}", "工程", owed])
    path = write_xlsx(tmp_path / "fine.xlsx", rows)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    assert res.unit_warnings and res.unit_warnings[0].startswith(f"有{fine}行欠款金额超过两位小数")
