"""Interleaved repetitions and medians: the two sides of a comparison take turns, so drift hits both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


def interleave(
    sides: dict[str, Callable[[], Any]], repetitions: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each side ``warmup`` times, then ``repetitions`` rounds of one call each, alternating the order."""
    for _ in range(warmup):
        for fn in sides.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for rep in range(repetitions):
        order = names if rep % 2 == 0 else list(reversed(names))
        for name in order:
            start = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th), good enough for latency reports."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Result:
    """One scenario's outcome. ``ratio`` is ours/baseline for times, ours/baseline for throughputs too;
    ``higher_is_better`` says which way the target points."""

    name: str
    title: str
    ours: float | None = None
    baseline: float | None = None
    unit: str = "ms"
    ratio: float | None = None
    target: float | None = None
    higher_is_better: bool = False
    target_text: str = ""
    correct: bool = True
    skipped: str | None = None
    peak_memory_mb: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        if self.skipped or self.ratio is None or self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data
