"""Counts, percentages and qualitative royalty descriptors."""

from __future__ import annotations

import pytest

from finmodel.extract.numbers import find_counts, find_descriptors, find_percents, parse_number


def test_parse_number():
    assert parse_number("14,042,400") == 14_042_400
    assert parse_number("0.50") == 0.5


@pytest.mark.parametrize("text, low, high", [
    ("approximately 15%", 0.15, None),
    ("decreased 18%, from 34 to 28", 0.18, None),
    ("between 20% and 35%", 0.20, 0.35),
    ("3.0 percent", 0.03, None),
    ("10-15%", 0.10, 0.15),
])
def test_percents(text, low, high):
    p = find_percents(text)[0]
    assert p.value == pytest.approx(low)
    assert p.value_high == (None if high is None else pytest.approx(high))


def test_counts_skip_money_and_percentages():
    text = "29,465 Royalty Conversion Units at $300; 15% held; three arms; 2.7 million people"
    assert [c.value for c in find_counts(text)] == [29465, 3, 2.7e6]


@pytest.mark.parametrize("text, low, high", [
    ("double-digit royalty", 0.10, 0.19),
    ("double digit royalty", 0.10, 0.19),
    ("single-digit royalty", 0.01, 0.09),
    ("low double-digit royalty", 0.10, 0.13),
    ("mid single-digit royalties", 0.04, 0.06),
    ("high single-digit royalties", 0.07, 0.09),
    ("low-to-mid single digit royalties", 0.01, 0.06),
    ("high single digits to the low double digits", 0.07, 0.13),
    ("mid-teens royalty", 0.14, 0.16),
])
def test_descriptors(text, low, high):
    d = find_descriptors(text)[0]
    assert (d.low, d.high) == (pytest.approx(low), pytest.approx(high))
