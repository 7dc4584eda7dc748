"""Ledger parse of an .xlsx vs the bare python-calamine read of the same file (issue 21, target 2).

Both sides run in this process, in turns (``timing.interleave``), on the file the import scenario uses:
the baseline reads every cell of the sheet into Python (``to_python``); ours is the ledger plugin's pure
parse engine (``plugins.ledger.parsing.parse_file``: header detection, every row's normalisation and
rules, duplicates, reconciliation), without the database (debtor units are matched by the import, later).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.data import Dataset
from benchmarks.scenarios.ledger import write_xlsx
from benchmarks.timing import Result, interleave, median

TARGET_RATIO = 3.0


def run(url: str, dataset: Dataset, rows: int, repetitions: int, workdir: Path, log=print) -> Result:
    result = Result(
        name="ledger_parse",
        title=f"Ledger parse of a {rows:,}-row .xlsx vs the bare python-calamine read",
        unit="s",
        target=TARGET_RATIO,
        target_text=f"≤ {TARGET_RATIO:g}×",
    )
    try:
        from plugins.ledger.parsing import parse_file
    except ImportError:
        result.skipped = "the ledger plugin is not installed"
        return result
    from python_calamine import CalamineWorkbook

    path = workdir / f"ledger-parse-{rows}.xlsx"
    write_xlsx(path, url, dataset, rows)
    seen: dict[str, object] = {}

    def bare() -> None:
        seen["bare"] = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    def ours() -> None:
        seen["ours"] = parse_file(path, path.name, {})

    times = interleave({"bare": bare, "ours": ours}, repetitions)
    result.ours, result.baseline = median(times["ours"]), median(times["bare"])
    result.ratio = result.ours / result.baseline
    parsed = seen["ours"].counts
    read = len(seen["bare"]) - 1  # the header row
    result.details = {"counts": parsed, "bare_rows": read, "runs_s": times}
    if parsed["read"] != rows or read != rows:
        result.correct = False
        result.notes.append(f"rows: parse read {parsed['read']}, calamine {read}, file {rows}")
    if parsed["rejected"] or parsed["duplicate"]:
        result.correct = False
        result.notes.append(f"the generated file's rows should all be accepted: {parsed}")
    result.notes.append(f"medians of {repetitions} interleaved runs after one warm-up each")
    return result
