"""The parser's patterns and vocabularies: regexes for contact details,
separators, degrees and institutions, and the word lists read from the data
files in `vocab/` (job-title words, company words, headings...).
"""

from __future__ import annotations

import re

from services.documents.vocab import load_words, word_set

EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
URL = re.compile(
    r"(?:https?://|www\.)[^\s,;|<>()]+"
    r"|\b(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com)/[^\s,;|<>()]+",
    re.IGNORECASE,
)
DOMAIN = re.compile(
    r"(?<![@\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|io|dev|me|net|org|co|ai|app"
    r"|tech|site|page|xyz)(?:/[^\s,;|]*)?(?![\w@])",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w/.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,8}(?:[ .-]\d{1,8}){1,5}"
    r"(?![\w/])"
)
LABEL = re.compile(
    r"\b(?P<label>linkedin|github|gitlab|e-?mail|phone|tel|mobile|cell|website|web"
    r"|portfolio|location|address|twitter)\s*:\s*",
    re.IGNORECASE,
)
HANDLE = re.compile(
    r"\b(?:linkedin|github|gitlab|twitter)\s*:\s*@?[A-Za-z0-9_.-]+", re.IGNORECASE
)
SEPARATORS = re.compile(r"\s+[|•·\u2014\u2013]\s+|\s+-\s+|\s{2,}|\t")
PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?$|^-\s*\d{1,3}\s*-$", re.I
)
BULLET = re.compile(r"^(?:•|\*|-{1,2}|\u2013|\u2014|o|\d{1,2}[.)]|[a-z][.)])\s+")
DOCUMENT_TITLE = re.compile(
    r"^(?:curriculum vitae|r[eé]sum[eé]|cv|resume of .*)$", re.IGNORECASE
)
# "... graduated in 2016": a year ending a sentence, not an entry's date
DANGLING_WORD = re.compile(
    r"\b(?:in|since|of|from|by|on|at|to|until|and|the|for|during|year)$", re.I
)
SENTENCE_END = re.compile(r"(?:[a-z]{3,}|\d%?)[.!?] [A-Z]")
# Abbreviations whose period does not end a sentence ("Lab (Prof. Choi)").
ABBREVIATION = re.compile(
    r"\b(?:Prof|Dr|Mr|Mrs|Ms|Inc|Co|Ltd|Corp|St|Jr|Sr|Dept|Univ|No|vs)\."
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'+#.-]*")


def words_of(text: str) -> set[str]:
    return {w.strip(".").lower() for w in _WORDS.findall(text)}


TITLE_WORDS = frozenset(load_words("title_words.txt"))
COMPANY_WORDS = frozenset(load_words("company_words.txt"))
INSTITUTION = re.compile(
    r"\b(?:univ(?:\.|ersi\w*)|college|institute|institution|school|academy|polytechnic"
    r"|polytechnique|conservatory|seminary|hochschule|iit|nit|bootcamp)\b",
    re.IGNORECASE,
)
DEGREE = re.compile(
    r"(?<![\w.])(?:b\.?\s?s\.?c?|b\.?\s?a|b\.?\s?eng|b\.?\s?tech|b\.?\s?e|b\.?\s?com"
    r"|m\.?\s?s\.?c?|m\.?\s?a|m\.?\s?eng|m\.?\s?tech|m\.?\s?phil|mba|bba|bca|mca"
    r"|ph\.?\s?d|d\.?\s?phil|ed\.?d|j\.?d|m\.?d|ll\.?[bm]|bachelor'?s?|masters?'?"
    r"|doctor(?:ate)?|associate'?s?|diploma|a-levels?|gcse|ged|high school|hnd)"
    r"(?![\w])\.?",
    re.IGNORECASE,
)
QUALIFIER = re.compile(
    r"^(?:specializ|specialis|major|minor|concentration|focus|thesis|gpa|cgpa"
    r"|grade|overall|percentage|honou?rs|with |cum laude|magna|summa|dean)",
    re.IGNORECASE,
)
NOTE = re.compile(
    r"\b(?:c?gpa|grade|percentage|honou?rs|cum laude|distinction)\b", re.IGNORECASE
)
CAMPUS_SYSTEMS = frozenset(load_words("campus_systems.txt"))
FIELD_WORDS = frozenset(load_words("field_words.txt"))
US_STATES = frozenset(load_words("us_states.txt", lower=False))
PLACES = frozenset(load_words("places.txt"))
NOT_NAME = frozenset(load_words("not_name.txt"))
PARTICLES = word_set("van von de der den da di du del della la le bin al el")
CORP_SUFFIX = re.compile(
    r"^(?:inc|llc|l\.l\.c|ltd|corp|co|gmbh|plc|s\.a|ag|pvt\.? ltd|lp|llp)\.?$", re.I
)
PROJECT_LABEL = re.compile(
    r"^(?:(?:personal|side|academic|course|school|university|capstone|open[- ]source"
    r"|freelance|key|research|team|group|hobby)\s+)?project\s*[:\u2013\u2014-]\s*",
    re.IGNORECASE,
)
# "Label: a, b" or, from a label column, "Label | a, b" (one label, then a list)
CATEGORY = re.compile(r"^([A-Za-z][\w &/+.-]{0,30})(?::\s+(?=\S)| \| (?=[^|]*,[^|]*$))")

# Heading keywords -> section kind; fillers may accompany them.
HEADINGS: dict[str, str] = dict(
    line.split(" ", 1) for line in load_words("headings.txt")
)
# Single words that are as often list items as headings: headings only when
# ALL CAPS, followed by ":" or combined with another keyword.
WEAK_HEADINGS = frozenset(load_words("weak_headings.txt"))
FILLERS = frozenset(load_words("fillers.txt"))
