"""Experience, education and project entries: lines anchored on dates, the
header lines around each date split into title, company, location or
institution and degree, the lines after it the description.
"""

from __future__ import annotations

import re
from typing import Literal

from services.documents.contact import (
    full_url,
    is_place,
    place_indexes,
    url_kind,
)
from services.documents.dates import (
    RANGE,
    SINGLE,
)
from services.documents.lines import Line
from services.documents.resumedata import (
    LIMITS,
    Education,
    PersonalProject,
    WorkExperience,
)
from services.documents.vocabulary import (
    ABBREVIATION,
    CAMPUS_SYSTEMS,
    COMPANY_WORDS,
    CORP_SUFFIX,
    DANGLING_WORD,
    DEGREE,
    FIELD_WORDS,
    INSTITUTION,
    NOTE,
    PROJECT_LABEL,
    QUALIFIER,
    SENTENCE_END,
    SEPARATORS,
    TITLE_WORDS,
    URL,
    words_of,
)


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


def analyse(line: str) -> Line:
    if line.startswith("• "):
        return Line(line[2:], True)
    info = Line(line, False)
    match = RANGE.search(line)
    if match is not None:
        rest = _clean_rest(line, match.start(), match.end())
        if len(rest.split()) <= 16 and not rest.endswith("."):
            end = match.group("end")
            end = end[:1].upper() + end[1:] if end.islower() else end
            start = " ".join(match.group("start").split())
            info.years = f"{start} - {' '.join(end.split())}"
            # an earlier single date beside the range: "Sep. 2013, Mar. 2011 - ..."
            extra = SINGLE.search(rest)
            if extra is not None and extra.end() == len(rest):
                info.years = f"{' '.join(extra.group().split())}, {info.years}"
                rest = _clean_rest(rest, extra.start(), extra.end())
            info.rest, info.anchor = rest, True
            return info
    for match in SINGLE.finditer(line):
        before, after = line[: match.start()], line[match.end() :]
        edge = not re.search(r"\w", before) or not re.search(r"\w", after)
        rest = _clean_rest(line, match.start(), match.end())
        if (
            edge
            and len(rest.split()) <= 12
            and not rest.endswith(".")
            and not rest[:1].islower()
            and not DANGLING_WORD.search(before.strip(" ,(["))
        ):
            info.years = " ".join(match.group().split())
            info.rest, info.anchor = rest, True
            return info
    info.rest = line
    return info


# "Omnious. Co., Ltd.": a period before a corporate suffix ends no sentence
_BEFORE_SUFFIX = re.compile(r"\. (?=(?:Co|Inc|Ltd|Corp|LLC|GmbH|Group)\b)")


def _headerish(line: Line) -> bool:
    text = line.text
    # " | " parts are fields the page layout set apart: each is measured alone
    longest = max(text.split(" | "), key=len) if text else ""
    if line.bullet or not text or len(longest) > 100 or len(longest.split()) > 10:
        return False
    if text.endswith((".", ";")) and not re.search(
        r"\b(?:inc|ltd|co|corp|jr|sr)\.$", text, re.I
    ):
        return False
    if SENTENCE_END.search(ABBREVIATION.sub("X", _BEFORE_SUFFIX.sub(" ", text))):
        return False
    return text[0].isupper() or text[0].isdigit()


def _parts(text: str) -> list[str]:
    """Header fields: split on separators, " at ", and commas outside brackets;
    corporate suffixes ("Inc.") stay with their company."""
    at = re.split(r"\s+(?:at|@)\s+", text, maxsplit=1)
    pieces = at if len(at) == 2 and words_of(at[0]) & TITLE_WORDS else [text]
    out: list[str] = []
    for piece in pieces:
        for segment in SEPARATORS.split(piece):
            for part in re.split(r",\s*(?![^()]*\))|;\s*", segment):
                part = part.strip(" |,;:\u2013\u2014-")
                if not part:
                    continue
                if out and CORP_SUFFIX.match(part):
                    out[-1] = f"{out[-1]}, {part}"
                else:
                    out.append(part)
    return out


def _continuation(lines: list[Line], index: int) -> bool:
    prev = lines[index - 1] if index > 0 else None
    return prev is not None and not prev.anchor and lines[index].text[:1].islower()


def group_entries(
    lines: list[Line], kind: str, width: int
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
    return bool(INSTITUTION.search(text) or DEGREE.search(text))


def _weight(text: str) -> int:
    """How many header fields a line carries (at least one)."""
    parts = _parts(text)
    places = place_indexes(parts)
    return max(1, sum(1 for i, p in enumerate(parts) if i not in places))


def _is_note(part: str) -> bool:
    return bool(QUALIFIER.match(part) or NOTE.search(part))


def _need(kind: str, rest: str) -> int:
    """How many more header lines an entry anchored on a line with `rest` wants."""
    every = _parts(rest)
    places = place_indexes(every)
    parts = [p for i, p in enumerate(every) if i not in places and not _is_note(p)]
    if kind == "projects":
        return 0 if parts else 1
    if kind == "education":
        degree = [p for p in parts if DEGREE.search(p)]
        if any(INSTITUTION.search(p) for p in parts):
            return 0 if degree else 1
        others = [p for p in parts if p not in degree and not words_of(p) & FIELD_WORDS]
        if degree and others:
            return 0
        return 1 if parts else 2
    return max(0, 2 - len(parts))


def _wrapped(text: str, width: int) -> bool:
    return text.endswith((",", "&", " and", " of", " in", " for")) or (
        width > 0 and len(text) >= 0.8 * width
    )


def _pseudo_anchors(lines: list[Line], kind: str) -> list[int]:
    anchors = []
    for index, line in enumerate(lines):
        if not _headerish(line) or _continuation(lines, index):
            continue
        nxt = lines[index + 1] if index + 1 < len(lines) else None
        if kind == "education":
            if INSTITUTION.search(line.text) or DEGREE.search(line.text):
                anchors.append(index)
        elif nxt is not None and (nxt.bullet or not _headerish(nxt)):
            anchors.append(index)
    # One anchor per block of adjacent header lines: the last of each block.
    return [a for a in anchors if a + 1 not in anchors]


def description_items(lines: list[Line], *, sentences: bool) -> list[str]:
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
    return [clip(item, "item") for item in out if item]


def clip(text: str, limit: str = "short") -> str:
    return " ".join(text.split())[: LIMITS[limit]]


def _header_parts(lines: list[Line], group: list[int]) -> list[list[str]]:
    texts: list[str] = []
    for position, i in enumerate(group):
        text = lines[i].rest if lines[i].anchor else lines[i].text
        if lines[i].joined and texts:
            glue = ", " if lines[group[position - 1]].text.endswith(",") else " "
            texts[-1] = f"{texts[-1]}{glue}{text}"
        else:
            texts.append(text)
    return [_parts(text) for text in texts]


def work_entries(lines: list[Line], groups: list[list[int]]) -> list[WorkExperience]:
    out: list[WorkExperience] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        per_line = _header_parts(lines, group)
        flat = [(li, p) for li, parts in enumerate(per_line) for p in parts]
        parts = [p for _, p in flat]
        places: set[int] = set()
        offset = 0
        for line_parts in per_line:
            places.update(offset + i for i in place_indexes(line_parts))
            offset += len(line_parts)
        title_at = next(
            (i for i, p in enumerate(parts) if words_of(p) & TITLE_WORDS), None
        )
        if title_at is None and parts:
            companyish = [bool(words_of(p) & COMPANY_WORDS) for p in parts]
            title_at = (
                1 if len(parts) > 1 and companyish[0] and not companyish[1] else 0
            )
            if len(parts) == 1 and companyish[0]:
                title_at = None
        candidates = [i for i in range(len(parts)) if i != title_at and i not in places]
        company_at = next(
            (i for i in candidates if words_of(parts[i]) & COMPANY_WORDS),
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
            "title": clip(parts[title_at]) if title_at is not None else "",
            "company": clip(parts[company_at]) if company_at is not None else "",
            "years": clip(_years(lines, group)),
            "description": (extra + description_items(body, sentences=True))[
                : LIMITS["bullets"]
            ],
        }
        if location:
            entry["location"] = clip(", ".join(location))
        out.append(entry)
    return out


def _years(lines: list[Line], group: list[int]) -> str:
    return next((lines[i].years for i in group if lines[i].years), "")


def _bodies(
    lines: list[Line], groups: list[list[int]]
) -> list[tuple[list[int], list[Line]]]:
    out = []
    for index, group in enumerate(groups):
        end = groups[index + 1][0] if index + 1 < len(groups) else len(lines)
        body = [lines[i] for i in range(group[-1] + 1, end) if i not in group]
        out.append((group, body))
    return out


def education_entries(lines: list[Line], groups: list[list[int]]) -> list[Education]:
    out: list[Education] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        parts = [p for ps in _header_parts(lines, group) for p in ps]
        notes = [p for p in parts if NOTE.search(p)]
        parts = [p for p in parts if p not in notes]
        inst = next((i for i, p in enumerate(parts) if INSTITUTION.search(p)), None)
        if inst is not None and inst + 1 < len(parts):
            campus = parts[inst + 1]
            repeated = inst + 2 < len(parts) and parts[inst + 2] == campus
            if (
                (repeated or parts[inst].lower() in CAMPUS_SYSTEMS)
                and not is_place(campus)
                and len(campus.split()) <= 3
            ):
                parts[inst : inst + 2] = [f"{parts[inst]}, {campus}"]
        degree_at = next(
            (
                i
                for i, p in enumerate(parts)
                if DEGREE.search(p) and not is_place(p) and i != inst
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
                    and not QUALIFIER.match(parts[i])
                    and not is_place(parts[i])
                    and not (words_of(parts[i]) & FIELD_WORDS)
                ),
                None,
            )
        degree = ""
        if degree_at is not None:
            stop = inst if inst is not None and inst > degree_at else len(parts)
            chosen = [parts[degree_at]]
            for part in parts[degree_at + 1 : stop]:
                if is_place(part) or (
                    stop == len(parts)
                    and not QUALIFIER.match(part)
                    and not words_of(part) & FIELD_WORDS
                ):
                    break
                chosen.append(part)
            degree = ", ".join(chosen)
        elif (
            inst is not None and inst + 1 < len(parts) and not is_place(parts[inst + 1])
        ):
            degree = parts[inst + 1]
        entry: Education = {
            "id": number,
            "institution": clip(parts[inst]) if inst is not None else "",
            "degree": clip(degree),
            "years": clip(_years(lines, group)),
        }
        description = notes + description_items(body, sentences=False)
        if description:
            entry["description"] = "\n".join(description)[: LIMITS["item"]]
        out.append(entry)
    return out


def project_entries(
    lines: list[Line], groups: list[list[int]]
) -> list[PersonalProject]:
    out: list[PersonalProject] = []
    for number, (group, body) in enumerate(_bodies(lines, groups), start=1):
        header = " | ".join(
            lines[i].rest if lines[i].anchor else lines[i].text for i in group
        )
        urls = [full_url(m.group()) for m in URL.finditer(header)]
        for line in body:
            urls.extend(full_url(m.group()) for m in URL.finditer(line.text))
        parts = _parts(PROJECT_LABEL.sub("", URL.sub(" ", header).strip()))
        parts = [PROJECT_LABEL.sub("", p) for p in parts]
        role_at = next(
            (i for i, p in enumerate(parts) if i > 0 and words_of(p) & TITLE_WORDS),
            None,
        )
        extra = [p for i, p in enumerate(parts) if i not in (0, role_at)]
        entry: PersonalProject = {
            "id": number,
            "name": clip(parts[0]) if parts else "",
            "role": clip(parts[role_at]) if role_at is not None else "",
            "years": clip(_years(lines, group)),
            "description": (extra + description_items(body, sentences=True))[
                : LIMITS["bullets"]
            ],
        }
        for url in urls:
            key: Literal["github", "website"] = (
                "github" if url_kind(url) == "github" else "website"
            )
            if key not in entry:
                entry[key] = clip(url)
        out.append(entry)
    return out
