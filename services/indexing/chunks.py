"""Chunks of a profile with their source, and the tokens BM25 indexes: the
profile's fields, every section entry, the master resume's structured data."""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    Project,
    SectionRow,
    Skill,
)
from models.resumes import Resume

if TYPE_CHECKING:
    pass


MAX_CHUNK_CHARS = 700
SECTION_MODELS: dict[str, type[SectionRow]] = {
    "skills": Skill,
    "experience": Experience,
    "education": Education,
    "projects": Project,
    "certifications": Certification,
}


# -- tokens ----------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have he her
    hers him his how i if in into is it its me my of on or our she so than that
    the their them then there these they this to was we were what when where
    which who whom why will with you your about any can could would should tell
    know done person profile he's she's""".split()  # noqa: SIM905
)


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + keep
    return word


# words a question uses for a section that its entries rarely say themselves
# ("where did she study?" and "BSc at Leeds"): added to each chunk's BM25 tokens
# and, as a label, to the text that is embedded (document expansion)
SECTION_WORDS: dict[str, str] = {
    "about": "about summary bio based located location lives",
    "links": "website github linkedin links online",
    "contact": "contact reach",
    "skills": "skills technologies tools expertise proficient stack",
    "experience": "experience work worked job employer company role career",
    "education": "education study studied school university college degree",
    "projects": "projects project built portfolio",
    "certifications": "certifications certified certificate credential",
    "resume": "resume",
}
SECTION_LABELS: dict[str, str] = {
    "about": "About",
    "links": "Links",
    "contact": "Contact",
    "skills": "Skills",
    "experience": "Work experience",
    "education": "Education",
    "projects": "Projects",
    "certifications": "Certifications",
    "resume": "Resume",
}


def chunk_tokens(section: str, text: str) -> list[str]:
    return tokenize(text) + tokenize(SECTION_WORDS.get(section, ""))


def embed_text(section: str, text: str) -> str:
    return f"{SECTION_LABELS.get(section, section)}: {text}"


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stop words, lightly stemmed; keeps C++, C#,
    Node.js and version-like tokens whole."""
    out = []
    for word in _WORD.findall(text.casefold()):
        word = word.rstrip(".")
        if word and word not in STOPWORDS:
            out.append(_stem(word))
    return out


# -- chunks ----------------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    section: str
    entry_id: int | None
    visibility: str  # "public", a section kind, "email" or "phone"
    text: str


def _join(*parts: str | None, sep: str = " ") -> str:
    return sep.join(p.strip() for p in parts if p and p.strip())


def _dates(start: str | None, end: str | None, current: bool = False) -> str:
    if not start and not end and not current:
        return ""
    return f"{start or '?'} to {'present' if current else end or '?'}"


def _split(head: str, lines: Sequence[str]) -> list[str]:
    """`head` followed by `lines`, cut into pieces under MAX_CHUNK_CHARS, each
    piece starting with `head` so it still says whose it is."""
    pieces: list[str] = []
    current = head
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if current != head and len(current) + len(line) + 1 > MAX_CHUNK_CHARS:
            pieces.append(current)
            current = head
        current = f"{current} {line}".strip()
    pieces.append(current)
    return [p for p in pieces if p]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def profile_drafts(
    profile: Profile, sections: Mapping[str, Sequence[SectionRow]]
) -> list[Draft]:
    """The chunks of the profile itself, in display order."""
    drafts: list[Draft] = []
    name = profile.full_name or profile.username or "The owner"
    about = _join(
        f"{name}." if profile.full_name else None,
        f"{profile.headline}." if profile.headline else None,
        f"Based in {profile.location}." if profile.location else None,
        "Open to work." if profile.open_to_work else None,
    )
    if about:
        drafts.append(Draft("about", None, "public", about))
    if profile.bio:
        for piece in _split("", _sentences(profile.bio)):
            drafts.append(Draft("about", None, "public", piece))
    links = _join(
        f"Website: {profile.website}." if profile.website else None,
        f"GitHub: {profile.github_url}." if profile.github_url else None,
        f"LinkedIn: {profile.linkedin_url}." if profile.linkedin_url else None,
    )
    if links:
        drafts.append(Draft("links", None, "public", links))
    if profile.email:
        drafts.append(Draft("contact", None, "email", f"Email: {profile.email}"))
    if profile.phone:
        drafts.append(Draft("contact", None, "phone", f"Phone: {profile.phone}"))
    groups: dict[str, list[Skill]] = {}
    for row in sections.get("skills", ()):
        assert isinstance(row, Skill)
        groups.setdefault(row.category or "", []).append(row)
    for category, skills in groups.items():
        names = ", ".join(
            _join(s.name, f"({s.level})" if s.level else None) for s in skills
        )
        head = f"Skills ({category}):" if category else "Skills:"
        drafts.append(Draft("skills", skills[0].id, "skills", f"{head} {names}."))
    for row in sections.get("experience", ()):
        assert isinstance(row, Experience)
        head = _join(
            f"{row.title} at {row.company}",
            f"in {row.location}" if row.location else None,
            f"({_dates(row.start_date, row.end_date, row.current)})"
            if _dates(row.start_date, row.end_date, row.current)
            else None,
        )
        for piece in _split(f"{head}.", row.description):
            drafts.append(Draft("experience", row.id, "experience", piece))
    for row in sections.get("education", ()):
        assert isinstance(row, Education)
        degree = _join(row.degree, f"in {row.field}" if row.field else None)
        head = _join(
            f"{degree} at {row.institution}"
            if degree
            else f"Studied at {row.institution}",
            f"({_dates(row.start_date, row.end_date)})"
            if _dates(row.start_date, row.end_date)
            else None,
        )
        lines = [*row.description]
        if row.courses:
            lines.append("Courses: " + ", ".join(row.courses) + ".")
        for piece in _split(f"{head}.", lines):
            drafts.append(Draft("education", row.id, "education", piece))
    for row in sections.get("projects", ()):
        assert isinstance(row, Project)
        head = _join(
            f"Project {row.name}",
            f"({row.role})" if row.role else None,
        )
        lines = [*row.description, *(f"Link: {u}" for u in row.urls)]
        for piece in _split(f"{head}:", lines):
            drafts.append(Draft("projects", row.id, "projects", piece))
    for row in sections.get("certifications", ()):
        assert isinstance(row, Certification)
        text = _join(
            f"Certification: {row.name}",
            f"issued by {row.issuer}" if row.issuer else None,
            f"in {row.issued}" if row.issued else None,
            f"(expires {row.expires})" if row.expires else None,
        )
        drafts.append(Draft("certifications", row.id, "certifications", text + "."))
    return drafts


def resume_drafts(resume: Resume) -> list[Draft]:
    """The master resume's structured data. These chunks are for the owner only:
    the master resume is not part of the public profile, so visitor retrieval
    never reads them."""
    data: Mapping[str, Any] = resume.structured_data or {}
    drafts: list[Draft] = []

    def add(text: str) -> None:
        for piece in _split("", [text]) if len(text) > MAX_CHUNK_CHARS else [text]:
            if piece.strip():
                drafts.append(Draft("resume", resume.id, "owner", piece.strip()))

    summary = str(data.get("summary") or "")
    if summary:
        add(summary)
    for job in data.get("workExperience") or []:
        if isinstance(job, Mapping):
            head = _join(str(job.get("title") or ""), "at", str(job.get("company")))
            for piece in _split(
                f"{head}.", [str(x) for x in job.get("description") or []]
            ):
                add(piece)
    for school in data.get("education") or []:
        if isinstance(school, Mapping):
            add(_join(*(str(school.get(k) or "") for k in ("degree", "institution"))))
    for project in data.get("personalProjects") or []:
        if isinstance(project, Mapping):
            lines = [str(x) for x in project.get("description") or []]
            for piece in _split(f"Project {project.get('name') or ''}:", lines):
                add(piece)
    additional = data.get("additional") or {}
    if isinstance(additional, Mapping):
        for key, label in (
            ("technicalSkills", "Skills"),
            ("languages", "Languages"),
            ("certificationsTraining", "Certifications"),
            ("awards", "Awards"),
        ):
            items = [str(x) for x in additional.get(key) or []]
            if items:
                add(f"{label}: {', '.join(items)}.")
    return drafts


async def _sections(organization_id: int) -> dict[str, list[SectionRow]]:
    out: dict[str, list[SectionRow]] = {}
    for kind, model in SECTION_MODELS.items():
        out[kind] = list(
            await model.filter(organization_id=organization_id).order_by(
                "position", "id"
            )
        )
    return out


async def collect(profile: Profile) -> list[Draft]:
    drafts = profile_drafts(profile, await _sections(profile.organization_id))
    master = await Resume.get_or_none(
        organization_id=profile.organization_id, is_master=True, status="READY"
    )
    if master is not None:
        drafts.extend(resume_drafts(master))
    return drafts


def pack(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack(data: bytes, dim: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    return np.frombuffer(data, dtype="<f4", count=dim)
