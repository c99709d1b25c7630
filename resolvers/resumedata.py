"""`ResumeDataInput` -> a JSON merge patch of the stored ResumeData.

The API's one clearing rule: a field left out (UNSET) is not in the patch, so it
keeps its value; `null` clears it ("" for strings, [] for lists); lists given
replace the stored ones; personalInfo and additional merge field by field.
"""

from __future__ import annotations

from typing import Any

from strawberry.types.unset import UNSET

from schema.resumedata import AdditionalInfoInput, PersonalInfoInput, ResumeDataInput

_PERSONAL = {
    "name": "name",
    "title": "title",
    "email": "email",
    "phone": "phone",
    "location": "location",
    "website": "website",
    "linkedin": "linkedin",
    "github": "github",
}
_ADDITIONAL = {
    "technical_skills": "technicalSkills",
    "languages": "languages",
    "certifications_training": "certificationsTraining",
    "awards": "awards",
}


def _fields(
    value: PersonalInfoInput | AdditionalInfoInput | None,
    names: dict[str, str],
    cleared: Any,
) -> dict[str, Any]:
    if value is None:  # null clears every field of the object
        return {key: cleared() for key in names.values()}
    out: dict[str, Any] = {}
    for attr, key in names.items():
        given = getattr(value, attr)
        if given is UNSET:
            continue
        out[key] = cleared() if given is None else given
    return out


def _numbered(entries: list[Any] | None, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": entry.number if entry.number is not None else index,
            **{key: getattr(entry, key) for key in keys},
        }
        for index, entry in enumerate(entries or [], start=1)
    ]


def content_patch(content: ResumeDataInput) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if content.personal_info is not UNSET:
        patch["personalInfo"] = _fields(content.personal_info, _PERSONAL, str)
    if content.summary is not UNSET:
        patch["summary"] = content.summary or ""
    if content.work_experience is not UNSET:
        patch["workExperience"] = _numbered(
            content.work_experience,
            ("title", "company", "location", "years", "description"),
        )
    if content.education is not UNSET:
        patch["education"] = _numbered(
            content.education, ("institution", "degree", "years", "description")
        )
    if content.personal_projects is not UNSET:
        patch["personalProjects"] = _numbered(
            content.personal_projects,
            ("name", "role", "years", "github", "website", "description"),
        )
    if content.additional is not UNSET:
        patch["additional"] = _fields(content.additional, _ADDITIONAL, list)
    if content.custom_sections is not UNSET:
        patch["customSections"] = {
            section.key: {"title": section.title, "items": section.items}
            for section in content.custom_sections or []
        }
    return patch
