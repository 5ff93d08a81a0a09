"""Score the extractor against hand-made truth: recall and precision per kind.

Usage::

    python tests/extract/score.py [SEED_DIR]

SEED_DIR defaults to ``../shared/seeds`` next to the repository; it holds the
release texts (``*.txt``) and their truth, ``truth/<name>.json`` or
``<name>.json`` beside each release (as in ``tests/extract/fixtures``).  A truth term is found when an
extracted term has the same kind, a value within 0.5 % (fractions for
percentages; ``low``/``high`` for qualitative royalties), the same currency
and period where the truth gives them, and a span overlapping the truth's
quote.  Precision counts terms outside boilerplate: *mentions* (every term)
and *facts* (repeated mentions of one fact counted once).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from finmodel.extract import Term, extract_many
from finmodel.extract.history import _fact_key

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
REL_TOL = 0.005


def _close(a: float | None, b: float | None) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return abs(a - b) <= REL_TOL * max(abs(b), 1e-12)


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, i = [], text.find(quote)
    while i >= 0:
        spans.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return spans


def matches(term: Term, truth: dict, text: str) -> bool:
    """True when ``term`` is the truth term (kind, value, currency, period, span)."""
    if term.kind != truth["kind"]:
        return False
    if truth.get("amount") is not None and not _close(term.value, truth["amount"]):
        return False
    if truth.get("amount_high") is not None and not _close(term.value_high, truth["amount_high"]):
        return False
    for key in ("low", "high", "share", "count"):
        if truth.get(key) is not None and not _close(term.attrs.get(key), truth[key]):
            return False
    if truth.get("currency") and term.currency != truth["currency"]:
        return False
    if truth.get("period"):
        want = tuple(date.fromisoformat(d) for d in truth["period"])
        if term.period is None or (term.period.start, term.period.end) != want:
            return False
    spans = _spans(text, truth["quote"])
    return any(term.span[0] < e and s < term.span[1] for s, e in spans)


def _truth_file(release: Path) -> Path:
    """``truth/<name>.json`` (the seeds' layout) or ``<name>.json`` beside the release."""
    nested = release.parent / "truth" / f"{release.stem}.json"
    return nested if nested.exists() else release.with_suffix(".json")


@dataclass
class Tally:
    """Counts for one kind."""

    truth: int = 0
    found: int = 0
    program_ok: int = 0
    mentions: int = 0
    mentions_ok: int = 0
    facts: set = field(default_factory=set)
    facts_ok: set = field(default_factory=set)


def score(seed_dir: Path = SEEDS) -> tuple[dict[str, Tally], list[str], float]:
    """Tallies per kind, the list of misses / inventions, and the extraction time."""
    files = sorted(seed_dir.glob("*.txt"))
    texts = {str(f): f.read_text(encoding="utf-8") for f in files}
    started = time.perf_counter()
    ex = extract_many(files)
    elapsed = time.perf_counter() - started
    tallies: dict[str, Tally] = defaultdict(Tally)
    notes = []
    for f in files:
        truth = json.loads(_truth_file(f).read_text(encoding="utf-8"))
        text = texts[str(f)]
        doc = next(d for d in ex.documents if d.source == str(f))
        if doc.published != date.fromisoformat(truth["published"]):
            notes.append(f"{f.name}: published {doc.published} ({doc.how}), "
                         f"truth {truth['published']}")
        terms = [t for t in ex.all_terms if t.source == str(f)]
        for tt in truth["terms"]:
            tally = tallies[tt["kind"]]
            tally.truth += 1
            hits = [t for t in terms if matches(t, tt, text)]
            if hits:
                tally.found += 1
                if "program" not in tt or any(
                        ex.canonical(t.program) == ex.canonical(tt["program"]) for t in hits):
                    tally.program_ok += 1
            else:
                notes.append(f"MISS {f.name} {tt['kind']}: {tt['quote'][:70]!r}")
        for t in terms:
            if t.boilerplate:
                continue
            tally = tallies[t.kind]
            ok = any(matches(t, tt, text) for tt in truth["terms"])
            key = (f.name, _fact_key(t))
            tally.mentions += 1
            tally.facts.add(key)
            if ok:
                tally.mentions_ok += 1
                tally.facts_ok.add(key)
        noted = set()
        for t in terms:
            key = (f.name, _fact_key(t))
            if not t.boilerplate and key not in tallies[t.kind].facts_ok and key not in noted:
                noted.add(key)
                notes.append(f"EXTRA {f.name} {t.kind}: {t.quote[:70]!r}")
    return tallies, notes, elapsed


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    -"


def main(argv: list[str]) -> int:
    seed_dir = Path(argv[1]) if len(argv) > 1 else SEEDS
    if not seed_dir.is_dir():
        print(f"no seed releases at {seed_dir}", file=sys.stderr)
        return 2
    tallies, notes, elapsed = score(seed_dir)
    print(f"{'kind':20} {'truth':>5} {'recall':>7} {'program':>7} {'terms':>5} "
          f"{'prec.mention':>12} {'facts':>5} {'prec.fact':>9}")
    total = Tally()
    for kind in sorted(tallies):
        t = tallies[kind]
        facts_ok = {k for k in t.facts_ok if k in t.facts}
        print(f"{kind:20} {t.truth:5} {_pct(t.found, t.truth):>7} {_pct(t.program_ok, t.found):>7}"
              f" {t.mentions:5} {_pct(t.mentions_ok, t.mentions):>12} {len(t.facts):5}"
              f" {_pct(len(facts_ok), len(t.facts)):>9}")
        total.truth += t.truth
        total.found += t.found
        total.program_ok += t.program_ok
        total.mentions += t.mentions
        total.mentions_ok += t.mentions_ok
        total.facts |= t.facts
        total.facts_ok |= facts_ok
    print(f"{'ALL':20} {total.truth:5} {_pct(total.found, total.truth):>7} "
          f"{_pct(total.program_ok, total.found):>7} {total.mentions:5} "
          f"{_pct(total.mentions_ok, total.mentions):>12} {len(total.facts):5} "
          f"{_pct(len(total.facts_ok), len(total.facts)):>9}")
    for note in notes:
        print(note)
    print(f"extraction of {len(list(seed_dir.glob('*.txt')))} releases: {elapsed * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
