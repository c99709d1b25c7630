"""Date patterns of resumes, shared by the parsing stages: a date ("Jan 2020",
"03/2019", "2018", "Summer 2022"), "present" words, a range of two, a single
date, a range cut at a line end.
"""

from __future__ import annotations

import re

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
RANGE = re.compile(
    rf"(?<![\w/])(?P<start>{_DATE})\s*(?:-{{1,2}}|\u2013|\u2014|\u2012|\u2015|~|\bto\b|\buntil\b|"
    rf"\btill\b|\bthrough\b)\s*(?P<end>{_DATE}|{_PRESENT})(?![\w/])",
    re.IGNORECASE,
)
SINGLE = re.compile(rf"(?<![\w/.-]){_DATE}(?![\w/])", re.IGNORECASE)
DANGLING = re.compile(rf"{_DATE}\s*(?:-{{1,2}}|\u2013|\u2014|to)$", re.IGNORECASE)
DATE_START = re.compile(rf"^(?:{_DATE}|{_PRESENT})\b", re.IGNORECASE)
# Date words and separators, to tell a column of dates from one of words.
DATEISH = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?|\b(?:present|current|now|spring|summer|fall|autumn|winter)\b"
    r"|[-\u2013\u2014/]",
    re.IGNORECASE,
)


def wordy(text: str) -> bool:
    """At least three letters besides date words: prose, a name, a label."""
    return sum(ch.isalpha() for ch in DATEISH.sub("", text)) >= 3
