"""Balance dates of cash, warrant terms given as durations, and which guidance a release keeps.

Every sentence here is written for these tests.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from finmodel.extract import extract, extract_many, preferred_guidance
from finmodel.extract.dates import as_of_phrases, closing_date, find_durations
from finmodel.periods import Period, find_periods

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _cash(text: str, published: date) -> list:
    return [t for t in extract(text, published=published) if t.kind == "cash"]


@pytest.mark.parametrize("text,published,as_of", [
    ("As at March 31, 2008, the company held cash and cash equivalents of $12.0 million.",
     date(2008, 5, 12), date(2008, 3, 31)),
    ("Northwind had cash and cash equivalents of $9.4 million at the end of the quarter.",
     date(2008, 8, 5), date(2008, 6, 30)),
    ("Cash and short-term investments totalled $30.2 million at year end.",
     date(2009, 2, 20), date(2008, 12, 31)),
    ("Its cash position was $4.1 million as of September 30, 2011, after the trial costs.",
     date(2011, 11, 3), date(2011, 9, 30)),
    ("Northwind ended 2010 with cash of $55 million and no debt.",
     date(2011, 3, 1), date(2010, 12, 31)),
    ("At the end of the first quarter, Northwind had cash of $7.5 million.",
     date(2012, 5, 10), date(2012, 3, 31)),
    ("The company reported a cash balance of $3.3 million at quarter-end.",
     date(2010, 11, 12), date(2010, 9, 30)),
    ("It held cash and cash equivalents of $21 million as of June 30, according to its filing.",
     date(2013, 8, 8), date(2013, 6, 30)),
    ("Northwind ended the year with cash of $14.0 million.",
     date(2015, 3, 2), date(2014, 12, 31)),
    ("As of 31 December 2013, cash and cash equivalents of EUR 42.6 million were on hand.",
     date(2014, 2, 11), date(2013, 12, 31)),
])
def test_cash_carries_its_balance_date(text, published, as_of):
    cash = _cash(text, published)
    assert len(cash) == 1
    assert cash[0].period == Period(as_of, as_of)
    assert cash[0].attrs["period_text"] in cash[0].quote


@pytest.mark.parametrize("text,published", [
    ("The proceeds give Northwind about $18 million in cash to reach its next read-out.",
     date(2009, 4, 1)),
    ("Its cash resources of $20 million should fund operations into 2012.", date(2010, 6, 1)),
])
def test_cash_without_a_balance_date_has_no_period(text, published):
    (cash,) = _cash(text, published)
    assert cash.period is None


def test_two_balances_in_one_sentence_take_their_own_dates():
    text = ("Cash and cash equivalents were $10.2 million at June 30, 2009, compared with "
            "cash and cash equivalents of $14.8 million at December 31, 2008.")
    cash = _cash(text, date(2009, 8, 1))
    assert [(t.value, t.period.end) for t in cash] == [
        (10.2e6, date(2009, 6, 30)), (14.8e6, date(2008, 12, 31))]


def test_a_future_day_is_not_a_balance_date():
    found = as_of_phrases("cash of $5 million at December 31, 2009", 0, 40, date(2009, 6, 1),
                          find_periods("cash of $5 million at December 31, 2009",
                                       date(2009, 6, 1)))
    assert found == []


def test_existing_cash_is_marked_as_before_the_raise():
    text = "The new money, together with existing cash of $8.1 million, funds the plan."
    (cash,) = _cash(text, date(2012, 3, 22))
    assert cash.attrs["scope"] == "existing"
    assert cash.quote.startswith("existing cash")


# --------------------------------------------------------------------------- warrants


@pytest.mark.parametrize("text,published,expires,basis", [
    (("Investors also received warrants to purchase 500,000 common shares at an exercise price "
      "of $1.25 per share, exercisable for two years."),
     date(2010, 3, 15), date(2012, 3, 15), "release"),
    (("The buyers received warrants to purchase 2,000,000 shares at $0.80 per share. The "
      "warrants expire 24 months after closing. The placement is expected to close on "
      "March 19, 2010."),
     date(2010, 3, 16), date(2012, 3, 19), "closing"),
    ("The agent was granted five-year warrants to purchase 750,000 shares at $2.00 per share.",
     date(2011, 6, 1), date(2016, 6, 1), "release"),
    (("The financing closed on April 2, 2009. Subscribers received warrants to purchase 300,000 "
      "shares at C$0.45 per share, which expire on the third anniversary of closing."),
     date(2009, 4, 3), date(2012, 4, 2), "closing"),
    (("Each investor receives warrants to buy 1,200,000 shares at an exercise price of $3.10 per "
      "share, exercisable for five years beginning six months after issuance."),
     date(2012, 10, 4), date(2018, 4, 4), "release"),
    (("The warrants, with a term of 36 months, allow the purchase of 90,000 shares at $4.00 "
      "per share."),
     date(2014, 1, 20), date(2017, 1, 20), "release"),
])
def test_warrant_duration_resolves_to_an_expiry(text, published, expires, basis):
    (w,) = [t for t in extract(text, published=published) if t.kind == "warrant"]
    assert w.period == Period(expires, expires)
    assert w.attrs["expiry_from"] == basis
    assert w.attrs["term_months"] > 0


def test_warrant_with_a_stated_date_keeps_it():
    text = ("The agent receives warrants for the purchase of 883,950 shares at a price of $0.50 "
            "per share, exercisable on or before May 2, 2009.")
    (w,) = [t for t in extract(text, published=date(2006, 5, 4)) if t.kind == "warrant"]
    assert w.period == Period(date(2009, 5, 2), date(2009, 5, 2))
    assert "term_months" not in w.attrs


def test_warrant_duration_without_release_date_stays_open():
    text = "It issued warrants to buy 10,000 shares at $1.00 per share, exercisable for two years."
    (w,) = [t for t in extract(text) if t.kind == "warrant"]
    assert w.period is None and w.attrs["term_months"] == 24


def test_durations_and_closing_dates_directly():
    (d,) = find_durations("exercisable for a period of eighteen months", 0, 45)
    assert (d.months, d.anchor) == (18, None)
    (d,) = find_durations("warrants expiring 3 years from the date of issuance", 0, 60)
    assert (d.months, d.anchor) == (36, "issuance")
    text = "The offering is expected to close on or about October 9, 2012."
    assert closing_date(text, find_periods(text, date(2012, 10, 4)), date(2012, 10, 4)) == \
        date(2012, 10, 9)
    old = "The previous round closed on May 5, 2007."
    assert closing_date(old, find_periods(old, date(2012, 10, 4)), date(2012, 10, 4)) is None


# --------------------------------------------------------------------------- guidance


_GUIDED_TWICE = """\
BOSTON, January 12, 2011 -- Northwind Bio, Inc. (NASDAQ: NWB) today gave an update on NWB-101.

"We expect to report results from the NWB-101 Phase 2 study later this year," said the chief
executive of Northwind.

Northwind expects Phase 2 results for NWB-101 in the third quarter of 2011.

Forward-looking statements

This release contains forward-looking statements, including the timing of Phase 2 results for
NWB-101 in the third quarter of 2011.
"""

_BODY_OVER_BOILERPLATE = """\
BOSTON, January 12, 2011 -- Northwind Bio, Inc. (NASDAQ: NWB) today gave an update on NWB-101.

Northwind expects Phase 2 results for NWB-101 in 2011.

Forward-looking statements

This release contains forward-looking statements, including the timing of Phase 2 results for
NWB-101 in the third quarter of 2011.
"""


def test_most_specific_guidance_of_a_release_is_kept():
    ex = extract_many([_GUIDED_TWICE])
    mentions = [t for t in ex.all_terms if t.kind == "expected_event"
                and t.attrs.get("event") == "phase2_results"]
    assert len(mentions) >= 2  # guided in a quote and in the program paragraph
    h = ex.guidance_history()
    (row,) = h[h.event == "phase2_results"].itertuples()
    assert (row.period_start, row.period_end) == (date(2011, 7, 1), date(2011, 9, 30))
    assert "later this year" not in row.quote


def test_body_guidance_wins_over_boilerplate_even_when_broader():
    ex = extract_many([_BODY_OVER_BOILERPLATE])
    h = ex.guidance_history()
    (row,) = h[h.event == "phase2_results"].itertuples()
    assert (row.period_start, row.period_end) == (date(2011, 1, 12), date(2011, 12, 31))


def test_preferred_guidance_tie_goes_to_a_dated_phrase():
    text = ("BOSTON, July 8, 2008 -- Northwind Bio, Inc. (NASDAQ: NWB) reported on NWB-7.\n\n"
            "Results for NWB-7 are expected before the end of the calendar year.\n\n"
            "Northwind expects NWB-7 Phase 3 results in the second half of 2008.\n")
    ex = extract_many([text])
    events = [t for t in ex.all_terms if t.kind == "expected_event"]
    assert len(events) == 2
    best = preferred_guidance(events, date(2008, 7, 8))
    assert best.attrs["period_text"].endswith("second half of 2008")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed releases absent")
def test_seed_update_keeps_the_program_section_guidance():
    ex = extract_many(sorted(SEEDS.glob("*.txt")))
    h = ex.guidance_history()
    row = h[(h.program == "Omigard") & (h.event == "phase3_results")
            & (h.published == date(2008, 7, 8))].iloc[0]
    assert (row.period_start, row.period_end) == (date(2008, 7, 1), date(2008, 12, 31))
    assert "second half of 2008" in row.quote


# --------------------------------------------------------------------------- stage and names


def test_marketed_product_is_approved():
    text = ("TORONTO, May 3, 2011 -- Larkspur Pharma Inc. (TSX: LRK) said Tavocin (LRK-220) is "
            "marketed in Canada by its licensee.")
    phases = [t for t in extract(text) if t.kind == "program_phase"]
    assert [(t.program, t.attrs["phase"]) for t in phases] == [("LRK-220", "approved")]


def test_firm_whose_name_ends_like_an_inn_is_not_a_program():
    text = ("OSLO, June 2, 2014 -- Fjord Bio ASA (OSE: FJB) licensed FJB-12 to Andersen Pharma "
            "AS. Andersen will pay up to $40 million in milestones for FJB-12, now in Phase 2.")
    programs = {t.program for t in extract(text) if t.program}
    assert programs == {"FJB-12"}


@pytest.mark.parametrize("unit", [
    "Cash of $1 million as at March 31 and at the end of the quarter. ",
    "warrants to buy 100 shares at $1 per share, exercisable for two years from closing ",
    "Andersen Pharma said Lars Andersen ",
    "Zelvir is marketed. ",
    "burn down from $9 million, previously $8 million ",
])
def test_new_rules_scale_linearly(unit):
    def seconds(text: str) -> float:
        started = time.perf_counter()
        extract(text, published=date(2010, 6, 1))
        return time.perf_counter() - started

    small, large = unit * 60, unit * 480
    seconds(small)  # warm caches
    t_small, t_large = seconds(small), seconds(large)
    assert t_large < max(16 * t_small, 0.5), (t_small, t_large)
