"""The five seed releases: every truth term found, few terms invented, fast."""

from __future__ import annotations

import importlib.util
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from finmodel.extract import extract_many

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2] / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not (SEEDS / "truth").is_dir(), reason="seed releases absent")


def _score_module():
    spec = importlib.util.spec_from_file_location("extract_score", HERE / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored():
    return _score_module().score(SEEDS)


def test_every_truth_term_is_found(scored):
    tallies, notes, _ = scored
    missed = [n for n in notes if n.startswith("MISS")]
    assert not missed, "\n".join(missed)
    for kind, t in tallies.items():
        assert t.found == t.truth, kind


def test_program_of_every_found_term_matches_through_aliases(scored):
    tallies, _, _ = scored
    assert all(t.program_ok == t.found for t in tallies.values())


def test_precision_floor(scored):
    tallies, _, _ = scored
    facts = sum(len(t.facts) for t in tallies.values())
    facts_ok = sum(len({k for k in t.facts_ok if k in t.facts}) for t in tallies.values())
    mentions = sum(t.mentions for t in tallies.values())
    mentions_ok = sum(t.mentions_ok for t in tallies.values())
    assert facts_ok / facts >= 0.90
    assert mentions_ok / mentions >= 0.80


def test_publication_dates_read_or_inferred(scored):
    _, notes, _ = scored
    assert not [n for n in notes if "published" in n]


def test_five_seeds_extract_quickly():
    files = sorted(SEEDS.glob("*.txt"))
    started = time.perf_counter()
    extract_many(files)
    assert time.perf_counter() - started < 5.0  # generous: typically ~0.1 s


@pytest.fixture(scope="module")
def extraction():
    return extract_many(sorted(SEEDS.glob("*.txt")))


def test_aliases_resolved_across_releases(extraction):
    canonical = extraction.canonical
    assert canonical("CPI-226") == canonical("Omigard") == "Omigard"
    assert canonical("MX-3253") == canonical("celgosivir") == "celgosivir"
    assert canonical("MX-594AN") == canonical("CLS001")


def test_undated_datelines_report_their_evidence(extraction):
    inferred = [d for d in extraction.documents if d.how == "inferred"]
    assert {d.published for d in inferred} == {date(2005, 11, 22), date(2006, 5, 4)}
    assert all(d.evidence for d in inferred)


def test_omigard_phase3_results_slipped_from_2007_to_2008(extraction):
    h = extraction.guidance_history()
    rows = h[(h.program == "Omigard") & (h.event == "phase3_results")]
    assert rows.iloc[0].period_start == date(2007, 1, 1)
    assert rows.iloc[-1].period_end == date(2008, 12, 31)
    assert rows.slip_days.iloc[-1] > 500
    dist = extraction.slip_distribution()
    assert dist["samples"].size >= 1 and dist["median"] > 0


def test_spans_index_the_original_text(extraction):
    for t in extraction.all_terms:
        text = Path(t.source).read_text(encoding="utf-8")
        assert text[t.span[0]:t.span[1]] == t.quote
        assert text.count("\n", 0, t.span[0]) + 1 == t.line
