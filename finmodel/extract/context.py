"""What every rule needs to know about one release, and how a Term is built."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finmodel.periods import PeriodMatch

from .programs import Orgs, Programs
from .terms import Term
from .text import Layout, Sentence

__all__ = ["PROGRAM_KINDS", "Context"]

_LIST_REACH = 40  # sentences a list item may be from its title / lead-in

#: Kinds whose program may come from the paragraph's subject, not only the sentence.
PROGRAM_KINDS = frozenset({
    "milestone_total", "royalty_rate", "royalty_tier", "program_phase", "expected_event",
    "license_deal", "enrollment", "sales_forecast", "funding_commitment", "equity_stake",
})
#: Company-level kinds: never tied to a program.
COMPANY_KINDS = frozenset({
    "cash", "burn_rate", "cost_reduction", "financing", "warrant", "conversion", "shares",
    "headcount", "runway_guidance",
})


@dataclass
class Context:
    """One release, analysed: layout, programs, organisations, time phrases."""

    text: str
    lay: Layout
    programs: Programs
    orgs: Orgs
    periods: list[PeriodMatch]
    currency: str
    published: date | None
    source: str | None
    body_start: int = 0
    _starts: list[int] = field(default_factory=list, repr=False)
    _period_starts: list[int] = field(default_factory=list, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # per-release memo of rules
    _first: list[int] = field(default_factory=list, repr=False)  # paragraph's first sentence
    _last: list[int] = field(default_factory=list, repr=False)  # paragraph's last sentence

    def __post_init__(self) -> None:
        self._starts = [s.start for s in self.lay.sentences]
        self._period_starts = [p.start for p in self.periods]
        n = len(self.lay.sentences)
        self._first, self._last = [0] * n, [0] * n
        for i, s in enumerate(self.lay.sentences):
            same = i and self.lay.sentences[i - 1].paragraph == s.paragraph
            self._first[i] = self._first[i - 1] if same else i
        for i in range(n - 1, -1, -1):
            same = i + 1 < n and self.lay.sentences[i + 1].paragraph == self.lay.sentences[i].paragraph
            self._last[i] = self._last[i + 1] if same else i

    # ------------------------------------------------------------------ navigation

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return self.lay.sentences

    def sentence_index(self, offset: int) -> int:
        """Index of the sentence holding ``offset`` (the one before, between sentences)."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def clause(self, offset: int) -> tuple[int, int]:
        """The ``;``-delimited part of the sentence holding ``offset``."""
        s = self.sentences[self.sentence_index(offset)]
        start = self.text.rfind(";", s.start, offset) + 1 or s.start
        end = self.text.find(";", offset, s.end)
        return max(start, s.start), (s.end if end < 0 else end)

    def periods_in(self, lo: int, hi: int) -> list[PeriodMatch]:
        """Time phrases lying inside ``[lo, hi)``."""
        i = bisect.bisect_left(self._period_starts, lo)
        out = []
        for p in self.periods[i:]:
            if p.start >= hi:
                break
            if p.end <= hi:
                out.append(p)
        return out

    def paragraph_bounds(self, index: int) -> tuple[int, int]:
        """Offsets where the paragraph of sentence ``index`` starts and ends."""
        return self.sentences[self._first[index]].start, self.sentences[self._last[index]].end

    def paragraph_start(self, index: int) -> int:
        """Offset where the paragraph of sentence ``index`` starts."""
        return self.sentences[self._first[index]].start

    def paragraph_program(self, index: int) -> str | None:
        """The program a sentence's paragraph (or its list's title) is about."""
        s = self.sentences[index]
        first = self._first[index]
        name = self.programs.first_in(self.sentences[first].start, s.end)
        j = first - 1
        while (name is None and j >= max(0, first - _LIST_REACH)
               and (self.sentences[j].heading or self.sentences[j].bullet)):
            if self.sentences[j].heading:
                name = self.programs.first_in(self.sentences[j].start, self.sentences[j].end)
            j -= 1
        return name

    def program_for(self, kind: str, start: int, end: int) -> str | None:
        """Program of a term of ``kind`` at ``[start, end)``."""
        if kind in COMPANY_KINDS:
            return None
        i = self.sentence_index(start)
        s = self.sentences[i]
        name = self.programs.nearest(start, end, s.start, s.end)
        if name is None and kind in PROGRAM_KINDS:
            name = self.paragraph_program(i) or self.only_program()
        return name

    def only_program(self) -> str | None:
        """The program of a release that names a single one, else None."""
        ids = set(self.programs.aliases)
        return next(iter(ids)) if len(ids) == 1 else None

    def counterparty_for(self, start: int, end: int, *, paragraph: bool = False) -> str | None:
        """The organisation named nearest to ``[start, end)`` in its sentence (or paragraph)."""
        i = self.sentence_index(start)
        s = self.sentences[i]
        lo, hi = s.start, s.end
        name = self.orgs.nearest(start, end, lo, hi)
        if name is None and paragraph:
            name = self.orgs.nearest(start, end, *self.paragraph_bounds(i))
        return name

    # ------------------------------------------------------------------ terms

    def term(self, kind: str, start: int, end: int, **fields: Any) -> Term:
        """A Term quoting ``text[start:end]``, located, with program/counterparty defaults."""
        if "program" not in fields:
            fields["program"] = self.program_for(kind, start, end)
        fields.setdefault("source", self.source)
        return Term(
            kind=kind, quote=self.text[start:end], span=(start, end),
            line=self.lay.line(start), boilerplate=self.lay.in_boilerplate(start), **fields,
        )
