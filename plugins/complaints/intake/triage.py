"""The triage suggestion made on receipt: which way the office will most likely decide, and why.

Each reason names the evidence in Chinese ("描述中出现“已起诉”", "申报规模为大型") so the office can check it
in a glance and accept the suggestion with one click, or override it (the override is kept and counted).

The rules, first match wins: a declared or described large creditor → ``not_sme``; a lawsuit, arbitration or
enforcement in the description → ``judicial`` (a court as the customer, "清欠办已立案", or the debtor's dare
"让我们去起诉" is not one); a debtor name that starts with a place outside the jurisdiction (including a
county government, "五台县人民政府") → ``outside_jurisdiction``; a halted unit (停产企业) named outright →
``needs_info``, with a reason naming it and asking the office to check whether its group took over the debt
— it is neither accepted against the group nor silently redirected, since the plan's scope excludes halted
firms; a private firm or person (and no unit matched) → ``private_debtor``; no unit identified (also a vague
name such as "景区" or "政府部门", or a company named only by its line of business, "索道公司") or no amount
→ ``needs_info``; otherwise ``accept``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.tenancy.names import LOW, Candidate, UnitRanker, canonical

# Words that put the debt in a court or arbitration; "准备起诉"/"没有起诉" do not. A court named on its own is
# only a court: "给县法院做的装修" makes the court the debtor, so 法院 counts with what the court did.
_JUDICIAL = re.compile(
    r"(已经?|正在|曾)?(提起诉讼|起诉|诉至|打了官司|打官司|官司|向法院|法院(?:已经?|也)?(?:判|裁|调解|执行|受理|立案|开庭)"
    r"|判决|判了|裁定|仲裁|立案|强制执行|申请执行|开庭|调解书|诉讼中|正在诉讼|诉前调解|财产保全|诉讼保全|支付令"
    r"|执行庭|执行局|(?:案子|案件)(?:已经|还|目前|正)?在法院)"
)
_NEGATION = re.compile(
    r"(未|没|没有|不想|不愿|不敢|准备|打算|考虑|想|拟|要不要|还没|尚未|不|若|如果|否则|让|叫|建议|劝|只能|大不了|可能)"
    r"\S{0,3}$"
)
# Bodies that register a case without it being a lawsuit ("清欠办已立案登记", "信访局立案").
_NOT_A_COURT = re.compile(r"(清欠办|清欠|信访|热线|12345|纪委|监委|督查|平台|市监|工信)\S{0,4}$")
# The creditor calling itself large: "我们是中铁下属的大型企业", "我司属于大型国企".
# Also "本公司系规模以上大型企业".
# The words between may not be a verb that makes the large firm someone else ("我们是给大型国企干活的").
_LARGE_WORDS = (
    r"(特?大型[^，。,.;；!！?？]{0,4}?(?:企业|国企|央企|公司|集团)|央企|中央企业|世界500强|世界五百强)"
)
_LARGE_CREDITOR = re.compile(
    r"(我|本|我们)(公司|单位|司|们|企业|方)?[^，。,.;；!！?？给帮替向跟与和对欠拖]{0,6}"
    r"(是|为|系|属于|属)[^，。,.;；!！?？给帮替向跟与和对欠拖]{0,8}"
    + _LARGE_WORDS
    # "我们公司为大型设备公司提供配件": 为 meant "for".
    + r"(?!提供|供|服务|做|干|配套|加工|代)"
)
# A clause that starts with the size itself: "规模以上大型企业，承接了…", "属于大型国企。"
_LARGE_CLAUSE = re.compile(r"(?:^|[，。,.;；!！?？])(?:属于|系|是|为)?(?:规模以上)?" + _LARGE_WORDS)
_NOT_LARGE = re.compile(r"不是|并非|不属于|非")
_PRIVATE_IN_TEXT = re.compile(
    r"私人老板|私人买家|个人老板|个体户|包工头|私营老板|个人名义|私人购买|卖给了?个人|民营企业|私企"
)
_PRIVATE_DEBTOR = re.compile(r"个人|私人|老板|个体|先生|女士|某|包工头|民营|私营")
_COMPANY = re.compile(r"(公司|厂|店|商行|经营部|合作社|工作室|农家乐|宾馆|饭店|超市|门市)$")
_STATE_MARKS = re.compile(
    r"国有|国资|城投|城市建设投资|投资集团|旅游集团|文旅集团|政府|管委会|局|委员会|中心|学校|医院|部门|单位"
)
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
# A short name ending like a place or a body ("金阁寺", "杨林村") is not a person's name.
_NOT_A_PERSON = re.compile(r"[寺庙院村场站所队局委办处厂店社会园馆校]$")
_VAGUE = re.compile(r"^(政府|政府部门|有关部门|相关部门|某单位|单位|不清楚|不知道|景区|领导)$")


@dataclass
class Suggestion:
    category: str
    reasons: list[str]
    debtor: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"category": self.category, "reasons": list(self.reasons)}


def judicial_evidence(text: str) -> str | None:
    for m in _JUDICIAL.finditer(text or ""):
        before = text[max(0, m.start() - 6) : m.start()]
        if m.group(1) is None and _NEGATION.search(before):
            continue
        if _NOT_A_COURT.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        return m.group(0)
    return None


def large_creditor_evidence(text: str) -> str | None:
    """Where the complainant says its own firm is large ("我司属于大型国企"), or None."""
    for pattern in (_LARGE_CREDITOR, _LARGE_CLAUSE):
        for m in pattern.finditer(text or ""):
            if not _NOT_LARGE.search(m.group(0)):
                return m.group(0).lstrip("，。,.;；!！?？")
    return None


def generic_company(ranker: UnitRanker, name: str) -> bool:
    """A company named only by its line of business ("索道公司", "物业公司"): not evidence of a private firm,
    it is a unit the complainant could not name in full."""
    rest = re.sub(r"(有限)?公司$", "", ranker.core(canonical(name or "")))
    return (name or "").strip().endswith("公司") and len(rest) <= 2


def looks_private(debtor: str, description: str) -> str | None:
    """Evidence that the debtor is a private firm or a person (outside the campaign), or None."""
    name = (debtor or "").strip()
    if _PRIVATE_DEBTOR.search(name) and not _STATE_MARKS.search(name):
        return f"欠款方“{name}”是个人或民营主体"
    if (
        _PERSON.match(name)
        and not _STATE_MARKS.search(name)
        and not _COMPANY.search(name)
        and not _NOT_A_PERSON.search(name)
    ):
        return f"欠款方“{name}”是个人"
    if _COMPANY.search(name) and not _STATE_MARKS.search(name):
        return f"欠款方“{name}”不是机关、事业单位或国有企业"
    m = _PRIVATE_IN_TEXT.search(description or "")
    if m:
        return f"描述中出现“{m.group(0)}”"
    return None


def suggest(
    ranker: UnitRanker,
    *,
    debtor_text: str,
    description: str,
    creditor_size: str,
    amount: Decimal | None,
    amount_approximate: bool = False,
) -> Suggestion:
    candidates = ranker.rank(debtor_text)
    best = candidates[0] if candidates and candidates[0].score >= LOW else None
    if creditor_size == "large":
        return Suggestion("not_sme", ["申报规模为大型"], best, candidates)
    said = large_creditor_evidence(description)
    if said:
        return Suggestion("not_sme", [f"描述中出现“{said}”"], best, candidates)
    evidence = judicial_evidence(description)
    if evidence:
        return Suggestion("judicial", [f"描述中出现“{evidence}”"], best, candidates)
    place = ranker.foreign_place(debtor_text)
    if place:
        return Suggestion("outside_jurisdiction", [f"欠款方“{place}”不在本辖区"], None, candidates)
    halted = ranker.halted_named(debtor_text)
    if halted is not None:
        parent = ranker.nodes.get(halted.parent_id or 0)
        owner = (
            f"是否由“{parent.name}”承接其债务"
            if parent is not None and parent.id != ranker.root.id
            else "债务由谁承接"
        )
        return Suggestion(
            "needs_info",
            [f"欠款方“{halted.name}”已停产（停业），不在清欠范围；请核实{owner}，并告知投诉人处理方式"],
            None,
            [],
        )
    vague = ranker.vague(debtor_text)
    if best is not None and vague:
        best = None
    if best is None and not generic_company(ranker, debtor_text):
        # A vague name ("景区") is not a person's name: only the description can show a private debtor.
        private = looks_private("" if vague else debtor_text, description)
        if private:
            return Suggestion("private_debtor", [private], None, candidates)
    reasons = []
    if best is None:
        if (debtor_text or "").strip() and not vague and not _VAGUE.match(debtor_text.strip()):
            reasons.append(f"本辖区没有能对上“{debtor_text.strip()}”的单位，需请投诉人写明单位全称")
        else:
            reasons.append("没有写明欠款的具体单位，需请投诉人补充")
    if amount is None:
        reasons.append("没有填写欠款金额，需请投诉人补充")
    if reasons:
        return Suggestion("needs_info", reasons, best, candidates)
    reasons = [f"欠款方识别为“{best.name}”（把握{best.confidence}）"]
    shown = f"{amount:,.2f}元" + ("（约数）" if amount_approximate else "")
    reasons.append(f"欠款金额{shown}，未见司法程序、辖区外或民营欠款方的迹象")
    return Suggestion("accept", reasons, best, candidates)
