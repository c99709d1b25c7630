"""ResumeData -> the HTML of one theme, and the content hash a rendering is cached by.

Templates are Jinja2 files in `templates/` with autoescaping on for HTML: every value
of the document is user text and reaches the page escaped, so markup, CSS or URLs
written in a resume stay text. Only the themes' own CSS (trusted files) is inlined.
Links are made only for http(s) URLs, e-mail addresses and phone numbers.

The input is read tolerantly (missing keys are empty, non-text values are skipped) and
bounded by the ResumeData limits, so a document that slipped past validation still
renders, and never without bound.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from services.documents.resumedata import LIMITS
from services.errors import ValidationFailed
from services.render.labels import cjk_variant, labels

# Bump when a template, a stylesheet or this module changes what a PDF looks like:
# it is part of every content hash, so cached renderings of the old look are not
# served again.
RENDERER_VERSION = "1"

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# theme id -> layout template (the stylesheet is templates/themes/<id>.css). The ids
# are those of the profile theme catalog (services.profiles.THEMES).
LAYOUTS: dict[str, str] = {
    "classic": "one_column.html",
    "modern": "one_column.html",
    "noto": "one_column.html",
    "terminal": "one_column.html",
    "executive": "sidebar.html",
}
THEME_IDS: tuple[str, ...] = tuple(LAYOUTS)

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_HTTP_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_BARE_URL_RE = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/[^\s]*)?$", re.I)
_EMAIL_RE = re.compile(r"^[^@\s<>\"'()]+@[^@\s<>\"'()]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{5,30}$")


def check_theme(theme: str) -> str:
    if theme not in LAYOUTS:
        raise ValidationFailed(
            f"Unknown theme {theme[:40]!r}; one of {', '.join(THEME_IDS)}",
            field=["theme"],
        )
    return theme


def check_language(language: str) -> str:
    if not LANGUAGE_RE.match(language):
        raise ValidationFailed(
            "language must be a BCP 47 language tag such as en or pt-BR",
            field=["language"],
        )
    return language


def content_hash(data: Mapping[str, Any], *, theme: str, language: str = "en") -> str:
    """SHA-256 of a canonical JSON of what a PDF is rendered from: the document,
    the theme, the language and RENDERER_VERSION."""
    check_theme(theme)
    check_language(language)
    try:
        canonical = json.dumps(
            {"v": RENDERER_VERSION, "t": theme, "l": language, "d": data},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            "The resume data is not a JSON document", field=["data"]
        ) from exc
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


# -- reading the document -------------------------------------------------------------


def _text(value: object, limit: str = "short") -> str:
    """One line of text, whitespace collapsed, cut to its bound."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = _CONTROL_RE.sub(" ", str(value))
    return " ".join(text.split())[: LIMITS[limit]]


def _paragraphs(value: object, limit: str = "long") -> list[str]:
    if not isinstance(value, str):
        return []
    text = _CONTROL_RE.sub(" ", value.replace("\r\n", "\n"))[: LIMITS[limit]]
    return [p for p in (" ".join(part.split()) for part in text.split("\n")) if p]


def _texts(value: object, item: str = "short", count: str = "list") -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    out = [_text(v, item) for v in value[: LIMITS[count]]]
    return [v for v in out if v]


def _entries(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [v for v in value[: LIMITS["entries"]] if isinstance(v, Mapping)]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _web_link(value: object, kind: str) -> dict[str, str] | None:
    text = _text(value)
    if not text:
        return None
    href: str | None = None
    if _HTTP_RE.match(text):
        href = text
    elif _BARE_URL_RE.match(text):
        href = "https://" + text
    shown = re.sub(r"^https?://(www\.)?", "", text, flags=re.IGNORECASE).rstrip("/")
    return {"kind": kind, "text": shown or text, "href": href or ""}


def _contact(info: Mapping[str, Any]) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    email = _text(info.get("email"))
    if email:
        href = "mailto:" + email if _EMAIL_RE.match(email) else ""
        items.append({"kind": "email", "text": email, "href": href})
    phone = _text(info.get("phone"))
    if phone:
        digits = re.sub(r"[^0-9+]", "", phone)
        href = "tel:" + digits if _PHONE_RE.match(phone) and digits else ""
        items.append({"kind": "phone", "text": phone, "href": href})
    location = _text(info.get("location"))
    if location:
        items.append({"kind": "location", "text": location, "href": ""})
    for key in ("website", "linkedin", "github"):
        link = _web_link(info.get(key), key)
        if link is not None:
            items.append(link)
    return items


def _experience(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": _text(item.get("title")),
        "company": _text(item.get("company")),
        "location": _text(item.get("location")),
        "years": _text(item.get("years")),
        "bullets": _texts(item.get("description"), "item", "bullets"),
    }


def _project(item: Mapping[str, Any]) -> dict[str, Any]:
    links = [_web_link(item.get(key), key) for key in ("website", "github")]
    return {
        "name": _text(item.get("name")),
        "role": _text(item.get("role")),
        "years": _text(item.get("years")),
        "links": [link for link in links if link is not None],
        "bullets": _texts(item.get("description"), "item", "bullets"),
    }


def _education(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "institution": _text(item.get("institution")),
        "degree": _text(item.get("degree")),
        "years": _text(item.get("years")),
        "description": _text(item.get("description"), "item"),
    }


def _custom(sections: object) -> list[dict[str, Any]]:
    out = []
    items = list(_mapping(sections).items())[: LIMITS["sections"]]
    for key, section in items:
        section = _mapping(section)
        title = _text(section.get("title")) or _text(key)
        entries = _texts(section.get("items"), "item")
        if title and entries:
            out.append({"title": title, "entries": entries})
    return out


def _nonempty(entry: dict[str, Any]) -> bool:
    return any(entry.values())


def resume_view(
    data: Mapping[str, Any], *, theme: str, language: str
) -> dict[str, Any]:
    """What the templates read: clean, bounded text only."""
    info = _mapping(data.get("personalInfo"))
    additional = _mapping(data.get("additional"))
    name = _text(info.get("name"))
    title = _text(info.get("title"))
    return {
        "lang": language,
        "theme": theme,
        "cjk": cjk_variant(language),
        "labels": labels(language),
        "title": " \N{EN DASH} ".join(part for part in (name, title) if part)
        or "Resume",
        "person": {"name": name, "title": title},
        "contact": _contact(info),
        "summary": _paragraphs(data.get("summary")),
        "experience": [
            e
            for e in map(_experience, _entries(data.get("workExperience")))
            if _nonempty(e)
        ],
        "projects": [
            p
            for p in map(_project, _entries(data.get("personalProjects")))
            if _nonempty(p)
        ],
        "education": [
            e for e in map(_education, _entries(data.get("education"))) if _nonempty(e)
        ],
        "skills": _texts(additional.get("technicalSkills")),
        "languages": _texts(additional.get("languages")),
        "certifications": _texts(additional.get("certificationsTraining"), "item"),
        "awards": _texts(additional.get("awards"), "item"),
        "custom": _custom(data.get("customSections")),
    }


# -- templates ------------------------------------------------------------------------


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        # HTML templates escape every value; the stylesheets are CSS (escaping
        # would corrupt quoted font names) and only ever see our own values.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("css",), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def resume_html(data: Mapping[str, Any], *, theme: str, language: str = "en") -> str:
    """The themed HTML page of a ResumeData document (`<html lang>` = language)."""
    check_theme(theme)
    check_language(language)
    view = resume_view(data, theme=theme, language=language)
    return environment().get_template(LAYOUTS[theme]).render(r=view)
