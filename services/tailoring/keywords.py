"""Offline keyword extraction from job descriptions.

`extract_keywords` turns a job description into `JobKeywords`: required and
preferred skills, other salient domain keywords, key responsibilities, the
years of experience asked for, the seniority level, the skills its title names
(its role) and the groups of skills it lists as alternatives ("Vitest or
Jest"). The vocabulary is in `vocabulary` (data files in `vocab/`), the term
finder in `terms`; `find_terms`, `is_skill`, `term_canonical` and `tokenize`
are re-exported here for the callers that import them from this module.
Everything here is deterministic and works without network access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.tailoring.terms import find_terms, term_spans, tokenize
from services.tailoring.vocabulary import is_skill, term_canonical

__all__ = [
    "JobKeywords",
    "extract_keywords",
    "find_terms",
    "is_skill",
    "term_canonical",
    "tokenize",
]


# ------------------------------------------------------------------ structure


@dataclass(frozen=True)
class JobKeywords:
    required_skills: list[str]
    preferred_skills: list[str]
    keywords: list[str]
    key_responsibilities: list[str]
    experience_years: int | None
    seniority_level: str | None
    # The skills the posting's title names, its role ("Front-end" for "Senior
    # Frontend Engineer"); they are required skills too.
    role_terms: list[str] = field(default_factory=list)
    # Interchangeable skills ("Vitest or Jest", "Amplitude, Mixpanel, or
    # Looker"): each group is one requirement any member meets.
    alternatives: list[list[str]] = field(default_factory=list)


_HEADINGS: list[tuple[str, str]] = [
    (
        "preferred",
        r"nice to haves?|preferred(?: qualifications| skills)?|bonus(?: points)?"
        r"|pluses|deseables?|valorable",
    ),
    (
        "required",
        r"requirements|required(?: skills| qualifications)?|qualifications"
        r"|must haves?|what you(?:'ll)? (?:need|bring)|who you are|about you"
        r"|you have|skills|requisitos|perfil",
    ),
    (
        "responsibilities",
        r"responsibilities|key responsibilities|what you(?:'ll)? do|the role"
        r"|your role|day[- ]to[- ]day|duties|responsabilidades|funciones",
    ),
    (
        "ignore",
        r"benefits|perks|what we offer|about us|about the company|who we are"
        r"|how to apply|beneficios|sobre nosotros|c[oó]mo aplicar|ofrecemos",
    ),
    (
        "intro",
        r"about the role|descripci[oó]n del trabajo|job description|description"
        r"|overview|puesto de trabajo",
    ),
]
_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?P<name>"
    + "|".join(f"(?P<{kind}_{i}>{rx})" for i, (kind, rx) in enumerate(_HEADINGS))
    + r")\s*(?::|$)\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•·▪●◦*\-\u2013\u2014]|\d+[.)])\s+")
_PREFERRED = re.compile(
    r"\b(?:nice to have|preferred|preferably|bonus|a plus|plus|desirable|ideally|"
    r"appreciated|advantage|deseable|valorable|se valorar[aá])\b",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(?:must|required|requirements?|you have|qualifications|essential|"
    r"requisitos?|imprescindible)\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"^(?:you will\s+|you'll\s+)?(?:build|design|develop|own|lead|drive|define|"
    r"collaborate|implement|maintain|write|partner|work|manage|mentor|create|"
    r"deliver|ship|author|facilitate|present|prioriti[sz]e|analy[sz]e|improve|"
    r"optimi[sz]e|deploy|architect|support|research|coordinate|establish|"
    r"desarrollar|colaborar|mantener|participar|apoyar|contribuir|realizar)\b",
    re.IGNORECASE,
)


@dataclass
class _Item:
    mode: str
    text: str
    bullet: bool


def _items(text: str) -> list[_Item]:
    """The description as classified pieces: bullets, or sentences of prose,
    each with the section mode it sits in."""
    items: list[_Item] = []
    mode = "intro"
    prose: list[str] = []
    bullet: list[str] | None = None

    def flush() -> None:
        nonlocal bullet
        if bullet is not None:
            items.append(_Item(mode, " ".join(bullet).strip(), True))
            bullet = None
        if prose:
            joined = " ".join(prose)
            for part in re.split(r"(?<=[.!?;])\s+(?=[A-Z(¿¡])|;\s*", joined):
                if part.strip():
                    items.append(_Item(mode, part.strip(), False))
            prose.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading is not None:
            flush()
            for key, value in heading.groupdict().items():
                if value and key != "name":
                    mode = key.rsplit("_", 1)[0]
                    break
            line = line[heading.end() :]
            if not line.strip():
                continue
        if _BULLET.match(line):
            flush()
            bullet = [_BULLET.sub("", line, count=1).strip()]
        elif bullet is not None:
            bullet.append(line.strip())
        else:
            prose.append(line.strip())
    flush()
    return items


_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
}
_NUM = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_YEARS = re.compile(
    rf"\b{_NUM}\s*\+?\s*(?:(?:-|\u2013|to)\s*{_NUM}\s*\+?\s*)?(?:years?|yrs?|años)\b",
    re.IGNORECASE,
)


def _experience_years(text: str) -> int | None:
    first: int | None = None
    for match in _YEARS.finditer(text):
        value = match.group(1).lower()
        years = int(value) if value.isdigit() else _NUMBERS[value]
        if years > 30:
            continue
        context = text[match.end() : match.end() + 60].lower()
        if "experience" in context or "experiencia" in context or " of " in context:
            return years
        if first is None:
            first = years
    return first


_SENIORITY: list[tuple[str, str]] = [
    (
        "Intern",
        r"\bintern(?:ship)?s?\b|\btrainee\b|\bpracticantes?\b|\bpr[aá]cticas\b"
        r"|\bestudiantes?\b",
    ),
    ("Junior", r"\bjunior\b|\bjr\.?(?=\s)|\bentry[- ]level\b|\bgraduate\b"),
    ("Mid", r"\bmid[- ]level\b|\bmid[- ]senior\b|\bintermediate\b"),
    ("Senior", r"\bsenior\b|\bsr\.?(?=\s)"),
    ("Staff", r"\bstaff (?=engineer|software|developer|data|scientist)"),
    (
        "Principal",
        r"\bprincipal (?=engineer|software|developer|data|scientist|product"
        r"|architect|designer)",
    ),
    ("Lead", r"\b(?:tech|team|technical) lead\b|\bLead (?=[A-Z])"),
    ("Director", r"\bdirector\b|\bhead of\b|\bvp\b"),
    (
        "Manager",
        r"\b(?:engineering|development|team|people|general) manager\b|"
        r"\bmanager,? (?:of|engineering)\b",
    ),
]


def _seniority(text: str) -> str | None:
    """The level named in the title (first line) or the role sentence, else the
    first level named anywhere."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    role = re.search(
        r"(?:looking for|hiring|seeking|searching for|join us as|buscando|"
        r"b[uú]squeda de)\s+(?:an?\s+|un[a]?\s+)?([^.,;:]{0,80})",
        text,
        re.IGNORECASE,
    )
    candidates = [title, role.group(1) if role else "", text]
    for chunk in candidates:
        best: tuple[int, str] | None = None
        for level, rx in _SENIORITY:
            flags = 0 if level == "Lead" else re.IGNORECASE
            hit = re.search(rx, chunk, flags)
            if hit is not None and (best is None or hit.start() < best[0]):
                best = (hit.start(), level)
        if best is not None:
            return best[1]
    return None


# Where a posting names its role: a "Job title:"/"Puesto de trabajo:" line near
# the top, a short line opening it ("Senior Backend Engineer"), or the object of
# "looking for"/"hiring"/"seeking" up to "to"/"who"/"for"... ("We are hiring a
# Senior Frontend Engineer to lead ...").
_TITLE_LABEL = re.compile(
    r"^[ \t]*(?:job[ \t]+title|position|role|title|puesto(?:[ \t]+de[ \t]+trabajo)?"
    r"|cargo|vacante)[ \t]*:[ \t]*(?P<title>\S[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_ROLE_PHRASE = re.compile(
    r"\b(?:looking for|hiring|seeking|searching for|join us as|buscando"
    r"|b[uú]squeda de)\s+(?:an?\s+|un[a]?\s+)?"
    r"(?!(?:for|to|in|at|on|by|with|our|the|para|en|con)\b)"
    r"(?P<title>[^.,;:()!?\n]{1,80})",
    re.IGNORECASE,
)
_ROLE_END = re.compile(
    r"\s(?:to|who|for|with|that|in|at|on|and|from|para|que|con|de|en|y)\s",
    re.IGNORECASE,
)
_TITLE_MAX_WORDS = 8


def _title_candidates(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = "\n".join(lines[:5])
    out = [m.group("title") for m in _TITLE_LABEL.finditer(head)]
    for line in lines[:3]:  # "Acme Corp" / "Senior Backend Engineer" / "Remote"
        if (
            len(line.split()) > _TITLE_MAX_WORDS
            or line.endswith((".", ":", "!", "?"))
            or _HEADING.match(line) is not None
        ):
            break
        out.append(line)
    role = _ROLE_PHRASE.search(text)
    if role is not None:
        out.append(_ROLE_END.split(role.group("title"), maxsplit=1)[0])
    return out


def _role_terms(text: str) -> list[str]:
    """The skills named by the posting's title (the first place naming any)."""
    for title in _title_candidates(text):
        terms = [term for term in find_terms(title) if is_skill(term)]
        if terms:
            return terms
    return []


# Separators of interchangeable items: "A or B", "A, B, or C", "A y/o B".
_OR_GAP = re.compile(r"\s*,?\s*\b(?:or|o|u|and/or|y/o)\s*", re.IGNORECASE)
_COMMA_GAP = re.compile(r"\s*,\s*")


def _or_groups(
    text: str, spans: list[tuple[int, int, str]]
) -> tuple[list[list[str]], set[str]]:
    """Groups of skills `text` (its term `spans`) lists as alternatives ("Spark
    or Ray", "Amplitude, Mixpanel, or Looker"), and the skills it names outside
    such a list."""
    spans = [span for span in spans if is_skill(span[2])]
    chains: list[tuple[list[str], bool]] = []
    previous = -1
    for start, stop, name in spans:
        gap = text[previous:start] if chains else ""
        if chains and _OR_GAP.fullmatch(gap):
            chains[-1][0].append(name)
            chains[-1] = (chains[-1][0], True)
        elif chains and _COMMA_GAP.fullmatch(gap):
            chains[-1][0].append(name)
        else:
            chains.append(([name], False))
        previous = stop
    groups: list[list[str]] = []
    alone: set[str] = set()
    for names, has_or in chains:
        unique = list(dict.fromkeys(names))
        if has_or and len(unique) > 1:
            groups.append(unique)
        else:
            alone.update(unique)
    return groups, alone


_MAX_KEYWORDS = 25
_MAX_RESPONSIBILITIES = 10


def extract_keywords(*, job_description: str) -> JobKeywords:
    """Skills, keywords, responsibilities, years and level of a job description.

    A skill is required unless every sentence naming it reads as optional ("nice
    to have", "preferred", "bonus", "a plus") or sits in a preferred section;
    sentences naming "must"/"required"/"qualifications" are required, and so is
    anything else (the default). Text under benefits/about-us/how-to-apply
    headings is ignored for skills. Lists keep the order of first appearance.

    The skills the title names (`role_terms`) are required and come first.
    Skills listed as alternatives ("Vitest or Jest") form a group of
    `alternatives` unless one of them is also asked for on its own elsewhere.
    """
    required: list[str] = []
    preferred: list[str] = []
    keywords: list[str] = []
    responsibilities: list[str] = []
    groups: list[list[str]] = []
    alone: set[str] = set()
    for item in _items(job_description):
        if item.mode == "ignore":
            continue
        if _PREFERRED.search(item.text) and not re.search(
            r"\bnot required\b", item.text, re.IGNORECASE
        ):
            optional = True
        elif _REQUIRED.search(item.text):
            optional = False
        else:
            optional = item.mode == "preferred"
        if re.search(r"\bnot required\b", item.text, re.IGNORECASE):
            optional = True
        spans = term_spans(item.text)
        for term in dict.fromkeys(name for _, _, name in spans):
            if not is_skill(term):
                if term not in keywords:
                    keywords.append(term)
            elif optional:
                if term not in preferred:
                    preferred.append(term)
            elif term not in required:
                required.append(term)
        item_groups, item_alone = _or_groups(item.text, spans)
        groups.extend(item_groups)
        alone |= item_alone
        if (
            item.mode == "responsibilities"
            or (item.mode == "intro" and _ACTION.match(item.text))
        ) and len(responsibilities) < _MAX_RESPONSIBILITIES:
            sentence = re.sub(r"^(?:you will|you'll)\s+", "", item.text, flags=re.I)
            sentence = sentence[:1].upper() + sentence[1:]
            if sentence not in responsibilities:
                responsibilities.append(sentence)
    role = _role_terms(job_description)
    required = role + [term for term in required if term not in role]
    preferred = [term for term in preferred if term not in required]
    return JobKeywords(
        required_skills=required,
        preferred_skills=preferred,
        keywords=keywords[:_MAX_KEYWORDS],
        key_responsibilities=responsibilities,
        experience_years=_experience_years(job_description),
        seniority_level=_seniority(job_description),
        role_terms=role,
        alternatives=_alternatives(groups, alone | set(role), required, preferred),
    )


def _alternatives(
    groups: list[list[str]], alone: set[str], required: list[str], preferred: list[str]
) -> list[list[str]]:
    """The groups left once skills asked for on their own are taken out; each
    skill in one group at most, all of a group's skills in one category."""
    out: list[list[str]] = []
    taken = set(alone)
    for group in groups:
        category = required if group[0] in required else preferred
        members = [t for t in group if t not in taken and t in category]
        if len(members) > 1:
            out.append(members)
            taken.update(members)
    return out
