"""The schema change policy: additive by default, renames through `@deprecated` first.

`python -m schema.changes` builds the schema from the code and compares it with the
committed `schema.graphql` (the version in git at `SCHEMA_BASE`, default `HEAD`; in CI
the target branch, e.g. `SCHEMA_BASE=origin/main`) using graphql-core's
`find_breaking_changes`. Every break is printed; the command fails unless the break
is listed, word for word, in `schema.breaks` (breaks reviewed and announced in the
README's changelog). Dangerous changes (an enum value added, an argument default
changed) are printed as warnings and never fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graphql import (
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "schema.graphql"
ALLOWED_FILE = ROOT / "schema.breaks"


def describe_changes(old_sdl: str, new_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, dangerous) changes from `old_sdl` to `new_sdl`, one line each."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = sorted(
        f"{change.type.name}: {change.description}"
        for change in find_breaking_changes(old, new)
    )
    dangerous = sorted(
        f"{change.type.name}: {change.description}"
        for change in find_dangerous_changes(old, new)
    )
    return breaking, dangerous


def allowed_breaks(text: str) -> set[str]:
    """The accepted breaks of a `schema.breaks` file (comments start with #)."""
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def committed_schema(base: str) -> str:
    """schema.graphql as committed at `base`; the working-tree file outside git."""
    try:
        # a developer's own git and ref, not untrusted input
        return subprocess.run(  # noqa: S603
            ["git", "show", f"{base}:schema.graphql"],  # noqa: S607
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return SCHEMA_FILE.read_text()


def main() -> int:
    from server import export_schema  # the one place the schema is built

    base = os.environ.get("SCHEMA_BASE", "HEAD")
    breaking, dangerous = describe_changes(committed_schema(base), export_schema())
    allowed = (
        allowed_breaks(ALLOWED_FILE.read_text()) if ALLOWED_FILE.exists() else set()
    )
    for line in dangerous:
        print(f"dangerous (not failing): {line}")
    unlisted = [line for line in breaking if line not in allowed]
    for line in breaking:
        print(f"BREAKING{'' if line in unlisted else ' (listed)'}: {line}")
    if unlisted:
        print(
            f"{len(unlisted)} breaking change(s) against schema.graphql at {base}: "
            "deprecate first, or list them in schema.breaks and the README changelog"
        )
        return 1
    print(f"schema changes against {base}: {len(breaking)} breaking, all listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
