"""Import of a parsed resume into the profile: a preview of what would be added,
changed or left per section (duplicates detected against existing rows), then a
commit of the chosen sections in one transaction.

A preview is stored (1 hour) so the commit applies exactly what the user saw.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models.profiles import Profile, SectionRow
from models.resumes import ImportPreview
from services import profile_cache, profiles
from services.accounts import Actor
from services.documents.jsonresume_shapes import MONTHS
from services.errors import Conflict, NotFound, ValidationFailed
from services.profiles import SECTION_KINDS, SECTION_MODELS, SECTION_RULES, SectionKind

PREVIEW_TTL = timedelta(hours=1)
DATE_TOKEN = re.compile(
    r"(?:(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year1>(?:19|20)\d{2}))"
    r"|(?:(?P<mm>0?[1-9]|1[0-2])[/.-](?P<year2>(?:19|20)\d{2}))"
    r"|(?:(?P<year3>(?:19|20)\d{2})(?:[/.-](?P<mm2>0?[1-9]|1[0-2]))?)"
)
PRESENT = re.compile(r"\b(present|current|now|today)\b", re.I)
PROFILE_KEYS = {
    "full_name": "name",
    "headline": "title",
    "email": "email",
    "phone": "phone",
    "location": "location",
    "website": "website",
    "linkedin_url": "linkedin",
    "github_url": "github",
}


def _date(match: re.Match[str]) -> str | None:
    if match.group("year1"):
        month = MONTHS.get(match.group("month").lower())
        year = match.group("year1")
        return f"{year}-{month:02d}" if month else year
    if match.group("year2"):
        return f"{match.group('year2')}-{int(match.group('mm')):02d}"
    year = match.group("year3")
    if match.group("mm2"):
        return f"{year}-{int(match.group('mm2')):02d}"
    return str(year)


def parse_years(text: str) -> tuple[str | None, str | None, bool]:
    """`"Jan 2020 - Present"` -> ("2020-01", None, True)."""
    dates = [d for d in (_date(m) for m in DATE_TOKEN.finditer(text or "")) if d]
    current = bool(PRESENT.search(text or ""))
    start = dates[0] if dates else None
    end = None if current else (dates[1] if len(dates) > 1 else None)
    if start and end and end < start:
        start, end = end, start
    return start, end, current


def _text(value: Any, limit: int = 200) -> str | None:
    text = str(value or "").strip()
    return text[:limit] if text else None


def _bullets(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list):
        return []
    return [str(v).strip()[:1000] for v in value if str(v).strip()][:50]


def candidates(data: dict[str, Any]) -> dict[SectionKind, list[dict[str, Any]]]:
    """ResumeData as section rows (by column)."""
    out: dict[SectionKind, list[dict[str, Any]]] = {k: [] for k in SECTION_KINDS}
    for job in data.get("workExperience") or []:
        start, end, current = parse_years(str(job.get("years") or ""))
        if not _text(job.get("company")) or not _text(job.get("title")):
            continue
        out["experience"].append(
            {
                "title": _text(job.get("title")),
                "company": _text(job.get("company")),
                "location": _text(job.get("location")),
                "start_date": start,
                "end_date": end,
                "current": current,
                "description": _bullets(job.get("description")),
            }
        )
    for school in data.get("education") or []:
        if not _text(school.get("institution")):
            continue
        start, end, _ = parse_years(str(school.get("years") or ""))
        out["education"].append(
            {
                "institution": _text(school.get("institution")),
                "degree": _text(school.get("degree")),
                "start_date": start,
                "end_date": end,
                "description": _bullets(school.get("description")),
            }
        )
    for project in data.get("personalProjects") or []:
        if not _text(project.get("name")):
            continue
        start, end, _ = parse_years(str(project.get("years") or ""))
        urls = [
            u
            for u in (
                _text(project.get("github"), 500),
                _text(project.get("website"), 500),
            )
            if u and u.startswith(("http://", "https://"))
        ]
        out["projects"].append(
            {
                "name": _text(project.get("name")),
                "role": _text(project.get("role")),
                "start_date": start,
                "end_date": end,
                "urls": urls,
                "description": _bullets(project.get("description")),
            }
        )
    additional = data.get("additional") or {}
    seen: set[str] = set()
    for skill in additional.get("technicalSkills") or []:
        name = _text(skill, 100)
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out["skills"].append({"name": name})
    for cert in additional.get("certificationsTraining") or []:
        name = _text(cert)
        if name:
            out["certifications"].append({"name": name})
    return out


def _key(kind: SectionKind, row: dict[str, Any]) -> str:
    def norm(value: Any) -> str:
        return re.sub(r"\W+", " ", str(value or "")).strip().lower()

    if kind == "experience":
        return f"{norm(row['company'])}|{norm(row['title'])}"
    if kind == "education":
        return norm(row["institution"])
    return norm(row["name"])


def _row_values(kind: SectionKind, row: SectionRow) -> dict[str, Any]:
    return {rule.column: getattr(row, rule.column) for rule in SECTION_RULES[kind]}


async def _plan(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    profile = await profiles.get_profile(organization_id=organization_id)
    info = data.get("personalInfo") or {}
    profile_plan = []
    for column, key in PROFILE_KEYS.items():
        new = _text(info.get(key), 500)
        if not new:
            continue
        is_url = column.endswith("url") or column == "website"
        if is_url and not new.startswith(("http://", "https://")):
            new = "https://" + new
        try:
            new = profiles.clean(profiles.PROFILE_RULES, {column: new}, partial=True)[
                column
            ]
        except ValidationFailed:
            continue  # not storable (e.g. a malformed email): left out
        old = getattr(profile, column)
        action = "keep" if old == new else ("add" if not old else "change")
        profile_plan.append({"field": column, "from": old, "to": new, "action": action})
    sections: dict[str, Any] = {}
    for kind, rows in candidates(data).items():
        existing = await profiles.list_section(
            organization_id=organization_id, kind=kind
        )
        by_key = {_key(kind, _row_values(kind, r)): r for r in existing}
        add, change, keep = [], [], []
        for row in rows:
            try:
                cleaned = profiles.clean(SECTION_RULES[kind], row, partial=False)
                profiles.check_dates(cleaned)
            except ValidationFailed:
                continue  # what cannot be stored is left out of the preview
            match = by_key.get(_key(kind, cleaned))
            if match is None:
                add.append(cleaned)
                continue
            current = _row_values(kind, match)
            diff = {
                col: value
                for col, value in cleaned.items()
                if value not in (None, [], "") and current.get(col) != value
            }
            if diff:
                change.append({"id": match.id, "values": diff, "current": current})
            else:
                keep.append({"id": match.id, "values": current})
        sections[kind] = {"add": add, "change": change, "keep": keep}
    return {"profile": profile_plan, "sections": sections}


async def preview(
    *, actor: Actor, data: dict[str, Any], resume_id: int | None
) -> ImportPreview:
    plan = await _plan(actor.organization_id, data)
    return await ImportPreview.create(
        organization_id=actor.organization_id,
        resume_id=resume_id,
        plan=plan,
        expires_at=datetime.now(UTC) + PREVIEW_TTL,
    )


async def commit(
    *,
    actor: Actor,
    preview_id: int,
    sections: list[SectionKind] | None,
    include_profile: bool,
) -> Profile:
    """Apply the preview's additions and changes for `sections` (all when None)."""
    row = await ImportPreview.get_or_none(
        id=preview_id, organization_id=actor.organization_id
    )
    if row is None or row.expires_at <= datetime.now(UTC):
        raise NotFound("Import preview not found or expired", field=["previewId"])
    chosen = list(SECTION_KINDS) if sections is None else sections
    profile = await profiles.get_profile(organization_id=actor.organization_id)
    async with in_transaction():
        claimed = await ImportPreview.filter(
            id=row.id, committed_at__isnull=True
        ).update(committed_at=datetime.now(UTC))
        if not claimed:
            raise Conflict("This preview was committed already", field=["previewId"])
        for kind in chosen:
            plan = row.plan["sections"].get(kind) or {}
            model = SECTION_MODELS[kind]
            position = await model.filter(profile_id=profile.id).count()
            if position + len(plan.get("add", [])) > profiles.MAX_ROWS_PER_SECTION:
                raise ValidationFailed(
                    f"{kind} would exceed {profiles.MAX_ROWS_PER_SECTION} entries",
                    field=["sections"],
                )
            for values in plan.get("add", []):
                await model.create(
                    organization_id=actor.organization_id,
                    profile_id=profile.id,
                    position=position,
                    **values,
                )
                position += 1
            for change in plan.get("change", []):
                await model.filter(
                    id=change["id"], organization_id=actor.organization_id
                ).update(**change["values"])
            await profile_cache.changed(organization_id=actor.organization_id)
        if include_profile:
            values = {
                item["field"]: item["to"]
                for item in row.plan["profile"]
                if item["action"] in ("add", "change")
            }
            if values:
                profile.update_from_dict(values)
                await profile.save(update_fields=[*values, "updated_at"])
    return profile
