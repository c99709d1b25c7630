"""Profile exports (JSON, JSON Resume, CSV) behind expiring signed links, and the
import of the same documents back into the profile.

Both directions go through one in-memory shape, `ProfileData` (see
`services.documents.jsonresume`): our JSON export is that shape, the JSON Resume
export is its mapping, validated against the JSON Resume schema before it leaves.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.transactions import in_transaction

from models.profiles import Profile, SectionRow
from services import files, profiles
from services.accounts import Actor
from services.documents import jsonresume
from services.errors import ValidationFailed
from services.profiles import SECTION_KINDS, SECTION_MODELS, SECTION_RULES

FORMATS = {
    "JSON": ("profile.json", "application/json"),
    "JSON_RESUME": ("resume.json", "application/json"),
    "CSV": ("profile.csv", "text/csv; charset=utf-8"),
}
KEEP_FILES_FOR = timedelta(days=1)
JSON_VERSION = 1

PROFILE_FIELDS = {
    "fullName": "full_name",
    "headline": "headline",
    "bio": "bio",
    "location": "location",
    "email": "email",
    "phone": "phone",
    "website": "website",
    "githubUrl": "github_url",
    "linkedinUrl": "linkedin_url",
}


@dataclass(frozen=True, slots=True)
class ExportResult:
    url: str
    expires_at: datetime
    filename: str
    content_type: str
    content: str
    data: Any


# -- rows <-> ProfileData --------------------------------------------------------------


def _row_data(kind: profiles.SectionKind, row: SectionRow) -> dict[str, Any]:
    item: dict[str, Any] = {
        rule.api: getattr(row, rule.column) for rule in SECTION_RULES[kind]
    }
    for rule in SECTION_RULES[kind]:
        if rule.kind == "list":
            item[rule.api] = list(item[rule.api] or [])
    item["extra"] = dict(row.extra or {})
    return item


async def profile_data(*, organization_id: int) -> jsonresume.ProfileData:
    profile = await profiles.get_profile(organization_id=organization_id)
    data: dict[str, Any] = {
        "profile": {
            api: getattr(profile, column) for api, column in PROFILE_FIELDS.items()
        }
    }
    data["profile"]["extra"] = dict(profile.extra or {})
    for kind in SECTION_KINDS:
        rows = await profiles.list_section(organization_id=organization_id, kind=kind)
        data[kind] = [_row_data(kind, row) for row in rows]
    data["extraSections"] = dict(profile.extra_sections or {})
    # built from PROFILE_FIELDS and SECTION_RULES, which name ProfileData's keys
    return cast("jsonresume.ProfileData", data)


# -- writers ---------------------------------------------------------------------------


def _our_json(data: jsonresume.ProfileData, profile: Profile) -> dict[str, Any]:
    return {
        "format": "careergraph.profile",
        "version": JSON_VERSION,
        "username": profile.username,
        "openToWork": profile.open_to_work,
        **data,
    }


CSV_COLUMNS = (
    "section",
    "position",
    "name",
    "organization",
    "location",
    "start",
    "end",
    "current",
    "details",
)


def _csv(data: jsonresume.ProfileData) -> str:
    """One row per section entry; list fields joined with ' | '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def joined(items: list[str]) -> str:
        return " | ".join(items)

    for position, s in enumerate(data["skills"]):
        detail = ", ".join(
            x for x in (s["level"], f"{s['years']:g} years" if s["years"] else "") if x
        )
        writer.writerow(
            ["skill", position, s["name"], s["category"], "", "", "", "", detail]
        )
    for position, e in enumerate(data["experience"]):
        writer.writerow(
            [
                "experience",
                position,
                e["title"],
                e["company"],
                e["location"],
                e["startDate"],
                e["endDate"],
                "yes" if e["current"] else "no",
                joined(e["description"]),
            ]
        )
    for position, ed in enumerate(data["education"]):
        writer.writerow(
            [
                "education",
                position,
                " in ".join(x for x in (ed["degree"], ed["field"]) if x),
                ed["institution"],
                "",
                ed["startDate"],
                ed["endDate"],
                "",
                joined(ed["description"] + ed["courses"]),
            ]
        )
    for position, p in enumerate(data["projects"]):
        writer.writerow(
            [
                "project",
                position,
                p["name"],
                p["role"],
                "",
                p["startDate"],
                p["endDate"],
                "",
                joined(p["description"] + p["urls"]),
            ]
        )
    for position, c in enumerate(data["certifications"]):
        writer.writerow(
            [
                "certification",
                position,
                c["name"],
                c["issuer"],
                "",
                c["issued"],
                c["expires"],
                "",
                c["credentialUrl"] or "",
            ]
        )
    return out.getvalue()


async def export_profile(
    *, actor: Actor, format: str, signer: files.Signer, base_url: str
) -> ExportResult:
    if format not in FORMATS:
        raise ValidationFailed(f"Unknown export format {format!r}", field=["format"])
    data = await profile_data(organization_id=actor.organization_id)
    profile = await profiles.get_profile(organization_id=actor.organization_id)
    document: Any
    if format == "JSON":
        document = _our_json(data, profile)
        content = json.dumps(document, ensure_ascii=False, indent=2)
    elif format == "JSON_RESUME":
        document = jsonresume.to_json_resume(data)
        problems = jsonresume.validate(document)
        if problems:  # our own data always maps to a valid document; say so if not
            raise ValidationFailed(
                "The profile does not make a valid JSON Resume: " + "; ".join(problems)
            )
        content = json.dumps(document, ensure_ascii=False, indent=2)
    else:
        document = None
        content = _csv(data)
    filename, content_type = FORMATS[format]
    url, expires_at = await files.publish(
        signer=signer,
        base_url=base_url,
        organization_id=actor.organization_id,
        kind=f"export:{format.lower()}",
        filename=filename,
        content_type=content_type,
        data=content.encode(),
        keep_for=KEEP_FILES_FOR,
    )
    return ExportResult(
        url=url,
        expires_at=expires_at,
        filename=filename,
        content_type=content_type,
        content=content,
        data=document,
    )


# -- import ----------------------------------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _parse_document(format: str, document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ValidationFailed("data must be a JSON object", field=["data"])
    if len(json.dumps(document)) > MAX_IMPORT_BYTES:
        raise ValidationFailed("data is larger than 2 MiB", field=["data"])
    if format == "JSON_RESUME":
        problems = jsonresume.validate(document)
        if problems:
            raise ValidationFailed(
                problems[0],
                field=["data"],
                problems=[(["data"], p) for p in problems[:20]],
            )
        try:
            return dict(jsonresume.from_json_resume(document))
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=["data"]) from None
    if document.get("format") != "careergraph.profile":
        raise ValidationFailed(
            'data is not a Careergraph profile export ("format" is missing)',
            field=["data", "format"],
        )
    return document


def _section_values(
    kind: profiles.SectionKind, item: Any, index: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(item, dict):
        raise ValidationFailed(
            f"{kind}[{index}] must be an object", field=["data", kind, str(index)]
        )
    values = {
        rule.column: item[rule.api]
        for rule in SECTION_RULES[kind]
        if rule.api in item and item[rule.api] is not None
    }
    try:
        cleaned = profiles.clean(SECTION_RULES[kind], values, partial=False)
        profiles.check_dates(cleaned)
    except ValidationFailed as exc:
        path = ["data", kind, str(index), *exc.field]
        raise ValidationFailed(f"{kind}[{index}]: {exc.message}", field=path) from None
    extra = item.get("extra") or {}
    if not isinstance(extra, dict):
        raise ValidationFailed(
            f"{kind}[{index}].extra must be an object",
            field=["data", kind, str(index), "extra"],
        )
    return cleaned, extra


async def import_profile(
    *, actor: Actor, format: str, data: Any, replace: bool
) -> Profile:
    """Write a JSON or JSON Resume document into the profile in one transaction:
    profile fields it has are set, sections are replaced (or appended to)."""
    document = _parse_document(format, data)
    head = document.get("profile") or {}
    if not isinstance(head, dict):
        raise ValidationFailed("profile must be an object", field=["data", "profile"])
    profile_values = {
        column: head[api] for api, column in PROFILE_FIELDS.items() if api in head
    }
    try:
        cleaned_profile = profiles.clean(
            profiles.PROFILE_RULES, profile_values, partial=True
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, field=["data", "profile", *exc.field]
        ) from None
    if format == "JSON" and "openToWork" in document:
        cleaned_profile["open_to_work"] = bool(document["openToWork"])
    sections: dict[profiles.SectionKind, list[tuple[dict[str, Any], dict[str, Any]]]]
    sections = {}
    for kind in SECTION_KINDS:
        items = document.get(kind) or []
        if not isinstance(items, list):
            raise ValidationFailed(f"{kind} must be a list", field=["data", kind])
        if len(items) > profiles.MAX_ROWS_PER_SECTION:
            raise ValidationFailed(
                f"{kind} has more than {profiles.MAX_ROWS_PER_SECTION} entries",
                field=["data", kind],
            )
        sections[kind] = [
            _section_values(kind, item, i) for i, item in enumerate(items)
        ]
    profile = await profiles.get_profile(organization_id=actor.organization_id)
    async with in_transaction():
        for kind, rows in sections.items():
            model = SECTION_MODELS[kind]
            start = 0
            if replace:
                await model.filter(organization_id=actor.organization_id).delete()
            else:
                start = await model.filter(profile_id=profile.id).count()
                if start + len(rows) > profiles.MAX_ROWS_PER_SECTION:
                    raise ValidationFailed(
                        f"{kind} would exceed {profiles.MAX_ROWS_PER_SECTION} entries",
                        field=["data", kind],
                    )
            if rows:
                await model.bulk_create(
                    [
                        model(
                            organization_id=actor.organization_id,
                            profile_id=profile.id,
                            position=start + i,
                            extra=extra,
                            **values,
                        )
                        for i, (values, extra) in enumerate(rows)
                    ]
                )
        profile.update_from_dict(cleaned_profile)
        extra = head.get("extra")
        if isinstance(extra, dict):
            profile.extra = extra
        extra_sections = document.get("extraSections")
        if isinstance(extra_sections, dict):
            profile.extra_sections = extra_sections
        await profile.save()
    return profile
