"""The import rules import-linter cannot express, checked on the syntax tree of the
application code (`make lint-imports` runs it after `lint-imports`):

1. No `_private` name crosses a module boundary: `from services.x import _helper`,
   `from . import _helper` and `x._helper` on an imported module of ours all fail.
   Importing a public name under a private alias (`import a as _a`) is fine.
2. `settings.py` is the bottom: it imports nothing of ours.
3. `server.py` is the top: no application module imports it.

Default-deny: every module of the application packages is checked, a new module
included; the only exceptions are listed in ALLOWED with their reason.
Usage: python tools/private_names.py [ROOT]; exit status 1 on a violation.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("transport", "schema", "resolvers", "services", "models")
MODULES = ("server", "settings")
FIRST_PARTY = (*PACKAGES, *MODULES)
# (importing module, imported module) pairs allowed to break rule 3, with why
ALLOWED = {
    # the breaking-change check is a command-line tool: it exports the schema
    # exactly as `server.py export-schema` does
    ("schema.changes", "server"),
}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(root: Path, name: str) -> bool:
    """Whether a dotted name of ours is a module (not a class or function)."""
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def resolve(module: str, package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of what an ImportFrom imports from."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not package:
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def ours(name: str) -> bool:
    return name.split(".")[0] in FIRST_PARTY


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations(root: Path, path: Path) -> Iterator[str]:
    module = module_name(root, path)
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(root)
    modules: set[str] = set()  # local names bound to modules of ours
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                if not ours(target):
                    continue
                yield from _module_rules(where, node, module, target)
                for part in target.split(".")[1:]:
                    if private(part):
                        yield f"{where}:{node.lineno}: imports private module {target}"
                modules.add(alias.asname or target.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            source = resolve(module, is_package(path), node)
            if not ours(source):
                continue
            yield from _module_rules(where, node, module, source)
            for alias in node.names:
                if private(alias.name) and source != module:
                    yield (
                        f"{where}:{node.lineno}: imports private name "
                        f"{alias.name} from {source}"
                    )
                if alias.name != "*" and is_module(root, f"{source}.{alias.name}"):
                    yield from _module_rules(
                        where, node, module, f"{source}.{alias.name}", quiet=True
                    )
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and private(node.attr)
        ):
            yield (
                f"{where}:{node.lineno}: reads private name {node.attr} "
                f"of module {node.value.id}"
            )


def _module_rules(
    where: Path, node: ast.stmt, module: str, target: str, *, quiet: bool = False
) -> Iterator[str]:
    top = target.split(".")[0]
    if module == "settings" and not quiet:
        yield f"{where}:{node.lineno}: settings.py imports {target} (it is the bottom)"
    if top == "server" and module != "server" and (module, "server") not in ALLOWED:
        yield f"{where}:{node.lineno}: imports server (it is the top)"


def files(root: Path) -> Iterator[Path]:
    for name in MODULES:
        yield root / f"{name}.py"
    for package in PACKAGES:
        yield from sorted((root / package).rglob("*.py"))


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    found = sorted({v for path in files(root) for v in violations(root, path)})
    for line in found:
        print(line)
    checked = sum(1 for _ in files(root))
    print(f"private names and module places: {checked} modules, {len(found)} broken")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
