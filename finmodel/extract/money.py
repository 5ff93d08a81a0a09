"""Money amounts: "US$27MM", "C$10,050,000", "EUR 5m", "$9 million to $10 million".

A bare ``$`` takes the issuer's reporting currency (given by the caller, or
inferred from the release by :func:`infer_currency`); ``US$`` is always USD.
Escaped dollars (``\\$``, as some newswire copies have) are read as ``$`` and
offsets stay those of the original text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .numbers import NUMBER, parse_number, scale_of

__all__ = ["Money", "find_money", "infer_currency"]

_D = r"\\?\$"
_NL = r"(?<![A-Za-z])"  # a letter prefix must start a word: "INC $5" is not C$
#: Currency markers written before the number, most specific first, with their ISO code.
_PREFIXES: tuple[tuple[str, str], ...] = (
    (rf"{_NL}(?:U\.S\.|US)\s?{_D}", "USD"),
    (rf"{_NL}(?:CDN|Cdn|CAD)\s?{_D}|{_NL}(?:C|CA|Can){_D}", "CAD"),
    (rf"{_NL}(?:A|AU|AUD){_D}", "AUD"),
    (rf"{_NL}NZ{_D}", "NZD"),
    (rf"{_NL}HK{_D}", "HKD"),
    (rf"{_NL}USD\s?", "USD"),
    (rf"{_NL}EUR\s?|€\s?", "EUR"),
    (rf"{_NL}GBP\s?|£\s?", "GBP"),
    (rf"{_NL}CHF\s?", "CHF"),
    (rf"{_NL}SEK\s?", "SEK"),
    (rf"{_NL}DKK\s?", "DKK"),
    (rf"{_NL}JPY\s?|¥\s?", "JPY"),
    (_D, "$"),
)
_PREFIX = "|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(_PREFIXES))
_SCALE = r"(?:\s?(?P<{name}>(?i:billion|million|thousand|mln|bn|mil|mm|m|b|k))\b)?"
_SUFFIX_CCY = r"(?:\s(?P<sfx>USD|CAD|EUR|GBP|CHF|euros?|U\.S\. dollars|US dollars|Canadian dollars))?"
_PAREN_CCY = r"(?:\s?\((?P<par>US|U\.S\.|USD|CAD|Cdn|CDN|C\$)\))?"
# "and" joins a range only after "between"; "from $5 million to $7 million" is split later.
_RANGE_JOIN = r"\s?(?(between)(?:-|–|—|to|and)|(?:-|–|—|to))\s?"
_PER = (r"(?:(?:\s(?:paid|received|payable))?(?:\s?/\s?|\s(?:per|a|each)\s)(?:common\s|ordinary\s)?(?P<per>unit|share|warrant|"
        r"month|year|annum|quarter|ADS)s?\b)?")

_MONEY_RE = re.compile(
    rf"(?P<between>\bbetween\s)?(?:{_PREFIX})\s?(?P<num>{NUMBER}){_SCALE.format(name='scale')}"
    rf"(?:{_RANGE_JOIN}(?P<p2>{_D}|US{_D}|C{_D}|€|£|EUR\s)?(?P<num2>{NUMBER}){_SCALE.format(name='scale2')})?"
    rf"{_SUFFIX_CCY}{_PAREN_CCY}{_PER}"
)
# "5.0 million euros", "CHF 10 million" are covered above; this one handles the
# code-after-number style "10 million USD" / "12 million euros".
_POSTFIX_RE = re.compile(
    rf"(?P<num>{NUMBER})\s?(?P<scale>(?i:billion|million|thousand))?\s"
    r"(?P<sfx>USD|CAD|EUR|GBP|CHF|euros|U\.S\. dollars|US dollars|Canadian dollars)\b"
)
_SUFFIX_CODES = {
    "usd": "USD", "cad": "CAD", "eur": "EUR", "gbp": "GBP", "chf": "CHF", "euro": "EUR",
    "euros": "EUR", "u.s. dollars": "USD", "us dollars": "USD", "canadian dollars": "CAD",
    "us": "USD", "u.s.": "USD", "cdn": "CAD", "c$": "CAD",
}
_PER_UNITS = {"unit": "per_unit", "share": "per_share", "warrant": "per_warrant",
              "ADS": "per_share", "month": "monthly", "year": "annual", "annum": "annual",
              "quarter": "quarterly"}

_QUALIFIERS_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{words})\s{{1,3}}$", re.IGNORECASE), label)
    for words, label in (
        ((r"approximately|approx\.|about|around|roughly|some|nearly|almost|an estimated|"
          r"estimated|circa|~"), "approximately"),
        (r"up to|as much as|a maximum of|not to exceed|capped at", "up_to"),
        (r"more than|over|in excess of|at least|a minimum of|exceeding", "at_least"),
    )
)
_QUALIFIERS_AFTER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s?or less\b", re.IGNORECASE), "or_less"),
    (re.compile(r"\s?or more\b", re.IGNORECASE), "or_more"),
)


@dataclass(frozen=True)
class Money:
    """One money amount or range found in a text.

    ``value``/``value_high`` are in full units; ``per`` is ``per_unit``,
    ``per_share``, ``annual``... when the amount is quoted per something;
    ``qualifiers`` hold ``approximately``, ``up_to``, ``at_least``, ``or_less``...
    """

    start: int
    end: int
    value: float
    value_high: float | None
    currency: str
    per: str | None
    qualifiers: tuple[str, ...]
    explicit_currency: bool


def _currency(match: re.Match[str], default: str) -> tuple[str, bool]:
    """The ISO code of a match, and whether it was written explicitly."""
    for key in ("sfx", "par"):
        if match[key]:
            return _SUFFIX_CODES[match[key].lower()], True
    for i, (_, code) in enumerate(_PREFIXES):
        if match[f"c{i}"] is not None:
            return (default, False) if code == "$" else (code, True)
    return default, False


def _qualifiers(text: str, start: int, end: int) -> tuple[str, ...]:
    before = text[max(0, start - 24):start]
    found = [label for pattern, label in _QUALIFIERS_BEFORE if pattern.search(before)]
    found += [label for pattern, label in _QUALIFIERS_AFTER
              if pattern.match(text, end, min(len(text), end + 9))]
    return tuple(found)


def _amounts(match: re.Match[str]) -> tuple[float, float | None]:
    """Low and high amounts; "$18–20 million" scales the low end like the high end."""
    scale2 = scale_of(match["scale2"]) if match["num2"] else 1.0
    scale1 = scale_of(match["scale"]) if match["scale"] else scale2
    low = parse_number(match["num"]) * scale1
    if not match["num2"]:
        return low, None
    return low, parse_number(match["num2"]) * scale2


_FROM_BEFORE = re.compile(r"\bfrom\s$", re.IGNORECASE)
_RANGE_FROM_BEFORE = re.compile(r"\brang(?:e|es|ed|ing)\s(?:\w{1,12}\s)?from\s$", re.IGNORECASE)


def _from_match(text: str, m: re.Match[str], default: str) -> list[Money]:
    """One Money per match, or two when "from $X to $Y" states a change, not a range."""
    low, high = _amounts(m)
    currency, explicit = _currency(m, default)
    per = _PER_UNITS.get(m["per"]) if m["per"] else None
    before = text[max(0, m.start() - 30):m.start()]
    is_change = high is not None and (
        high <= low or (_FROM_BEFORE.search(before) and not _RANGE_FROM_BEFORE.search(before)))
    if not is_change:
        return [Money(m.start(), m.end(), low, high, currency, per,
                      _qualifiers(text, m.start(), m.end()), explicit)]
    first_end = m.end("scale") if m["scale"] else m.end("num")
    second_start = m.start("p2") if m["p2"] else m.start("num2")
    return [
        Money(m.start(), first_end, low, None, currency, None,
              _qualifiers(text, m.start(), first_end), explicit),
        Money(second_start, m.end(), high, None, currency, per,
              _qualifiers(text, second_start, m.end()), explicit),
    ]


def find_money(text: str, default_currency: str = "USD",
               start: int = 0, end: int | None = None) -> list[Money]:
    """Find money amounts in ``text[start:end]``.

    Parameters
    ----------
    text : str
        The release text (offsets refer to it).
    default_currency : str
        ISO code a bare ``$`` stands for (the issuer's reporting currency).
    start, end : int
        Region to scan.

    Returns
    -------
    list of Money
        In text order.  "from $10 million to $8 million" gives two amounts
        (a change), "$9 million to $10 million" and "between $5 and $7 million"
        one range.

    Examples
    --------
    >>> [(m.value, m.currency) for m in find_money("up to US\\$27MM and C$10,050,000")]
    [(27000000.0, 'USD'), (10050000.0, 'CAD')]
    >>> m = find_money("range of $9 million to $10 million", "CAD")[0]
    >>> (m.value, m.value_high, m.currency)
    (9000000.0, 10000000.0, 'CAD')
    """
    end = len(text) if end is None else end
    found: list[Money] = []
    for m in _MONEY_RE.finditer(text, start, end):
        found.extend(_from_match(text, m, default_currency))
    ends = [f.end for f in found]  # found is in text order and does not overlap
    for m in _POSTFIX_RE.finditer(text, start, end):
        i = bisect.bisect_right(ends, m.start())
        if i < len(found) and found[i].start <= m.start():
            continue
        value = parse_number(m["num"]) * scale_of(m["scale"])
        found.append(Money(m.start(), m.end(), value, None, _SUFFIX_CODES[m["sfx"].lower()],
                           None, _qualifiers(text, m.start(), m.end()), True))
    found.sort(key=lambda money: money.start)
    return found


_CURRENCY_HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"\b(?:TSX|TSX-?V|TSXV|TSX Venture|CSE|NEO)\s?:", "CAD"),
        (r"\b(?:NASDAQ|Nasdaq|NYSE|NYSE American|AMEX|OTCQX|OTCQB)\s?:", "USD"),
        (r"\b(?:AIM|LSE)\s?:", "GBP"),
        (r"\b(?:Euronext|XETRA|FSE|Frankfurt)\b", "EUR"),
        (r"\b(?:SIX|SWX)\s?:", "CHF"),
        (r"\b(?:ASX)\s?:", "AUD"),
        ((r"\b(?:Vancouver|Toronto|Montreal|Montréal|Calgary|Ottawa|Edmonton|Halifax|"
          r"British Columbia|Ontario|Quebec|Québec|Alberta|Canada)\b"), "CAD"),
    )
)
_CANADA_RE = re.compile(_CURRENCY_HINTS[-1][0].pattern, re.IGNORECASE)


def infer_currency(text: str, head: int = 3000) -> str:
    """Guess the issuer's reporting currency from its listing or home city.

    Listings win over cities: the first exchange named in the first ``head``
    characters decides (TSX → CAD, NASDAQ/NYSE → USD, AIM → GBP, Euronext → EUR,
    SIX → CHF, ASX → AUD); failing that a Canadian city or province → CAD;
    otherwise USD.

    Examples
    --------
    >>> infer_currency("VANCOUVER, May 4 - Acme Inc. (TSX: ACM) today ...")
    'CAD'
    >>> infer_currency("BOSTON - Beta Corp. (NASDAQ: BETA), based in Toronto ...")
    'USD'
    """
    window = text[:head]
    best: tuple[int, str] | None = None
    for pattern, code in _CURRENCY_HINTS[:-1]:
        m = pattern.search(window)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), code)
    if best:
        return best[1]
    return "CAD" if _CANADA_RE.search(window) else "USD"
