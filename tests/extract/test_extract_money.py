"""Money grammar: currencies, scales, ranges, qualifiers, per-unit prices."""

from __future__ import annotations

import pytest

from finmodel.extract.money import find_money, infer_currency


@pytest.mark.parametrize("text, value, high, currency", [
    ("US$27MM", 27e6, None, "USD"),
    ("US\\$27 million", 27e6, None, "USD"),
    ("$8.8 million", 8.8e6, None, "CAD"),
    ("$8.8 Million", 8.8e6, None, "CAD"),
    ("C$10,050,000", 10_050_000, None, "CAD"),
    ("CDN$ 5 million", 5e6, None, "CAD"),
    ("EUR 5m", 5e6, None, "EUR"),
    ("€12.3 million", 12.3e6, None, "EUR"),
    ("£4.5 million", 4.5e6, None, "GBP"),
    ("CHF 20 million", 20e6, None, "CHF"),
    ("12 million euros", 12e6, None, "EUR"),
    ("$1.5 billion", 1.5e9, None, "CAD"),
    ("$9 million to $10 million", 9e6, 10e6, "CAD"),
    ("$18–20 million", 18e6, 20e6, "CAD"),
    ("between $5 and $7 million", 5e6, 7e6, "CAD"),
])
def test_amounts(text, value, high, currency):
    (m,) = find_money(text, "CAD")
    assert (m.value, m.value_high, m.currency) == (pytest.approx(value), high and
                                                   pytest.approx(high), currency)
    assert text[m.start:m.end].endswith(text.split()[-1]) or m.end == len(text)


@pytest.mark.parametrize("text, per", [
    ("$300 per unit", "per_unit"), ("$0.50 per share", "per_share"),
    ("$0.50 per common share", "per_share"), ("$300/unit", "per_unit"),
    ("$300 paid per unit", "per_unit"), ("$2 million a year", "annual"),
])
def test_per_unit_prices(text, per):
    assert find_money(text)[0].per == per


def test_qualifiers():
    (m,) = find_money("approximately \\$8 million or less")
    assert m.qualifiers == ("approximately", "or_less")
    assert find_money("up to US$3.5 million")[0].qualifiers == ("up_to",)


def test_lists_and_changes_are_not_ranges():
    assert [m.value for m in find_money("$5 million and $7 million")] == [5e6, 7e6]
    changed = find_money("reduced from $10 million to $8 million")
    assert [(m.value, m.value_high) for m in changed] == [(10e6, None), (8e6, None)]
    assert find_money("ranging from $10 million to $12 million")[0].value_high == 12e6


def test_letters_before_a_dollar_must_start_a_word():
    assert find_money("INC $5 million", "USD")[0].currency == "USD"
    assert find_money("A $5 million payment", "USD")[0].currency == "USD"
    assert find_money("A$5 million", "USD")[0].currency == "AUD"


def test_offsets_keep_escaped_dollars():
    text = "raised \\$1.5 million"
    (m,) = find_money(text)
    assert text[m.start:m.end] == "\\$1.5 million"


@pytest.mark.parametrize("head, code", [
    ("Acme Inc. (TSX: ACM) today", "CAD"),
    ("Acme Inc. (TSX-V: ACM) today", "CAD"),
    ("Acme Inc. (NASDAQ: ACME), a Toronto company", "USD"),
    ("Acme plc (AIM: ACM)", "GBP"),
    ("Acme SA (Euronext Paris: ACM)", "EUR"),
    ("VANCOUVER, May 4 - Acme Inc.", "CAD"),
    ("BOSTON, May 4 - Acme Inc.", "USD"),
])
def test_reporting_currency_inferred(head, code):
    assert infer_currency(head) == code
