"""Numbers, counts, percentages and qualitative royalty descriptors.

All patterns are compiled once, anchored on a digit or a fixed word, and use
only bounded repetitions, so that scanning is linear in the text length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "NUMBER", "SCALES", "WORD_NUMBERS", "Count", "Descriptor", "Percent",
    "find_counts", "find_descriptors", "find_percents", "parse_number", "scale_of",
]

#: A number as written in releases: 1,850 / 14,042,400 / 8.8 / 0.50 / 2,5 is *not* a decimal.
NUMBER = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3}){1,6}|\d{1,15})(?:\.\d{1,6})?(?![\d])"

#: Scale words (lower case) and their multipliers.
SCALES: dict[str, float] = {
    "billion": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "mln": 1e6, "mm": 1e6, "m": 1e6, "mil": 1e6,
    "thousand": 1e3, "k": 1e3,
}

#: Number words used for small counts ("three treatment arms").
WORD_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}


def parse_number(text: str) -> float:
    """Parse ``"14,042,400"`` or ``"8.8"`` (thousands separators are commas).

    Examples
    --------
    >>> parse_number("29,465")
    29465.0
    """
    return float(text.replace(",", ""))


def scale_of(word: str | None) -> float:
    """Multiplier of a scale word (``"million"`` → 1e6); 1 for ``None`` or ``""``."""
    if not word:
        return 1.0
    return SCALES.get(word.lower(), 1.0)


# --------------------------------------------------------------------------- percents

_PCT = r"%|\s?percent\b|\s?per\s?cent\b"
_PERCENT_RE = re.compile(
    rf"(?:between\s)?(?P<low>{NUMBER})(?:{_PCT})?"
    rf"(?:\s?(?:-|–|—|to|and)\s?(?P<high>{NUMBER}))?(?P<pct>{_PCT})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Percent:
    """A percentage or a range of percentages, as fractions."""

    start: int
    end: int
    value: float
    value_high: float | None


def find_percents(text: str, start: int = 0, end: int | None = None) -> list[Percent]:
    """Find ``"15%"``, ``"3.0 percent"``, ``"between 20% and 35%"``, ``"10-15%"``.

    Examples
    --------
    >>> [(p.value, p.value_high) for p in find_percents("royalties of 10% to 12.5%")]
    [(0.1, 0.125)]
    """
    end = len(text) if end is None else end
    found = []
    for m in _PERCENT_RE.finditer(text, start, end):
        low = parse_number(m["low"]) / 100
        high = parse_number(m["high"]) / 100 if m["high"] else None
        if high is not None and high <= low:
            continue
        found.append(Percent(m.start(), m.end(), round(low, 10),
                             None if high is None else round(high, 10)))
    return found


# --------------------------------------------------------------------------- counts

_WORD_NUMBER_ALT = "|".join(WORD_NUMBERS)
_COUNT_RE = re.compile(
    rf"(?P<num>{NUMBER})(?:\s(?P<scale>million|billion|thousand)\b)?(?!\s?(?:%|percent\b))"
    rf"|\b(?P<word>{_WORD_NUMBER_ALT})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Count:
    """A plain count ("29,465", "2.7 million", "three") not preceded by a currency sign."""

    start: int
    end: int
    value: float


_CURRENCY_BEFORE = re.compile(r"(?:\$|€|£|¥|\b(?:USD|CAD|EUR|GBP|CHF|AUD)\s?)\s?$")


def find_counts(text: str, start: int = 0, end: int | None = None) -> list[Count]:
    """Find counts: digits (with an optional scale word) or small number words.

    Money amounts and percentages are excluded; years (1900–2099 without
    separators) are kept, callers decide from context.

    Examples
    --------
    >>> [c.value for c in find_counts("warrants for 883,950 shares at $0.50; three arms")]
    [883950.0, 3.0]
    """
    end = len(text) if end is None else end
    found = []
    for m in _COUNT_RE.finditer(text, start, end):
        if m["word"]:
            found.append(Count(m.start(), m.end(), float(WORD_NUMBERS[m["word"].lower()])))
            continue
        if _CURRENCY_BEFORE.search(text, max(0, m.start() - 6), m.start()):
            continue
        value = parse_number(m["num"]) * scale_of(m["scale"])
        found.append(Count(m.start(), m.end(), value))
    return found


# --------------------------------------------------------------------------- descriptors

#: Qualitative royalty descriptors → (low, high) rate, as fractions.  Assumptions
#: (documented in the package docstring): a "digit" band spans its whole decade
#: (single 1–9 %, double 10–19 %) and low / mid / high split it in thirds.
_BANDS: dict[str, tuple[float, float]] = {
    "single": (0.01, 0.09), "double": (0.10, 0.19),
    "low single": (0.01, 0.03), "mid single": (0.04, 0.06), "high single": (0.07, 0.09),
    "low double": (0.10, 0.13), "mid double": (0.14, 0.16), "high double": (0.17, 0.19),
    "low teens": (0.13, 0.14), "mid teens": (0.14, 0.16), "high teens": (0.17, 0.19),
    "teens": (0.13, 0.19),
}
_LEVEL = r"(?:(?P<lvl>low|mid|high)(?:[\s-]{1,3}to[\s-]{1,3}(?P<lvl2>low|mid|high))?[\s-]{1,2})?"
_BAND = rf"{_LEVEL}(?:(?P<digits>single|double)[\s-]{{1,2}}digits?|(?P<teens>teens))"
_DESCRIPTOR_RE = re.compile(
    rf"\b{_BAND}(?:[\s-]{{1,3}}to[\s-]{{1,3}}(?:the\s)?(?P<to>(?:low|mid|high)[\s-]{{1,2}})?"
    rf"(?P<to_digits>single|double)[\s-]{{1,2}}digits?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Descriptor:
    """A qualitative rate such as "double-digit" with its assumed bounds."""

    start: int
    end: int
    descriptor: str
    low: float
    high: float


def _band(level: str | None, base: str) -> tuple[float, float]:
    key = f"{level.lower()} {base}" if level else base
    return _BANDS[key]


def find_descriptors(text: str, start: int = 0, end: int | None = None) -> list[Descriptor]:
    """Find qualitative rates: "double-digit", "low-to-mid single digit", "mid-teens".

    Examples
    --------
    >>> [(d.descriptor, d.low, d.high) for d in find_descriptors("a double digit royalty")]
    [('double-digit', 0.1, 0.19)]
    >>> [(d.low, d.high) for d in find_descriptors("high single-digit to low double-digit")]
    [(0.07, 0.13)]
    """
    end = len(text) if end is None else end
    found = []
    for m in _DESCRIPTOR_RE.finditer(text, start, end):
        base = (m["digits"] or m["teens"]).lower()
        low, high = _band(m["lvl"], base)
        if m["lvl2"]:
            high = _band(m["lvl2"], base)[1]
        if m["to_digits"]:
            to_level = m["to"].strip(" -") if m["to"] else None
            high = _band(to_level, m["to_digits"].lower())[1]
        label = " ".join(m[0].lower().replace("-", " ").split()).replace(" digit", "-digit")
        found.append(Descriptor(m.start(), m.end(), label, low, high))
    return found
