"""Benchmark sizes: ``small`` (a CI smoke check) and ``full`` (the jurisdiction-scale claim)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tree:
    """How many units of each kind one jurisdiction has (township → institutions; SOE → subs → sub-subs)."""

    townships: int
    institutions_per_township: int
    departments: int
    soes: int
    subsidiaries_per_soe: int
    subsubs_per_subsidiary: int


@dataclass(frozen=True)
class Scale:
    name: str
    jurisdictions: int
    debts: int
    main_share: float  # the benchmarked jurisdiction's share of all debts
    max_instalments: int
    main_tree: Tree
    other_tree: Tree
    tenant_steps: tuple[int, ...]
    extra_tenant_debts: int  # debts in each jurisdiction added for the tenant-scaling scenario
    repetitions: int  # interleaved repetitions of in-process timings
    http_rounds: int
    http_seconds: float
    http_clients: int
    latency_samples: int
    xlsx_rows: int
    seed: int = 2023
    curve_rows: tuple[int, ...] = ()  # ledger_curve: import sizes for the time and memory curve


SCALES = {
    "small": Scale(
        name="small",
        jurisdictions=3,
        debts=20_000,
        main_share=0.6,
        max_instalments=13,
        main_tree=Tree(4, 4, 6, 2, 3, 2),
        other_tree=Tree(2, 2, 3, 1, 2, 1),
        tenant_steps=(10, 100, 300),
        extra_tenant_debts=3,
        repetitions=3,
        http_rounds=1,
        http_seconds=2.0,
        http_clients=4,
        latency_samples=30,
        xlsx_rows=1_000,
        curve_rows=(300, 1_000),
    ),
    "full": Scale(
        name="full",
        jurisdictions=10,
        debts=1_000_000,
        main_share=0.6,
        max_instalments=13,
        main_tree=Tree(12, 8, 20, 4, 5, 3),
        other_tree=Tree(4, 4, 6, 2, 3, 2),
        tenant_steps=(10, 1_000, 10_000),
        extra_tenant_debts=5,
        repetitions=7,
        http_rounds=3,
        http_seconds=12.0,
        http_clients=8,
        latency_samples=40,
        xlsx_rows=100_000,
        curve_rows=(10_000, 100_000, 1_000_000),
    ),
}
# A tiny scale for the pytest smoke test (not selectable from the command line).
TINY = Scale(
    name="tiny",
    jurisdictions=2,
    debts=1_500,
    main_share=0.7,
    max_instalments=5,
    main_tree=Tree(2, 2, 2, 1, 2, 1),
    other_tree=Tree(1, 1, 1, 1, 1, 1),
    tenant_steps=(2, 5),
    extra_tenant_debts=1,
    repetitions=1,
    http_rounds=1,
    http_seconds=1.0,
    http_clients=2,
    latency_samples=5,
    xlsx_rows=100,
)
