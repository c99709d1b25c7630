"""The suite's own rules: no test module imports another test module or conftest.

Shared code lives in `tests/helpers.py`, `tests/factories.py` and `tests/support/`.
Every Python file under tests/ is walked (nothing is listed), so a new test module
is checked without anyone remembering to add it.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _forbidden(module: str) -> bool:
    """A test module or a conftest of this suite: `tests.test_x`, `tests.conftest`,
    or bare / relative `test_x`, `conftest` (not `aiohttp.test_utils`)."""
    parts = module.split(".")
    if parts[0] == "tests":
        parts = parts[1:]
    elif len(parts) > 1:
        return False  # another package's module
    return any(part == "conftest" or part.startswith("test_") for part in parts)


def cross_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import of a test module or conftest in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            # `from tests.test_x import y`, `from tests import test_x`,
            # `from . import conftest`: the module, else the name imported from it
            modules = [
                base if _forbidden(base) else f"{base}.{alias.name}".lstrip(".")
                for alias in node.names
            ]
        elif isinstance(node, ast.Call) and isinstance(
            node.func, (ast.Name, ast.Attribute)
        ):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    modules = [first.value]
        found.update((node.lineno, m) for m in modules if _forbidden(m))
    return sorted(found)


def test_no_test_module_imports_another_test_module_or_conftest() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert TESTS / "conftest.py" in files  # the walk sees the suite
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in files
        for line, module in cross_imports(path)
    ]
    assert offenders == []


def test_the_check_finds_each_kind_of_cross_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import tests.test_a\n"
        "from tests.test_b import x\n"
        "from tests import test_c\n"
        "from tests.conftest import reset_state\n"
        "import importlib\n"
        "importlib.import_module('tests.test_d')\n"
        "def f():\n"
        "    from tests.test_e import y\n"
        "from tests.helpers import gql\n"
        "from tests.support.processes import start\n"
        "from aiohttp.test_utils import TestClient\n"
        "from . import test_g\n"
        "from .conftest import x\n"
        "import test_f\n",
        encoding="utf-8",
    )
    modules = [module for _, module in cross_imports(sample)]
    assert modules == [
        "tests.test_a",
        "tests.test_b",
        "tests.test_c",
        "tests.conftest",
        "tests.test_d",
        "tests.test_e",
        "test_g",
        "conftest",
        "test_f",
    ]
