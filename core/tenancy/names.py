"""Matching the names people write for units to the tenant tree (ledgers, complaints, reports).

Clerks write "台怀镇政府" for 台怀镇人民政府, "五台山景区管委会" for 五台山风景名胜区管理委员会, or drop the
county's name in front ("教育局" for 五台县教育局). ``name_keys`` gives the spellings a name is known by;
``UnitMatcher`` resolves a written name to exactly one unit of a subtree, through those spellings, the
unit's code and the jurisdiction's saved aliases (``UnitAlias``: a name someone mapped to a unit once).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from core.extensions import db
from core.tenancy.models import TenantNode, UnitAlias

_SPACES = re.compile(r"\s+")

# Long form → the short forms clerks write for it, applied anywhere in the name.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("人民政府", "政府"),
    ("风景名胜区", "景区"),
    ("管理委员会", "管委会"),
    ("委员会", "委"),
    ("办事处", "办"),
    ("办公室", "办"),
    ("有限责任公司", "有限公司"),
    ("股份有限公司", "股份公司"),
)
# A trailing part a name may simply omit ("台怀镇" for 台怀镇人民政府).
DROPPABLE_SUFFIXES = ("人民政府", "政府")


def name_key(text: str | None) -> str:
    """The name as compared: full-width forms folded (NFKC), spaces removed, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def _short_forms(key: str) -> set[str]:
    forms = {key}
    for long, short in ABBREVIATIONS:
        forms |= {form.replace(long, short) for form in forms if long in form}
    return forms


def name_keys(text: str | None, prefixes: tuple[str, ...] = ()) -> set[str]:
    """Every spelling ``text`` is known by: its short forms, without a droppable suffix, and without any
    of ``prefixes`` (the names of the units above it, e.g. the county's) in front."""
    base = name_key(text)
    if not base:
        return set()
    keys = _short_forms(base)
    for prefix in (name_key(p) for p in prefixes):
        if prefix and base.startswith(prefix) and len(base) > len(prefix) + 1:
            keys |= _short_forms(base[len(prefix) :])
    for key in list(keys):
        for suffix in DROPPABLE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                keys.add(key[: -len(suffix)])
    return keys


class UnitMatcher:
    """Resolves a written unit name to one active node of ``root``'s subtree (``root`` included).

    Nodes and aliases come through the tenant filter, so a unit the caller cannot see is never found.
    ``match`` answers (node id, None), (None, "ambiguous") or (None, "unknown").
    """

    def __init__(self, root: TenantNode) -> None:
        self.root = root
        nodes = db.session.scalars(
            db.select(TenantNode).where(TenantNode.path.startswith(root.path), TenantNode.active.is_(True))
        ).all()
        self.nodes: dict[int, TenantNode] = {n.id: n for n in nodes}
        self.nodes.setdefault(root.id, root)
        names = {n.id: n.name for n in self.nodes.values()}
        self._by_code = {n.code.lower(): n.id for n in self.nodes.values()}
        self._by_key: dict[str, set[int]] = {}
        for node in self.nodes.values():
            prefixes = tuple(names[i] for i in node.ancestor_ids() if i in names and i != node.id)
            for key in name_keys(node.name, prefixes):
                self._by_key.setdefault(key, set()).add(node.id)
        self._exact = {name_key(n.name): n.id for n in self.nodes.values()}
        self._aliases = {
            alias.key: alias.unit_id
            for alias in db.session.scalars(
                db.select(UnitAlias).where(UnitAlias.jurisdiction_id == root.jurisdiction_id)
            )
            if alias.unit_id in self.nodes
        }

    def match(self, text: str | None) -> tuple[int | None, str | None]:
        key = name_key(text)
        if not key:
            return self.root.id, None
        for table in (self._by_code, self._exact, self._aliases):
            if key in table:
                return table[key], None
        found: set[int] = set()
        for spelling in name_keys(text, (self.root.name,)):
            found |= self._by_key.get(spelling, set())
            if spelling in self._aliases:
                found.add(self._aliases[spelling])
        if len(found) == 1:
            return next(iter(found)), None
        return None, ("ambiguous" if found else "unknown")


def save_alias(unit: TenantNode, name: str, actor=None) -> UnitAlias:
    """Remember that ``name`` means ``unit`` in its jurisdiction (replacing what it meant before)."""
    key = name_key(name)
    alias = db.session.scalar(
        db.select(UnitAlias).where(UnitAlias.jurisdiction_id == unit.jurisdiction_id, UnitAlias.key == key)
    )
    if alias is None:
        alias = UnitAlias(jurisdiction_id=unit.jurisdiction_id, key=key)
        db.session.add(alias)
    alias.unit_id = unit.id
    alias.name = " ".join((name or "").split())[:200]
    alias.created_by_id = getattr(actor, "id", None)
    db.session.flush()
    return alias


# --- Ranking the units a free-text name may mean (complaint debtors, ledger look-ups) --------------------

# Words people use for the same kind of body; both sides are rewritten before names are compared.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("人民政府", "政府"),
    ("风景名胜区", "景区"),
    ("风景区", "景区"),
    ("管理委员会", "管委会"),
    ("股份有限公司", "公司"),
    ("有限责任公司", "公司"),
    ("有限公司", "公司"),
    ("城投", "城市建设投资"),
    ("住房和城乡建设", "建设"),
    ("住房城乡建设", "建设"),
    ("规划和建设", "建设"),
    ("规划建设", "建设"),
    ("住建", "建设"),
    ("规建", "建设"),
    ("城建", "建设"),
    ("文化和旅游", "旅游"),
    ("文化旅游", "旅游"),
    ("文旅", "旅游"),
    ("旅发", "旅游发展"),
    ("环卫", "环境卫生"),
    ("观光车", "客运"),
    ("观光巴士", "客运"),
    ("交通运输", "交通"),
    ("游客服务中心", "旅游服务中心"),
    ("游客中心", "旅游服务中心"),
)
_GENERIC_TAILS = ("公司", "政府", "中心", "局", "所", "站", "队", "委", "办")
_GENERIC_NAMES = frozenset(
    {
        *_GENERIC_TAILS,
        "单位",
        "部门",
        "政府部门",
        "有关部门",
        "相关部门",
        "集团",
        "管委会",
        "管理局",
        "管理处",
    }
)
# Words that add nothing to which unit is meant ("景区里的单位", "有关部门").
_FILLER_WORDS = re.compile(r"的|里|有关|相关|下属|下面|哪个|一个|单位|部门|机关|领导")
# A private business named after the place it is in ("台怀镇兴旺农家乐") is not that place's government.
_BUSINESS_TAIL = re.compile(r"(公司|厂|店|商行|经营部|合作社|工作室|农家乐|宾馆|饭店|酒店|超市|门市)$")
# 省/市/县/区/旗 ends a place name unless it starts a word: "市政" (municipal works), "市场"; but "县政府"
# and "市政府" are the place's own government ("五台县人民政府", "繁峙县政府").
_NOT_PLACE_END = r"(?!场|政(?!府))"
_PLACE_CHAIN = re.compile(
    r"^(?:山西省|中国)?((?:[\u4e00-\u9fff]{1,6}?(?:省|市|县|区|旗)"
    + _NOT_PLACE_END
    + r")*)([\u4e00-\u9fff]{2,4}?[镇乡])?"
)
_PLACE_PART = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:省|市|县|区|旗)" + _NOT_PLACE_END)
_PUNCT = re.compile(r"[·•,，。.、()（）《》\"'“”‘’\-—:：;；]+")
HIGH, MEDIUM, LOW = 0.9, 0.75, 0.6


def canonical(text: str | None) -> str:
    """The name with synonyms rewritten to one spelling: "景区住建局" and "风景名胜区规划建设局" both hold
    "景区建设局"."""
    key = _PUNCT.sub("", name_key(text))
    for word, canon in SYNONYMS:
        key = key.replace(word, canon)
    return key


def confidence_label(score: float) -> str:
    return "高" if score >= HIGH else "较高" if score >= MEDIUM else "一般" if score >= LOW else "低"


class Candidate(NamedTuple):
    """A unit a written name may mean; ``why`` says in Chinese how the name was matched."""

    unit_id: int
    name: str
    score: float
    why: str = ""

    @property
    def confidence(self) -> str:
        return confidence_label(self.score)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def _in_order(short: str, long: str) -> bool:
    rest = iter(long)
    return all(char in rest for char in short)


def _similarity(query: str, core: str) -> float:
    if not query or not core:
        return 0.0
    if query == core:
        return 0.97
    business = _BUSINESS_TAIL.search(query)
    foreign_business = business is not None and not core.endswith(business.group(1))
    if len(core) >= 3 and query.startswith(core) and not foreign_business:
        return 0.9  # the unit's whole name, then a part of it ("台怀镇财政所")
    if core in query and len(core) >= 3 and not foreign_business:
        return 0.85
    if query in core:
        return 0.7 + 0.25 * len(query) / len(core)
    if len(query) >= 3 and _in_order(query, core):
        return 0.7 + 0.2 * len(query) / len(core)  # an abbreviation: "应急局" for 应急管理局
    qb, cb = _bigrams(query), _bigrams(core)
    dice = 2 * len(qb & cb) / (len(qb) + len(cb))
    coverage = len(set(query) & set(core)) / len(set(query))
    core_coverage = len(set(query) & set(core)) / len(set(core))
    return min(0.84, 0.5 * dice + 0.3 * coverage + 0.2 * core_coverage)


class UnitRanker(UnitMatcher):
    """Ranks the units of a jurisdiction a free-text name may mean, best first, with a score.

    Never offers the jurisdiction itself or a halted unit (停产企业) as the answer. A subsidiary ranks below
    its group unless the words that set it apart ("供水", "酒店") are in the text. A name that starts with a
    place outside the jurisdiction ("繁峙县砂河镇…") matches nothing: see ``foreign_place``.
    """

    def __init__(self, root: TenantNode) -> None:
        super().__init__(root)
        self._prefixes = self._root_prefixes(root)
        self._cores: dict[int, set[str]] = {}
        self._known_places: set[str] = set()
        names = {n.id: n.name for n in self.nodes.values()}
        for node in self.nodes.values():
            prefixes = tuple(names[i] for i in node.ancestor_ids() if i in names and i != node.id)
            spellings = {canonical(k) for k in name_keys(node.name, prefixes)} | {canonical(node.name)}
            self._known_places |= spellings
            self._cores[node.id] = {self.core(s) for s in spellings} - {""}

    @staticmethod
    def _root_prefixes(root: TenantNode) -> list[str]:
        full = canonical(root.name)
        out = {full, "景区", "本区", "区直"}
        for tail in ("景区", "县", "区", "市", "镇", "乡"):
            if full.endswith(tail) and len(full) > len(tail) + 1:
                out.add(full[: -len(tail)])
        return sorted(out, key=len, reverse=True)

    def core(self, spelling: str) -> str:
        """The part of a name that tells units apart: without the jurisdiction's name in front."""
        changed = True
        while changed:
            changed = False
            for prefix in self._prefixes:
                if spelling.startswith(prefix) and len(spelling) > len(prefix):
                    spelling, changed = spelling[len(prefix) :], True
        return spelling

    def foreign_place(self, text: str | None) -> str | None:
        """The place a name starts with when it is not in this jurisdiction ("繁峙县砂河镇"), else None."""
        m = _PLACE_CHAIN.match(canonical(text))
        if not m or not m.group(0):
            return None
        parts = _PLACE_PART.findall(m.group(1) or "") + ([m.group(2)] if m.group(2) else [])
        known = self._known_places
        ours = []
        for part in parts:
            part = canonical(part)
            # People mix up 乡 and 镇 ("金岗库镇" for 金岗库乡): either one is the same place.
            variants = {part, part[:-1] + "乡", part[:-1] + "镇"} if part[-1] in "乡镇" else {part}
            # "忻州五台山风景名胜区": the region above written without its 市, then ours.
            above_ours = any(part.endswith(p) for p in self._prefixes if len(p) >= 3)
            ours.append(
                part in self._prefixes or above_ours or any(v in place for v in variants for place in known)
            )
        # The regions above ours may come first ("忻州市五台山风景名胜区财政局"): the last place decides.
        if ours and not ours[-1]:
            return m.group(0)
        return None

    def eligible(self, node: TenantNode) -> bool:
        return node.id != self.root.id and not node.halted

    def vague(self, text: str | None) -> bool:
        """A name that says no more than the jurisdiction or a kind of body: "景区", "五台山", "政府部门",
        "景区里的单位", "管委会". No unit should be offered for it, however similar its words look."""
        query = _FILLER_WORDS.sub("", self.core(canonical(text)))
        return len(self.core(query)) < 2 or query in _GENERIC_NAMES or query in self._prefixes

    def halted_named(self, text: str | None) -> TenantNode | None:
        """The halted unit (停产企业) the name means, when it fits a halted unit better than any other."""
        key = name_key(text)
        if not key:
            return None
        query = self.core(canonical(text))
        best, best_score = None, 0.0
        for node in self.nodes.values():
            if node.id == self.root.id:
                continue
            score = (
                1.0
                if key == name_key(node.name)
                else max((_similarity(query, core) for core in self._cores[node.id]), default=0.0)
            )
            if score > best_score:
                best, best_score = node, score
        return best if best is not None and best.halted and best_score >= MEDIUM else None

    def rank(self, text: str | None, limit: int = 5, threshold: float = 0.45) -> list[Candidate]:
        key = name_key(text)
        if not key or self.foreign_place(text):
            return []
        scores: dict[int, tuple[float, str]] = {}
        exact = ((self._by_code, "单位编码"), (self._aliases, "已确认的别名"), (self._exact, "名称一致"))
        for table, why in exact:
            if key in table and self.eligible(self.nodes[table[key]]):
                scores[table[key]] = (1.0, why)
        query = self.core(canonical(text))
        if len(query) < 2 or query in _GENERIC_NAMES or self.vague(text):
            return sorted(
                (Candidate(uid, self.nodes[uid].name, s, why) for uid, (s, why) in scores.items()),
                key=lambda c: -c.score,
            )
        for node in self.nodes.values():
            if node.id in scores or not self.eligible(node):
                continue
            best = max((_similarity(query, core) for core in self._cores[node.id]), default=0.0)
            if best >= threshold:
                scores[node.id] = (best, "名称相近")
        self._prefer_groups(query, scores)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], self.nodes[kv[0]].depth, kv[0]))
        return [Candidate(uid, self.nodes[uid].name, round(s, 3), why) for uid, (s, why) in ranked[:limit]]

    def _prefer_groups(self, query: str, scores: dict[int, tuple[float, str]]) -> None:
        """A subsidiary outranks its group only when its distinguishing words are in the text."""
        for uid, (score, why) in list(scores.items()):
            node = self.nodes[uid]
            parent = self.nodes.get(node.parent_id or 0)
            if parent is None or parent.id == self.root.id or score >= 1.0 or not self.eligible(parent):
                continue
            own = self._distinct(node, parent)
            if own and any(gram in query for gram in _bigrams(own)):
                # Its own words are written: it wins, even when the group's whole name is there too
                # ("景区建设局环卫中心").
                parent_score = scores.get(parent.id, (0.0, ""))[0]
                scores[uid] = (min(0.99, max(score + 0.08, parent_score + 0.01)), why)
                continue
            parent_score = scores.get(parent.id, (0.0, ""))[0]
            if parent_score < score:
                scores[parent.id] = (score, "集团名称相近（未写明子公司）")
            scores[uid] = (min(score, max(parent_score, score) - 0.1), why)

    def _distinct(self, node: TenantNode, parent: TenantNode) -> str:
        mine = max(self._cores[node.id], key=len, default="")
        for stem in sorted(self._cores[parent.id], key=len, reverse=True):
            for tail in _GENERIC_TAILS:
                if stem.endswith(tail):
                    stem = stem[: -len(tail)]
                    break
            if stem and stem in mine:
                mine = mine.replace(stem, "", 1)
                break
        for tail in _GENERIC_TAILS:
            if mine.endswith(tail):
                return mine[: -len(tail)]
        return mine
