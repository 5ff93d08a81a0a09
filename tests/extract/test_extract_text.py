"""Layout, dateline, programs and organisations."""

from __future__ import annotations

from datetime import date

from finmodel.extract import analyse, extract
from finmodel.extract.programs import find_orgs, find_programs
from finmodel.extract.text import layout

RELEASE = """Acme Update

TORONTO, March 3 /CNW/ - Acme Corp. (TSX: ACM) said its partner, Birch Pharmaceuticals,
Inc., has started a Phase II trial of Zorvex(TM) (AC-2201). Results are expected in the
second half of 2012.

- Zorvex enrollment of 90 patients is ongoing

About Acme Corp.

Acme Corp. develops drugs. Its lead product is in Phase II.

Forward-looking statements

This release contains forward-looking statements about results in the second half of 2012.
"""


def test_sentences_join_wrapped_lines_and_split_bullets():
    lay = layout(RELEASE)
    texts = [RELEASE[s.start:s.end] for s in lay.sentences]
    assert any(t.startswith("TORONTO") and t.endswith("(AC-2201).") for t in texts)
    assert any(t.startswith("- Zorvex") for t in texts)


def test_boilerplate_sections():
    lay = layout(RELEASE, issuer="Acme")
    assert lay.in_boilerplate(RELEASE.index("Acme Corp. develops"))
    assert lay.in_boilerplate(RELEASE.index("This release contains"))
    assert not lay.in_boilerplate(RELEASE.index("Results are expected"))


def test_page_break_inside_a_sentence_does_not_split_it():
    text = "The study will enrol the\n\nremaining patients by June."
    assert len(layout(text).sentences) == 1


def test_year_inferred_from_forward_looking_phrase():
    a = analyse(RELEASE)
    assert a.dateline.how == "inferred"
    assert a.dateline.date == date(2012, 3, 3)
    assert "2012" in a.dateline.evidence


def test_year_unknown_without_evidence():
    a = analyse("VANCOUVER, May 4 /CNW/ - Acme Inc. (TSX: ACM) raised $5 million.")
    assert a.dateline.how == "unknown" and a.dateline.date is None


def test_published_argument_overrides():
    a = analyse(RELEASE, published=date(2011, 12, 1))
    assert a.dateline.date == date(2011, 12, 1) and a.dateline.how == "given"


def test_programs_and_aliases():
    p = find_programs(RELEASE)
    assert p.aliases == {"Zorvex": {"Zorvex", "AC-2201"}}


def test_orgs_with_legal_tails_and_short_forms():
    o = find_orgs(RELEASE + " Birch will pay.", issuer="Acme")
    names = {name for _, _, name in o.mentions}
    assert names == {"Birch Pharmaceuticals, Inc."}
    assert len(o.mentions) == 2


def test_terms_in_boilerplate_are_marked():
    terms = extract(RELEASE, published=date(2012, 3, 3))
    events = [t for t in terms if t.kind == "expected_event"]
    assert {t.boilerplate for t in events} == {False, True}
    assert all(t.program == "Zorvex" for t in events if not t.boilerplate)
