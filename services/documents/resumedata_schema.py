"""The JSON Schema of ResumeData (services.documents.resumedata): `LIMITS`, the
bounds shared by the schema and the engines that clamp their output to it,
`RESUME_DATA_SCHEMA` (checked as draft 2020-12), and `validate_resume_data`.
jsonschema is imported on first validation only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

__all__ = ["LIMITS", "RESUME_DATA_SCHEMA", "format_path", "validate_resume_data"]


# Bounds shared by the schema and by the engines that clamp their output to it.
LIMITS: dict[str, int] = {
    "short": 300,  # names, titles, companies, years, links, skills
    "long": 10_000,  # summary
    "item": 3_000,  # one description bullet / custom item / education description
    "entries": 100,  # work, education, projects
    "bullets": 100,  # description bullets per entry
    "list": 300,  # skills, languages, certifications, awards, custom items
    "sections": 50,  # custom sections
    "key": 100,  # custom section key
}


def _str(limit: str = "short") -> dict[str, Any]:
    return {"type": "string", "maxLength": LIMITS[limit]}


def _strings(item: str = "short", count: str = "list") -> dict[str, Any]:
    return {"type": "array", "items": _str(item), "maxItems": LIMITS[count]}


def _object(
    properties: dict[str, Any], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


_ID = {"type": "integer", "minimum": 0, "maximum": 1_000_000}

RESUME_DATA_SCHEMA: dict[str, Any] = {
    "title": "ResumeData",
    **_object(
        {
            "personalInfo": _object(
                {
                    "name": _str(),
                    "title": _str(),
                    "email": _str(),
                    "phone": _str(),
                    "location": _str(),
                    "website": _str(),
                    "linkedin": _str(),
                    "github": _str(),
                },
                optional=("website", "linkedin", "github"),
            ),
            "summary": _str("long"),
            "workExperience": {
                "type": "array",
                "maxItems": LIMITS["entries"],
                "items": _object(
                    {
                        "id": _ID,
                        "title": _str(),
                        "company": _str(),
                        "location": _str(),
                        "years": _str(),
                        "description": _strings("item", "bullets"),
                    },
                    optional=("location",),
                ),
            },
            "education": {
                "type": "array",
                "maxItems": LIMITS["entries"],
                "items": _object(
                    {
                        "id": _ID,
                        "institution": _str(),
                        "degree": _str(),
                        "years": _str(),
                        "description": _str("item"),
                    },
                    optional=("description",),
                ),
            },
            "personalProjects": {
                "type": "array",
                "maxItems": LIMITS["entries"],
                "items": _object(
                    {
                        "id": _ID,
                        "name": _str(),
                        "role": _str(),
                        "years": _str(),
                        "github": _str(),
                        "website": _str(),
                        "description": _strings("item", "bullets"),
                    },
                    optional=("github", "website"),
                ),
            },
            "additional": _object(
                {
                    "technicalSkills": _strings(),
                    "languages": _strings(),
                    "certificationsTraining": _strings("item"),
                    "awards": _strings("item"),
                }
            ),
            "customSections": {
                "type": "object",
                "maxProperties": LIMITS["sections"],
                "propertyNames": {"maxLength": LIMITS["key"], "minLength": 1},
                "additionalProperties": _object(
                    {"title": _str(), "items": _strings("item")}
                ),
            },
        }
    ),
}


@functools.cache
def _validator() -> Any:
    # Imported on first use: the parsing child process never validates, and
    # jsonschema costs ~0.15 s of start-up.
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(RESUME_DATA_SCHEMA)
    return Draft202012Validator(RESUME_DATA_SCHEMA)


def format_path(path: Iterable[Any]) -> str:
    """A jsonschema error path as "work[0].startDate" ("(root)" when empty)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def validate_resume_data(obj: object) -> list[str]:
    """Schema errors of `obj` as sorted "path: message" strings, empty when valid.

    Messages are cut to 300 characters (a hostile value is never echoed whole).
    """
    messages = []
    for error in _validator().iter_errors(obj):
        message = f"{format_path(error.absolute_path)}: {error.message}"
        if len(message) > 300:
            message = message[:297] + "..."
        messages.append(message)
    return sorted(messages)
