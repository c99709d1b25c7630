"""Contact details: e-mail, phone, links (LinkedIn, GitHub, website) and the
location, from the header lines; the separators and place tests entry lines
share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.documents.vocabulary import (
    COMPANY_WORDS,
    DOMAIN,
    EMAIL,
    HANDLE,
    INSTITUTION,
    LABEL,
    PHONE,
    PLACES,
    SEPARATORS,
    TITLE_WORDS,
    URL,
    US_STATES,
    words_of,
)

_CONTACT_KINDS = ("linkedin", "github")


def url_kind(url: str) -> str:
    lowered = url.lower()
    for kind in ("linkedin", "github"):
        if f"{kind}.com" in lowered:
            return kind
    return "website"


def full_url(url: str) -> str:
    url = url.rstrip(".,;:)")
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def _phones(text: str) -> list[str]:
    found = []
    for match in PHONE.finditer(text):
        value = match.group().strip(" .-")
        digits = sum(ch.isdigit() for ch in value)
        if not 7 <= digits <= 15:
            continue
        groups = re.findall(r"\d+", value)
        if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
            continue  # "2018 - 2020"
        if digits < 10 and not value.startswith(("+", "(")) and len(groups) < 3:
            continue
        found.append(value)
    return found


@dataclass(slots=True)
class _Contact:
    email: str = ""
    phone: str = ""
    linkedin: str = ""
    github: str = ""
    website: str = ""


def find_contact(header: list[str], links: list[str], text: str) -> _Contact:
    """Contact fields from the header lines (then `links`, then the whole text);
    a website only from the header."""
    contact = _Contact()
    head = "\n".join(header + links)
    header_text = "\n".join(header).lower()

    def url_in_header(url: str) -> bool:
        return url.lower().split("://", 1)[-1].removeprefix("www.") in header_text

    emails = EMAIL.findall(head) or EMAIL.findall(text)
    contact.email = emails[0] if emails else ""
    phones = _phones(head) or _phones("\n".join(text.split("\n")[:40]))
    contact.phone = phones[0] if phones else ""
    for match in URL.finditer(head):
        url = full_url(match.group())
        kind = url_kind(url)
        if kind != "website":
            if not getattr(contact, kind):
                setattr(contact, kind, url)
        elif not contact.website and url_in_header(url):
            contact.website = url
    for match in LABEL.finditer(head):
        label = match.group("label").lower()
        if label not in _CONTACT_KINDS or getattr(contact, label):
            continue
        handle = re.match(r"[A-Za-z0-9_.-]{2,60}", head[match.end() :])
        if handle:
            base = "github.com" if label == "github" else "www.linkedin.com/in"
            setattr(contact, label, f"https://{base}/{handle.group()}")
    for match in URL.finditer(text):  # elsewhere: profile links only
        url = full_url(match.group())
        kind = url_kind(url)
        if kind != "website" and not getattr(contact, kind) and _profile_url(url):
            setattr(contact, kind, url)
    if not contact.website:
        for line in header:
            for match in DOMAIN.finditer(EMAIL.sub(" ", line)):
                if url_kind(match.group()) == "website":
                    contact.website = full_url(match.group())
                    break
            if contact.website:
                break
    return contact


def _profile_url(url: str) -> bool:
    path = [p for p in url.split("://", 1)[-1].split("/")[1:] if p]
    if url_kind(url) == "github":
        return len(path) == 1
    return len(path) == 2 and path[0] in ("in", "pub")


def strip_contact(line: str) -> str:
    """`line` without emails, URLs, phones and contact labels."""
    line = EMAIL.sub(" ", line)
    line = URL.sub(" ", line)
    line = DOMAIN.sub(" ", line)
    for phone in _phones(line):
        line = line.replace(phone, " ")
    line = HANDLE.sub(" ", line)
    return LABEL.sub(" ", line)


def segments_of(line: str) -> list[str]:
    parts = (s.strip(" ,;|\u2022\u00b7") for s in SEPARATORS.split(line))
    return [part for part in parts if part]


def is_place(part: str) -> bool:
    text = part.strip(" .,")
    return text in US_STATES or text.lower() in PLACES


def place_indexes(parts: list[str]) -> set[int]:
    """Indexes of location parts: known places, and a short plain part right
    before one ("San Francisco", "CA")."""
    found = {i for i, part in enumerate(parts) if is_place(part)}
    for i in range(len(parts) - 1):
        if (
            i + 1 in found
            and len(parts[i].split()) <= 3
            and not words_of(parts[i]) & (TITLE_WORDS | COMPANY_WORDS)
            and not INSTITUTION.search(parts[i])
        ):
            found.add(i)
    return found


LOCATION = re.compile(
    r"^(?:\d+[\w ]*?\s)?[A-Z][\w.'\u2019 -]*(?:,\s*[A-Z][\w.'\u2019 -]*)+$"
    r"|^(?:remote|hybrid)$",
    re.IGNORECASE,
)
STREET = re.compile(
    r"^\d+\s+\w[\w .'-]*\b(?:st|street|ave|avenue|rd|road|blvd|lane|ln|dr|drive|way)"
    r"\.?$",
    re.IGNORECASE,
)
