"""The engine is pure: no module under the package imports Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1]


def test_no_module_under_the_engine_imports_django() -> None:
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "django" or n.startswith("django.") for n in names):
                offenders.append(str(path.relative_to(ENGINE)))
    assert offenders == []


def test_importing_the_engine_loads_no_django_module() -> None:
    # Load the engine as a top-level package so that the project's own package __init__
    # (which starts Celery and, through it, Django) is not involved.
    code = (
        "import sys, importlib, pkgutil\n"
        f"sys.path.insert(0, {str(ENGINE.parent)!r})\n"
        "import engine\n"
        "for m in pkgutil.iter_modules(engine.__path__):\n"
        "    if m.name != 'tests': importlib.import_module('engine.' + m.name)\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd="/", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
