"""ResumeData: the structured resume shape every parsing engine produces.

This module owns the shape (camelCase keys, as the API and the LLM prompts use it):

- the `ResumeData` TypedDicts;
- `RESUME_DATA_SCHEMA`, a JSON Schema (checked as draft 2020-12) for it: closed
  objects (`additionalProperties: false`), bounded string lengths and array
  sizes; usable as an OpenAI `response_format` json_schema with `strict: false`
  (strict mode needs every key required and no open maps like `customSections`);
- `validate_resume_data(obj)`: schema errors as "path: message" strings
  (the schema and its validation are in `resumedata_schema`, re-exported here);
- `empty_resume_data()`: a valid, empty document;
- `from_json_resume(doc)`: a JSON Resume (https://jsonresume.org) document mapped
  onto ResumeData.

Missing strings are "" (never null). `years` is free text as written in the
document ("2019 - Present", "Jan 2018 - Mar 2020").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from services.documents.resumedata_schema import (
    LIMITS,
    RESUME_DATA_SCHEMA,
    validate_resume_data,
)

__all__ = [
    "LIMITS",
    "RESUME_DATA_SCHEMA",
    "Additional",
    "CustomSection",
    "Education",
    "PersonalInfo",
    "PersonalProject",
    "ResumeData",
    "WorkExperience",
    "dedupe",
    "empty_resume_data",
    "from_json_resume",
    "validate_resume_data",
]


class PersonalInfo(TypedDict):
    name: str
    title: str
    email: str
    phone: str
    location: str
    website: NotRequired[str]
    linkedin: NotRequired[str]
    github: NotRequired[str]


class WorkExperience(TypedDict):
    id: int
    title: str
    company: str
    location: NotRequired[str]
    years: str
    description: list[str]


class Education(TypedDict):
    id: int
    institution: str
    degree: str
    years: str
    description: NotRequired[str]


class PersonalProject(TypedDict):
    id: int
    name: str
    role: str
    years: str
    github: NotRequired[str]
    website: NotRequired[str]
    description: list[str]


class Additional(TypedDict):
    technicalSkills: list[str]
    languages: list[str]
    certificationsTraining: list[str]
    awards: list[str]


class CustomSection(TypedDict):
    title: str
    items: list[str]


class ResumeData(TypedDict):
    personalInfo: PersonalInfo
    summary: str
    workExperience: list[WorkExperience]
    education: list[Education]
    personalProjects: list[PersonalProject]
    additional: Additional
    customSections: dict[str, CustomSection]


def empty_resume_data() -> ResumeData:
    """A valid ResumeData with every string "" and every list empty."""
    return {
        "personalInfo": {
            "name": "",
            "title": "",
            "email": "",
            "phone": "",
            "location": "",
        },
        "summary": "",
        "workExperience": [],
        "education": [],
        "personalProjects": [],
        "additional": {
            "technicalSkills": [],
            "languages": [],
            "certificationsTraining": [],
            "awards": [],
        },
        "customSections": {},
    }


# ------------------------------------------------------------- JSON Resume map

_MONTH_NAMES = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _text(value: object, limit: str = "short") -> str:
    """`value` as a trimmed string within the schema bound ("" for non-strings)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return " ".join(str(value).split())[: LIMITS[limit]]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _date(value: object) -> str:
    """ "2019-03-01" / "2019-03" -> "Mar 2019"; "2019" -> "2019"; else as written."""
    text = _text(value)
    parts = text.split("-")
    if (
        len(parts) >= 2
        and len(parts[0]) == 4
        and parts[0].isdigit()
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= 12
    ):
        return f"{_MONTH_NAMES[int(parts[1]) - 1]} {parts[0]}"
    return text


def _years(item: Mapping[str, Any]) -> str:
    start, end = _date(item.get("startDate")), _date(item.get("endDate"))
    if start and end:
        return f"{start} - {end}" if start != end else start
    if start:
        return f"{start} - Present"
    return end


def _join(*parts: str, sep: str = ", ") -> str:
    return sep.join(part for part in parts if part)


def _url_kind(url: str) -> str:
    lowered = url.lower()
    if "github.com" in lowered:
        return "github"
    if "linkedin.com" in lowered:
        return "linkedin"
    return "website"


def dedupe(values: list[str]) -> list[str]:
    """`values` without blanks and case-insensitive repeats, first kept."""
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _personal_info(basics: Mapping[str, Any]) -> PersonalInfo:
    location = basics.get("location")
    if isinstance(location, Mapping):
        location_text = _join(
            _text(location.get("city")),
            _text(location.get("region")),
            _text(location.get("countryCode")),
        )
    else:
        location_text = _text(location)
    info: PersonalInfo = {
        "name": _text(basics.get("name")),
        "title": _text(basics.get("label")),
        "email": _text(basics.get("email")),
        "phone": _text(basics.get("phone")),
        "location": location_text[: LIMITS["short"]],
    }
    if url := _text(basics.get("url")):
        info[_url_kind(url)] = url  # type: ignore[literal-required]
    for profile in _items(basics.get("profiles")):
        profile = _mapping(profile)
        network = _text(profile.get("network")).lower()
        url = _text(profile.get("url"))
        username = _text(profile.get("username"))
        kind = network if network in ("github", "linkedin") else _url_kind(url)
        if kind == "website":
            continue
        if not url and username:
            url = (
                f"https://github.com/{username}"
                if kind == "github"
                else f"https://www.linkedin.com/in/{username}"
            )
        if url and kind not in info:
            info[kind] = url  # type: ignore[literal-required]
    return info


def _highlights(item: Mapping[str, Any], *keys: str) -> list[str]:
    lines: list[str] = []
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            lines.append(_text(value, "item"))
        else:
            lines.extend(_text(v, "item") for v in _items(value))
    return [line for line in lines if line][: LIMITS["bullets"]]


def _custom_item(item: object) -> str:
    """One line for an unmodelled JSON Resume entry (volunteer, publication...)."""
    if not isinstance(item, Mapping):
        return _text(item, "item")
    head = _join(
        *(
            _text(item.get(key))
            for key in ("name", "title", "position", "organization", "publisher")
        ),
        sep=" - ",
    )
    when = _years(item) or _date(item.get("releaseDate") or item.get("date"))
    body = _join(
        *(_text(item.get(key), "item") for key in ("summary", "reference")),
        ", ".join(_text(k) for k in _items(item.get("keywords")) if _text(k)),
        sep=". ",
    )
    line = _join(head, f"({when})" if when else "", sep=" ")
    return _join(line, body, sep=": ")[: LIMITS["item"]]


_MODELLED = {
    "$schema",
    "basics",
    "work",
    "education",
    "projects",
    "skills",
    "languages",
    "certificates",
    "awards",
    "meta",
}


def _dated(doc: Mapping[str, Any], section: str, name: str, by: str) -> list[str]:
    """The items of a list section as "Name (By, YYYY-MM)" (certificates: issuer,
    awards: awarder), deduplicated and bounded."""
    out = []
    for raw in _items(doc.get(section)):
        item = _mapping(raw)
        detail = _join(_text(item.get(by)), _date(item.get("date")))
        title = _text(item.get(name))
        out.append(f"{title} ({detail})" if title and detail else title)
    return dedupe(out)[: LIMITS["list"]]


def from_json_resume(doc: Mapping[str, Any]) -> ResumeData:
    """ResumeData for a JSON Resume document (read defensively: wrong types are
    treated as missing, strings are trimmed to the schema bounds).

    basics -> personalInfo and summary; work (or legacy `company`) ->
    workExperience (summary + highlights as description); education -> education
    ("studyType in area"; score and courses as description); projects ->
    personalProjects (url as github or website); skills -> technicalSkills (the
    keywords flattened, the skill name when it has none); languages, certificates,
    awards -> additional; volunteer, publications, interests, references and other
    top-level lists -> customSections.
    """
    data = empty_resume_data()
    basics = _mapping(doc.get("basics"))
    data["personalInfo"] = _personal_info(basics)
    data["summary"] = _text(basics.get("summary"), "long")

    for index, raw in enumerate(_items(doc.get("work"))[: LIMITS["entries"]]):
        item = _mapping(raw)
        work: WorkExperience = {
            "id": index + 1,
            "title": _text(item.get("position")),
            "company": _text(item.get("name") or item.get("company")),
            "years": _years(item),
            "description": _highlights(item, "summary", "highlights"),
        }
        if location := _text(item.get("location")):
            work["location"] = location
        data["workExperience"].append(work)

    for index, raw in enumerate(_items(doc.get("education"))[: LIMITS["entries"]]):
        item = _mapping(raw)
        study, area = _text(item.get("studyType")), _text(item.get("area"))
        school: Education = {
            "id": index + 1,
            "institution": _text(item.get("institution")),
            "degree": _join(study, area, sep=" in ")[: LIMITS["short"]],
            "years": _years(item),
        }
        courses = ", ".join(_text(c) for c in _items(item.get("courses")) if _text(c))
        score = _text(item.get("score"))
        description = _join(
            f"Score: {score}" if score else "",
            f"Courses: {courses}" if courses else "",
            sep="; ",
        )
        if description:
            school["description"] = description[: LIMITS["item"]]
        data["education"].append(school)

    for index, raw in enumerate(_items(doc.get("projects"))[: LIMITS["entries"]]):
        item = _mapping(raw)
        project: PersonalProject = {
            "id": index + 1,
            "name": _text(item.get("name")),
            "role": ", ".join(_text(r) for r in _items(item.get("roles")) if _text(r))[
                : LIMITS["short"]
            ],
            "years": _years(item),
            "description": _highlights(item, "description", "highlights"),
        }
        if url := _text(item.get("url")):
            project["github" if _url_kind(url) == "github" else "website"] = url
        data["personalProjects"].append(project)

    additional = data["additional"]
    skills: list[str] = []
    for raw in _items(doc.get("skills")):
        item = _mapping(raw)
        keywords = [_text(k) for k in _items(item.get("keywords")) if _text(k)]
        skills.extend(keywords or [_text(item.get("name"))])
    additional["technicalSkills"] = dedupe(skills)[: LIMITS["list"]]
    languages = []
    for raw in _items(doc.get("languages")):
        item = _mapping(raw)
        language, fluency = _text(item.get("language")), _text(item.get("fluency"))
        languages.append(
            f"{language} ({fluency})" if language and fluency else language
        )
    additional["languages"] = dedupe(languages)[: LIMITS["list"]]
    additional["certificationsTraining"] = _dated(doc, "certificates", "name", "issuer")
    additional["awards"] = _dated(doc, "awards", "title", "awarder")

    for key, value in doc.items():
        if key in _MODELLED or not isinstance(value, list) or not value:
            continue
        if len(data["customSections"]) >= LIMITS["sections"]:
            break
        items = [line for line in map(_custom_item, value) if line]
        if items and isinstance(key, str) and key.strip():
            data["customSections"][key[: LIMITS["key"]]] = {
                "title": key[:1].upper() + key[1 : LIMITS["short"]],
                "items": items[: LIMITS["list"]],
            }
    return data
