"""Shard routing: the share of statements a distributed engine could send to one shard (issue 21, point 5).

With the tenant-owned tables distributed by ``jurisdiction_id`` (core.tenancy.colocation), a statement
goes to one shard when its text names the jurisdiction: ``jurisdiction_id = …``, ``IN (…)`` or ``= ANY(…)``,
or an INSERT that writes the column. Row-level security does not count: its policy reads the scope from a
function, which a distributed planner cannot prune shards with. Every GET list route of core and the
installed plugins, a debt's page and the home page run through the Flask test client as the office and
as an SOE group's user; each statement touching a distributed table is classified.
"""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from benchmarks.data import Dataset
from benchmarks.timing import Result

ROUTED = re.compile(r"jurisdiction_id\s*(?:=\s*(?:%\(|\$|\d|ANY\s*\()|IN\s*\()", re.IGNORECASE)
TABLES = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?([a-z_][a-z0-9_]*)", re.IGNORECASE)
PLACEHOLDER_LISTS = re.compile(r"\((?:%\([a-z0-9_]+\)s(?:::[A-Z]+)?,?\s*)+\)")
SKIP_PARTS = ("/docs", "openapi", "export", "exchange.xlsx", "template", ".docx", ".xlsx")


def classify(statement: str, distributed: set[str]) -> str | None:
    """ "routed", "fan-out", or None for a statement that reads no distributed table."""
    touched = {name.lower() for name in TABLES.findall(statement)} & distributed
    if not touched:
        return None
    head = statement.lstrip().split(None, 1)[0].upper()
    if head == "INSERT":
        columns = statement.split(")", 1)[0]
        return "routed" if "jurisdiction_id" in columns else "fan-out"
    return "routed" if ROUTED.search(statement) else "fan-out"


def _set_plan(conn, node_id: int, plan: dict | None) -> None:
    conn.execute(
        sa.update(sa.table("tenant_nodes", sa.column("id"), sa.column("plan", sa.JSON)))
        .where(sa.column("id") == node_id)
        .values(plan=plan)
    )


def _paths(app, debt_id: int) -> list[str]:
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and "<" not in rule.rule
        and rule.rule.startswith("/api/v1/")
        and not any(part in rule.rule for part in SKIP_PARTS)
    )
    return [*paths, f"/api/v1/debts/{debt_id}", f"/debts/{debt_id}", "/", "/debts"]


def run(app, dataset: Dataset, log=print) -> Result:
    from core.extensions import db
    from core.tenancy import colocation

    result = Result(
        name="shard_routing",
        title="Statements a distributed engine can route to one shard (filter by jurisdiction_id)",
        unit="%",
        target_text="reported, no target",
    )
    from core.plugins import is_core
    from core.testing.harness import plan_with

    installed = [n for n in app.extensions["qingqian.plugins"].names() if not is_core(n)]
    with app.app_context():
        distributed = {t.name for t in db.metadata.sorted_tables if colocation.distributed(t)}
        engine = db.engine
        with engine.begin() as conn:  # the owner's connection: outside any scope
            debt_id = conn.execute(
                sa.text("SELECT min(id) FROM debts WHERE jurisdiction_id = :j"),
                {"j": dataset.main_jurisdiction},
            ).scalar_one()
            # The loaded jurisdiction has no plan of its own; every installed plugin is enabled for the run
            # so that each plugin's routes answer (and are counted), and the plan is put back afterwards.
            before = conn.execute(
                sa.text("SELECT plan FROM tenant_nodes WHERE id = :j"), {"j": dataset.main_jurisdiction}
            ).scalar_one()
            _set_plan(conn, dataset.main_jurisdiction, plan_with(name="基准方案", plugins=installed))
    seen: list[str] = []
    all_seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    client = app.test_client()
    kinds: Counter[str] = Counter()
    shapes: dict[str, str] = {}  # statement text (parameters are placeholders) → kind
    fan_out: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for user in ("bench_office", "bench_soe"):
            headers = {"Authorization": f"Bearer {dataset.tokens[user]}"}
            for path in _paths(app, debt_id):
                seen.clear()
                response = client.get(path, headers=headers)
                all_seen.extend(seen)
                statuses[response.status_code] += 1
                for statement in seen:
                    kind = classify(statement, distributed)
                    if kind:
                        kinds[kind] += 1
                        shapes[PLACEHOLDER_LISTS.sub("(…)", statement)] = kind
                    if kind == "fan-out":
                        fan_out[f"{path}: {' '.join(statement.split())[:110]}"] += 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        with app.app_context(), db.engine.begin() as conn:
            _set_plan(conn, dataset.main_jurisdiction, before)
    total = kinds["routed"] + kinds["fan-out"]
    repeated = Counter(PLACEHOLDER_LISTS.sub("(…)", text) for text in all_seen)
    if not total:
        result.correct = False
        result.notes.append("no statement touched a distributed table")
        return result
    result.ours = round(100 * kinds["routed"] / total, 1)
    result.details = {
        "statements_on_distributed_tables": total,
        "routed": kinds["routed"],
        "fan_out": kinds["fan-out"],
        "distinct_statements": len(shapes),
        "distinct_routed": sum(1 for kind in shapes.values() if kind == "routed"),
        "most_repeated": [f"{n}× {' '.join(text.split())[:110]}" for text, n in repeated.most_common(3)],
        "responses": dict(statuses),
        "fan_out_examples": [f"{n}× {text}" for text, n in fan_out.most_common(8)],
    }
    if statuses.get(500):
        result.correct = False
        result.notes.append(f"{statuses[500]} requests answered 500")
    result.notes.append(
        "row-level security filters every statement too, but through a function a distributed planner "
        "cannot use to choose a shard; only the jurisdiction written in the statement counts"
    )
    return result
