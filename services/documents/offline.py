"""Offline resume parser: extracted resume text -> ResumeData, deterministically.

This module owns the rule-based structuring the offline engine uses (and every
engine falls back to). No network, no model, no word lists beyond small keyword
sets; one pass over the lines with precompiled regexes (about a millisecond for a
two-page resume).

1. `repair_text` (ligatures, icon junk), then lines: bullets normalised, page
   numbers dropped, "Devel-/oping" rejoined, date ranges split over two lines
   ("2017 -" / "Present") merged.
2. Section headings: short lines made of heading keywords (Experience, Work
   History, Education, Projects, Skills, Certifications, Awards, Languages,
   Summary/Profile/Objective, ...; any case, "Skills: a, b" inline too).
3. Header: name (the first name-like line, boosted when it matches the email),
   title, email, phone, location, LinkedIn/GitHub/website.
4. Experience, education and projects: entries anchored on dates ("Jan 2020 -
   Present", "2018-2020", "03/2019 - 06/2021", "Summer 2022"); the header lines
   around a date give title/company ("Title at Company", "Company | Title",
   "Title, Company, City", or one per line) or institution/degree; the lines after
   it are the description (bullets, or prose split into sentences).
5. Skills, languages, certifications, awards: lists (comma lists across wrapped
   lines, bullets, "Category: a, b").

Lines nothing claimed go to `customSections` (unknown headings keep their title;
strays go to "other"), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.documents.repair import repair_text
from services.documents.resumedata import (
    LIMITS,
    Education,
    PersonalProject,
    ResumeData,
    WorkExperience,
    empty_resume_data,
)
from services.documents.vocab import load_words

__all__ = ["parse_resume_text"]

MAX_LINE = 3000  # characters kept per line (a DOCX paragraph is one line)

# ----------------------------------------------------------------- vocabulary

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:(?:{_MONTH}|spring|summer|fall|autumn|winter),?\s*(?:{_YEAR}|'\d{{2}})"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.]\s*{_YEAR}|{_YEAR}[/.-](?:0[1-9]|1[0-2])(?!\d)"
    rf"|{_YEAR})"
)
_PRESENT = r"(?:present|current(?:ly)?|now|today|ongoing|(?:to|till) date)"
_RANGE = re.compile(
    rf"(?<![\w/])(?P<start>{_DATE})\s*(?:-{{1,2}}|\u2013|\u2014|\u2012|\u2015|~|\bto\b|\buntil\b|"
    rf"\btill\b|\bthrough\b)\s*(?P<end>{_DATE}|{_PRESENT})(?![\w/])",
    re.IGNORECASE,
)
_SINGLE = re.compile(rf"(?<![\w/.-]){_DATE}(?![\w/])", re.IGNORECASE)
_DANGLING = re.compile(rf"{_DATE}\s*(?:-{{1,2}}|\u2013|\u2014|to)$", re.IGNORECASE)
_DATE_START = re.compile(rf"^(?:{_DATE}|{_PRESENT})\b", re.IGNORECASE)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s,;|<>()]+"
    r"|\b(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com)/[^\s,;|<>()]+",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"(?<![@\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|io|dev|me|net|org|co|ai|app"
    r"|tech|site|page|xyz)(?:/[^\s,;|]*)?(?![\w@])",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w/.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,8}(?:[ .-]\d{1,8}){1,5}"
    r"(?![\w/])"
)
_LABEL = re.compile(
    r"\b(?P<label>linkedin|github|gitlab|e-?mail|phone|tel|mobile|cell|website|web"
    r"|portfolio|location|address|twitter)\s*:\s*",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"\b(?:linkedin|github|gitlab|twitter)\s*:\s*@?[A-Za-z0-9_.-]+", re.IGNORECASE
)
_SEPARATORS = re.compile(r"\s+[|•·\u2014\u2013]\s+|\s+-\s+|\s{2,}|\t")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?$|^-\s*\d{1,3}\s*-$", re.I
)
_BULLET = re.compile(r"^(?:•|\*|-{1,2}|\u2013|\u2014|o|\d{1,2}[.)]|[a-z][.)])\s+")
_DOCUMENT_TITLE = re.compile(
    r"^(?:curriculum vitae|r[eé]sum[eé]|cv|resume of .*)$", re.IGNORECASE
)
# "... graduated in 2016": a year ending a sentence, not an entry's date
_DANGLING_WORD = re.compile(
    r"\b(?:in|since|of|from|by|on|at|to|until|and|the|for|during|year)$", re.I
)
_SENTENCE_END = re.compile(r"(?:[a-z]{3,}|\d%?)[.!?] [A-Z]")
# Abbreviations whose period does not end a sentence ("Lab (Prof. Choi)").
_ABBREVIATION = re.compile(
    r"\b(?:Prof|Dr|Mr|Mrs|Ms|Inc|Co|Ltd|Corp|St|Jr|Sr|Dept|Univ|No|vs)\."
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'+#.-]*")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()) for p in text.split("|"))


def _words(text: str) -> set[str]:
    return {w.strip(".").lower() for w in _WORDS.findall(text)}


_TITLE_WORDS = _set(
    """engineer engineers developer developers manager analyst scientist intern
    internship assistant director lead leader consultant designer architect
    specialist officer administrator associate coordinator head vp president
    founder co-founder cofounder ceo cto cfo coo cio researcher teacher professor
    lecturer tutor technician representative accountant writer editor programmer
    tester owner partner advisor adviser strategist executive supervisor fellow
    trainee apprentice nurse physician attorney lawyer counsel clerk recruiter
    principal chief instructor volunteer freelancer contractor auditor agent
    operator planner producer marketer sre devops"""
)
_COMPANY_WORDS = _set(
    """inc inc. llc ltd ltd. limited corp corp. corporation company co co. gmbh ag
    plc group technologies technology solutions labs lab systems services
    consulting university college institute bank organization organisation
    agency studio studios partners foundation hospital ventures capital holdings
    industries international media networks digital interactive games health
    software"""
)
_INSTITUTION = re.compile(
    r"\b(?:univ(?:\.|ersi\w*)|college|institute|institution|school|academy|polytechnic"
    r"|polytechnique|conservatory|seminary|hochschule|iit|nit|bootcamp)\b",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"(?<![\w.])(?:b\.?\s?s\.?c?|b\.?\s?a|b\.?\s?eng|b\.?\s?tech|b\.?\s?e|b\.?\s?com"
    r"|m\.?\s?s\.?c?|m\.?\s?a|m\.?\s?eng|m\.?\s?tech|m\.?\s?phil|mba|bba|bca|mca"
    r"|ph\.?\s?d|d\.?\s?phil|ed\.?d|j\.?d|m\.?d|ll\.?[bm]|bachelor'?s?|masters?'?"
    r"|doctor(?:ate)?|associate'?s?|diploma|a-levels?|gcse|ged|high school|hnd)"
    r"(?![\w])\.?",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"^(?:specializ|specialis|major|minor|concentration|focus|thesis|gpa|cgpa"
    r"|grade|overall|percentage|honou?rs|with |cum laude|magna|summa|dean)",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"\b(?:c?gpa|grade|percentage|honou?rs|cum laude|distinction)\b", re.IGNORECASE
)
_CAMPUS_SYSTEMS = _phrases(
    """university of california|university of texas|university of wisconsin
    |university of illinois|university of maryland|university of massachusetts
    |university of north carolina|university of colorado|university of missouri
    |university of hawaii|university of nebraska|state university of new york
    |indian institute of technology|national institute of technology
    |indian institute of management"""
)
_FIELD_WORDS = _set(
    """science sciences engineering studies arts mathematics economics business
    administration management design physics chemistry biology finance
    accounting marketing law medicine psychology informatics"""
)
_US_STATES = _set(
    """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT
    NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"""
)
_PLACES = _phrases(
    """usa|us|u.s.|u.s.a.|uk|u.k.|united states|united kingdom|india|canada|germany
    |france|australia|spain|italy|netherlands|ireland|singapore|japan|china|brazil
    |mexico|new zealand|south africa|remote|hybrid|on-site|onsite|on site|worldwide
    |europe"""
)
_NOT_NAME = _set(
    """resume résumé curriculum vitae cv machine learning data science software
    project projects management web development design cloud computing services
    product university college school institute street avenue road summary
    profile experience education skills contact page references objective"""
)
_PARTICLES = _set("van von de der den da di du del della la le bin al el")
_CORP_SUFFIX = re.compile(
    r"^(?:inc|llc|l\.l\.c|ltd|corp|co|gmbh|plc|s\.a|ag|pvt\.? ltd|lp|llp)\.?$", re.I
)
_PROJECT_LABEL = re.compile(
    r"^(?:(?:personal|side|academic|course|school|university|capstone|open[- ]source"
    r"|freelance|key|research|team|group|hobby)\s+)?project\s*[:\u2013\u2014-]\s*",
    re.IGNORECASE,
)
# "Label: a, b" or, from a label column, "Label | a, b" (one label, then a list)
_CATEGORY = re.compile(
    r"^([A-Za-z][\w &/+.-]{0,30})(?::\s+(?=\S)| \| (?=[^|]*,[^|]*$))"
)

# Heading keywords -> section kind; fillers may accompany them.
_HEADINGS = {
    "experience": "experience",
    "experiences": "experience",
    "employment": "experience",
    "work": "experience",
    "career": "experience",
    "internships": "experience",
    "internship": "experience",
    "positions": "experience",
    "education": "education",
    "academic": "education",
    "academics": "education",
    "qualifications": "education",
    "studies": "education",
    "projects": "projects",
    "project": "projects",
    "portfolio": "projects",
    "skills": "skills",
    "skill": "skills",
    "competencies": "skills",
    "expertise": "skills",
    "technologies": "skills",
    "proficiencies": "skills",
    "tools": "skills",
    "strengths": "skills",
    "abilities": "skills",
    "stack": "skills",
    "certifications": "certifications",
    "certification": "certifications",
    "certificates": "certifications",
    "licenses": "certifications",
    "licences": "certifications",
    "credentials": "certifications",
    "training": "certifications",
    "courses": "certifications",
    "coursework": "certifications",
    "awards": "awards",
    "honors": "awards",
    "honours": "awards",
    "achievements": "awards",
    "accomplishments": "awards",
    "recognition": "awards",
    "scholarships": "awards",
    "languages": "languages",
    "summary": "summary",
    "profile": "summary",
    "about": "summary",
    "objective": "summary",
    "overview": "summary",
    "introduction": "summary",
    "bio": "summary",
    "statement": "summary",
    "contact": "contact",
    "links": "contact",
    "interests": "custom",
    "hobbies": "custom",
    "volunteer": "custom",
    "volunteering": "custom",
    "publications": "custom",
    "references": "custom",
    "activities": "custom",
    "leadership": "custom",
    "extracurricular": "custom",
    "memberships": "custom",
    "affiliations": "custom",
    "conferences": "custom",
    "talks": "custom",
    "presentations": "custom",
    "patents": "custom",
    "research": "custom",
    "teaching": "custom",
    "extracurriculars": "custom",
    "involvement": "custom",
    "organizations": "custom",
    "associations": "custom",
    "military": "custom",
    "community": "custom",
    "service": "custom",
}
# Single words that are as often list items as headings: headings only when
# ALL CAPS, followed by ":" or combined with another keyword.
_WEAK_HEADINGS = _set(
    "leadership research training tools technologies strengths expertise "
    "activities portfolio stack abilities courses work career statement teaching "
    "service community military involvement organizations"
)
_FILLERS = _set(
    """and & of my other relevant professional key technical additional selected
    personal core recent select areas information details side main history
    programming tech soft hard me info honors"""
)


@dataclass(slots=True)
class _Line:
    text: str  # without the bullet marker
    bullet: bool
    years: str = ""  # normalised date span when the line is an entry anchor
    rest: str = ""  # text without the date span
    anchor: bool = False
    joined: bool = False  # continues the previous header line (wrapped)


@dataclass(slots=True)
class _Section:
    kind: str
    title: str
    lines: list[str]
    indexes: list[int]  # position of each line in the document's lines


# ----------------------------------------------------------------- line prep


def _prepare(text: str) -> list[str]:
    """Cleaned lines: page numbers dropped, bullets as "• ", hyphenated line
    breaks and dangling date ranges joined."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()[:MAX_LINE]
        if not line or _PAGE_NUMBER.match(line):
            continue
        if not _DATE_START.match(line.lstrip("-\u2013\u2014 ")) and _BULLET.match(line):
            line = "• " + _BULLET.sub("", line, count=1).strip()
            if line == "•":
                continue
        if out:
            prev = out[-1]
            if (
                prev.endswith("-")
                and len(prev) > 2
                and prev[-2].islower()
                and line[:1].islower()
            ):
                out[-1] = prev[:-1] + line
                continue
            if _DANGLING.search(prev) and _DATE_START.match(line):
                out[-1] = f"{prev} {line}"
                continue
        out.append(line)
    return out


def _heading(line: str) -> tuple[str, str, str] | None:
    """(kind, title, inline rest) when `line` is a section heading."""
    if line.startswith("•") or len(line) > 60:
        return None
    head, rest = line, ""
    colon = line.find(":")
    if 0 < colon < len(line) - 1:
        head, rest = line[:colon], line[colon + 1 :].strip()
    title = head.strip(" :-\u2013\u2014|#*_=~.")
    if not title or any(ch.isdigit() for ch in title):
        return None
    words = re.findall(r"[a-z]+|&", title.lower())
    if not words or len(words) > 5:
        return None
    keywords = [w for w in words if w in _HEADINGS]
    if not keywords or any(w not in _HEADINGS and w not in _FILLERS for w in words):
        return None
    strong = (
        len(words) > 1
        or keywords[0] not in _WEAK_HEADINGS
        or title.isupper()
        or line.rstrip().endswith(":")
    )
    if not strong:
        return None
    if rest and title.lower() not in (
        "skills",
        "languages",
        "technical skills",
        "certifications",
        "awards",
        "interests",
        "hobbies",
        "summary",
    ):
        return None
    kind = _HEADINGS[keywords[0]]
    if "programming" in words or "skills" in keywords:
        kind = "skills"
    elif keywords[0] in ("research", "teaching", "military") and any(
        _HEADINGS[w] == "experience" for w in keywords
    ):
        kind = "experience"  # "Research Experience": jobs with dates and titles
    return kind, title, rest


def _sections(lines: list[str]) -> list[_Section]:
    sections = [_Section("header", "", [], [])]
    for index, line in enumerate(lines):
        found = _heading(line)
        if found is None or (found[2] and sections[-1].kind == "skills"):
            sections[-1].lines.append(line)
            sections[-1].indexes.append(index)
            continue
        kind, title, rest = found
        sections.append(
            _Section(kind, title, [rest] if rest else [], [index] if rest else [])
        )
    return sections


# ------------------------------------------------------------------- contact

_CONTACT_KINDS = ("linkedin", "github")


def _url_kind(url: str) -> str:
    lowered = url.lower()
    for kind in ("linkedin", "github"):
        if f"{kind}.com" in lowered:
            return kind
    return "website"


def _full_url(url: str) -> str:
    url = url.rstrip(".,;:)")
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def _phones(text: str) -> list[str]:
    found = []
    for match in _PHONE.finditer(text):
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


def _contact(header: list[str], links: list[str], text: str) -> _Contact:
    """Contact fields from the header lines (then `links`, then the whole text);
    a website only from the header."""
    contact = _Contact()
    head = "\n".join(header + links)
    header_text = "\n".join(header).lower()

    def url_in_header(url: str) -> bool:
        return url.lower().split("://", 1)[-1].removeprefix("www.") in header_text

    emails = _EMAIL.findall(head) or _EMAIL.findall(text)
    contact.email = emails[0] if emails else ""
    phones = _phones(head) or _phones("\n".join(text.split("\n")[:40]))
    contact.phone = phones[0] if phones else ""
    for match in _URL.finditer(head):
        url = _full_url(match.group())
        kind = _url_kind(url)
        if kind != "website":
            if not getattr(contact, kind):
                setattr(contact, kind, url)
        elif not contact.website and url_in_header(url):
            contact.website = url
    for match in _LABEL.finditer(head):
        label = match.group("label").lower()
        if label not in _CONTACT_KINDS or getattr(contact, label):
            continue
        handle = re.match(r"[A-Za-z0-9_.-]{2,60}", head[match.end() :])
        if handle:
            base = "github.com" if label == "github" else "www.linkedin.com/in"
            setattr(contact, label, f"https://{base}/{handle.group()}")
    for match in _URL.finditer(text):  # elsewhere: profile links only
        url = _full_url(match.group())
        kind = _url_kind(url)
        if kind != "website" and not getattr(contact, kind) and _profile_url(url):
            setattr(contact, kind, url)
    if not contact.website:
        for line in header:
            for match in _DOMAIN.finditer(_EMAIL.sub(" ", line)):
                if _url_kind(match.group()) == "website":
                    contact.website = _full_url(match.group())
                    break
            if contact.website:
                break
    return contact


def _profile_url(url: str) -> bool:
    path = [p for p in url.split("://", 1)[-1].split("/")[1:] if p]
    if _url_kind(url) == "github":
        return len(path) == 1
    return len(path) == 2 and path[0] in ("in", "pub")


def _strip_contact(line: str) -> str:
    """`line` without emails, URLs, phones and contact labels."""
    line = _EMAIL.sub(" ", line)
    line = _URL.sub(" ", line)
    line = _DOMAIN.sub(" ", line)
    for phone in _phones(line):
        line = line.replace(phone, " ")
    line = _HANDLE.sub(" ", line)
    return _LABEL.sub(" ", line)


def _segments(line: str) -> list[str]:
    parts = (s.strip(" ,;|\u2022\u00b7") for s in _SEPARATORS.split(line))
    return [part for part in parts if part]


def _is_place(part: str) -> bool:
    text = part.strip(" .,")
    return text in _US_STATES or text.lower() in _PLACES


def _places(parts: list[str]) -> set[int]:
    """Indexes of location parts: known places, and a short plain part right
    before one ("San Francisco", "CA")."""
    found = {i for i, part in enumerate(parts) if _is_place(part)}
    for i in range(len(parts) - 1):
        if (
            i + 1 in found
            and len(parts[i].split()) <= 3
            and not _words(parts[i]) & (_TITLE_WORDS | _COMPANY_WORDS)
            and not _INSTITUTION.search(parts[i])
        ):
            found.add(i)
    return found


_LOCATION = re.compile(
    r"^(?:\d+[\w ]*?\s)?[A-Z][\w.'\u2019 -]*(?:,\s*[A-Z][\w.'\u2019 -]*)+$"
    r"|^(?:remote|hybrid)$",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"^\d+\s+\w[\w .'-]*\b(?:st|street|ave|avenue|rd|road|blvd|lane|ln|dr|drive|way)"
    r"\.?$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------- name


def _name_like(text: str) -> bool:
    tokens = text.split()
    if (
        not 2 <= len(tokens) <= 5
        or len(text) > 50
        or not any(c.isupper() for c in text)
    ):
        return False
    for token in tokens:
        bare = token.strip(",")
        if bare.lower() in _PARTICLES:
            continue
        if not re.fullmatch(r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'\u2019-]*\.?|[A-Z]\.", bare):
            return False
    lowered = _words(text)
    return not (
        lowered & _NOT_NAME or lowered & _TITLE_WORDS or lowered & _COMPANY_WORDS
    )


_HONORIFIC = re.compile(r"^(?:dr|mr|mrs|ms|miss|mx|prof|sir)\.?\s+", re.IGNORECASE)
_POSTNOMINAL = re.compile(
    r"(?:,\s*|\s+)(?:ph\.?\s?d\.?|m\.?d\.?|mba|cpa|cfa|pmp|p\.?e\.?|esq\.?"
    r"|m\.?sc\.?|b\.?sc\.?|ms|ma|acca|aca|rn)$",
    re.IGNORECASE,
)


def _bare_name(text: str) -> str:
    """`text` without an honorific ("Dr.") or post-nominal letters (", PhD")."""
    previous = None
    while previous != text:
        previous = text
        text = _POSTNOMINAL.sub("", _HONORIFIC.sub("", text.strip())).strip(" ,")
    return text


def _pretty_name(text: str) -> str:
    text = " ".join(text.replace(",", " ").split())
    if text.isupper():
        return " ".join(
            w.lower()
            if w.lower() in _PARTICLES
            else re.sub(r"[A-Z]+", lambda m: m[0].capitalize(), w)
            for w in text.split()
        )
    return text


def name_from_email(email: str) -> str:
    """A name guessed from an address like "jane.doe@..." (two or three alphabetic
    parts), else "". The caller's warnings say it was guessed."""
    parts = re.split(r"[._-]", email.split("@")[0]) if "@" in email else []
    if not 2 <= len(parts) <= 3 or not all(p.isalpha() and len(p) > 1 for p in parts):
        return ""
    return " ".join(p.capitalize() for p in parts)


def _find_name(lines: list[str], header_end: int, email: str) -> tuple[int, str]:
    """(line index, name) of the best name candidate in the first lines."""
    local = set(re.split(r"[._+-]", email.split("@")[0].lower())) if email else set()
    best: tuple[float, int, str] = (float("-inf"), -1, "")
    for index, line in enumerate(lines[:40]):
        if line.startswith("•") or _heading(line) or "@" in line:
            continue
        if index >= header_end and "," in line:  # a list item of a section
            continue
        first = [_bare_name(part) for part in _segments(line)[:1]]
        if not first or not _name_like(first[0]):
            continue
        name = _pretty_name(first[0])
        score = 100.0 - 2 * index + (40 if index < header_end else 0)
        tokens = {t.lower() for t in name.split()}
        compact = "".join(sorted(local))
        score += sum(25 for t in tokens if len(t) > 2 and t in compact)
        if score > best[0]:
            best = (score, index, name)
    return best[1], best[2]


# ------------------------------------------------------------------- entries


def _clean_rest(text: str, start: int, end: int) -> str:
    before, after = text[:start].rstrip(" (["), text[end:].lstrip(" )]")
    joined = f"{before} | {after}" if before and after else before or after
    joined = re.sub(r"(?:\s*[|,•·\u2013\u2014-]\s*){2,}", " | ", joined)
    joined = joined.strip(" |,;:•·\u2013\u2014-")
    if joined.startswith("(") and ")" not in joined:
        joined = joined[1:]
    if joined.endswith("(") or (joined.endswith(")") and "(" not in joined):
        joined = joined[:-1]
    return joined.strip()


def _analyse(line: str) -> _Line:
    if line.startswith("• "):
        return _Line(line[2:], True)
    info = _Line(line, False)
    match = _RANGE.search(line)
    if match is not None:
        rest = _clean_rest(line, match.start(), match.end())
        if len(rest.split()) <= 16 and not rest.endswith("."):
            end = match.group("end")
            end = end[:1].upper() + end[1:] if end.islower() else end
            start = " ".join(match.group("start").split())
            info.years = f"{start} - {' '.join(end.split())}"
            # an earlier single date beside the range: "Sep. 2013, Mar. 2011 - ..."
            extra = _SINGLE.search(rest)
            if extra is not None and extra.end() == len(rest):
                info.years = f"{' '.join(extra.group().split())}, {info.years}"
                rest = _clean_rest(rest, extra.start(), extra.end())
            info.rest, info.anchor = rest, True
            return info
    for match in _SINGLE.finditer(line):
        before, after = line[: match.start()], line[match.end() :]
        edge = not re.search(r"\w", before) or not re.search(r"\w", after)
        rest = _clean_rest(line, match.start(), match.end())
        if (
            edge
            and len(rest.split()) <= 12
            and not rest.endswith(".")
            and not rest[:1].islower()
            and not _DANGLING_WORD.search(before.strip(" ,(["))
        ):
            info.years = " ".join(match.group().split())
            info.rest, info.anchor = rest, True
            return info
    info.rest = line
    return info


def _headerish(line: _Line) -> bool:
    text = line.text
    # " | " parts are fields the page layout set apart: each is measured alone
    longest = max(text.split(" | "), key=len) if text else ""
    if line.bullet or not text or len(longest) > 100 or len(longest.split()) > 10:
        return False
    if text.endswith((".", ";")) and not re.search(
        r"\b(?:inc|ltd|co|corp|jr|sr)\.$", text, re.I
    ):
        return False
    if _SENTENCE_END.search(_ABBREVIATION.sub("X", text)):
        return False
    return text[0].isupper() or text[0].isdigit()


def _parts(text: str) -> list[str]:
    """Header fields: split on separators, " at ", and commas outside brackets;
    corporate suffixes ("Inc.") stay with their company."""
    at = re.split(r"\s+(?:at|@)\s+", text, maxsplit=1)
    pieces = at if len(at) == 2 and _words(at[0]) & _TITLE_WORDS else [text]
    out: list[str] = []
    for piece in pieces:
        for segment in _SEPARATORS.split(piece):
            for part in re.split(r",\s*(?![^()]*\))|;\s*", segment):
                part = part.strip(" |,;:\u2013\u2014-")
                if not part:
                    continue
                if out and _CORP_SUFFIX.match(part):
                    out[-1] = f"{out[-1]}, {part}"
                else:
                    out.append(part)
    return out


def _continuation(lines: list[_Line], index: int) -> bool:
    prev = lines[index - 1] if index > 0 else None
    return prev is not None and not prev.anchor and lines[index].text[:1].islower()


def _group(
    lines: list[_Line], kind: str, width: int
) -> tuple[list[int], list[list[int]]]:
    """(unclaimed preamble line indexes, header line indexes per entry)."""
    count = len(lines)
    anchors = [i for i, line in enumerate(lines) if line.anchor]
    if not anchors:
        anchors = _pseudo_anchors(lines, kind)
    claimed = [False] * count
    groups: list[list[int]] = []
    for anchor in anchors:
        if claimed[anchor]:
            continue
        claimed[anchor] = True
        need = _need(kind, lines[anchor].rest)
        back: list[int] = []
        j = anchor - 1
        while (
            need > 0
            and j >= 0
            and not claimed[j]
            and not lines[j].anchor
            and _headerish(lines[j])
            and not _continuation(lines, j)
            and _fits(kind, lines[j].text, need)
        ):
            back.insert(0, j)
            need -= _weight(lines[j].text)
            j -= 1
        forward: list[int] = []
        k = anchor + 1
        while (
            not back
            and need > 0
            and k < count
            and not lines[k].anchor
            and _headerish(lines[k])
            and _fits(kind, lines[k].text, need)
        ):
            forward.append(k)
            need -= _weight(lines[k].text)
            k += 1
        group = [*back, anchor, *forward]
        last = group[-1]
        nxt = last + 1
        if (
            nxt < count
            and not lines[nxt].anchor
            and _headerish(lines[nxt])
            and len(lines[nxt].text.split()) <= 6
            and ":" not in lines[nxt].text
            and _wrapped(lines[last].text, width)
        ):
            group.append(nxt)
            lines[nxt].joined = True
        for index in group:
            claimed[index] = True
        groups.append(group)
    first = groups[0][0] if groups else count
    return list(range(first)), groups


def _fits(kind: str, text: str, need: int) -> bool:
    """Whether `text` may complete an entry header: for an education entry that
    already has one of institution/degree (need 1), only a line with the other."""
    if kind != "education" or need > 1:
        return True
    return bool(_INSTITUTION.search(text) or _DEGREE.search(text))


def _weight(text: str) -> int:
    """How many header fields a line carries (at least one)."""
    parts = _parts(text)
    places = _places(parts)
    return max(1, sum(1 for i, p in enumerate(parts) if i not in places))


def _is_note(part: str) -> bool:
    return bool(_QUALIFIER.match(part) or _NOTE.search(part))


def _need(kind: str, rest: str) -> int:
    """How many more header lines an entry anchored on a line with `rest` wants."""
    every = _parts(rest)
    places = _places(every)
    parts = [p for i, p in enumerate(every) if i not in places and not _is_note(p)]
    if kind == "projects":
        return 0 if parts else 1
    if kind == "education":
        degree = [p for p in parts if _DEGREE.search(p)]
        if any(_INSTITUTION.search(p) for p in parts):
            return 0 if degree else 1
        others = [p for p in parts if p not in degree and not _words(p) & _FIELD_WORDS]
        if degree and others:
            return 0
        return 1 if parts else 2
    return max(0, 2 - len(parts))


def _wrapped(text: str, width: int) -> bool:
    return text.endswith((",", "&", " and", " of", " in", " for")) or (
        width > 0 and len(text) >= 0.8 * width
    )


def _pseudo_anchors(lines: list[_Line], kind: str) -> list[int]:
    anchors = []
    for index, line in enumerate(lines):
        if not _headerish(line) or _continuation(lines, index):
            continue
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        if kind == "education":
            if _INSTITUTION.search(line.text) or _DEGREE.search(line.text):
                anchors.append(index)
        elif nxt is not None and (nxt.bullet or not _headerish(nxt)):
            anchors.append(index)
    # One anchor per block of adjacent header lines: the last of each block.
    return [a for a in anchors if a + 1 not in anchors]


def _items(lines: list[_Line], *, sentences: bool) -> list[str]:
    """Description items: bullets start items, other lines continue the open item
    or start a paragraph (split into sentences when `sentences`)."""
    items: list[tuple[bool, str]] = []
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if line.bullet or not items:
            items.append((line.bullet, text))
        else:
            bullet, current = items[-1]
            items[-1] = (bullet, f"{current} {text}")
    out: list[str] = []
    for bullet, text in items:
        if sentences and not bullet:
            out.extend(
                s.strip() for s in re.split(r"(?<=[a-z0-9%)][.!?])\s+(?=[A-Z])", text)
            )
        else:
            out.append(text)
    return [_clip(item, "item") for item in out if item]


def _clip(text: str, limit: str = "short") -> str:
    return " ".join(text.split())[: LIMITS[limit]]


def _header_parts(lines: list[_Line], group: list[int]) -> list[list[str]]:
    texts: list[str] = []
    for position, i in enumerate(group):
        text = lines[i].rest if lines[i].anchor else lines[i].text
        if lines[i].joined and texts:
            glue = ", " if lines[group[position - 1]].text.endswith(",") else " "
            texts[-1] = f"{texts[-1]}{glue}{text}"
        else:
            texts.append(text)
    return [_parts(text) for text in texts]


def _experience(lines: list[_Line], groups: list[list[int]]) -> list[WorkExperience]:
    out: list[WorkExperience] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        per_line = _header_parts(lines, group)
        flat = [(li, p) for li, parts in enumerate(per_line) for p in parts]
        parts = [p for _, p in flat]
        places: set[int] = set()
        offset = 0
        for line_parts in per_line:
            places.update(offset + i for i in _places(line_parts))
            offset += len(line_parts)
        title_at = next(
            (i for i, p in enumerate(parts) if _words(p) & _TITLE_WORDS), None
        )
        if title_at is None and parts:
            companyish = [bool(_words(p) & _COMPANY_WORDS) for p in parts]
            title_at = (
                1 if len(parts) > 1 and companyish[0] and not companyish[1] else 0
            )
            if len(parts) == 1 and companyish[0]:
                title_at = None
        candidates = [i for i in range(len(parts)) if i != title_at and i not in places]
        company_at = next(
            (i for i in candidates if _words(parts[i]) & _COMPANY_WORDS),
            candidates[0] if candidates else None,
        )
        location = []
        extra = []
        for i, (li, part) in enumerate(flat):
            if i in (title_at, company_at):
                continue
            same_line = company_at is not None and li == flat[company_at][0]
            if (same_line and i > (company_at or 0)) or i in places:
                location.append(part)
            else:
                extra.append(part)
        entry: WorkExperience = {
            "id": number,
            "title": _clip(parts[title_at]) if title_at is not None else "",
            "company": _clip(parts[company_at]) if company_at is not None else "",
            "years": _clip(_years(lines, group)),
            "description": (extra + _items(body, sentences=True))[: LIMITS["bullets"]],
        }
        if location:
            entry["location"] = _clip(", ".join(location))
        out.append(entry)
    return out


def _years(lines: list[_Line], group: list[int]) -> str:
    return next((lines[i].years for i in group if lines[i].years), "")


def _bodies(
    lines: list[_Line], groups: list[list[int]]
) -> list[tuple[list[int], list[_Line]]]:
    out = []
    for index, group in enumerate(groups):
        end = groups[index + 1][0] if index + 1 < len(groups) else len(lines)
        body = [lines[i] for i in range(group[-1] + 1, end) if i not in group]
        out.append((group, body))
    return out


def _education(lines: list[_Line], groups: list[list[int]]) -> list[Education]:
    out: list[Education] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        parts = [p for ps in _header_parts(lines, group) for p in ps]
        notes = [p for p in parts if _NOTE.search(p)]
        parts = [p for p in parts if p not in notes]
        inst = next((i for i, p in enumerate(parts) if _INSTITUTION.search(p)), None)
        if inst is not None and inst + 1 < len(parts):
            campus = parts[inst + 1]
            repeated = inst + 2 < len(parts) and parts[inst + 2] == campus
            if (
                (repeated or parts[inst].lower() in _CAMPUS_SYSTEMS)
                and not _is_place(campus)
                and len(campus.split()) <= 3
            ):
                parts[inst : inst + 2] = [f"{parts[inst]}, {campus}"]
        degree_at = next(
            (
                i
                for i, p in enumerate(parts)
                if _DEGREE.search(p) and not _is_place(p) and i != inst
            ),
            None,
        )
        if inst is None:
            after = (degree_at + 1) if degree_at is not None else 0
            order = [*range(after, len(parts)), *range(after)]
            inst = next(
                (
                    i
                    for i in order
                    if i != degree_at
                    and not _QUALIFIER.match(parts[i])
                    and not _is_place(parts[i])
                    and not (_words(parts[i]) & _FIELD_WORDS)
                ),
                None,
            )
        degree = ""
        if degree_at is not None:
            stop = inst if inst is not None and inst > degree_at else len(parts)
            chosen = [parts[degree_at]]
            for part in parts[degree_at + 1 : stop]:
                if _is_place(part) or (
                    stop == len(parts)
                    and not _QUALIFIER.match(part)
                    and not _words(part) & _FIELD_WORDS
                ):
                    break
                chosen.append(part)
            degree = ", ".join(chosen)
        elif (
            inst is not None
            and inst + 1 < len(parts)
            and not _is_place(parts[inst + 1])
        ):
            degree = parts[inst + 1]
        entry: Education = {
            "id": number,
            "institution": _clip(parts[inst]) if inst is not None else "",
            "degree": _clip(degree),
            "years": _clip(_years(lines, group)),
        }
        description = notes + _items(body, sentences=False)
        if description:
            entry["description"] = "\n".join(description)[: LIMITS["item"]]
        out.append(entry)
    return out


def _projects(lines: list[_Line], groups: list[list[int]]) -> list[PersonalProject]:
    out: list[PersonalProject] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        header = " | ".join(
            lines[i].rest if lines[i].anchor else lines[i].text for i in group
        )
        urls = [_full_url(m.group()) for m in _URL.finditer(header)]
        for line in body:
            urls.extend(_full_url(m.group()) for m in _URL.finditer(line.text))
        parts = _parts(_PROJECT_LABEL.sub("", _URL.sub(" ", header).strip()))
        parts = [_PROJECT_LABEL.sub("", p) for p in parts]
        role_at = next(
            (i for i, p in enumerate(parts) if i > 0 and _words(p) & _TITLE_WORDS), None
        )
        extra = [p for i, p in enumerate(parts) if i not in (0, role_at)]
        entry: PersonalProject = {
            "id": number,
            "name": _clip(parts[0]) if parts else "",
            "role": _clip(parts[role_at]) if role_at is not None else "",
            "years": _clip(_years(lines, group)),
            "description": (extra + _items(body, sentences=True))[: LIMITS["bullets"]],
        }
        for url in urls:
            key = "github" if _url_kind(url) == "github" else "website"
            if key not in entry:
                entry[key] = _clip(url)  # type: ignore[literal-required]
        out.append(entry)
    return out


# --------------------------------------------------------------------- lists


def _split_list(text: str) -> list[str]:
    items: list[str] = []
    for chunk in re.split(r"[,;](?![^()]*\))|\s[|•·]\s", text):
        chunk = chunk.strip(" .:-\u2013\u2014")
        inner: list[str] = []
        paren = re.search(r"\(([^()]*[,;][^()]*)\)", chunk)
        if paren:
            inner = [p.strip() for p in re.split(r"[,;]", paren.group(1)) if p.strip()]
            chunk = (chunk[: paren.start()] + chunk[paren.end() :]).strip()
        chunk = re.sub(r"^(?:and|&)\s+", "", chunk, flags=re.I)
        if len(chunk.split()) <= 6 and re.search(r"\s(?:and|&)\s", chunk):
            items.extend(p.strip() for p in re.split(r"\s(?:and|&)\s", chunk))
        elif chunk:
            items.append(chunk)
        items.extend(inner)
    return [item for item in items if item]


def _list_items(lines: list[str], *, split: bool) -> list[str]:
    """Items of a list section: comma lists may wrap over lines; bullets and
    one-item lines start items; "Category: a, b" lists its items."""
    chunks: list[str] = []
    for line in lines:
        bullet = line.startswith("• ")
        text = line[2:] if bullet else line
        labelled = split and _CATEGORY.match(text) is not None
        if labelled:
            text = _CATEGORY.sub("", text)
        prev = chunks[-1] if chunks else ""
        continues = (
            chunks
            and not bullet
            and not labelled
            and (
                text[:1].islower()
                or prev.endswith((",", "&", "-", "/"))
                or (split and "," in prev and "," in text)
                or (split and "," in prev and len(text.split()) <= 3)
            )
        )
        if continues:
            chunks[-1] = f"{prev} {text}"
        else:
            chunks.append(text)
    if not split:
        return [_clip(c, "item") for c in chunks if c.strip()]
    out: list[str] = []
    for chunk in chunks:
        out.extend(_split_list(chunk))
    return [_clip(item) for item in out]


def _spoken_label(line: str) -> bool:
    """A "Languages: English, French" group inside a skills section (not
    "Languages: Python, Go": the items must be mostly natural languages)."""
    text = line.removeprefix("• ")
    match = _CATEGORY.match(text)
    if match is None or "language" not in match.group(1).lower():
        return False
    items = _split_list(text[match.end() :])
    known = load_words("spoken_languages.txt")
    spoken = [i for i in items if i.split(" ")[0].strip("()").lower() in known]
    return len(spoken) > len(items) / 2


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out[: LIMITS["list"]]


# ---------------------------------------------------------------------- main


def _width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if len(line.split()) > 8)
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def parse_resume_text(text: str) -> ResumeData:
    """ResumeData for plain resume text (from `extract_text` or pasted)."""
    data = empty_resume_data()
    lines = _prepare(repair_text(text[:500_000]))
    if not lines:
        return data
    sections = _sections(lines)
    full = "\n".join(lines)
    header_only = [
        line
        for s in sections
        if s.kind == "header" or (s.kind == "contact" and s.title.lower() != "links")
        for line in s.lines
    ]
    links = [line for s in sections if s.title.lower() == "links" for line in s.lines]
    contact = _contact(header_only, links, full)
    info = data["personalInfo"]
    info["email"] = _clip(contact.email)
    info["phone"] = _clip(contact.phone)
    for key in ("linkedin", "github", "website"):
        if value := getattr(contact, key):
            info[key] = _clip(value)  # type: ignore[literal-required]

    name_index, name = _find_name(lines, len(sections[0].lines), contact.email)
    info["name"] = _clip(name or name_from_email(contact.email))
    consumed: set[int] = set()
    if name_index >= 0:
        consumed.add(name_index)
        segments = _segments(lines[name_index])
        title_line = segments[1] if len(segments) > 1 else ""
        nxt = name_index + 1
        if not title_line and nxt < len(lines) and _title_like(lines[nxt]):
            title_line = lines[nxt]
            consumed.add(nxt)
        info["title"] = _clip(title_line)
    for section in sections:
        keep = [k for k, i in enumerate(section.indexes) if i not in consumed]
        section.lines = [section.lines[k] for k in keep]
        section.indexes = [section.indexes[k] for k in keep]
    header = sections[0].lines + [
        line for s in sections if s.kind == "contact" for line in s.lines
    ]
    leftovers: list[str] = []
    address: list[str] = []
    summary: list[str] = []
    for line in header:
        if _DOCUMENT_TITLE.match(line):
            continue
        remainder = _strip_contact(line)
        parts = _segments(remainder)
        placed = False
        for part in parts:
            if not info["location"] and _LOCATION.match(part) and len(part) < 80:
                info["location"] = _clip(", ".join([*address, part]))
                placed = True
            elif _STREET.match(part):
                address.append(part)
                placed = True
        if not parts or placed:
            continue
        rest = " ".join(parts)
        if len(rest.split()) >= 8:
            summary.append(rest)
        elif not _is_place(rest):
            leftovers.append(rest)
    if address and not info["location"]:
        info["location"] = _clip(", ".join(address))

    width = _width(lines)
    additional = data["additional"]
    for section in sections[1:]:
        kind = section.kind
        if kind == "summary":
            summary.append(" ".join(line.removeprefix("• ") for line in section.lines))
        elif kind in ("experience", "education", "projects"):
            analysed = [_analyse(line) for line in section.lines]
            preamble, groups = _group(analysed, kind, width)
            if kind == "experience":
                data["workExperience"].extend(_experience(analysed, groups))
            elif kind == "education":
                data["education"].extend(_education(analysed, groups))
            else:
                data["personalProjects"].extend(_projects(analysed, groups))
            stray = _items([analysed[i] for i in preamble], sentences=False)
            if stray:
                _custom(data, section.title, stray)
        elif kind == "skills":
            spoken = [line for line in section.lines if _spoken_label(line)]
            others = [line for line in section.lines if line not in spoken]
            additional["technicalSkills"].extend(_list_items(others, split=True))
            additional["languages"].extend(_list_items(spoken, split=True))
        elif kind == "languages":
            additional["languages"].extend(_list_items(section.lines, split=True))
        elif kind == "certifications":
            additional["certificationsTraining"].extend(
                _list_items(section.lines, split=False)
            )
        elif kind == "awards":
            additional["awards"].extend(_list_items(section.lines, split=False))
        elif kind == "contact":
            continue
        elif section.lines:
            _custom(data, section.title, _list_items(section.lines, split=False))
    if leftovers:
        _custom(data, "Other", leftovers)
    data["summary"] = _clip(" ".join(summary), "long")
    for key in ("technicalSkills", "languages", "certificationsTraining", "awards"):
        additional[key] = _dedupe(additional[key])  # type: ignore[literal-required]
    for key in ("workExperience", "education", "personalProjects"):
        entries = data[key]  # type: ignore[literal-required]
        del entries[LIMITS["entries"] :]
        for number, entry in enumerate(entries, start=1):
            entry["id"] = number
    return data


def _title_like(line: str) -> bool:
    if line.startswith("•") or _heading(line) or len(line.split()) > 7:
        return False
    if any(ch.isdigit() for ch in line) or "@" in line or _URL.search(line):
        return False
    if _LOCATION.match(line) or _LABEL.search(line):
        return False
    return bool(_words(line) & _TITLE_WORDS) or (
        len(line.split()) <= 6 and line[:1].isupper() and not line.endswith(".")
    )


def _custom(data: ResumeData, title: str, items: list[str]) -> None:
    key = (
        re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[: LIMITS["key"]] or "other"
    )
    sections = data["customSections"]
    if key in sections:
        sections[key]["items"].extend(items)
        del sections[key]["items"][LIMITS["list"] :]
    elif len(sections) < LIMITS["sections"]:
        sections[key] = {
            "title": _clip(title or "Other"),
            "items": items[: LIMITS["list"]],
        }
