"""The declared plan schema: every key a plan may hold, its type, default, owner and whether it inherits.

Core declares its own keys here (``CORE_KEYS``); each plugin declares its keys through the hook
``qingqian_plan_keys``. Plan files and plan edits are checked against the union: an unknown key, an
unknown plugin or a bad value is refused with a Chinese message naming the key and the nearest valid one.

A plan may list a plugin this installation does not have (a county's plan written for the full platform).
The keys of such a plugin cannot be known, so a key no installed part declares is then only a warning —
unless it is close to a declared key, which makes it a typo and an error either way.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core import clock

# Value kinds and how the reference page names them.
KIND_LABELS = {
    "text": "文本",
    "int": "正整数",
    "int0": "非负整数",
    "bool": "true / false",
    "date": "日期（YYYY-MM-DD）",
    "decimal": '数字（字符串，如 "0.0005"）',
    "ratio": '比例（0 到 1，如 "0.90"）',
    "month_day": '月-日（如 "03-31"）',
    "timezone": "IANA 时区（如 Asia/Shanghai）",
    "year": "四位年份",
    "plugins": "插件名称列表",
    "text_list": "文本列表",
    "int_list": "正整数列表",
    "mapping": "映射（自由键）",
    "list": "列表（自由结构）",
    "system": "系统生成，勿手写",
}

# Keys whose children are declared one by one; any other mapping key is free-form (``column_synonyms``).
SECTIONS = {
    "rules": "规则参数",
    "deadlines": "截止日期",
    "targets": "工作目标",
    "scope": "清欠范围",
    "reminders": "截止日前提醒",
    "disclosure": "信息公开",
}


@dataclass(frozen=True)
class PlanKey:
    """One plan key: ``path`` is dotted (``rules.payment_term_days``), ``label`` Chinese.

    ``default`` is the value a plan without the key gets (``None``: no default, the key is simply absent).
    ``inherits=False`` keys describe one document (its number, its issuer) and are not taken from a parent
    plan. ``plugin`` is filled in by the collector: ``core`` or the declaring plugin's name.
    """

    path: str
    kind: str
    label: str
    default: Any = None
    inherits: bool = True
    doc: str = ""
    plugin: str = "core"

    @property
    def section(self) -> str | None:
        head, _, rest = self.path.partition(".")
        return head if rest else None


def key(path: str, kind: str, label: str, default: Any = None, **kwargs: Any) -> PlanKey:
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown plan key kind {kind!r} for {path}")
    return PlanKey(path, kind, label, default, **kwargs)


CORE_KEYS: tuple[PlanKey, ...] = (
    key("name", "text", "方案名称", "全国默认规则"),
    key("inherits", "text", "继承的上级方案（tenants/ 下的目录名）", doc="上级方案的值为默认，本方案覆盖它"),
    key("year", "year", "方案年度", doc="省略时取最早截止日期的年份"),
    key("years", "mapping", "以后各年度的方案（年份: 方案）", doc="亦可写成同目录的 plan-<年份>.yaml"),
    key("document_no", "text", "文号", inherits=False),
    key("issued_on", "date", "印发日期", inherits=False),
    key("issuer", "text", "印发单位", inherits=False),
    key("office_unit", "text", "清欠办所在单位编码", inherits=False),
    key("timezone", "timezone", "时区", doc="辖区的“今天”按此时区计算；省略时为 Asia/Shanghai"),
    key("money_unit", "text", "表格金额的默认单位（wan 万元 / yuan 元）", "wan", doc="用户可在表格上切换"),
    key("hotline", "text", "清欠办咨询电话（公开页面显示）"),
    key("plugins", "plugins", "启用的插件", []),
    key("note", "text", "说明"),
    key("deadline_labels", "mapping", "自定义截止日期的名称（键: 名称）", doc="在此命名的键可用于 deadlines"),
    key("deadlines.all_cleared", "date", "全部清偿到位"),
    key("targets.cleared_ratio", "ratio", "清偿率目标"),
    key("targets.cleared_ratio_by", "date", "清偿率目标的截止日期"),
    key("rules.payment_term_days", "int", "机关、事业单位付款期限（天，条例第九条）", 30),
    key("rules.max_agreed_term_days", "int", "约定付款期限上限（天）", 60),
    key("rules.large_enterprise_term_days", "int", "大型企业付款期限（天）", 60),
    key("rules.late_interest_daily_rate", "decimal", "逾期利息日利率（条例第十七条）", "0.0005"),
    key("rules.credit_code_strict", "bool", "信用代码校验位不符即拒收", False),
    key("rules.receivable_confirmation_days", "int", "应收账款确认期限（天）", 30),
    key(
        "rules.rule_sets",
        "list",
        "按合同日期适用的条例版本",
        doc="每项含 id、label、contracts_before/contracts_from",
    ),
    key("scope.debtor_kinds", "text_list", "纳入清欠的欠款单位类型"),
    key("scope.include_subsidiaries", "bool", "包括国有企业各级子公司"),
    key("scope.exclude_halted", "bool", "不含停产企业", True),
    key("scope.exclude_judicial", "bool", "已进入司法程序的除外", True),
    key("scope.creditor_sizes", "text_list", "债权人企业规模", ["medium", "small", "micro"]),
    key("scope.prioritize_private", "bool", "优先民营企业"),
    key("scope.categories", "text_list", "款项类别", ["goods", "works", "services"]),
    key("reminders.days_before", "int_list", "截止日前几天提醒", [7, 3, 1]),
    # Written by the platform, never by hand: kept so a stored plan passes its own check.
    key("lineage", "system", "继承链"),
    key("inherited_from", "system", "上一年度"),
    key("sources", "system", "各值的来源"),
    key("demo", "system", "演示方案标记"),
)

# The regulation's rule sets: a list the schema cannot default key by key.
RULE_SETS = [
    {
        "id": "regulation-2020",
        "label": "《保障中小企业款项支付条例》（2020年版）",
        "contracts_before": "2025-06-01",
        "large_enterprise_term_days": None,
        "back_to_back_banned": False,
    },
    {
        "id": "regulation-2025",
        "label": "《保障中小企业款项支付条例》（2025年修订）",
        "contracts_from": "2025-06-01",
        "large_enterprise_term_days": 60,
        "back_to_back_banned": True,
    },
]


@dataclass
class Schema:
    """Declared keys by path, with the installed plugins' names (``plugins`` may only name those)."""

    keys: dict[str, PlanKey]
    plugins: list[str]
    conflicts: list[str] = field(default_factory=list)

    def defaults(self) -> dict[str, Any]:
        import copy

        out: dict[str, Any] = {"deadlines": {}, "targets": {}}
        for item in self.keys.values():
            if item.default is None:
                continue
            section = item.section
            if section:
                out.setdefault(section, {})[item.path.split(".", 1)[1]] = copy.deepcopy(item.default)
            else:
                out[item.path] = copy.deepcopy(item.default)
        out.setdefault("rules", {})["rule_sets"] = copy.deepcopy(RULE_SETS)
        return out

    def labels(self, section: str) -> dict[str, str]:
        """``{key: label}`` of one section's declared keys (``deadlines`` gives the milestones' names)."""
        prefix = section + "."
        return {p[len(prefix) :]: k.label for p, k in self.keys.items() if p.startswith(prefix)}


def build_schema(declared: Iterable[tuple[str, Iterable[PlanKey]]], plugins: Iterable[str]) -> Schema:
    """The schema from core's keys and ``(plugin, keys)`` pairs; a key declared twice keeps the first."""
    keys = {k.path: k for k in CORE_KEYS}
    conflicts = []
    for plugin, items in declared:
        for item in items or []:
            if not isinstance(item, PlanKey):
                raise TypeError(f"{plugin}: qingqian_plan_keys must return PlanKey entries, got {item!r}")
            item = PlanKey(**{**item.__dict__, "plugin": plugin})
            if item.path in keys and keys[item.path].kind != item.kind:
                conflicts.append(f"{item.path}: {keys[item.path].plugin} / {plugin}")
                continue
            keys.setdefault(item.path, item)
    return Schema(keys=keys, plugins=sorted(plugins), conflicts=conflicts)


def schema_from_pm(pm) -> Schema:
    """The schema of the plugins registered with ``pm`` (a ``core.plugins.PluginManager``)."""
    from core.plugins import is_core

    declared = [
        ("core" if is_core(impl.plugin_name) else impl.plugin_name, impl.function())
        for impl in reversed(pm.hook.qingqian_plan_keys.get_hookimpls())  # registration order
    ]
    return build_schema(declared, [n for n in pm.names() if not is_core(n)])


def current_schema() -> Schema:
    """The schema of the running app, else of the installed plugins (for loading files outside an app)."""
    from flask import has_app_context

    if has_app_context():
        from flask import current_app

        pm = current_app.extensions.get("qingqian.plugins")
        if pm is not None:
            cached = current_app.extensions.get("qingqian.plan_schema")
            if cached is None:
                cached = current_app.extensions["qingqian.plan_schema"] = schema_from_pm(pm)
            return cached
    from core.plugins import create_plugin_manager

    return schema_from_pm(create_plugin_manager())


# --- Checking a plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.path}：{self.message}"


# Two names this alike are a typo (credit_code_strickt, ledger_completed, complaintz); a key that is only
# somewhat like a declared one may belong to a plugin this installation lacks.
TYPO_CUTOFF = 0.85
HINT_CUTOFF = 0.6


def nearest(word: str, options: Iterable[str], cutoff: float = HINT_CUTOFF) -> str | None:
    """The option most like ``word``, compared by their last dotted part (siblings share the rest)."""
    by_leaf = {o.rsplit(".", 1)[-1]: o for o in options}
    found = difflib.get_close_matches(word.rsplit(".", 1)[-1], list(by_leaf), n=1, cutoff=cutoff)
    return by_leaf[found[0]] if found else None


def _hint(word: str, options: Iterable[str]) -> str:
    options = list(options)
    close = nearest(word, options)
    if close:
        return f"，最接近的是 {close}"
    return f"；可用的有：{'、'.join(options)}" if len(options) <= 12 else "；全部键见 docs/plan-keys.md"


def check_value(item: PlanKey, value: Any) -> str | None:
    """Why ``value`` is not a valid value of ``item`` (Chinese), or None. ``None`` values are allowed."""
    if value is None or item.kind in ("system", "list"):
        return None
    kind = item.kind
    if kind == "text":
        ok = isinstance(value, str | int) and not isinstance(value, bool)
    elif kind in ("int", "int0", "year"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok and (value >= 0 if kind == "int0" else value > 0) and (kind != "year" or 1900 < value < 2200)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "date":
        try:
            dt.date.fromisoformat(str(value))
            ok = True
        except ValueError:
            ok = False
    elif kind in ("decimal", "ratio"):
        try:
            number = Decimal(str(value))
            ok = not isinstance(value, bool) and number.is_finite()
            ok = ok and (Decimal(0) <= number <= Decimal(1) if kind == "ratio" else True)
        except InvalidOperation:
            ok = False
    elif kind == "month_day":
        try:
            dt.date.fromisoformat(f"2024-{value}")
            ok = isinstance(value, str) and len(value) == 5
        except ValueError:
            ok = False
    elif kind == "timezone":
        ok = isinstance(value, str) and clock.is_zone(value)
    elif kind in ("plugins", "text_list"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "int_list":
        ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ok = ok and all(v > 0 for v in value)
    elif kind == "mapping":
        ok = isinstance(value, dict)
    else:  # pragma: no cover - key() refuses other kinds
        ok = True
    if ok:
        return None
    if kind in ("plugins", "text_list", "int_list", "mapping"):
        return f"必须是{KIND_LABELS[kind]}（现为 {value!r}）"
    return f"值 {value!r} 无效，应为{KIND_LABELS[kind]}"


def check_plan_data(
    data: dict, schema: Schema, extra_deadlines: Iterable[str] = (), inherited_plugins: Iterable[str] = ()
) -> list[Finding]:
    """Check one plan document (a file or an edit, before inheritance) against ``schema``.

    Errors: a bad value, a plugin that is not installed and close to one that is, a key close to a
    declared one. A key nobody declares is an error too, unless the plan lists plugins this installation
    lacks (then it may be theirs: a warning). ``inherited_plugins`` is the list in force when the
    document has none (a year file, a plan inheriting its parent's list).
    """
    findings: list[Finding] = []
    own = data.get("plugins")
    missing_plugins: list[str] = []
    if isinstance(own, list):
        for name in own:
            if not isinstance(name, str) or name in schema.plugins:
                continue
            close = nearest(name, schema.plugins, TYPO_CUTOFF)
            if close:
                findings.append(Finding("plugins", f"未知插件 {name}，最接近的是 {close}"))
            else:
                missing_plugins.append(name)
                findings.append(
                    Finding("plugins", f"插件 {name} 未安装：该辖区启用它之前不会生效", level="warning")
                )
    else:
        missing_plugins = [p for p in inherited_plugins if isinstance(p, str) and p not in schema.plugins]
    deadline_extra = set(extra_deadlines) | set((data.get("deadline_labels") or {}) if isinstance(
        data.get("deadline_labels"), dict) else ())  # fmt: skip
    known = schema.keys

    def unknown(path: str, options: Iterable[str]) -> None:
        options = sorted(options)
        close = nearest(path, options, TYPO_CUTOFF)
        if close:
            findings.append(Finding(path, f"未知的方案键，最接近的是 {close}"))
        elif missing_plugins:
            findings.append(
                Finding(
                    path,
                    "没有已安装的插件声明这个键"
                    f"（可能属于未安装的插件 {'、'.join(missing_plugins)}），暂不生效",
                    level="warning",
                )
            )
        else:
            findings.append(Finding(path, "未知的方案键" + _hint(path, options)))

    top_level = {p.split(".", 1)[0] for p in known}
    for name, value in data.items():
        name = str(name)
        if name in SECTIONS:
            if value is None:
                continue
            if not isinstance(value, dict):
                findings.append(Finding(name, f"{SECTIONS[name]}必须是映射（键: 值）"))
                continue
            children = {p for p in known if p.startswith(name + ".")}
            if name == "deadlines":
                children |= {f"deadlines.{k}" for k in deadline_extra}
            for child, child_value in value.items():
                path = f"{name}.{child}"
                item = known.get(path)
                if item is None and path in children:  # a deadline the plan named in deadline_labels
                    item = PlanKey(path, "date", str(child))
                if item is None:
                    unknown(path, children)
                    continue
                problem = check_value(item, child_value)
                if problem:
                    findings.append(Finding(path, problem))
            continue
        item = known.get(name)
        if item is None:
            unknown(name, top_level)
            continue
        problem = check_value(item, value)
        if problem:
            findings.append(Finding(name, problem))
    return findings


# --- The reference page -----------------------------------------------------------------------------


def _default_text(item: PlanKey) -> str:
    if item.default is None:
        return "—"
    if isinstance(item.default, bool):
        return "true" if item.default else "false"
    if isinstance(item.default, list):
        return "[" + ", ".join(map(str, item.default)) + "]"
    return str(item.default)


def reference_markdown(schema: Schema) -> str:
    """docs/plan-keys.md: every declared key, grouped by section, with type, default, inheritance, owner."""
    lines = [
        "# 工作方案的键（plan.yaml 参考）",
        "",
        "<!-- 由 `qingqian plan keys --markdown > docs/plan-keys.md` 生成，请勿手改；"
        "tests/test_plan_schema.py 检查它是否最新。 -->",
        "",
        "`qingqian tenant load` 和每次在线编辑方案都按下表检查：未知的键、未安装的插件名、无效的值会被拒绝，"
        "并给出最接近的有效键。插件通过钩子 `qingqian_plan_keys` 声明自己的键（见 `core/hookspecs.py`）。"
        "“继承”为“否”的键只描述本方案文件本身，不从上级方案继承。",
        "",
    ]
    groups: dict[str | None, list[PlanKey]] = {}
    for item in sorted(schema.keys.values(), key=lambda k: (k.section or "", k.path)):
        if item.kind != "system":
            groups.setdefault(item.section, []).append(item)
    for section in [None, *SECTIONS]:
        items = groups.get(section)
        if not items:
            continue
        lines += [f"## {section}：{SECTIONS[section]}" if section else "## 顶层", ""]
        lines += ["| 键 | 含义 | 类型 | 默认值 | 继承 | 声明者 |", "|---|---|---|---|---|---|"]
        for item in items:
            label = item.label + (f"。{item.doc}" if item.doc else "")
            lines.append(
                f"| `{item.path}` | {label} | {KIND_LABELS[item.kind]} | {_default_text(item)} | "
                f"{'是' if item.inherits else '否'} | {item.plugin} |"
            )
        lines.append("")
    system = sorted(k.path for k in schema.keys.values() if k.kind == "system")
    lines += ["系统生成、请勿手写的键：" + "、".join(f"`{p}`" for p in system) + "。", ""]
    return "\n".join(lines)
