"""The dateline: when a release was published, and by whom.

Datelines come in many styles::

    Vancouver, BC Canada – May 27, 2008 – Acme Inc. (TSX: ACM) ...
    VANCOUVER, May 4 /PRNewswire-FirstCall/ - Acme Inc. ...
    SAN DIEGO--(BUSINESS WIRE)--March 3, 2010--Acme Inc. ...
    TORONTO, Jan. 10, 2012 (GLOBE NEWSWIRE) -- Acme Inc. ...

The date is read by :mod:`finmodel.periods`.  When the dateline has no year
the year is inferred from the release's own time phrases: forward-looking
phrases (in sentences that expect, plan, anticipate..., or in the
forward-looking-statements section) must not end before the release, and
dated past references must not start after it.  The latest year consistent
with both is taken, and the evidence is reported; with no evidence the date is
left unknown rather than guessed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from finmodel.periods import PeriodMatch, find_periods, parse_period

from .text import Layout

__all__ = ["FUTURE_CUE_RE", "Dateline", "find_issuer", "read_dateline"]

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATE_RE = re.compile(rf"\b(?P<md>{_MONTHS}\.?\s{{1,2}}\d{{1,2}})(?:,?\s{{1,2}}(?P<y>(?:19|20)\d\d))?\b")
_AFTER_RE = re.compile(r"\s{0,3}(?:/\s?[A-Za-z]|\(\s?[A-Z]|--|[-–—]\s|/PR|\(GLOBE|\(Marketwire)")
_BEFORE_RE = re.compile(r"(?:\(BUSINESS WIRE\)--|\(Marketwired? - |--|[-–—]\s|,\s)$", re.IGNORECASE)
_ISSUER_RE = re.compile(
    r"[\s/–—)-]{0,6}(?:\([^)\n]{0,40}\)\s?)?[/\s–—-]{0,6}"
    r"(?P<name>[A-Z][\w&'.-]{1,30}(?: [A-Z][\w&'.-]{0,30}){0,4}?)"
    r"(?=\s?(?:,|\(|\s(?:Inc|Corp|Ltd|LLC|plc|AG|announced|today|a\s|an\s|has|is|said)\b))"
)
#: Words that make a sentence forward-looking.
FUTURE_CUE_RE = re.compile(
    r"\b(?:expect\w*|anticipat\w*|plan(?:s|ned)?|will|intend\w*|should|could|may|aim\w*|"
    r"target\w*|forecast\w*|project(?:s|ed)|estimat\w*|schedul\w*|potential|on track|"
    r"continue to|going forward)\b",
    re.IGNORECASE,
)
_PAST_CUE_RE = re.compile(
    r"\b(?:see|announced|reported|completed|awarded|received|signed|entered|was|were|"
    r"since|founded|news release|press release)\b",
    re.IGNORECASE,
)
_HEAD = 4000


@dataclass(frozen=True)
class Dateline:
    """Publication date and issuer read from a release.

    ``how`` is ``"dateline"`` (date and year written), ``"inferred"`` (year
    inferred, see ``evidence``), ``"given"`` (the caller's ``published``) or
    ``"unknown"``.  ``start`` is the dateline's offset (where the body starts)
    and ``line`` its 1-based line (None when no dateline was found).
    """

    date: date | None
    how: str
    evidence: str | None = None
    start: int = 0
    issuer: str | None = None
    line: int | None = None


def _find(text: str) -> tuple[re.Match[str], int, str | None] | None:
    """The dateline's date, the offset where its line starts, and the issuer named after it."""
    for m in _DATE_RE.finditer(text, 0, min(len(text), _HEAD)):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start:line_start + 1].isupper():
            continue
        if _AFTER_RE.match(text, m.end()) or _BEFORE_RE.search(text, max(0, m.start() - 22),
                                                               m.start()):
            issuer = _ISSUER_RE.match(text, _skip_wire(text, m.end()))
            return m, line_start, issuer["name"] if issuer else None
    return None


def find_issuer(text: str) -> str | None:
    """The company named right after the dateline ("MIGENIX" in "... – MIGENIX Inc. (TSX...")."""
    found = _find(text)
    return found[2] if found else None


_WIRE_RE = re.compile(r"\s{0,3}(?:/[^/\n]{1,40}/|\((?:GLOBE NEWSWIRE|Marketwired?)[^)\n]{0,30}\))?")


def _skip_wire(text: str, pos: int) -> int:
    return _WIRE_RE.match(text, pos).end()


def _bounds(matches: list[tuple[PeriodMatch, bool]], month: int, day: int
            ) -> tuple[int | None, str | None, int | None, str | None]:
    """Latest year allowed by forward phrases, earliest allowed by past ones, with evidence."""
    high = low = None
    high_text = low_text = None
    for match, forward in matches:
        p = match.period
        if forward:
            year = p.end.year if (month, day) <= (p.end.month, p.end.day) else p.end.year - 1
            if high is None or year < high:
                high, high_text = year, match.text
        elif p.days <= 31:
            year = p.start.year if (month, day) >= (p.start.month, p.start.day) else p.start.year + 1
            if low is None or year > low:
                low, low_text = year, match.text
    return high, high_text, low, low_text


def _classified(text: str, lay: Layout, skip: tuple[int, int]) -> list[tuple[PeriodMatch, bool]]:
    """Absolute time phrases of the release, each marked forward-looking or past."""
    out = []
    for s in lay.sentences:
        sentence = text[s.start:s.end]
        forward = lay.in_boilerplate(s.start) or bool(FUTURE_CUE_RE.search(sentence))
        past = bool(_PAST_CUE_RE.search(sentence))
        if not forward and not past:
            continue
        for m in find_periods(sentence):
            if skip[0] <= s.start + m.start < skip[1]:
                continue
            out.append((m, forward))
    return out


def read_dateline(text: str, lay: Layout, published: date | None = None) -> Dateline:
    """Read the publication date and issuer from the dateline.

    Parameters
    ----------
    text : str
        The release.
    lay : Layout
        Its layout (to tell forward-looking sentences and boilerplate).
    published : datetime.date, optional
        Overrides whatever the dateline says.

    Returns
    -------
    Dateline
    """
    found = _find(text)
    if found is None:
        return Dateline(published, "given" if published else "unknown")
    return dataclasses.replace(_read_found(text, lay, published, found),
                               line=lay.line(found[1]))


def _read_found(text: str, lay: Layout, published: date | None,
                found: tuple[re.Match[str], int, str | None]) -> Dateline:
    m, start, issuer = found
    if published is not None:
        return Dateline(published, "given", None, start, issuer)
    if m["y"]:
        period = parse_period(m.group())
        return Dateline(period.start if period else None, "dateline" if period else "unknown",
                        None, start, issuer)
    probe = parse_period(f"{m['md']}, 2000")
    if probe is None:
        return Dateline(None, "unknown", None, start, issuer)
    month, day = probe.start.month, probe.start.day
    high, high_text, low, low_text = _bounds(_classified(text, lay, (m.start(), m.end())),
                                             month, day)
    year = high if high is not None else low
    if year is None or (low is not None and high is not None and low > high):
        return Dateline(None, "unknown", "no consistent year in the text", start, issuer)
    evidence = (f"latest year before forward-looking {high_text!r}" if high is not None
                else f"earliest year after {low_text!r}")
    try:
        return Dateline(date(year, month, day), "inferred", evidence, start, issuer)
    except ValueError:  # Feb 29 in a common year
        return Dateline(None, "unknown", "inferred year has no such day", start, issuer)
