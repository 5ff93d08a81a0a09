"""Across releases: one program id per program, deduplicated facts, guidance history.

Program aliases are merged across releases in two ways, both learned from the
texts:

* names given as aliases in some release ("celgosivir (MX-3253)") join their
  groups everywhere;
* two programs licensed to the same partner (license, milestone or royalty
  terms naming it) are one program when no release names both as distinct
  programs ("CPI-226 ... Cadence" in 2006, "Omigard ... Cadence" in 2008).

The id of a merged group is its trade name, else its INN, else its code; among
equals the name of the most recent release.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from finmodel.periods import parse_period

from .core import Analysis, analyse, read_release
from .programs import NAME_SORTS
from .terms import Term

__all__ = ["Document", "Extraction", "extract_many", "preferred_guidance"]

_DEAL_KINDS = frozenset({"license_deal", "milestone_total", "royalty_rate"})
_ORG_TAIL_RE = re.compile(
    r"(?:,?\s(?:Inc|Corp|Corporation|Ltd|LLC|L\.\s?P|LP|plc|AG|GmbH)\.?)+$|"
    r"\s(?:Pharmaceuticals?|Pharma|Therapeutics|Life Sciences|Biosciences|Holdings)$",
)
_HISTORY_COLUMNS = ["program", "event", "published", "period_start", "period_end",
                    "slip_days", "source", "quote"]


def _partner_key(name: str) -> str:
    """"Cadence Pharmaceuticals, Inc." and "Cadence" -> "cadence"."""
    previous = None
    while previous != name:
        previous, name = name, _ORG_TAIL_RE.sub("", name).strip(" ,")
    return name.split()[0].lower() if name else ""


class _Groups:
    """Union-find over lower-case program names."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, name: str) -> None:
        self.parent.setdefault(name, name)

    def root(self, name: str) -> str:
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, a: str, b: str) -> None:
        self.parent[self.root(b)] = self.root(a)


def _alias_map(analyses: Sequence[Analysis], order: Sequence[int]) -> dict[str, str]:
    """Lower-case name -> canonical program id, over all releases."""
    groups = _Groups()
    written: dict[str, str] = {}
    sort_of: dict[str, str] = {}
    latest: dict[str, int] = {}
    together: list[set[str]] = []
    partners: dict[str, set[str]] = {}
    for rank, a in zip(order, analyses):
        doc_ids = set()
        for pid, names in a.aliases.items():
            keys = sorted(n.lower() for n in names)
            for key, name in zip(keys, sorted(names, key=str.lower)):
                groups.add(key)
                written.setdefault(key, name)
                sort_of.setdefault(key, a.name_sorts.get(key, "code"))
                latest[key] = max(latest.get(key, -1), rank)
                groups.union(keys[0], key)
            doc_ids.add(pid.lower())
        together.append(doc_ids)
        for t in a.terms:
            if t.kind in _DEAL_KINDS and t.program and t.counterparty and not t.boilerplate:
                partners.setdefault(_partner_key(t.counterparty), set()).add(t.program.lower())
    for names in partners.values():
        for a_name, b_name in _pairs(sorted(names)):
            ra, rb = groups.root(a_name), groups.root(b_name)
            if ra != rb and not _named_apart(groups, together, ra, rb):
                groups.union(a_name, b_name)
    members: dict[str, list[str]] = {}
    for key in groups.parent:
        members.setdefault(groups.root(key), []).append(key)
    canonical = {}
    for keys in members.values():
        best = min(keys, key=lambda k: (NAME_SORTS.index(sort_of[k]), -latest[k], k))
        name = written[best]
        name = name.lower() if sort_of[best] == "inn" else name
        canonical.update({k: name for k in keys})
    return canonical


def _pairs(items: list[str]) -> Iterable[tuple[str, str]]:
    return ((items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


def _named_apart(groups: _Groups, together: list[set[str]], ra: str, rb: str) -> bool:
    """True when some release names both groups as distinct programs."""
    for ids in together:
        roots = {groups.root(i) for i in ids if i in groups.parent}
        if ra in roots and rb in roots:
            return True
    return False


def _fact_key(term: Term) -> tuple:
    attrs = tuple(sorted((k, str(v)) for k, v in term.attrs.items()
                         if k in ("phase", "event", "share", "count", "low", "high")))
    return (term.kind, term.value, term.value_high, term.currency, term.unit, term.period,
            term.program, attrs)


@dataclass(frozen=True)
class Document:
    """One release of an :class:`Extraction`: its date, where the date came from, its issuer.

    ``line`` is the 1-based line of the dateline (None when none was found).
    """

    source: str | None
    published: date | None
    how: str
    evidence: str | None
    issuer: str | None = None
    line: int | None = None


def _guidance_key(term: Term, published: date | None) -> tuple:
    """Sort key of one mention of a guided event: the preferred mention sorts first."""
    period = term.period
    start = max(period.start, published) if published and period.end >= published else period.start
    text = term.attrs.get("period_text") or ""
    relative = parse_period(text) is None
    return term.boilerplate, (period.end - start).days, relative, term.span


def preferred_guidance(mentions: Iterable[Term], published: date | None = None) -> Term:
    """The mention that states a release's guidance for one event.

    A release often guides the same event more than once (a quote from the
    CEO, the program section, the forward-looking statements).  The one kept:

    1. in the body, not the boilerplate (which repeats the body);
    2. the narrowest period once clipped to the release date, i.e. the most
       specific statement ("in Q3/08" over "later this year"; "in the second
       half of 2008" and "before the end of the calendar year" tie in July);
    3. at a tie, a phrase that names its own dates ("second half of 2008")
       over one that needs the release date to be read ("later this year");
    4. then the first in the text.

    Parameters
    ----------
    mentions : iterable of Term
        ``expected_event`` terms of one release, program and event, with periods.
    published : datetime.date, optional
        The release date.
    """
    return min(mentions, key=lambda t: _guidance_key(t, published))


@dataclass
class Extraction:
    """Terms of several releases with program ids resolved across them.

    Attributes
    ----------
    documents : list of Document
        The releases, in the order given.
    all_terms : list of Term
        Every term of every release, programs renamed to their canonical id.
    terms : list of Term
        Unique facts: the first body mention of each (kind, value, period,
        program...) across releases, in release-date order.
    aliases : dict
        Lower-case program name -> canonical id.
    """

    documents: list[Document]
    all_terms: list[Term]
    terms: list[Term]
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self, name: str | None) -> str | None:
        """Canonical id of a program name (unknown names are returned unchanged)."""
        return None if name is None else self.aliases.get(name.lower(), name)

    def guidance_history(self) -> pd.DataFrame:
        """One row per (program, event, release): the period guided and its slip.

        ``slip_days`` is the shift of the guided period's midpoint against the
        first guidance for the same (program, event). Releases with an unknown
        date are left out. When a release guides an event more than once, the
        mention kept is the one :func:`preferred_guidance` picks.
        """
        published = {d.source: d.published for d in self.documents}
        groups: dict[tuple, list[Term]] = {}
        for t in self.all_terms:
            day = published.get(t.source)
            if t.kind != "expected_event" or t.period is None or day is None or not t.program:
                continue
            groups.setdefault((t.program, t.attrs.get("event"), day), []).append(t)
        rows = {key: preferred_guidance(ts, key[2]) for key, ts in groups.items()}
        records = [{"program": p, "event": e, "published": d, "period_start": t.period.start,
                    "period_end": t.period.end, "source": t.source, "quote": t.quote}
                   for (p, e, d), t in rows.items()]
        frame = pd.DataFrame.from_records(records, columns=[c for c in _HISTORY_COLUMNS
                                                            if c != "slip_days"])
        if frame.empty:
            return pd.DataFrame(columns=_HISTORY_COLUMNS)
        frame = frame.sort_values(["program", "event", "published"], kind="stable")
        mid = pd.to_datetime(frame["period_start"]) + (
            pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])) / 2
        first = mid.groupby([frame["program"], frame["event"]]).transform("first")
        frame["slip_days"] = (mid - first).dt.days.astype(int)
        return frame[_HISTORY_COLUMNS].reset_index(drop=True)

    def slips(self) -> pd.DataFrame:
        """Per (program, event) guided more than once: total slip and slip per year elapsed.

        Columns: ``program, event, releases, first_published, last_published,
        elapsed_days, slip_days, slip_per_year``.  ``slip_per_year`` (days of
        slip per year of calendar time) is the rate a Monte Carlo can draw from.
        """
        h = self.guidance_history()
        columns = ["program", "event", "releases", "first_published", "last_published",
                   "elapsed_days", "slip_days", "slip_per_year"]
        rows = []
        for (program, event), g in h.groupby(["program", "event"], sort=True):
            if len(g) < 2:
                continue
            elapsed = (g["published"].iloc[-1] - g["published"].iloc[0]).days
            slip = int(g["slip_days"].iloc[-1])
            rows.append([program, event, len(g), g["published"].iloc[0],
                         g["published"].iloc[-1], elapsed, slip,
                         slip / elapsed * 365.25 if elapsed else np.nan])
        return pd.DataFrame(rows, columns=columns)

    def slip_distribution(self) -> dict[str, float | np.ndarray]:
        """Summary of observed slips, for a timing assumption.

        Returns
        -------
        dict
            ``samples`` (array of slip days, one per guided series), ``mean``,
            ``median``, ``p10``, ``p90`` (days), and ``per_year_mean``
            (days of slip per year elapsed); NaN when nothing was guided twice.
        """
        s = self.slips()
        days = s["slip_days"].to_numpy(dtype=float)
        rate = s["slip_per_year"].to_numpy(dtype=float)
        if days.size == 0:
            nan = float("nan")
            return {"samples": days, "mean": nan, "median": nan, "p10": nan, "p90": nan,
                    "per_year_mean": nan}
        return {"samples": days, "mean": float(days.mean()), "median": float(np.median(days)),
                "p10": float(np.percentile(days, 10)), "p90": float(np.percentile(days, 90)),
                "per_year_mean": float(np.nanmean(rate)) if np.isfinite(rate).any() else
                float("nan")}


def _analyse_item(item: str | Path, published: date | None, currency: str | None) -> Analysis:
    """A path (existing file) is read; any other string is release text."""
    if isinstance(item, Path) or (isinstance(item, str) and "\n" not in item
                                  and len(item) < 4096 and Path(item).is_file()):
        return analyse(read_release(item), published, str(item), currency)
    return analyse(item, published, None, currency)


def extract_many(items: Iterable[str | Path], *, currency: str | None = None,
                 published: date | None = None) -> Extraction:
    """Extract several releases and resolve them against each other.

    Parameters
    ----------
    items : iterable of str or Path
        File paths, or release texts.  Texts are labelled ``"#1"``, ``"#2"``...
    currency : str, optional
        Reporting currency for bare ``$`` (else inferred per release).
    published : datetime.date, optional
        Release date of every item, overriding their datelines (for one
        release, or several of the same day).

    Returns
    -------
    Extraction

    Raises
    ------
    ExtractionError
        If a file cannot be read (one line naming it).
    """
    analyses = []
    for n, item in enumerate(items, start=1):
        a = _analyse_item(item, published, currency)
        if a.source is None:
            a = Analysis(f"#{n}", [t.replace(source=f"#{n}") for t in a.terms], a.dateline,
                         a.aliases, a.name_sorts)
        analyses.append(a)
    by_date = sorted(range(len(analyses)),
                     key=lambda i: (analyses[i].dateline.date or date.min, i))
    order = [by_date.index(i) for i in range(len(analyses))]
    aliases = _alias_map(analyses, order)
    all_terms = [t.replace(program=aliases.get(t.program.lower(), t.program))
                 if t.program else t for a in analyses for t in a.terms]
    unique: dict[tuple, Term] = {}
    rank = {a.source: order[i] for i, a in enumerate(analyses)}
    for t in sorted(all_terms, key=lambda t: (t.boilerplate, rank[t.source], t.span)):
        unique.setdefault(_fact_key(t), t)
    terms = sorted(unique.values(), key=lambda t: (rank[t.source], t.span))
    documents = [Document(a.source, a.dateline.date, a.dateline.how, a.dateline.evidence,
                          a.dateline.issuer, a.dateline.line) for a in analyses]
    return Extraction(documents, all_terms, terms, aliases)
