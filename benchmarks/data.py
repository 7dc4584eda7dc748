"""Bulk loading of synthetic data into the real schema with PostgreSQL COPY.

The schema comes from the real migrations (``upgrade heads``); this module only fills the tables. Debts get
their due date, overdue days, late interest and paid amount computed by the same rule functions the debt
service uses, so they agree with their payments exactly as if entered through the product.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from benchmarks.scales import Scale, Tree
from core.models.debt import FLAGGED_METHODS
from core.rules.payment_terms import (
    TermInput,
    compute_due_date,
    daily_rate_for,
    late_interest,
    overdue_days,
)
from core.rules.status import ACCRUING_STATUSES
from core.synthetic import REFERENCE_DATE, generate
from core.tenancy.models import DEBTOR_CLASS, NodeKind
from core.tenancy.plans import NATIONAL_DEFAULTS

AS_OF = REFERENCE_DATE  # every computed figure is as of this date, so runs are comparable
CHUNK = 20_000
LOADER_VERSION = 3  # bump when the generated data changes, so cached datasets are reloaded
ZERO = Decimal("0")


# --- Databases -------------------------------------------------------------------------------------


def psycopg_url(url: str) -> str:
    """A libpq URL (SQLAlchemy's ``postgresql+psycopg://`` prefix removed)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def bench_database_url(explicit: str | None, from_env: str | None) -> str:
    """The database the benchmarks own. An explicit URL is used as is; the CI URL gets a ``_bench`` twin."""
    if explicit:
        return psycopg_url(explicit)
    base = psycopg_url(from_env or "postgresql://127.0.0.1:5432/qingqian")
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "qingqian"
    # Never the test database itself: tests truncate every table between cases.
    return urlunsplit(parts._replace(path="/" + name + "_bench"))


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin, autocommit=True)
    except psycopg.OperationalError:
        # No access to the maintenance database: the target must exist already.
        return
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str, **config: Any):
    from core import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmarks",
            "REDIS_URL": None,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
    )


def migrate(app, fresh: bool) -> None:
    """Run the real migrations (``upgrade heads``); ``fresh`` drops the schema first."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from core.extensions import db

    with app.app_context():
        if fresh:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(revision="heads")


# --- The dataset description -----------------------------------------------------------------------


@dataclass
class Dataset:
    """What the scenarios need to know about the loaded data (stored in the database, so reruns reuse it)."""

    scale: str
    seed: int
    loader_version: int
    jurisdictions: list[int]
    main_jurisdiction: int
    main_top_units: list[int]
    soe_group: int  # a large SOE group of the main jurisdiction: the unit user's node
    debts: int
    payments: int
    enterprises: int
    nodes: int
    load_seconds: float
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)


META_TABLE = "benchmark_dataset"


def read_dataset(url: str) -> Dataset | None:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (META_TABLE,)).fetchone()[0]
        if not exists:
            return None
        row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'dataset'").fetchone()
    return Dataset(**row[0]) if row else None


def write_dataset(url: str, dataset: Dataset) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        conn.execute(
            f"INSERT INTO {META_TABLE} VALUES ('dataset', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (json.dumps(asdict(dataset)),),
        )


# --- COPY text format ------------------------------------------------------------------------------


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def fmt(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _esc(value)
    return str(value)  # int, Decimal, date


def line(values: tuple | list) -> str:
    return "\t".join(map(fmt, values)) + "\n"


# --- The unit tree ---------------------------------------------------------------------------------

NODE_COLUMNS = (
    "id, code, name, kind, parent_id, jurisdiction_id, path, depth, active, halted, plan_name, "
    "sort_order, version"
)


@dataclass
class Node:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    jurisdiction_id: int
    path: str
    depth: int
    sort_order: int = 0

    def row(self) -> tuple:
        return (
            self.id,
            self.code,
            self.name,
            self.kind,
            self.parent_id,
            self.jurisdiction_id,
            self.path,
            self.depth,
            True,
            False,
            None,
            self.sort_order,
            1,
        )


def build_tree(next_id: int, code: str, name: str, tree: Tree) -> list[Node]:
    """A jurisdiction and its units; ids from ``next_id`` on, paths '/j/…/' like the product builds them."""
    root = Node(next_id, code, name, NodeKind.JURISDICTION, None, next_id, f"/{next_id}/", 0)
    nodes = [root]

    def child(parent: Node, suffix: str, label: str, kind: str) -> Node:
        node_id = root.id + len(nodes)
        node = Node(
            node_id,
            f"{parent.code}.{suffix}",
            label,
            kind,
            parent.id,
            root.id,
            f"{parent.path}{node_id}/",
            parent.depth + 1,
            sort_order=len(nodes),
        )
        nodes.append(node)
        return node

    for t in range(tree.townships):
        town = child(root, f"t{t}", f"{name}第{t + 1}镇人民政府", NodeKind.TOWNSHIP)
        for i in range(tree.institutions_per_township):
            child(town, f"i{i}", f"{town.name}第{i + 1}事业中心", NodeKind.INSTITUTION)
    for d in range(tree.departments):
        child(root, f"d{d}", f"{name}第{d + 1}局", NodeKind.DEPARTMENT)
    for s in range(tree.soes):
        soe = child(root, f"s{s}", f"{name}第{s + 1}投资集团", NodeKind.SOE)
        for b in range(tree.subsidiaries_per_soe):
            sub = child(soe, f"b{b}", f"{soe.name}第{b + 1}子公司", NodeKind.SUBSIDIARY)
            for c in range(tree.subsubs_per_subsidiary):
                child(sub, f"c{c}", f"{sub.name}第{c + 1}孙公司", NodeKind.SUBSIDIARY)
    return nodes


def unit_weights(rng: random.Random, units: list[Node]) -> list[float]:
    """Skewed like real ledgers: the first township, department and SOE group (with its subsidiaries) are
    very large, the rest log-normal."""
    weights = [rng.lognormvariate(0, 0.7) for _ in units]
    big_codes = {units[0].code.split(".")[0] + suffix for suffix in (".t0", ".d0", ".s0")}
    for index, unit in enumerate(units):
        if unit.code in big_codes:
            weights[index] *= 30
        elif unit.code.startswith(tuple(c + "." for c in big_codes)):
            weights[index] *= 4
    return weights


# --- Debts and payments ----------------------------------------------------------------------------

ENTERPRISE_COLUMNS = (
    "id, name, credit_code, credit_code_warning, size_class, is_private, contacts, jurisdiction_id, version"
)
DEBT_COLUMNS = (
    "id, creditor_id, project_name, contract_no, contract_date, contract_amount, category, amount_owed, "
    "undisputed_amount, disputed_amount, paid_amount, origin_date, clock_start, delivery_date, "
    "settlement_date, acceptance_date, agreed_term_days, due_date, overdue_days, late_interest, computed_on, "
    "status, source, migrant_wages, migrant_wage_amount, judicial, reason, remarks, unit_id, "
    "jurisdiction_id, version"
)
PAYMENT_COLUMNS = "id, debt_id, paid_on, amount, method, flagged, wage_amount, unit_id, jurisdiction_id"
CHECK_WARNING = "校验码不符，请核实"


class Loader:
    """Streams generated chunks into three concurrent COPYs (enterprises, debts, payments)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conns = [psycopg.connect(url) for _ in range(3)]
        for conn in self.conns:
            # Foreign keys are valid by construction; skipping their per-row triggers is what pg_restore
            # does too, and it halves the load time.
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
        self.next_ids = {}
        with psycopg.connect(url) as conn:
            for table in ("tenant_nodes", "enterprises", "debts", "payments"):
                self.next_ids[table] = conn.execute(
                    f"SELECT coalesce(max(id), 0) + 1 FROM {table}"
                ).fetchone()[0]
        self.counts = {"debts": 0, "payments": 0, "enterprises": 0, "nodes": 0}

    def add_nodes(self, nodes: list[Node]) -> None:
        with self.conns[0].cursor().copy(f"COPY tenant_nodes ({NODE_COLUMNS}) FROM STDIN") as copy:
            copy.write("".join(line(n.row()) for n in nodes))
        self.next_ids["tenant_nodes"] = max(n.id for n in nodes) + 1
        self.counts["nodes"] += len(nodes)

    def debts(self, seed: int, jurisdiction: list[Node], total: int, max_instalments: int) -> None:
        """``total`` debts spread over the jurisdiction's units (the jurisdiction itself owes a few)."""
        root = jurisdiction[0]
        units = jurisdiction
        rng = random.Random(seed)
        cum, acc = [], 0.0
        for w in unit_weights(rng, units):
            acc += w
            cum.append(acc)
        codes: dict[str, int] = {}
        places = [n.name.removesuffix("人民政府") for n in units if n.kind == NodeKind.TOWNSHIP] or ["辖区"]
        ent_cur, debt_cur, pay_cur = (c.cursor() for c in self.conns)
        with (
            ent_cur.copy(f"COPY enterprises ({ENTERPRISE_COLUMNS}) FROM STDIN") as ent_copy,
            debt_cur.copy(f"COPY debts ({DEBT_COLUMNS}) FROM STDIN") as debt_copy,
            pay_cur.copy(f"COPY payments ({PAYMENT_COLUMNS}) FROM STDIN") as pay_copy,
        ):
            for chunk, start in enumerate(range(0, total, CHUNK)):
                size = min(CHUNK, total - start)
                data = generate(
                    seed * 1000 + chunk,
                    len(units),
                    total=size,
                    enterprise_ratio=0.1,
                    places=places,
                    contract_prefix=f"{root.code.upper()}-{chunk}-HT",
                    max_instalments=max_instalments,
                )
                ent_ids, ent_lines = [], []
                for ent in data.enterprises:
                    ent_id = codes.get(ent.credit_code)
                    if ent_id is None:
                        ent_id = codes[ent.credit_code] = self.next_ids["enterprises"]
                        self.next_ids["enterprises"] += 1
                        warning = None if ent.checksum_ok else CHECK_WARNING
                        ent_lines.append(
                            line(
                                (
                                    ent_id,
                                    ent.name,
                                    ent.credit_code,
                                    warning,
                                    ent.size_class,
                                    ent.is_private,
                                    "[]",
                                    root.id,
                                    1,
                                )
                            )
                        )
                    ent_ids.append(ent_id)
                ent_copy.write("".join(ent_lines))
                self.counts["enterprises"] += len(ent_lines)
                picks = rng.choices(units, cum_weights=cum, k=size)
                debt_lines, pay_lines = [], []
                for item, unit in zip(data.debts, picks, strict=True):
                    debt_id = self.next_ids["debts"]
                    self.next_ids["debts"] += 1
                    debt_lines.append(line(debt_row(debt_id, item, unit, ent_ids[item.creditor])))
                    for pay in item.payments:
                        pay_lines.append(
                            line(
                                (
                                    self.next_ids["payments"],
                                    debt_id,
                                    pay.paid_on,
                                    pay.amount,
                                    pay.method,
                                    pay.method in FLAGGED_METHODS,
                                    pay.wage_amount,
                                    unit.id,
                                    root.id,
                                )
                            )
                        )
                        self.next_ids["payments"] += 1
                debt_copy.write("".join(debt_lines))
                pay_copy.write("".join(pay_lines))
                self.counts["debts"] += size
                self.counts["payments"] += len(pay_lines)

    def finish(self) -> None:
        for conn in self.conns:
            conn.commit()
            conn.close()
        with psycopg.connect(self.url, autocommit=True) as conn:
            for table in ("tenant_nodes", "enterprises", "debts", "payments"):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            # VACUUM sets the visibility map (index-only scans) and hint bits, so the first measured
            # query does not pay for the load.
            conn.execute("VACUUM ANALYZE tenant_nodes, enterprises, debts, payments")


_RULES_CACHE: dict[Any, Decimal] = {}


def debt_row(debt_id: int, item, unit: Node, creditor_id: int) -> tuple:
    """One debts row, with the figures ``core.services.debts.recompute`` would store."""
    terms = TermInput(
        debtor_class=DEBTOR_CLASS[NodeKind(unit.kind)],
        contract_date=item.contract_date,
        clock_start=item.clock_start,
        delivery_date=item.delivery_date,
        settlement_date=item.settlement_date,
        acceptance_date=item.acceptance_date,
        acceptance_period_days=None,
        agreed_term_days=item.agreed_term_days,
        agreed_payment_date=None,
    )
    due = compute_due_date(terms, NATIONAL_DEFAULTS).due_date
    paid = sum((p.amount for p in item.payments), ZERO)
    outstanding = item.amount_owed - paid
    overdue = overdue_days(due, AS_OF, outstanding) if item.status in ACCRUING_STATUSES else 0
    key = item.contract_date.year, item.contract_date >= dt.date(2025, 6, 1)
    rate = _RULES_CACHE.get(key)
    if rate is None:
        rate = _RULES_CACHE[key] = daily_rate_for(NATIONAL_DEFAULTS, item.contract_date, None)
    live = [(p.paid_on, p.amount) for p in item.payments]
    end = AS_OF if outstanding > 0 else max((d for d, _ in live), default=AS_OF)
    interest = late_interest(item.amount_owed, due, live, end, rate)
    return (
        debt_id,
        creditor_id,
        item.project_name,
        item.contract_no,
        item.contract_date,
        item.contract_amount,
        item.category,
        item.amount_owed,
        item.undisputed_amount,
        item.disputed_amount,
        paid,
        item.delivery_date,
        item.clock_start,
        item.delivery_date,
        item.settlement_date,
        item.acceptance_date,
        item.agreed_term_days,
        due,
        overdue,
        interest,
        AS_OF,
        item.status,
        item.source,
        item.migrant_wages,
        item.migrant_wage_amount,
        item.judicial,
        item.reason,
        item.remarks,
        unit.id,
        unit.jurisdiction_id,
        1,
    )


# --- Whole loads -----------------------------------------------------------------------------------


def load(url: str, scale: Scale, log=print) -> Dataset:
    """Migrate a fresh schema, COPY the scale's data, create the benchmark users, ANALYZE."""
    started = time.perf_counter()
    app = make_app(url)
    migrate(app, fresh=True)
    loader = Loader(url)
    trees = []
    for j in range(scale.jurisdictions):
        tree = scale.main_tree if j == 0 else scale.other_tree
        nodes = build_tree(loader.next_ids["tenant_nodes"], f"bj{j}", f"基准辖区{j}", tree)
        loader.add_nodes(nodes)
        trees.append(nodes)
    main_debts = round(scale.debts * scale.main_share)
    others = scale.debts - main_debts
    per_other = [others // max(1, scale.jurisdictions - 1)] * (scale.jurisdictions - 1)
    if per_other:
        per_other[0] += others - sum(per_other)
    for j, nodes in enumerate(trees):
        total = main_debts if j == 0 else per_other[j - 1]
        t0 = time.perf_counter()
        loader.debts(scale.seed * 100 + j, nodes, total, scale.max_instalments)
        log(f"  jurisdiction {nodes[0].code}: {total:,} debts in {time.perf_counter() - t0:.1f}s")
    loader.finish()
    main = trees[0]
    soe = next(n for n in main if n.code == "bj0.s0")
    dataset = Dataset(
        scale=scale.name,
        seed=scale.seed,
        loader_version=LOADER_VERSION,
        jurisdictions=[t[0].id for t in trees],
        main_jurisdiction=main[0].id,
        main_top_units=[n.id for n in main if n.parent_id == main[0].id],
        soe_group=soe.id,
        debts=loader.counts["debts"],
        payments=loader.counts["payments"],
        enterprises=loader.counts["enterprises"],
        nodes=loader.counts["nodes"],
        load_seconds=0.0,
    )
    create_users(app, dataset)
    dataset.load_seconds = round(time.perf_counter() - started, 1)
    write_dataset(url, dataset)
    return dataset


def create_users(app, dataset: Dataset) -> None:
    """An office user of the main jurisdiction and an SOE-group user of its largest group, with tokens."""
    from core.auth.models import ApiToken, RoleAssignment, User
    from core.extensions import db
    from core.tenancy.scope import system_scope

    with app.app_context(), system_scope():
        for username, role, node_id in (
            ("bench_office", "office_admin", dataset.main_jurisdiction),
            ("bench_soe", "soe_group_admin", dataset.soe_group),
        ):
            user = User(username=username, display_name=username)
            user.set_password("bench-pass-1")
            db.session.add(user)
            db.session.flush()
            db.session.add(
                RoleAssignment(
                    user_id=user.id, node_id=node_id, jurisdiction_id=dataset.main_jurisdiction, role=role
                )
            )
            row, token = ApiToken.issue(user, "benchmarks")
            db.session.add(row)
            dataset.tokens[username] = token
            dataset.user_ids[username] = user.id
        db.session.commit()


def ensure_loaded(url: str, scale: Scale, log=print) -> Dataset:
    """Reuse the dataset already in the database when it matches; otherwise load it afresh."""
    ensure_database(url)
    try:
        dataset = read_dataset(url)
    except psycopg.Error:
        dataset = None
    if (
        dataset is not None
        and dataset.scale == scale.name
        and dataset.seed == scale.seed
        and dataset.loader_version == LOADER_VERSION
    ):
        try:
            # Apply any migration added since the load (e.g. a new index) to the data already there.
            migrate(make_app(url), fresh=False)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a history the code no longer knows
            # The stored schema came from revisions that no longer exist (renamed or squashed): the data
            # cannot be carried forward, so it is loaded afresh below.
            log(f"cannot upgrade the stored dataset ({exc!r}); loading it afresh")
        else:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("ANALYZE")
            log(
                f"reusing loaded {scale.name} dataset "
                f"({dataset.debts:,} debts, {dataset.payments:,} payments)"
            )
            return dataset
    log(f"loading {scale.name} dataset with COPY …")
    dataset = load(url, scale, log)
    log(
        f"loaded {dataset.debts:,} debts, {dataset.payments:,} payments, "
        f"{dataset.enterprises:,} enterprises, "
        f"{dataset.nodes:,} units in {dataset.load_seconds:.1f}s"
    )
    return dataset


def add_tenants(url: str, count: int, debts_each: int, seed: int) -> list[int]:
    """Add ``count`` small jurisdictions (two units, ``debts_each`` debts each) by COPY; return ids."""
    loader = Loader(url)
    tree = Tree(1, 0, 1, 0, 0, 0)
    ids = []
    all_nodes: list[list[Node]] = []
    next_id = loader.next_ids["tenant_nodes"]
    for _ in range(count):
        code = f"bx{next_id}"
        nodes = build_tree(next_id, code, f"附加辖区{next_id}", tree)
        next_id += len(nodes)
        all_nodes.append(nodes)
        ids.append(nodes[0].id)
    loader.add_nodes([n for nodes in all_nodes for n in nodes])
    if debts_each:
        rng = random.Random(seed)
        data = generate(seed, 2, total=debts_each * count, enterprise_ratio=0.2, max_instalments=None)
        ent_cur, debt_cur = loader.conns[1].cursor(), loader.conns[2].cursor()
        with (
            ent_cur.copy(f"COPY enterprises ({ENTERPRISE_COLUMNS}) FROM STDIN") as ent_copy,
            debt_cur.copy(f"COPY debts ({DEBT_COLUMNS}) FROM STDIN") as debt_copy,
        ):
            ent_lines, debt_lines = [], []
            for k, nodes in enumerate(all_nodes):
                items = data.debts[k * debts_each : (k + 1) * debts_each]
                ent = data.enterprises[k % len(data.enterprises)]
                ent_id = loader.next_ids["enterprises"]
                loader.next_ids["enterprises"] += 1
                ent_lines.append(
                    line(
                        (ent_id, ent.name, ent.credit_code, None, ent.size_class, True, "[]", nodes[0].id, 1)
                    )
                )
                for item in items:
                    item.payments = []  # keep paid_amount consistent: these debts carry no payments
                    if item.status in ("cleared", "partly_repaid"):
                        item.status = "confirmed"
                    debt_id = loader.next_ids["debts"]
                    loader.next_ids["debts"] += 1
                    debt_lines.append(line(debt_row(debt_id, item, rng.choice(nodes[1:]), ent_id)))
            ent_copy.write("".join(ent_lines))
            debt_copy.write("".join(debt_lines))
    loader.finish()
    return ids


def remove_tenants(url: str, first_id: int) -> None:
    """Delete every jurisdiction added by ``add_tenants`` (node ids from ``first_id`` on)."""
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM debts WHERE jurisdiction_id >= %s", (first_id,))
        conn.execute("DELETE FROM enterprises WHERE jurisdiction_id >= %s", (first_id,))
        conn.execute("DELETE FROM tenant_nodes WHERE id >= %s", (first_id,))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE tenant_nodes, enterprises, debts")
