"""JSON uploads: nesting depth checked by a bracket scan before `json.loads`,
then our ResumeData (validated) or a JSON Resume document mapped onto it."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any, cast

from services.documents.errors import DocumentError
from services.documents.resumedata import (
    ResumeData,
    from_json_resume,
    validate_resume_data,
)

__all__ = ["MAX_JSON_DEPTH", "json_depth", "load_json", "structure_json"]

MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_BRACKET_DELTA = [0] * 256
for _open in b"[{":
    _BRACKET_DELTA[_open] = 1
for _close in b"]}":
    _BRACKET_DELTA[_close] = -1


def json_depth(data: bytes) -> int:
    """Maximum nesting depth of the JSON text `data`, without recursion: strings
    are removed, then brackets are counted (C-speed regex and accumulate, so a
    10 MiB document takes milliseconds). An unterminated string ends the scan."""
    outside = _JSON_STRING.sub(b"", data)
    quote = outside.find(b'"')
    if quote >= 0:
        outside = outside[:quote]
    brackets = _NOT_BRACKET.sub(b"", outside)
    if not brackets:
        return 0
    return max(0, max(itertools.accumulate(map(_BRACKET_DELTA.__getitem__, brackets))))


def load_json(data: bytes) -> Any:
    """The parsed JSON of an upload, after the depth scan. Raises DocumentError."""
    if not data.strip():
        raise DocumentError("EMPTY_FILE", "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise DocumentError(
            "JSON_TOO_DEEP",
            f"the JSON nests {depth} levels deep; at most {MAX_JSON_DEPTH}",
        )
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise DocumentError("INVALID_JSON", "the JSON is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(
            "INVALID_JSON",
            f"the JSON is malformed: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise DocumentError(
            "INVALID_JSON", f"the JSON cannot be read ({exc})"
        ) from None


def structure_json(data: bytes) -> ResumeData:
    """ResumeData for a JSON upload: our ResumeData (validated against
    RESUME_DATA_SCHEMA) or a JSON Resume document (an object with `basics`).

    Raises DocumentError: EMPTY_FILE, INVALID_JSON (malformed, or ResumeData with
    schema errors), JSON_TOO_DEEP, UNSUPPORTED_MEDIA_TYPE (valid JSON of neither
    shape)."""
    doc = load_json(data)
    if isinstance(doc, dict) and isinstance(doc.get("basics"), dict):
        structured = from_json_resume(doc)
        errors = validate_resume_data(structured)
        if errors:  # from_json_resume clamps; this would be our bug
            raise DocumentError("INVALID_JSON", "; ".join(errors[:5]))
        return structured
    if isinstance(doc, dict) and "personalInfo" in doc:
        errors = validate_resume_data(doc)
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise DocumentError(
                "INVALID_JSON",
                "the JSON is not valid ResumeData: " + "; ".join(errors[:5]) + more,
            )
        return cast("ResumeData", doc)  # validated just above
    raise DocumentError(
        "UNSUPPORTED_MEDIA_TYPE",
        "the JSON is neither ResumeData (with personalInfo) nor a JSON Resume "
        "document (with basics)",
    )
