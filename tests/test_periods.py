"""Tests of finmodel.periods: the time-phrase grammar.

Every phrase below is written for these tests; the seed releases are read from
``../shared/seeds`` at run time and never copied here.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.errors import InputError
from finmodel.periods import Period, PeriodMatch, find_periods, parse_period, resolve_period

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

JUL_8_2008 = dt.date(2008, 7, 8)
MAY_27_2008 = dt.date(2008, 5, 27)
MAY_4_2006 = dt.date(2006, 5, 4)


def P(start: str, end: str) -> Period:
    """Period from two ISO dates."""
    return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


# --- Period --------------------------------------------------------------------------------


def test_period_properties():
    h2 = P("2008-07-01", "2008-12-31")
    assert h2.days == 184
    assert h2.midpoint == dt.date(2008, 9, 30)
    assert P("2008-01-01", "2008-01-01").midpoint == dt.date(2008, 1, 1)
    assert h2.contains(dt.date(2008, 7, 1)) and h2.contains(dt.date(2008, 12, 31))
    assert not h2.contains(dt.date(2009, 1, 1))
    assert str(h2) == "2008-07-01..2008-12-31"


def test_period_is_a_hashable_ordered_value():
    assert P("2008-07-01", "2008-12-31") == P("2008-07-01", "2008-12-31")
    assert len({P("2008-07-01", "2008-12-31"), P("2008-07-01", "2008-12-31")}) == 1
    assert P("2008-01-01", "2008-06-30") < P("2008-07-01", "2008-12-31")
    with pytest.raises(AttributeError):
        P("2008-07-01", "2008-12-31").start = dt.date(2008, 1, 1)


def test_period_validates_its_bounds():
    with pytest.raises(ValueError, match="after its end"):
        P("2009-01-01", "2008-12-31")
    with pytest.raises(TypeError):
        Period(dt.datetime(2008, 1, 1), dt.date(2008, 2, 1))
    with pytest.raises(TypeError):
        Period("2008-01-01", dt.date(2008, 2, 1))


# --- the forms, each with its interval worked out by hand ----------------------------------

FORMS = [
    # compact halves and quarters
    ("H2/08", None, "2008-07-01", "2008-12-31"),
    ("H1/09", None, "2009-01-01", "2009-06-30"),
    ("Q3/08", None, "2008-07-01", "2008-09-30"),
    ("1H 2010", None, "2010-01-01", "2010-06-30"),
    ("2H08", None, "2008-07-01", "2008-12-31"),
    ("Q4 2008", None, "2008-10-01", "2008-12-31"),
    ("3Q08", None, "2008-07-01", "2008-09-30"),
    ("Q1 '09", None, "2009-01-01", "2009-03-31"),
    ("Q2-2011", None, "2011-04-01", "2011-06-30"),
    # halves and quarters in words
    ("second half of 2008", JUL_8_2008, "2008-07-01", "2008-12-31"),
    ("first half of calendar 2009", JUL_8_2008, "2009-01-01", "2009-06-30"),
    ("first quarter of 2010", JUL_8_2008, "2010-01-01", "2010-03-31"),
    ("fourth quarter of calendar 2008", JUL_8_2008, "2008-10-01", "2008-12-31"),
    ("into the third quarter of calendar 2007", MAY_4_2006, "2007-07-01", "2007-09-30"),
    ("last quarter of 2008", None, "2008-10-01", "2008-12-31"),
    ("the second half of this year", JUL_8_2008, "2008-07-01", "2008-12-31"),
    ("the first half of next year", JUL_8_2008, "2009-01-01", "2009-06-30"),
    # early / mid / late
    ("late 2009", None, "2009-09-01", "2009-12-31"),
    ("by late 2009", JUL_8_2008, "2009-09-01", "2009-12-31"),
    ("early 2010", None, "2010-01-01", "2010-04-30"),
    ("mid-calendar 2006", None, "2006-05-01", "2006-08-31"),
    ("mid calendar 2006", None, "2006-05-01", "2006-08-31"),
    ("mid-2006", None, "2006-05-01", "2006-08-31"),
    ("late in 2009", None, "2009-09-01", "2009-12-31"),
    ("early next year", JUL_8_2008, "2009-01-01", "2009-04-30"),
    ("the middle of 2011", None, "2011-05-01", "2011-08-31"),
    # end of a year: a deadline after "by"/"before", else the fourth quarter
    ("by the end of 2008", JUL_8_2008, "2008-07-08", "2008-12-31"),
    ("by the end of 2008", None, "2008-01-01", "2008-12-31"),
    ("by the end of 2008", dt.date(2007, 3, 1), "2008-01-01", "2008-12-31"),
    ("before the end of the calendar year", JUL_8_2008, "2008-07-08", "2008-12-31"),
    ("by year-end", JUL_8_2008, "2008-07-08", "2008-12-31"),
    ("end of 2008", JUL_8_2008, "2008-10-01", "2008-12-31"),
    ("year-end 2008", JUL_8_2008, "2008-10-01", "2008-12-31"),
    ("the end of the year", JUL_8_2008, "2008-10-01", "2008-12-31"),
    # whole years: "in"/"during" start at a reference inside the year
    ("in 2008", JUL_8_2008, "2008-07-08", "2008-12-31"),
    ("in 2008", dt.date(2007, 11, 1), "2008-01-01", "2008-12-31"),
    ("in 2008", None, "2008-01-01", "2008-12-31"),
    ("during 2009", JUL_8_2008, "2009-01-01", "2009-12-31"),
    ("during 2009", dt.date(2009, 3, 15), "2009-03-15", "2009-12-31"),
    ("calendar 2009", JUL_8_2008, "2009-01-01", "2009-12-31"),
    ("calendar 2008", JUL_8_2008, "2008-01-01", "2008-12-31"),
    ("into 2009", MAY_27_2008, "2009-01-01", "2009-12-31"),
    ("the year 2010", None, "2010-01-01", "2010-12-31"),
    ("2009", None, "2009-01-01", "2009-12-31"),
    ("this year", JUL_8_2008, "2008-01-01", "2008-12-31"),
    ("next year", JUL_8_2008, "2009-01-01", "2009-12-31"),
    ("later this year", MAY_4_2006, "2006-05-04", "2006-12-31"),
    ("later in the year", MAY_4_2006, "2006-05-04", "2006-12-31"),
    ("later in 2008", JUL_8_2008, "2008-07-08", "2008-12-31"),
    # windows from the reference
    ("in the next several weeks", JUL_8_2008, "2008-07-08", "2008-09-30"),
    ("in the coming weeks", JUL_8_2008, "2008-07-08", "2008-09-30"),
    ("in the coming months", JUL_8_2008, "2008-07-08", "2009-01-08"),
    ("within the next 12 months", MAY_27_2008, "2008-05-27", "2009-05-27"),
    ("next 12 months", MAY_27_2008, "2008-05-27", "2009-05-27"),
    ("over the next 6 months", MAY_27_2008, "2008-05-27", "2008-11-27"),
    ("within 3 weeks", JUL_8_2008, "2008-07-08", "2008-07-29"),
    ("next 10 days", JUL_8_2008, "2008-07-08", "2008-07-18"),
    ("the next two years", JUL_8_2008, "2008-07-08", "2010-07-08"),
    ("within a year", JUL_8_2008, "2008-07-08", "2009-07-08"),
    ("within the next year", JUL_8_2008, "2008-07-08", "2009-07-08"),
    ("within months", JUL_8_2008, "2008-07-08", "2009-01-08"),
    ("over the next few days", JUL_8_2008, "2008-07-08", "2008-07-22"),
    ("the coming years", JUL_8_2008, "2008-07-08", "2011-07-08"),
    ("next twenty-four months", JUL_8_2008, "2008-07-08", "2010-07-08"),
    # dates and months
    ("on or before May 2, 2009", MAY_4_2006, "2009-05-02", "2009-05-02"),
    ("May 2, 2009", None, "2009-05-02", "2009-05-02"),
    ("2 May 2009", None, "2009-05-02", "2009-05-02"),
    ("Sept. 30, 2008", None, "2008-09-30", "2008-09-30"),
    ("May 6-8, 2008", None, "2008-05-06", "2008-05-08"),
    ("May 2009", None, "2009-05-01", "2009-05-31"),
    ("December 2008", None, "2008-12-01", "2008-12-31"),
    ("February 2008", None, "2008-02-01", "2008-02-29"),
    ("2008-12-31", None, "2008-12-31", "2008-12-31"),
    # two-digit years: 00-69 -> 20xx, 70-99 -> 19xx
    ("H2/00", None, "2000-07-01", "2000-12-31"),
    ("H1/69", None, "2069-01-01", "2069-06-30"),
    ("H1/70", None, "1970-01-01", "1970-06-30"),
    ("Q4/99", None, "1999-10-01", "1999-12-31"),
]


@pytest.mark.parametrize(("phrase", "reference", "start", "end"), FORMS)
def test_parse_period_forms(phrase, reference, start, end):
    assert parse_period(phrase, reference) == P(start, end)


TOLERATED = [
    ("SECOND HALF OF 2008", "2008-07-01", "2008-12-31"),
    ("Second-Half 2008", "2008-07-01", "2008-12-31"),
    ("1st half of 2008", "2008-01-01", "2008-06-30"),
    ("second half of\u00a02008", "2008-07-01", "2008-12-31"),
    ("second  half   of\n2008", "2008-07-01", "2008-12-31"),
    ("mid\u2013calendar 2006", "2006-05-01", "2006-08-31"),
    ("Q1 \u201909", "2009-01-01", "2009-03-31"),
    ("h2/08", "2008-07-01", "2008-12-31"),
    ("expected in H2/08", "2008-07-01", "2008-12-31"),
    ("in the second half of 2008", "2008-07-01", "2008-12-31"),
    ("data due in the second half of 2008, if all goes well", "2008-07-01", "2008-12-31"),
    ("mid-calender 2006", "2006-05-01", "2006-08-31"),
]


@pytest.mark.parametrize(("phrase", "start", "end"), TOLERATED)
def test_parse_period_tolerates_case_spacing_dashes_and_context(phrase, start, end):
    assert parse_period(phrase, JUL_8_2008) == P(start, end)


@pytest.mark.parametrize(
    "phrase",
    [
        "", "   ", "soon", "Q5 2008", "H3/08", "third half of 2008", "fifth quarter of 2009",
        "Conference 2008", "Q1 10 patients", "at year-end", "February 30, 2009", "half-life",
        "12 weeks of therapy", "the year", "during the year", "2008%", "in 2008.5",
        "May 8-6, 2008", "H2/08x",
    ],
)
def test_parse_period_unknown_phrases_give_none(phrase):
    assert parse_period(phrase, JUL_8_2008) is None


@pytest.mark.parametrize(
    "phrase",
    ["later this year", "next 12 months", "this year", "in the coming weeks",
     "the second half of this year", "before the end of the calendar year", "by year-end"],
)
def test_relative_phrases_need_a_reference(phrase):
    assert parse_period(phrase) is None
    assert parse_period(phrase, JUL_8_2008) is not None


def test_parse_period_takes_the_first_phrase():
    assert parse_period("H1/09 or else H2/09") == P("2009-01-01", "2009-06-30")


def test_parse_period_accepts_a_datetime_reference():
    assert parse_period("in 2008", dt.datetime(2008, 7, 8, 15, 30)) == P("2008-07-08", "2008-12-31")


# --- fiscal years ----------------------------------------------------------------------------

JUNE_30 = (6, 30)

FISCAL = [
    ("fiscal 2009", JUNE_30, "2008-07-01", "2009-06-30"),
    ("fiscal year 2009", JUNE_30, "2008-07-01", "2009-06-30"),
    ("FY2009", JUNE_30, "2008-07-01", "2009-06-30"),
    ("FY09", JUNE_30, "2008-07-01", "2009-06-30"),
    ("FY 2009", JUNE_30, "2008-07-01", "2009-06-30"),
    ("second quarter of fiscal 2009", JUNE_30, "2008-10-01", "2008-12-31"),
    ("Q2 FY2009", JUNE_30, "2008-10-01", "2008-12-31"),
    ("Q2 FY09", JUNE_30, "2008-10-01", "2008-12-31"),
    ("first half of fiscal 2009", JUNE_30, "2008-07-01", "2008-12-31"),
    ("first fiscal quarter of 2009", JUNE_30, "2008-07-01", "2008-09-30"),
    ("late fiscal 2009", JUNE_30, "2009-03-01", "2009-06-30"),
    ("this fiscal year", JUNE_30, "2008-07-01", "2009-06-30"),
    ("next fiscal year", JUNE_30, "2009-07-01", "2010-06-30"),
    ("in fiscal 2009", JUNE_30, "2008-07-08", "2009-06-30"),
    ("second half of 2009", JUNE_30, "2009-07-01", "2009-12-31"),  # unmarked: calendar
    ("fiscal 2009", (9, 30), "2008-10-01", "2009-09-30"),
    ("Q1 FY2009", (9, 30), "2008-10-01", "2008-12-31"),
    ("FY2009", (9, 27), "2008-09-28", "2009-09-27"),
    ("Q2 FY2009", (9, 27), "2008-12-28", "2009-03-27"),
    ("FY2009", (2, 28), "2008-03-01", "2009-02-28"),
    ("FY2008", (2, 28), "2007-03-01", "2008-02-29"),  # Feb 28 is a month end: Feb 29 in leap years
    # without fiscal_year_end a fiscal year is the calendar year of the same number
    ("fiscal 2009", None, "2009-01-01", "2009-12-31"),
    ("Q2 FY2009", None, "2009-04-01", "2009-06-30"),
    ("first half of fiscal 2009", None, "2009-01-01", "2009-06-30"),
]


@pytest.mark.parametrize(("phrase", "fye", "start", "end"), FISCAL)
def test_fiscal_years(phrase, fye, start, end):
    assert parse_period(phrase, JUL_8_2008, fiscal_year_end=fye) == P(start, end)


@pytest.mark.parametrize("fye", [(13, 1), (0, 5), (2, 30), (4, 31), (6,), "june", (6, 30, 1)])
def test_invalid_fiscal_year_end_is_refused(fye):
    with pytest.raises(ValueError, match="fiscal_year_end"):
        parse_period("fiscal 2009", fiscal_year_end=fye)


@settings(max_examples=200)
@given(
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    year=st.integers(1950, 2090),
)
def test_fiscal_quarters_and_halves_tile_the_fiscal_year(month, day, year):
    fye = (month, min(day, 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31))
    fiscal_year = parse_period(f"fiscal {year}", fiscal_year_end=fye)
    following = parse_period(f"fiscal {year + 1}", fiscal_year_end=fye)
    assert following.start == fiscal_year.end + dt.timedelta(days=1)
    assert fiscal_year.end.year == year and fiscal_year.end.month == fye[0]
    for unit, count in (("Q", 4), ("H", 2)):
        parts = [parse_period(f"{unit}{k} FY{year}", fiscal_year_end=fye)
                 for k in range(1, count + 1)]
        assert parts[0].start == fiscal_year.start and parts[-1].end == fiscal_year.end
        for before, after in itertools.pairwise(parts):
            assert after.start == before.end + dt.timedelta(days=1)


# --- resolve_period --------------------------------------------------------------------------


def test_resolve_period_returns_the_period():
    assert resolve_period("H2/08") == P("2008-07-01", "2008-12-31")
    assert resolve_period("later this year", MAY_4_2006) == P("2006-05-04", "2006-12-31")


def test_resolve_period_names_the_phrase_file_and_field():
    with pytest.raises(InputError) as raised:
        resolve_period("xyz", file="inputs/acme.yaml", field="programs.lead.events.0.period")
    error = raised.value
    assert error.file == "inputs/acme.yaml" and error.field == "programs.lead.events.0.period"
    assert error.message.startswith("unknown time phrase 'xyz'; expected e.g. 'H2/08', ")
    assert str(error).startswith("inputs/acme.yaml: programs.lead.events.0.period: unknown")


def test_resolve_period_explains_a_relative_phrase_without_reference():
    with pytest.raises(InputError, match="relative and needs a reference date"):
        resolve_period("later this year", field="event.period")


def test_resolve_period_refuses_a_non_string():
    with pytest.raises(InputError, match="expected a time phrase"):
        resolve_period(2009, field="event.period")


# --- find_periods ----------------------------------------------------------------------------

# Written for these tests: a made-up company, in the style of a release.
RELEASE = (
    "Northwind Therapeutics said on March 3, 2009 that top-line data from its lead trial are "
    "now due in 2H09, and that it plans to file for approval during the first half of "
    "calendar 2010. Management believes current funds last into Q3 2011. A partnering "
    "update should follow in the coming weeks. Warrants issued at the IPO expire on or "
    "before June 30, 2012. Attendance at BioConference 2009 was higher than last year."
)


def test_find_periods_in_a_release():
    found = find_periods(RELEASE, dt.date(2009, 3, 3))
    assert [(m.text, m.period) for m in found] == [
        ("on March 3, 2009", P("2009-03-03", "2009-03-03")),
        ("in 2H09", P("2009-07-01", "2009-12-31")),
        ("during the first half of calendar 2010", P("2010-01-01", "2010-06-30")),
        ("into Q3 2011", P("2011-07-01", "2011-09-30")),
        ("in the coming weeks", P("2009-03-03", "2009-05-26")),
        ("on or before June 30, 2012", P("2012-06-30", "2012-06-30")),
        ("last year", P("2008-01-01", "2008-12-31")),
    ]
    for match in found:
        assert RELEASE[match.start:match.end] == match.text


def test_find_periods_without_reference_skips_relative_phrases():
    texts = [m.text for m in find_periods(RELEASE)]
    assert "in the coming weeks" not in texts and "last year" not in texts
    assert "into Q3 2011" in texts


def test_find_periods_keeps_offsets_of_the_original_text():
    text = "\u0130stanbul \u212aelvin: results IN H2/08 and May\u00a02009."
    found = find_periods(text)
    assert [m.text for m in found] == ["IN H2/08", "May\u00a02009"]
    assert all(text[m.start:m.end] == m.text for m in found)


def test_find_periods_match_is_a_value():
    match = find_periods("due in H2/08")[0]
    assert match == PeriodMatch(4, 12, "in H2/08", P("2008-07-01", "2008-12-31"))


# --- the seed releases and their truth -------------------------------------------------------


def _truth_files():
    files = sorted((SEEDS / "truth").glob("*.json"))
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no seed truth in {SEEDS}"))]
    return [pytest.param(path, id=path.stem) for path in files]


def _dated_terms(path: Path):
    """(published, release text, terms with a date_text and a period) of a truth file."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    text = (SEEDS / f"{path.stem}.txt").read_text(encoding="utf-8")
    terms = [t for t in truth["terms"] if t.get("date_text") and t.get("period")]
    return dt.date.fromisoformat(truth["published"]), text, terms


@pytest.mark.parametrize("path", _truth_files())
def test_parse_period_agrees_with_truth(path):
    published, _, terms = _dated_terms(path)
    for term in terms:
        assert parse_period(term["date_text"], reference=published) == P(*term["period"]), term


def _phrase_span(text: str, quote: str, phrase: str) -> tuple[int, int]:
    """Span of ``phrase`` where it governs ``quote``: inside the quote, else its last
    occurrence before the quote (a heading such as "... over the next N months:")."""
    at = text.index(quote)
    inside = quote.lower().find(phrase.lower())
    start = at + inside if inside >= 0 else text.lower().rindex(phrase.lower(), 0, at)
    return start, start + len(phrase)


@pytest.mark.parametrize("path", _truth_files())
def test_find_periods_agrees_with_truth(path):
    published, text, terms = _dated_terms(path)
    found = find_periods(text, published)
    for term in terms:
        start, end = _phrase_span(text, term["quote"], term["date_text"])
        overlapping = [m.period for m in found if m.start < end and start < m.end]
        assert P(*term["period"]) in overlapping, (term, overlapping)


# --- robustness -------------------------------------------------------------------------------

TOKENS = [
    "in", "the", "by", "into", "during", "on or before", "first", "second", "1st", "half",
    "quarter", "of", "calendar", "fiscal", "year", "this", "next", "last", "2008", "08",
    "'09", "H2/08", "Q3", "3Q08", "2H", "FY2009", "FY09", "late", "mid", "early", "end",
    "year-end", "May", "2,", "2009", "weeks", "months", "coming", "several", "12", "within",
    "later", "-", "\u2013", "/", ",", ".", "%", "\u00a0", "\u0130", "\u212a", "x",
]
SEPARATORS = st.sampled_from([" ", "", "-", "\u00a0", "\n", "  "])
GRAMMAR_SOUP = st.lists(st.tuples(st.sampled_from(TOKENS), SEPARATORS), max_size=40).map(
    lambda pairs: "".join(token + sep for token, sep in pairs)
)
REFERENCES = st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))


def _check_matches(text: str, found: list[PeriodMatch]) -> None:
    previous_end = 0
    for match in found:
        assert previous_end <= match.start < match.end <= len(text)
        assert text[match.start:match.end] == match.text
        assert match.period.start <= match.period.end
        previous_end = match.end


@given(text=st.text(), reference=REFERENCES)
def test_never_raises_on_any_text(text, reference):
    result = parse_period(text, reference)
    assert result is None or isinstance(result, Period)
    _check_matches(text, find_periods(text, reference, fiscal_year_end=JUNE_30))


@settings(max_examples=300)
@given(text=GRAMMAR_SOUP, reference=REFERENCES)
def test_grammar_soup_matches_are_consistent(text, reference):
    found = find_periods(text, reference)
    _check_matches(text, found)
    for match in found:  # a match read on its own means the same
        assert parse_period(match.text, reference) == match.period


@given(reference=st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_extreme_references_do_not_raise(reference):
    for phrase in ("next 999 years", "the next several years", "next year", "this fiscal year"):
        parse_period(phrase, reference, fiscal_year_end=JUNE_30)


# --- speed: linear in the length of the text --------------------------------------------------


def _seconds(function, *args) -> float:
    """Best of three wall-clock timings, garbage collection off (as timeit does)."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            started = time.perf_counter()
            function(*args)
            best = min(best, time.perf_counter() - started)
    finally:
        gc.enable()
    return best


def _repeat(token: str, size: int) -> str:
    return (token * (size // len(token) + 1))[:size]


ADVERSARIAL = [
    "Q", "1", "1 ", " ", "-", "'", "in the ", "first half of ", "H2/", "May 20 ", "Q1/ ",
    "second half of 2008 ", "year-end of the ", "the the ", "next 12 ", "mid- ",
    " ".join(TOKENS) + " ",
]


def _doubling_ratio(function, token: str) -> float:
    """time(4n) / time(n) / 2 of ``function`` on ``token`` repeated to n characters, with n
    large enough (time(n) >= 20 ms) for timer noise not to matter: about 2 if linear, 8 if
    quadratic (a factor of 4 in size keeps the two apart on a busy machine)."""
    size = 50_000
    while (small := _seconds(function, _repeat(token, size))) < 0.02 and size < 6_400_000:
        size *= 2
    return _seconds(function, _repeat(token, 4 * size)) / small / 2


@pytest.mark.parametrize("token", ADVERSARIAL)
def test_find_periods_time_grows_linearly(token):
    assert _doubling_ratio(lambda text: find_periods(text, JUL_8_2008), token) < 4


@pytest.mark.parametrize("text", ["Q" * 100_000, "first half of " * 20_000, "1" * 200_000])
def test_parse_period_is_fast_on_adversarial_input(text):
    assert _seconds(parse_period, text, JUL_8_2008) < 2.0


def test_find_periods_on_five_megabytes():
    # Generous bound, a guard against super-linear behaviour only (about 1.5 s on a busy box).
    text = _repeat(" ".join(TOKENS) + " ", 5_000_000)
    started = time.perf_counter()
    find_periods(text, JUL_8_2008)
    assert time.perf_counter() - started < 10.0
