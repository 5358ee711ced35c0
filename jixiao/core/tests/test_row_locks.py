"""Every row lock takes its own table's rows and nothing else.

`select_for_update()` without `of` locks every row the query joins. A model whose
default ordering follows a relation (an entry orders by its period, indicator and unit)
joins those tables even in `.filter(...).values_list(...)`, so an upload that locked its
entries also locked the period row FOR UPDATE; every other save of the period, whose key
checks take that row FOR KEY SHARE at commit, then deadlocked with it (seen in the
deadline-rush load test as 500s on grid saves;
collection/tests/test_concurrency.py has that case on PostgreSQL).
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]


def _unbounded_locks() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "select_for_update"
                and not any(k.arg == "of" for k in node.keywords)
            ):
                found.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno}")
    return found


def test_every_row_lock_names_its_own_table() -> None:
    assert _unbounded_locks() == []
