"""Text repair: the clean-up every extracted text gets before parsing.

`repair_text(text)` (idempotent; the offline parser applies it too): ligature
characters expanded and ligatures pypdf lost restored ("Pro les" -> "Profiles",
from the word list `vocab/ligature_words.txt`), icon-font junk removed, leading
bullet glyphs normalised, spaced-out headings collapsed, spaces squeezed.
`join_split_capitals(text)`: kerning-split words rejoined, for PDF text only.
"""

from __future__ import annotations

import re

from services.documents.vocab import load_words, word_set

__all__ = ["join_split_capitals", "repair_text"]

_LIGATURE_CHARS = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\t": " ",
        "\f": "\n",
        "\v": "\n",
        "\r": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\u2019": "'",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)
# Private-use area (icon fonts), replacement char, zero-width and control chars.
_INVISIBLE = re.compile(
    "[\ue000-\uf8ff\U000f0000-\U0010ffff\ufffd\u200b-\u200d\u2060\ufeff\u00ad"
    "\x00-\x08\x0e-\x1f\x7f]"
)
_BULLET_CHARS = "•●○◦▪▫■□►▸▹‣\u2043✓✔➢➤❖◆◇→∙·⦁◾◽"
# A bullet glyph starting a line is kept (normalised to "•"); elsewhere dingbats,
# arrows, shapes, symbols and emoji are icon junk.
_LEADING_BULLET = re.compile(rf"^[ ]*[{_BULLET_CHARS}][ ]*", re.MULTILINE)
_SYMBOLS = (
    "\u00b6\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u25ff\u2600-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\U0001f000-\U0001faff"
)
# Symbols, plus a glyph name glued after them ("♂¶obile-alt").
_SYMBOL_JUNK = re.compile(rf"[{_SYMBOLS}]+(?:[a-z]+(?:-[a-z]+)+(?=\s|$))?")
# Icon glyph names leaked as text: "/linkedin-in", "/github", "mobile-alt".
_GLYPH_NAME = re.compile(
    r"(?<!\S)/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?=\s|$)"
    r"|(?<!\S)[a-z]+(?:-[a-z]+)*-(?:alt|square|circle)(?=\s|$)"
)
_GLYPH_LABELS = {
    "linkedin": "LinkedIn:",
    "github": "GitHub:",
    "gitlab": "GitLab:",
    "twitter": "Twitter:",
    "x-twitter": "Twitter:",
    "stack-overflow": "Stack Overflow:",
}
_SPACES = re.compile(r"[ ]{2,}")
_SPACED_CAPS = re.compile(r"^[A-Z](?: {1,3}[A-Z&]){3,}$", re.MULTILINE)
# "F ull", "P roduct": kerned capitals pypdf split off (its TJ spacing test uses
# abs(offset), so tightening kerns count as spaces); "A WS" -> "AWS". PDF only.
_SPLIT_CAPITAL = re.compile(r"\b([FPTVWY]) ([a-z]{2,})\b|\bA ([TVWY][A-Z]{1,4})\b")


_STOPWORDS = word_set(
    "a an and are as at be by for from in into is it of on or the to with was "
    "were has have had not but so if then than that this"
)

# Words whose fi/fl/ff/ffi/ffl ligature pypdf may lose ("Pro les", "e ective").
_LIGATURE_WORDS = load_words("ligature_words.txt")
_LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")
# Word starts ("eld" for "field") that are words or acronyms themselves.
_NOT_LOST = word_set("ask utter rebase les ows ight ights ber led ling lled rms uid")


def _build_ligature_maps() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    pairs: dict[tuple[str, str], str] = {}
    singles: dict[str, str] = {}
    words = list(_LIGATURE_WORDS)
    known = set(words)
    for word in words:
        for lig in _LIGATURES:
            start = word.find(lig)
            while start >= 0:
                left, right = word[:start], word[start + len(lig) :]
                if left and right:
                    pairs.setdefault((left, right), word)
                    joined = left + right
                    if len(joined) >= 5 and joined not in known:
                        singles.setdefault(joined, word)
                elif (len(right) >= 4 or right in ("eld", "rst")) and (
                    right not in _NOT_LOST
                ):
                    singles.setdefault(right, word)
                start = word.find(lig, start + 1)
    return pairs, singles


_LIGATURE_PAIRS, _LIGATURE_SINGLES = _build_ligature_maps()
_LIGATURE_RIGHTS = frozenset(right for _, right in _LIGATURE_PAIRS)
_WORD_TOKEN = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")


def _match_case(fragment: str, word: str) -> str:
    if fragment.isupper() and len(fragment) > 1:
        return word.upper()
    if fragment[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _repair_ligature_line(line: str) -> str:
    tokens = line.split(" ")
    out: list[str] = []
    changed = False
    for token in tokens:
        match = _WORD_TOKEN.match(token)
        if match is None:
            out.append(token)
            continue
        lead, core, trail = match.groups()
        lower = core.lower()
        if lower in _LIGATURE_RIGHTS and out and not lead:
            prev = _WORD_TOKEN.match(out[-1])
            if prev is not None and not prev.group(3):
                word = _LIGATURE_PAIRS.get((prev.group(2).lower(), lower))
                if word is not None:
                    out[-1] = prev.group(1) + _match_case(prev.group(2), word) + trail
                    changed = True
                    continue
        word = _LIGATURE_SINGLES.get(lower)
        if word is not None:
            out.append(lead + _match_case(core, word) + trail)
            changed = True
            continue
        out.append(token)
    return " ".join(out) if changed else line


def _join_split_capital(match: re.Match[str]) -> str:
    if match.group(3):
        return "A" + match.group(3)
    if match.group(2) in _STOPWORDS:
        return match.group(0)
    return match.group(1) + match.group(2)


def _glyph(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None:
        return ""
    for prefix, label in _GLYPH_LABELS.items():
        if name == prefix or name.startswith(prefix + "-"):
            return label
    return ""


def repair_text(text: str) -> str:
    """`text` cleaned for parsing (idempotent): ligature characters expanded and
    lost ligatures restored, icon-font junk removed (icon glyph names for
    LinkedIn/GitHub become "LinkedIn:"/"GitHub:" labels), leading bullet glyphs
    normalised to "• ", spaced-out capitals ("E X P E R I E N C E") collapsed,
    spaces squeezed, lines stripped. (Kerning-split words, "F ull", are rejoined
    for PDFs only, before this.)"""
    text = text.replace("\r\n", "\n").translate(_LIGATURE_CHARS)
    text = _INVISIBLE.sub("", text)
    text = _LEADING_BULLET.sub("• ", text)
    text = _SYMBOL_JUNK.sub(" ", text)
    if "/" in text or "-alt" in text:
        text = _GLYPH_NAME.sub(_glyph, text)
    text = _SPACED_CAPS.sub(
        lambda m: " ".join(w.replace(" ", "") for w in re.split(r" {2,}", m[0])),
        text,
    )
    lines = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if line:
            line = _repair_ligature_line(line)
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def join_split_capitals(text: str) -> str:
    """Kerning-split words rejoined ("F ull" -> "Full", "A WS" -> "AWS"): pypdf
    counts large tightening kerns as spaces. For PDF text, before `repair_text`."""
    return _SPLIT_CAPITAL.sub(_join_split_capital, text)
