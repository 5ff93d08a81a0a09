"""Dates that qualify an amount: a balance's "as of" day, a warrant's expiry from its term.

Balance dates ("as at March 31, 2008", "at the end of the quarter", "at year
end", "ended 2010 with cash of ...") become the single day the balance was
measured.  Phrases without a year count back from the release date:

* "the quarter" / "quarter-end" is the last calendar quarter end before the
  release; "the first quarter" the last March 31 before it; "the half" the
  last June 30 or December 31; "the year" / "year end" / "the fiscal year" the
  last December 31 (fiscal years are taken to be calendar years: a release
  does not say otherwise where it gives a balance);
* "March 31" without a year is the last March 31 on or before the release.

Warrant terms given as durations ("exercisable for two years", "expiring 24
months after closing", "five-year warrants", "for five years beginning six
months after issuance") expire that long after their start: the closing date
when the release states one, else the release date.  The expiry is the
anniversary itself (a two-year warrant issued on 2012-10-09 expires on
2014-10-09).

All patterns are anchored on fixed words and use bounded repetitions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from finmodel.periods import PeriodMatch

from .numbers import NUMBER, WORD_NUMBERS, parse_number

__all__ = ["AsOf", "Duration", "as_of_phrases", "closing_date", "find_durations"]

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")
_MONTH = (r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4}
_NOT_YEAR_AFTER = r"(?!,?\s(?:of\s)?(?:the\s)?(?:fiscal\s|calendar\s)?(?:year\s)?(?:19|20)\d\d)"

# "at the end of the (first) quarter", "as of the close of the fiscal year", "at quarter-end"
_RELATIVE_END_RE = re.compile(
    r"\b(?:as\s(?:at|of)|at|on)\s(?:the\s)?(?:(?:end|close)\sof\s(?:the\s|its\s|our\s)?"
    r"(?:(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th|latest|most\srecent|last|"
    r"previous|prior)\s)?(?:(?:fiscal|financial|calendar)\s)?(?P<unit>quarter|year|half)"
    r"|(?P<unit2>quarter|year)[-\s]?end)\b" + _NOT_YEAR_AFTER,
    re.IGNORECASE,
)
# "ended the quarter with", "ended the year with", "ended 2010 with"
_ENDED_WITH_RE = re.compile(
    r"\bended\s(?:(?:the|its)\s)?(?:(?:fiscal|financial|calendar)\s)?"
    r"(?:(?P<unit>quarter|year)|(?P<year>(?:19|20)\d\d))\swith\b",
    re.IGNORECASE,
)
# "as at March 31" (no year)
_MONTH_DAY_RE = re.compile(
    rf"\b(?:as\s(?:at|of)|at|on)\s(?:the\s)?{_MONTH}\s(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
    r"(?!,?\s(?:19|20)\d\d)",
    re.IGNORECASE,
)
# A dated phrase ("March 31, 2009", "fiscal 2010") counts when introduced by one of these.
_AS_OF_LEAD_RE = re.compile(
    r"(?:\bas\s(?:at|of)|\bat|\bon|\bended|\bending|\b(?:quarter|year|period)\s(?:ended|ending))"
    r"\s(?:the\s)?(?:(?:end|close)\sof\s(?:the\s)?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AsOf:
    """A balance date phrase at ``text[start:end]`` and the day it names."""

    start: int
    end: int
    day: date
    text: str


def _last_quarter_end(before: date, quarter: int | None = None, halves: bool = False) -> date:
    """The last calendar quarter end (of ``quarter`` if given; June/December if ``halves``)
    strictly before ``before``."""
    months = (6, 12) if halves else ((3 * quarter,) if quarter else (3, 6, 9, 12))
    for year in (before.year, before.year - 1):
        for month in sorted(months, reverse=True):
            end = date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)
            if end < before:
                return end
    raise AssertionError("unreachable: a quarter end always precedes within two years")


def _last_month_day(on_or_before: date, month: int, day: int) -> date | None:
    for year in (on_or_before.year, on_or_before.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # February 29 in a common year, April 31...
            continue
        if candidate <= on_or_before:
            return candidate
    return None


def _relative_day(unit: str, ordinal: str | None, published: date) -> date:
    unit = unit.lower()
    if unit == "year":
        return date(published.year - 1, 12, 31)
    if unit == "half":
        return _last_quarter_end(published, halves=True)
    quarter = _ORDINAL.get((ordinal or "").lower())
    return _last_quarter_end(published, quarter)


def as_of_phrases(text: str, lo: int, hi: int, published: date | None,
                  periods: list[PeriodMatch]) -> list[AsOf]:
    """Balance dates said in ``text[lo:hi]`` (see the module docstring), in text order.

    Parameters
    ----------
    text : str
        The release.
    lo, hi : int
        The region to search (usually one sentence).
    published : datetime.date or None
        Release date: phrases without a year count back from it; without it
        only fully dated phrases are read.
    periods : list of PeriodMatch
        Time phrases already found inside the region.

    Returns
    -------
    list of AsOf
        Days on or before ``published`` (when known).
    """
    found: list[AsOf] = []
    if published is not None:
        for m in _RELATIVE_END_RE.finditer(text, lo, hi):
            day = _relative_day(m["unit"] or m["unit2"], m["ordinal"], published)
            found.append(AsOf(m.start(), m.end(), day, m.group()))
        for m in _ENDED_WITH_RE.finditer(text, lo, hi):
            end = m.end("year") if m["year"] else m.end("unit")
            day = (date(int(m["year"]), 12, 31) if m["year"]
                   else _relative_day(m["unit"], None, published))
            found.append(AsOf(m.start(), end, day, text[m.start():end]))
        for m in _MONTH_DAY_RE.finditer(text, lo, hi):
            month = _MONTH_NAMES.index(m["month"][:3].lower()) + 1
            day = _last_month_day(published, month, int(m["day"]))
            if day is not None:
                found.append(AsOf(m.start(), m.end(), day, m.group()))
    taken = [(f.start, f.end) for f in found]
    for p in periods:
        if any(a < p.end and p.start < b for a, b in taken):
            continue
        lead = _AS_OF_LEAD_RE.search(text, max(lo, p.start - 32), p.start)
        if lead is None and p.text[:3].lower() != "on ":
            continue
        start = lead.start() if lead else p.start
        found.append(AsOf(start, p.end, p.period.end, text[start:p.end]))
    if published is not None:
        found = [f for f in found if f.day <= published]
    return sorted(found, key=lambda f: f.start)


# --------------------------------------------------------------------------- warrant terms

_WORDS = {**WORD_NUMBERS, "eighteen": 18, "twenty-four": 24, "thirty-six": 36,
          "forty-eight": 48, "sixty": 60}
_WORD_ALT = "|".join(sorted(_WORDS, key=len, reverse=True))
_COUNT = rf"(?P<n>{NUMBER}|{_WORD_ALT})"
_UNIT = r"(?P<unit>years?|months?)"
_OFFSET = (r"(?:,?\s(?:beginning|starting|commencing|first\sexercisable)\s(?P<off_n>"
           rf"{NUMBER}|{_WORD_ALT})\s(?:\(\d{{1,3}}\)\s)?(?P<off_unit>years?|months?))?")
_ANCHOR = (r"(?:\s(?:after|from|following|of)\s(?:the\s)?(?P<anchor>clos(?:e|ing)|"
           r"(?:date\sof\s)?(?:issu(?:ance|e)|grant)(?:\sdate)?))?")
_DURATION_RE = re.compile(
    # "exercisable for (a period of) two (2) years", "expire 24 months after closing",
    # "with a term of five years", "expiring five years from the date of issuance"
    r"\b(?:exercisable|expir\w*|term|life)\b(?:\s(?:[\w-]+\s){0,3}?)?\s?"
    r"(?:for|of|in|within|after)?\s?(?:a\s(?:period|term)\sof\s)?(?:up\sto\s)?"
    rf"{_COUNT}\s(?:\(\d{{1,3}}\)\s)?{_UNIT}" + _OFFSET + _ANCHOR
    # "five-year warrants", "24-month warrants"
    + rf"|\b{_COUNT.replace('?P<n>', '?P<n2>')}[-\s](?P<unit2>year|month)\s(?:[\w-]+\s){{0,2}}?"
    r"warrants?\b"
    # "on the third anniversary of (the) closing"
    r"|\b(?:on|until)\sthe\s(?P<nth>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth)\sanniversary\sof\s(?:the\s)?(?P<anchor2>clos(?:e|ing)|(?:date\sof\s)?issu(?:ance|e))",
    re.IGNORECASE,
)
_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
        "eighth": 8, "ninth": 9, "tenth": 10}
_CLOSING_RE = re.compile(
    r"\b(?:clos(?:e|ed|es|ing)|settle(?:d|s|ment)?)\b[^.;]{0,60}?\b(?:on|about)\s$",
    re.IGNORECASE,
)
_CLOSING_WINDOW = (timedelta(days=-45), timedelta(days=90))  # around the release date


@dataclass(frozen=True)
class Duration:
    """A warrant term at ``text[start:end]``: ``months`` long, starting ``offset_months``
    after its anchor (``"closing"``, ``"issuance"`` or ``None`` when unsaid)."""

    start: int
    end: int
    months: int
    offset_months: int
    anchor: str | None
    text: str


def _count(word: str) -> int:
    return _WORDS[word.lower()] if word.lower() in _WORDS else int(parse_number(word))


def find_durations(text: str, lo: int, hi: int) -> list[Duration]:
    """Warrant terms stated as durations in ``text[lo:hi]``, in text order."""
    out = []
    for m in _DURATION_RE.finditer(text, lo, hi):
        if m["nth"]:
            months, offset, anchor = 12 * _NTH[m["nth"].lower()], 0, m["anchor2"]
        else:
            n, unit = (m["n"], m["unit"]) if m["n"] else (m["n2"], m["unit2"])
            months = _count(n) * (12 if unit.lower().startswith("year") else 1)
            offset = 0
            if m["off_n"]:
                offset = _count(m["off_n"]) * (12 if m["off_unit"].lower().startswith("year")
                                               else 1)
            anchor = m["anchor"]
        if not 0 < months <= 240:
            continue  # not a warrant term: a typo or a count of something else
        anchor = None if anchor is None else ("closing" if anchor.lower().startswith("clos")
                                              else "issuance")
        out.append(Duration(m.start(), m.end(), months, offset, anchor, m.group()))
    return out


def closing_date(text: str, periods: list[PeriodMatch], published: date | None) -> date | None:
    """The closing date a release states ("expected to close on or about October 9, 2012").

    Only a single day near the release date counts (45 days before to 90 after):
    a closing further away is another transaction's.
    """
    if published is None:
        return None
    for p in periods:
        if p.period.days != 1:
            continue
        day = p.period.start
        if not published + _CLOSING_WINDOW[0] <= day <= published + _CLOSING_WINDOW[1]:
            continue
        lead = p.text[:3] if p.text[:3].lower() == "on " else ""
        if _CLOSING_RE.search(text[max(0, p.start - 80):p.start] + lead):
            return day
    return None


def expiry(duration: Duration, start: date) -> date:
    """The day a warrant of ``duration`` starting at ``start`` expires."""
    return start + relativedelta(months=duration.offset_months + duration.months)
