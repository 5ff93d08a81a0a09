"""Time phrases of press releases -> closed date intervals.

"H2/08", "second half of 2008", "Q3/08", "late 2009", "next 12 months", "May 2, 2009" and
their kin become a :class:`Period`, a closed interval of days. Relative phrases ("later this
year", "in the coming weeks") are resolved against a reference date, normally the date the
release was published.

The grammar is a table of forms (``_FORMS``): one regular expression per form, built from
named pieces and compiled once into a single alternation, plus the function that turns a
match into a period. An optional lead word ("in", "by", "into", "on or before", ...) and "the"
may precede any form; the lead is part of the match and changes its meaning only where stated
below. Matching is case-insensitive and tolerates hyphens and dashes, non-breaking spaces,
"calendar" (and the misspelling "calender"). Whitespace runs are matched possessively and no
quantifier is nested, so a scan is linear in the length of the text.

Conventions
-----------
- Halves, quarters and years are calendar intervals: "H2/08" is 2008-07-01..2008-12-31.
  Two-digit years 00-69 are 20xx, 70-99 are 19xx. A two-digit year is read only when glued
  to its marker ("H2/08", "3Q08", "FY09") or written with an apostrophe ("Q1 '09").
- "early", "mid" and "late" YEAR are Jan 1-Apr 30, May 1-Aug 31 and Sep 1-Dec 31
  ("beginning of" and "middle of" read as "early" and "mid").
- "in"/"during" a whole year that contains the reference starts at the reference ("in 2008"
  published 2008-07-08 is 2008-07-08..2008-12-31); any other whole year, or any part of a
  year, is the full interval. "later this year" and "later in YEAR" always start at the
  reference when it falls inside the year.
- "by"/"before"/"on or before" the end of a year ("by the end of 2008", "before year-end",
  "before the end of the calendar year") runs from the reference to Dec 31 when the
  reference falls inside the year, else it is the whole year. Without such a lead, "end of
  2008" and "year-end 2008" are the fourth quarter, 2008-10-01..2008-12-31; a bare
  "year-end" (no year) needs the lead.
- "into X" and "by X" are X ("into 2009" is 2009, "by late 2009" is late 2009).
- A bare four-digit year is a period after a lead word ("in 2008", "into 2009"), after a
  marker ("calendar 2009", "fiscal 2009", "the year 2010"), or when it is the whole phrase
  given to :func:`parse_period`; elsewhere ("Conference 2008") it is not a time phrase.
- "next N months/weeks/days/years", "within N ...", "over the next N ..." run from the
  reference to the reference plus N units (``relativedelta``, end inclusive); "within the
  next year" is one year. Vague counts ("coming weeks", "next several weeks", "within
  months") use ``_VAGUE_SPAN``: 12 weeks, 6 months, 14 days, 3 years.
- A date is a single day whatever its lead ("on or before May 2, 2009" is 2009-05-02);
  "May 6-8, 2008" is those three days; a month ("May 2009") is the whole month.
- Fiscal years: with ``fiscal_year_end=(month, day)``, fiscal year N ends on that day of
  calendar year N (the usual US convention: with (6, 30), fiscal 2009 is
  2008-07-01..2009-06-30) and its halves and quarters are counted from its first day. A day
  that is the last of its month (Feb 28, Sep 30) anchors on month ends. Without
  ``fiscal_year_end`` a fiscal year is the calendar year of the same number. "this/next
  fiscal year" is counted from the fiscal year that contains the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from finmodel.errors import InputError

__all__ = ["Period", "PeriodMatch", "find_periods", "parse_period", "resolve_period"]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A closed interval of days, ``start <= end``; hashable, ordered by (start, end).

    Parameters
    ----------
    start, end : datetime.date
        First and last day, both included.

    Raises
    ------
    TypeError
        If a bound is not a ``datetime.date`` (a ``datetime`` is refused too).
    ValueError
        If ``start`` is after ``end``.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"Period.{name} must be a datetime.date, found {value!r}")
        if self.start > self.end:
            raise ValueError(f"Period start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        """Number of days in the interval, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def midpoint(self) -> date:
        """The middle day (the earlier of the two middle days for an even count)."""
        return self.start + timedelta(days=(self.end - self.start).days // 2)

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the interval, ends included."""
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    """A time phrase found in a text: ``text[start:end]`` of the searched text is ``text``."""

    start: int
    end: int
    text: str
    period: Period


# --- named pieces of the grammar ------------------------------------------------------------
# The grammar is matched case-sensitively against ``_fold(text)``, a lower-cased copy of the
# same length; that keeps offsets exact and lets the regex engine skip alternatives whose
# first character cannot match. Compiled with re.ASCII; other spaces are listed explicitly.

_S = r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"  # one space
_SP = _S + "++"  # a run of spaces, possessive: never given back on backtracking
_DASH = "[-\u2010-\u2015\u2212]"  # hyphen, the Unicode dashes, minus
_APOSTROPHES = "'\u2018\u2019\u2032"
_APOS = f"[{_APOSTROPHES}]"
_GAP = rf"(?:{_S}*+{_DASH}{_S}*+|{_SP})"  # "mid-2006", "mid 2006", "second - half"
_Y4 = "(?:19|20)[0-9][0-9]"
_Y2 = rf"(?:{_APOS}[0-9][0-9]|(?<!{_S})[0-9][0-9])"  # "'08", or glued: "H2/08", "FY09"
_MARK = rf"calend[ae]r(?:{_GAP}year)?|fiscal(?:{_GAP}year)?|[cf]y|year"

_YEAR = (  # "2008", "'08"; "calendar 2009", "FY09", "the year 2010"; "this year", "the year"
    rf"(?=[0-9{_APOSTROPHES}cflnpty])"  # the first characters below: a cheap early rejection
    rf"(?:(?P<y>{_Y4}|{_Y2})"
    rf"|(?:the{_SP})?+(?:(?P<mark>{_MARK}){_S}*+(?P<marked>{_Y4}|{_Y2})"
    rf"|(?:(?P<rel>this|current|next|following|last|previous|prior){_SP})?+"
    rf"(?:(?P<relmark>calend[ae]r|fiscal){_SP})?+(?P<relyear>year)))"
)
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?!\w)\.?"
)
_ORDINAL_SUFFIX = "(?:st|nd|rd|th)?"
_DAYS = (rf"(?P<day>[0-3]?[0-9]){_ORDINAL_SUFFIX}"
         rf"(?:{_S}*+{_DASH}{_S}*+(?P<day2>[0-3]?[0-9]){_ORDINAL_SUFFIX})?")
_COUNT = (
    rf"[0-9]{{1,3}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen"
    rf"|twenty{_GAP}four|several|a{_SP}few|few|a{_SP}couple{_SP}of|couple{_SP}of"
)
_LEAD = (  # possessive: no form needs a lead word or "the" given back
    rf"(?:(?P<lead>on{_SP}or{_SP}before|on|into|in|during|by|before|throughout|through|until"
    rf"|over|for){_SP})?+(?:the{_SP})?+"
)
_START = r"(?<!\w)(?=[0-9a-z])"  # a word starts here
_END = r"(?![\w%]|[.,][0-9])"  # not inside a word or a number ("2008%", "2008.5")

# --- word tables ----------------------------------------------------------------------------

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
             "fourth": 4, "4th": 4}
_PARTS_PER_YEAR = {"h": 2, "half": 2, "q": 4, "quarter": 4}
_SEASONS = {"e": 0, "b": 0, "m": 4, "l": 8}  # first month offset of early/beginning, mid, late
_RELATIVE = {"this": 0, "current": 0, "next": 1, "following": 1, "last": -1,
             "previous": -1, "prior": -1}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
            "eighteen": 18, "twenty four": 24, "couple of": 2, "a couple of": 2}
_VAGUE_SPAN = {"days": relativedelta(days=14), "weeks": relativedelta(weeks=12),
               "months": relativedelta(months=6), "years": relativedelta(years=3)}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CLIPPING_LEADS = frozenset({"in", "during"})
_DEADLINE_LEADS = frozenset({"by", "before", "on or before"})
_EXAMPLES = "'H2/08', 'second half of 2008', 'Q3 2009', 'late 2009', 'May 2009', 'next 12 months'"

FiscalYearEnd = tuple[int, int] | None  # (month, day); None: calendar years
Groups = Mapping[str, str | None]  # a form's named groups (folded text), without the prefix


class _Context(NamedTuple):
    lead: str | None  # single spaces: "on or before"
    reference: date | None
    fiscal_year_end: FiscalYearEnd


# --- calendar arithmetic --------------------------------------------------------------------


def _full_year(text: str) -> int:
    """Year of "2008", "08" or "'08" (00-69 -> 20xx, 70-99 -> 19xx)."""
    digits = text[-4:] if text[-4:].isdigit() else text[-2:]
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if year < 70 else 1900 + year


def _month_end(year: int, month: int) -> date:
    """Last day of ``month`` (1-12) of ``year``."""
    return date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY


def _boundary(year: int, fiscal_year_end: FiscalYearEnd, k: int) -> date:
    """First day after the k-th month end (k = 0..12) of calendar or fiscal ``year``."""
    month, day = fiscal_year_end or (12, 31)
    y, m0 = divmod((year - 1) * 12 + month - 1 + k, 12)
    end = _month_end(y, m0 + 1)
    if day < _month_end(2001, month).day:  # else the year ends on a month end: keep to them
        end = end.replace(day=min(day, end.day))
    return end + _ONE_DAY


@lru_cache(maxsize=1024)
def _months(year: int, fiscal_year_end: FiscalYearEnd, first: int, count: int) -> Period:
    """Months ``first .. first + count - 1`` (0-based) of calendar or fiscal ``year``."""
    return Period(_boundary(year, fiscal_year_end, first),
                  _boundary(year, fiscal_year_end, first + count) - _ONE_DAY)


def _year_containing(day: date, fiscal_year_end: FiscalYearEnd) -> int:
    """Number of the calendar or fiscal year that contains ``day``."""
    return day.year + (day > _months(day.year, fiscal_year_end, 0, 12).end)


def _from_reference(period: Period, reference: date | None) -> Period:
    """``period``, starting at ``reference`` instead when the reference falls inside it."""
    if reference is not None and period.contains(reference):
        return Period(reference, period.end)
    return period


# --- the YEAR piece -------------------------------------------------------------------------


def _year_of(g: Groups, ctx: _Context, fiscal: bool = False) -> tuple[int, FiscalYearEnd] | None:
    """The year a YEAR piece names: (number, fiscal_year_end or None for a calendar year).

    An absent YEAR piece, like "the year", is the reference year. None when the year is
    relative and there is no reference.
    """
    mark = g.get("mark") or g.get("relmark") or ""
    fye = ctx.fiscal_year_end if fiscal or mark.startswith("f") else None
    number = g.get("y") or g.get("marked")
    if number:
        return _full_year(number), fye
    if ctx.reference is None:
        return None
    return _year_containing(ctx.reference, fye) + _RELATIVE.get(g.get("rel") or "this"), fye


def _year_part(
    g: Groups, ctx: _Context, first: int, count: int, fiscal: bool = False
) -> Period | None:
    """Months ``first .. first + count - 1`` of the year the YEAR piece names."""
    year = _year_of(g, ctx, fiscal)
    return None if year is None else _months(year[0], year[1], first, count)


# --- one builder per form: (groups, context) -> Period | None --------------------------------


def _iso_date(g: Groups, ctx: _Context) -> Period:
    day = date(int(g["y"]), int(g["m"]), int(g["d"]))
    return Period(day, day)


def _dated(g: Groups, ctx: _Context) -> Period:
    year, month = int(g["y"]), _MONTHS.index(g["month"][:3]) + 1
    return Period(date(year, month, int(g["day"])),
                  date(year, month, int(g.get("day2") or g["day"])))


def _month(g: Groups, ctx: _Context) -> Period:
    year, month = int(g["y"]), _MONTHS.index(g["month"][:3]) + 1
    return Period(date(year, month, 1), _month_end(year, month))


def _nth_part(
    g: Groups, ctx: _Context, unit: str, k: int, fiscal: bool = False
) -> Period | None:
    """The k-th half or quarter (``unit`` "h"/"half", "q"/"quarter") of the named year."""
    count = _PARTS_PER_YEAR[unit]
    if k > count:
        return None
    months = 12 // count
    return _year_part(g, ctx, months * (k - 1), months, fiscal)


def _part_of_year(g: Groups, ctx: _Context) -> Period | None:
    last = _PARTS_PER_YEAR[g["part"]]
    k = last if g["ordinal"] in ("last", "latter") else _ORDINALS[g["ordinal"]]
    return _nth_part(g, ctx, g["part"], k, fiscal=g.get("partmark") == "fiscal")


def _compact_part(g: Groups, ctx: _Context) -> Period | None:
    digit, letter = sorted(g["part"])  # "h2" and "2h" alike
    return _nth_part(g, ctx, letter, int(digit))


def _season(g: Groups, ctx: _Context) -> Period | None:
    return _year_part(g, ctx, _SEASONS[g["season"][0]], 4)


def _end_of_year(g: Groups, ctx: _Context) -> Period | None:
    if ctx.lead in _DEADLINE_LEADS:
        whole = _year_part(g, ctx, 0, 12)
        return None if whole is None else _from_reference(whole, ctx.reference)
    if not (g.get("y") or g.get("marked") or g.get("relyear")):  # bare "year-end" needs "by"
        return None
    return _year_part(g, ctx, 9, 3)


def _later(g: Groups, ctx: _Context) -> Period | None:
    whole = _year_part(g, ctx, 0, 12)
    return None if whole is None else _from_reference(whole, ctx.reference)


def _whole_year(g: Groups, ctx: _Context) -> Period | None:
    if g.get("relyear") and not g.get("rel"):  # "the year", "the fiscal year"
        return None
    if g.get("y") and ctx.lead is None:  # an unmarked number: "Conference 2008"
        return None
    whole = _year_part(g, ctx, 0, 12)
    if whole is None or ctx.lead not in _CLIPPING_LEADS:
        return whole
    return _from_reference(whole, ctx.reference)


def _window(g: Groups, ctx: _Context) -> Period | None:
    if ctx.reference is None:
        return None
    unit = g["unit"] + "s"
    words = " ".join(re.findall("[a-z0-9]+", g.get("count") or ""))  # "twenty four"
    words = words or ("several" if g.get("plural") else "one")  # "within weeks", "next year"
    count = int(words) if words.isdigit() else _NUMBERS.get(words)  # None: a vague count
    span = _VAGUE_SPAN[unit] if count is None else relativedelta(**{unit: count})
    return Period(ctx.reference, ctx.reference + span)


# --- the table ------------------------------------------------------------------------------

Builder = Callable[[Groups, _Context], Period | None]

_FORMS: tuple[tuple[str, str, Builder], ...] = (
    # "2008-12-31"
    ("iso_date", "(?P<y>(?:19|20)[0-9][0-9])-(?P<m>[01][0-9])-(?P<d>[0-3][0-9])", _iso_date),
    # "2 May 2009", "2nd of May, 2009"
    ("day_month_year",
     rf"(?P<day>[0-3]?[0-9]){_ORDINAL_SUFFIX}{_SP}(?:of{_SP})?{_MONTH}{_S}*+,?{_S}*+(?P<y>{_Y4})",
     _dated),
    # "H2/08", "2H08", "Q4 2008", "3Q08", "Q2 FY2009", "Q1 '09"
    ("compact_part",
     (rf"(?P<part>[hq][1-4]|[1-4][hq])(?:{_S}*+(?:/|{_DASH}){_S}*+|{_SP}(?:of{_SP})?)?"
      rf"(?:(?P<mark>{_MARK}){_S}*+)?(?P<y>{_Y4}|{_Y2})"),
     _compact_part),
    # "May 2, 2009", "Sept. 30 2008", "May 6-8, 2008"
    ("month_day_year", rf"{_MONTH}{_SP}{_DAYS}{_S}*+,?{_S}*+(?P<y>{_Y4})", _dated),
    # "May 2009", "December, 2008", "May of 2009"
    ("month_year", rf"{_MONTH}{_S}*+,?{_S}*+(?:of{_SP})?(?P<y>{_Y4})", _month),
    # "second half of 2008", "1st half 2010", "first quarter of calendar 2010",
    # "second quarter of fiscal 2009", "first half of next year", "last quarter of the year"
    ("part_of_year",
     rf"(?P<ordinal>first|1st|second|2nd|third|3rd|fourth|4th|last|latter){_GAP}"
     rf"(?:(?P<partmark>calend[ae]r|fiscal){_SP})?(?P<part>half|quarter){_SP}(?:of{_SP})?"
     + _YEAR,
     _part_of_year),
    # "late 2009", "mid-calendar 2006", "mid-2006", "early next year", "late in 2009"
    ("season",
     rf"(?P<season>early|beginning{_SP}of|middle{_SP}of|mid|late)(?:{_GAP}in)?{_GAP}" + _YEAR,
     _season),
    # "end of 2008", "the end of the calendar year" (a deadline after "by"/"before")
    ("end_of_year", rf"end{_SP}of{_SP}" + _YEAR, _end_of_year),
    # "year-end 2008", "by year-end"
    ("year_end", rf"year{_GAP}?end(?:{_SP}(?:of{_SP})?{_YEAR})?", _end_of_year),
    # "later this year", "later in 2008", "later in the year"
    ("later", rf"later{_SP}(?:in{_SP})?" + _YEAR, _later),
    # "next 12 months", "coming weeks", "next several weeks", "following two years"
    ("window",
     (rf"(?:next|coming|following|upcoming){_SP}(?:(?P<count>{_COUNT}){_SP})?"
      rf"(?P<unit>day|week|month|year)(?P<plural>s)"),
     _window),
    # "within 12 months", "within a year", "within the next year", "within weeks"
    ("within",
     (rf"within{_SP}(?:the{_SP})?+(?:(?:next|coming|following|upcoming){_SP})?+"
      rf"(?:(?P<count>{_COUNT}|an?){_SP})?+(?P<unit>day|week|month|year)(?P<plural>s)?"),
     _window),
    # "calendar 2009", "fiscal year 2009", "FY09", "this year", "next fiscal year", "in 2008"
    ("year", _YEAR, _whole_year),
)


_GROUP = re.compile(r"\(\?P<(\w+)>")  # a named group's opening in a pattern


def _alternative(form: str, pattern: str) -> str:
    """``pattern`` with its groups renamed ``form__name``, then an empty group ``form``.

    The empty group closes last, so ``match.lastgroup`` names the form that matched.
    """
    return _GROUP.sub(rf"(?P<{form}__\1>", pattern) + f"(?P<{form}>)"


_GRAMMAR = re.compile(
    _START + _LEAD
    + "(?:" + "|".join(_alternative(name, pattern) for name, pattern, _ in _FORMS) + ")"
    + _END,
    re.ASCII,
)
_GROUP_NAMES = {name: tuple(_GROUP.findall(pattern)) for name, pattern, _ in _FORMS}
_BUILDERS: dict[str, Builder] = {name: build for name, _, build in _FORMS}
_BARE_YEAR = re.compile(rf"{_S}*+({_Y4}){_S}*+", re.ASCII)


# --- scanning -------------------------------------------------------------------------------


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(text: str) -> str:
    """``text`` lower-cased to the same length, so that offsets carry over."""
    if "\u0130" in text or "\u212a" in text:  # the only characters str.lower maps into ASCII
        return text.translate(_ASCII_LOWER)
    return text.lower()


def _period_of(match: re.Match[str], reference: date | None, fye: FiscalYearEnd) -> Period | None:
    """The period a grammar match denotes, or None if it names none (see the builders)."""
    form = match.lastgroup
    groups = {name: match[f"{form}__{name}"] for name in _GROUP_NAMES[form]}
    lead = match["lead"] and " ".join(match["lead"].split())
    try:
        return _BUILDERS[form](groups, _Context(lead, reference, fye))
    except (ValueError, OverflowError):  # an impossible date: "February 30, 2009", year 10000
        return None


def _scan(text: str, reference: date | None, fye: FiscalYearEnd) -> Iterator[PeriodMatch]:
    """Leftmost, non-overlapping time phrases of ``text`` that denote a period."""
    folded = _fold(text)
    pos = 0
    while (match := _GRAMMAR.search(folded, pos)) is not None:
        period = _period_of(match, reference, fye)
        if period is None:
            pos = match.start() + 1
            continue
        yield PeriodMatch(match.start(), match.end(), text[match.start():match.end()], period)
        pos = match.end()


def _checked(reference: date | None, fiscal_year_end) -> tuple[date | None, FiscalYearEnd]:
    """Reference as a date and fiscal_year_end as (month, day); TypeError/ValueError if bad."""
    if isinstance(reference, datetime):
        reference = reference.date()
    if reference is not None and not isinstance(reference, date):
        raise TypeError(f"reference must be a datetime.date, found {reference!r}")
    if fiscal_year_end is None:
        return reference, None
    try:
        month, day = (int(x) for x in fiscal_year_end)
        valid = 1 <= month <= 12 and 1 <= day <= _month_end(2000, month).day
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(f"fiscal_year_end must be (month, day), found {fiscal_year_end!r}")
    return reference, (month, day)


# --- public API -----------------------------------------------------------------------------


def find_periods(
    text: str,
    reference: date | None = None,
    *,
    fiscal_year_end: tuple[int, int] | None = None,
) -> list[PeriodMatch]:
    """Every time phrase inside a longer text, with its span.

    Parameters
    ----------
    text : str
        Any text, e.g. a whole press release.
    reference : datetime.date, optional
        Date the relative phrases are counted from (the publication date). Without it,
        relative phrases are skipped.
    fiscal_year_end : (int, int), optional
        (month, day) on which fiscal year N ends in calendar year N.

    Returns
    -------
    list of PeriodMatch
        Leftmost, non-overlapping matches in text order, with
        ``text[m.start:m.end] == m.text``. The lead word ("in", "by", "on or before") is
        part of the match. Linear in ``len(text)``.

    Raises
    ------
    TypeError
        If ``reference`` is not a date.
    ValueError
        If ``fiscal_year_end`` is not a valid (month, day).
    """
    reference, fye = _checked(reference, fiscal_year_end)
    return list(_scan(text, reference, fye))


def parse_period(
    text: str,
    reference: date | None = None,
    *,
    fiscal_year_end: tuple[int, int] | None = None,
) -> Period | None:
    """The period of a time phrase, or None if there is none.

    Parameters
    ----------
    text : str
        A time phrase, possibly with a few surrounding words ("expected in H2/08"); the
        first phrase found is used. A lone year ("2009") is that year.
    reference : datetime.date, optional
        Date relative phrases are counted from; without it they give None.
    fiscal_year_end : (int, int), optional
        (month, day) on which fiscal year N ends in calendar year N. Without it "fiscal
        2009" is calendar 2009.

    Returns
    -------
    Period or None
        None for an unknown phrase or a relative one without reference; never raises on a
        ``str``.

    Raises
    ------
    TypeError
        If ``reference`` is not a date.
    ValueError
        If ``fiscal_year_end`` is not a valid (month, day).

    Examples
    --------
    >>> str(parse_period("H2/08"))
    '2008-07-01..2008-12-31'
    >>> str(parse_period("in 2008", reference=date(2008, 7, 8)))
    '2008-07-08..2008-12-31'
    """
    reference, fye = _checked(reference, fiscal_year_end)
    first = next(_scan(text, reference, fye), None)
    if first is not None:
        return first.period
    lone_year = _BARE_YEAR.fullmatch(text)
    return _months(int(lone_year[1]), None, 0, 12) if lone_year else None


def resolve_period(
    text: str,
    reference: date | None = None,
    *,
    fiscal_year_end: tuple[int, int] | None = None,
    file: str | None = None,
    field: str | None = None,
) -> Period:
    """Like :func:`parse_period`, but an unusable phrase is an :class:`InputError`.

    Parameters
    ----------
    text, reference, fiscal_year_end
        As for :func:`parse_period`.
    file, field : str, optional
        Where the phrase came from, named in the error.

    Returns
    -------
    Period

    Raises
    ------
    InputError
        If ``text`` is not a string, not a known time phrase, or relative ("later this
        year") while ``reference`` is None.
    """
    if not isinstance(text, str):
        raise InputError(f"expected a time phrase such as {_EXAMPLES}, found {text!r}",
                         file=file, field=field)
    period = parse_period(text, reference, fiscal_year_end=fiscal_year_end)
    if period is not None:
        return period
    # a phrase that parses against some reference but not without one is relative
    if reference is None and parse_period(text, date(2000, 1, 1),
                                          fiscal_year_end=fiscal_year_end) is not None:
        raise InputError(f"time phrase {text!r} is relative and needs a reference date",
                         file=file, field=field)
    raise InputError(f"unknown time phrase {text!r}; expected e.g. {_EXAMPLES}",
                     file=file, field=field)
