"""One business clock: no module of core or the built-in plugins reads the server's date or local time itself.

``date.today()``, ``datetime.today()``, ``datetime.now()`` without a zone, ``datetime.utcnow()`` and
``time.localtime()`` all answer in the server's zone (UTC in the Docker image), not the jurisdiction's; every
"today" and "now" must come from ``core.clock``, the one module allowed to ask the system for the time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# Reads the source of core and of every plugin: the same whatever is installed (the full suites run it).
pytestmark = pytest.mark.same_for_every_subset

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {ROOT / "core" / "clock.py"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def offences(source: str) -> list[tuple[int, str]]:
    """The calls in ``source`` that read the server's clock outside core.clock, as (line, call)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last_two = ".".join(name.split(".")[-2:])
        if last_two in ("date.today", "datetime.today", "datetime.utcnow", "time.localtime"):
            found.append((node.lineno, name))
        elif last_two == "datetime.now" and not node.args and not node.keywords:
            found.append((node.lineno, name))  # naive local time
    return found


def test_the_check_recognises_the_forms_it_forbids():
    bad = "import datetime as dt\na = dt.date.today()\nb = dt.datetime.now()\nc = datetime.utcnow()\n"
    assert [line for line, _ in offences(bad)] == [2, 3, 4]
    good = "a = clock.today()\nb = dt.datetime.now(dt.UTC)\nc = dt.date.fromisoformat('2023-08-25')\n"
    assert offences(good) == []


def test_no_module_reads_the_server_clock_outside_core_clock():
    found = []
    for folder in ("core", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in ALLOWED:
                continue
            for line, call in offences(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}: {call}()")
    assert found == [], "use core.clock.today()/now()/utcnow() instead:\n" + "\n".join(found)


def test_no_module_keeps_its_own_time_zone_helpers():
    """The duplicated local_now/local_date helpers (and ZoneInfo lookups) stay gone: core.clock has them."""
    found = []
    for folder in ("core", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in ALLOWED:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name in ("local_now", "local_date", "today"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: def {node.name}")
                if isinstance(node, ast.Name) and node.id == "ZoneInfo":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: ZoneInfo")
    assert found == [], "\n".join(found)
