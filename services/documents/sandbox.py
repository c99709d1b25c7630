"""Bounded resume parsing: extraction + offline structuring in a child process.

This module owns the process boundary around hostile documents:

- `parse_document(data=..., kind=...)`: in process, synchronous: text extraction
  (`extract.extract_text`) and structuring (`extract.structure_json` for JSON,
  `offline.parse_resume_text` otherwise). The child runs this; tests and
  benchmarks may call it directly.
- `parse_in_sandbox(data=..., kind=..., timeout=..., memory_mb=...)`: the same in
  `python -m services.documents.sandbox <kind> <memory_mb> <cpu_seconds>`, run
  from the project root with the document on stdin and one JSON object on stdout
  (`{"ok": true, "text", "structured"}` or `{"ok": false, "code", "message"}`).
  The child caps its own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU)
  before reading the document; the parent kills it at the wall-clock `timeout`.

Errors are `DocumentError`s with the extraction codes, plus TIMEOUT (wall clock or
CPU limit) and PARSE_FAILED (the child died, ran out of memory or answered
nonsense).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from services.documents.extract import (
    KINDS,
    DocumentError,
    extract,
    sniff,
    structure_json,
)
from services.documents.offline import parse_resume_text
from services.documents.resumedata import ResumeData

__all__ = ["SandboxResult", "parse_document", "parse_in_sandbox"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAX_OUTPUT_BYTES = 16 * 1024 * 1024  # the child's answer; text is capped well below


@dataclass(frozen=True, slots=True)
class SandboxResult:
    text: str
    structured: ResumeData
    engine: str = "text"  # "ocr" when the text was read from pixels
    warnings: tuple[str, ...] = ()  # of the extraction (low OCR confidence)


def _resolve_kind(data: bytes, kind: str) -> str:
    if kind == "auto":
        if not data.strip():
            raise DocumentError("EMPTY_FILE", "the file is empty")
        sniffed = sniff(data)
        if sniffed is None:
            raise DocumentError(
                "UNSUPPORTED_MEDIA_TYPE",
                "the file is not a PDF, DOCX, JSON, PNG or JPEG document",
            )
        return sniffed
    if kind not in KINDS:
        raise DocumentError(
            "UNSUPPORTED_MEDIA_TYPE",
            f"unsupported document type {kind[:20]!r}: expected one of "
            + ", ".join(KINDS),
        )
    return kind


def parse_document(*, data: bytes, kind: str) -> SandboxResult:
    """Text and ResumeData of a document of type `kind` (one of KINDS, or
    "auto"), in this process, with the extraction engine and the warnings (low
    OCR confidence; `confidence.field_warnings` adds the fields to check once the
    final structure is known). Raises DocumentError."""
    kind = _resolve_kind(data, kind)
    extraction = extract(data, kind)
    if kind == "json":
        return SandboxResult(text=extraction.text, structured=structure_json(data))
    structured = parse_resume_text(extraction.text, headings=extraction.headings)
    return SandboxResult(
        text=extraction.text,
        structured=structured,
        engine=extraction.engine,
        warnings=extraction.warnings,
    )


async def parse_in_sandbox(
    *,
    data: bytes,
    kind: str,
    timeout: float = 30.0,  # noqa: ASYNC109 - it bounds the child process too
    memory_mb: int = 1024,
) -> SandboxResult:
    """`parse_document` in a child process bounded by `timeout` seconds of wall
    clock (and as many of CPU) and `memory_mb` MiB of address space."""
    import asyncio  # here: the child process never needs it (~0.1 s to import)

    kind = _resolve_kind(data, kind)
    if not data.strip():
        raise DocumentError("EMPTY_FILE", "the file is empty")
    cpu_seconds = max(1, math.ceil(timeout))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.documents.sandbox",
        kind,
        str(int(memory_mb)),
        str(cpu_seconds),
        cwd=PROJECT_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(data), timeout)
    except TimeoutError:
        raise DocumentError(
            "TIMEOUT", f"parsing took longer than {timeout:g} s and was stopped"
        ) from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(Exception):  # never hang a cancelled job
                await asyncio.wait_for(process.wait(), 5)
    return _read_answer(process.returncode, stdout, stderr)


def _read_answer(returncode: int | None, stdout: bytes, stderr: bytes) -> SandboxResult:
    if returncode == -signal.SIGXCPU and not stdout:
        raise DocumentError("TIMEOUT", "parsing used up its CPU time and was stopped")
    try:
        answer = json.loads(stdout[:MAX_OUTPUT_BYTES]) if stdout else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise DocumentError(
            "PARSE_FAILED",
            f"the parser process failed (exit {returncode}) {detail[0][:200]}".strip(),
        )
    if answer.get("ok") is True:
        text, structured = answer.get("text"), answer.get("structured")
        engine, warnings = answer.get("engine", "text"), answer.get("warnings", [])
        if (
            isinstance(text, str)
            and isinstance(structured, dict)
            and isinstance(engine, str)
            and isinstance(warnings, list)
        ):
            return SandboxResult(
                text=text,
                # written by our own child process from a ResumeData
                structured=cast("ResumeData", structured),
                engine=engine,
                warnings=tuple(str(w) for w in warnings),
            )
    elif isinstance(answer.get("code"), str):
        raise DocumentError(str(answer["code"]), str(answer.get("message", "")))
    raise DocumentError("PARSE_FAILED", "the parser process answered nonsense")


# ---------------------------------------------------------------------- child


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(argv: list[str]) -> int:
    kind, memory_mb, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but the answer goes to the real stdout
    _limit(memory_mb, cpu_seconds)
    answer: dict[str, object]
    try:
        data = sys.stdin.buffer.read()
        result = parse_document(data=data, kind=kind)
        answer = {
            "ok": True,
            "text": result.text,
            "structured": result.structured,
            "engine": result.engine,
            "warnings": list(result.warnings),
        }
    except DocumentError as exc:
        answer = {"ok": False, "code": exc.code, "message": exc.message}
    except MemoryError:
        answer = {
            "ok": False,
            "code": "PARSE_FAILED",
            "message": f"parsing needed more than {memory_mb} MiB of memory",
        }
    except RecursionError:
        answer = {"ok": False, "code": "CORRUPT_FILE", "message": "nesting too deep"}
    except Exception as exc:  # a parser bug must still answer in the protocol
        answer = {
            "ok": False,
            "code": "PARSE_FAILED",
            "message": f"the parser failed ({type(exc).__name__})",
        }
    out.write(json.dumps(answer, ensure_ascii=False))
    out.flush()
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(_child(sys.argv[1:]))
