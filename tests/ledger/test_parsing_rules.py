"""Row rules: every data row ends accepted, warned, rejected (field + Chinese reason) or skipped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plugins.ledger.parsing import parse_file
from tests.ledger.fixtures import PLAN, SIMPLE_HEADER, bad_checksum_code, simple_row, write_xlsx

TODAY = dt.date(2023, 8, 1)


def parse_rows(tmp_path, rows, plan=PLAN, header=SIMPLE_HEADER, **kw):
    path = write_xlsx(tmp_path / "rules.xlsx", [header, *rows])
    res = parse_file(path, path.name, plan, today=TODAY, **kw)
    c = res.counts
    assert (
        c["read"] == c["accepted"] + c["warning"] + c["rejected"] + c["duplicate"] + c["skipped"] == len(rows)
    )
    return res


def only(res):
    assert len(res.rows) == 1
    return res.rows[0]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"code": "91142200000000001"}, "credit_code", "统一社会信用代码应为18位，实际为17位"),
        ({"code": "91142200000000001I"}, "credit_code", "统一社会信用代码含有非法字符：I"),
        ({"creditor": None}, "creditor_name", "债权企业名称不能为空"),
        ({"owed": 0}, "amount_owed", "欠款金额必须大于0（0.00）"),
        ({"owed": -100}, "amount_owed", "欠款金额必须大于0（-100.00）"),
        ({"owed": None}, "amount_owed", "欠款金额不能为空"),
        ({"owed": "约十万"}, "amount_owed", "欠款金额格式不正确（约十万）"),
        (
            {"owed": 100, "undisputed": 60, "disputed": 30},
            "undisputed_amount",
            "无争议金额（60.00）与有争议金额（30.00）之和应等于欠款金额（100.00）",
        ),
        # both split columns present: a blank 有分歧 is 0 and the three figures are named
        (
            {"owed": 100, "undisputed": 160},
            "undisputed_amount",
            "无争议金额（160.00）与有争议金额（0.00）之和应等于欠款金额（100.00）",
        ),
        ({"category": "租金"}, "category", "款项类别无法识别（租金），应填货物、工程或服务"),
        ({"category": None}, "category", "款项类别不能为空"),
        ({"size": "大型"}, "creditor_size", "大型企业不属于清欠范围"),
        ({"size": "超大"}, "creditor_size", "企业规模无法识别（超大），应填中型、小型或微型"),
        ({"judicial": "是"}, "judicial", "已进入司法程序，不属于清欠范围"),
        ({"judicial": "也许"}, "judicial", "是否进入司法程序无法识别（也许），应填“是”或“否”"),
        ({"delivered": "2023-09-01"}, "delivery_date", "交付日期（2023年9月1日）晚于今天，请核实"),
        ({"delivered": "2023-02-30"}, "delivery_date", "交付日期不是有效日期（2023-02-30）"),
        ({"debtor": None}, "debtor_unit", "欠款单位不能为空"),
    ],
)
def test_rejections(tmp_path, overrides, field, message):
    row = only(parse_rows(tmp_path, [simple_row(1, **overrides)]))
    assert row.status == "rejected"
    assert (field, message, "error") in [(i.field, i.message, i.level) for i in row.issues]
    assert row.reason_text()


def test_accepted_row_values(tmp_path):
    row = only(parse_rows(tmp_path, [simple_row(1, owed="100", undisputed="60", disputed=40)]))
    assert row.status == "accepted" and row.issues == []
    assert row.values["amount_owed"] == Decimal("100.00")
    assert row.values["judicial"] is False
    assert row.values["creditor_size"] == "small"
    assert row.raw == {}  # accepted rows keep no original text unless asked


def test_keep_raw(tmp_path):
    row = only(parse_rows(tmp_path, [simple_row(1)], keep_raw=True))
    assert row.raw["欠款金额（元）"] == "100001"


def test_only_disputed_given_derives_undisputed(tmp_path):
    row = only(parse_rows(tmp_path, [simple_row(1, owed=100, disputed=30)]))
    assert row.values["undisputed_amount"] == Decimal("70.00")
    assert row.status == "accepted"


def test_checksum_warning_and_strict_plan(tmp_path):
    row = only(parse_rows(tmp_path, [simple_row(1, code=bad_checksum_code(1))]))
    assert row.status == "warning"
    assert row.issues[0].field == "credit_code" and "校验位" in row.issues[0].message
    assert row.values["credit_code_warning"]
    strict = dict(PLAN, rules={"credit_code_strict": True})
    row = only(parse_rows(tmp_path, [simple_row(1, code=bad_checksum_code(1))], plan=strict))
    assert row.status == "rejected"
    assert row.issues[0].level == "error" and "严格校验" in row.issues[0].message


def test_full_width_credit_code_normalised(tmp_path):
    from tests.ledger.fixtures import code

    full = code(5).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    row = only(parse_rows(tmp_path, [simple_row(5, code=f" {full} ")]))
    assert row.status == "accepted", row.issues
    assert row.values["credit_code"] == code(5)


def test_missing_credit_code_is_a_warning(tmp_path):
    row = only(parse_rows(tmp_path, [simple_row(1, code=None)]))
    assert row.status == "warning"
    assert row.issues[0].message == "未填写统一社会信用代码，请补充"
    assert row.row_key.split("|")[1] == "忻州市佛光商贸有限公司1"


def test_duplicates_inside_a_file(tmp_path):
    # Same debtor, creditor and contract but another amount is another debt (was "skipped as duplicate");
    # only an identical row is a duplicate, named with the earlier row's number.
    rows = [simple_row(1), simple_row(2), simple_row(1, owed=5), simple_row(1, owed=-1), simple_row(1)]
    res = parse_rows(tmp_path, rows)
    assert [r.status for r in res.rows] == ["accepted", "accepted", "accepted", "rejected", "duplicate"]
    assert res.rows[2].row_key == res.rows[0].row_key + "#2"
    assert res.rows[4].issues[0].message == "与第2行内容完全相同，视为重复行，未导入"
    assert res.counts["duplicate"] == 1 and res.counts["skipped"] == 0


def test_row_key_normalised_and_explicit(tmp_path):
    header = [*SIMPLE_HEADER, "行标识"]
    rows = [[*simple_row(1, contract="ht-001 "), None], [*simple_row(2), "A-7"]]
    res = parse_rows(tmp_path, rows, header=header)
    assert res.rows[0].row_key.endswith("|c:HT-001")
    assert res.rows[1].row_key == "id:A-7"
    assert res.rows[1].values["row_key"] == "A-7"


class Resolver:
    def __init__(self):
        self.calls = []

    def resolve(self, text):
        self.calls.append(text)
        if text == "台怀镇人民政府":
            return 42, None
        return None, f"欠款单位“{text}”不在您的管辖范围内"


def test_unit_resolver(tmp_path):
    resolver = Resolver()
    rows = [simple_row(1), simple_row(4), simple_row(2)]  # 台怀镇, 台怀镇, 旅游发展局
    res = parse_rows(tmp_path, rows, units=resolver)
    assert [r.status for r in res.rows] == ["accepted", "accepted", "rejected"]
    assert res.rows[0].values["debtor_unit_id"] == 42
    assert res.rows[0].row_key.startswith("u42|")
    assert res.rows[2].issues[0].field == "debtor_unit"
    assert "不在您的管辖范围内" in res.rows[2].issues[0].message
    assert resolver.calls.count("台怀镇人民政府") == 1  # resolved once per distinct text


def test_scope_from_plan(tmp_path):
    plan = dict(
        PLAN,
        scope={
            "creditor_sizes": ["small", "micro"],
            "categories": ["goods", "works"],
            "debtor_kinds": ["agency"],
        },
    )
    header = [*SIMPLE_HEADER, "单位类型"]
    rows = [
        [*simple_row(1, size="中型"), "机关"],
        [*simple_row(2, category="服务"), "机关"],
        [*simple_row(3), "事业单位"],
        [*simple_row(4), "民营企业"],
        [*simple_row(5), "街道"],
    ]
    res = parse_rows(tmp_path, rows, plan=plan, header=header)
    msgs = [r.issues[0].message for r in res.rows]
    assert [r.status for r in res.rows] == ["rejected", "rejected", "rejected", "rejected", "warning"]
    assert msgs[0] == "中型企业不属于本辖区清欠范围"
    assert msgs[1] == "服务类款项不属于本辖区清欠范围"
    assert "不属于本辖区清欠范围" in msgs[2]
    assert "不属于清欠范围" in msgs[3]


def test_other_fields(tmp_path):
    header = [*SIMPLE_HEADER, "线索来源", "农民工工资金额", "约定付款日期", "合同金额"]
    rows = [[*simple_row(1, owed=100), "审计发现", 50, "2023-12-31", 80]]
    row = only(parse_rows(tmp_path, rows, header=header))
    assert row.status == "warning"
    assert row.values["source"] == "audit"
    assert row.values["migrant_wages"] is True
    assert {i.field for i in row.issues} == {"agreed_payment_date", "amount_owed"}  # not yet due; > contract


def test_total_subtotal_and_footer_variants(tmp_path):
    rows = [
        simple_row(1),
        ["合 计", None, None, None, None, None, 100],
        ["小计：", None, None, None, None, None, 5],
        ["其中：工程类", None, None, None, None, None, 5],
        ["制表人：赵六", None, "联系电话：12345678901"],
        ["注：本表金额单位为元"],
        [None, "总计"],
    ]
    res = parse_rows(tmp_path, rows)
    assert [r.skip_reason for r in res.rows] == [
        None,
        "合计行",
        "合计行",
        "合计行",
        "填表人/审核人",
        "表尾说明",
        "合计行",
    ]
