"""The runway engine against a plain per-month loop, hand cases and guidance checks."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.engine.runway import (
    Runway,
    cash_paths,
    first_below,
    implied_burn,
    implied_cash,
    runway_months,
    weighted_quantile,
)
from finmodel.engine.timeline import Timeline, months_between
from finmodel.periods import Period

START = dt.date(2008, 7, 8)


# ------------------------------------------------------------------ reference


def reference_runway(opening, burn, inflows, floor, raise_at=None, raise_amount=0.0):
    """One row, one month at a time, written as plainly as possible."""
    cash = []
    balance = opening
    out_month = None
    months = math.inf
    if opening < floor:
        out_month, months = -1, 0.0
    for t in range(len(burn)):
        previous = balance
        balance = balance - burn[t] + inflows[t]
        if raise_at == t:
            balance += raise_amount
        cash.append(balance)
        if out_month is None and balance < floor:
            out_month = t
            months = t + (previous - floor) / (previous - balance)
    if out_month is None:
        out_month = len(burn)
    return np.array(cash), out_month, months


amounts = st.floats(min_value=0, max_value=5e6, allow_nan=False, allow_infinity=False)


@st.composite
def runway_cases(draw):
    months = draw(st.integers(1, 60))
    rows = draw(st.integers(1, 4))
    opening = draw(st.lists(amounts, min_size=rows, max_size=rows))
    # Burn schedule: a few steps of constant monthly burn.
    steps = draw(st.lists(st.tuples(st.integers(0, months - 1), amounts), min_size=1, max_size=4))
    burn = np.zeros(months)
    for start, level in sorted(steps):
        burn[start:] = level / 12
    inflows = np.zeros((rows, months))
    for r in range(rows):
        for t, amount in draw(st.lists(st.tuples(st.integers(0, months - 1), amounts),
                                       max_size=5)):
            inflows[r, t] += amount
    floor = draw(st.floats(min_value=0, max_value=2e6))
    return np.array(opening), burn, inflows, floor


@settings(max_examples=200, deadline=None)
@given(runway_cases())
def test_engine_equals_reference_loop(case):
    opening, burn, inflows, floor = case
    cash = cash_paths(opening, burn, inflows)
    index = first_below(opening, cash, floor)
    months = runway_months(opening, cash, floor)
    for r in range(len(opening)):
        ref_cash, ref_index, ref_months = reference_runway(opening[r], burn, inflows[r], floor)
        np.testing.assert_allclose(cash[r], ref_cash, rtol=1e-12, atol=1e-6)
        if index[r] != ref_index:
            # Only a balance landing on the floor to rounding may tip the other way.
            tie = min(index[r], ref_index)
            assert abs(ref_cash[tie] - floor) < 1e-6 * max(1.0, opening[r]), (index[r], ref_index)
            continue
        if math.isinf(ref_months):
            assert math.isinf(months[r])
        else:
            assert months[r] == pytest.approx(ref_months, rel=1e-9, abs=1e-9)


@given(cash=st.floats(1e3, 1e9), months_of_cash=st.floats(0.01, 600))
def test_constant_burn_runs_exactly_cash_over_monthly_burn(cash, months_of_cash):
    annual = cash / months_of_cash * 12
    horizon = int(cash / (annual / 12)) + 3
    burn = np.full(horizon, annual / 12)
    cash_series = cash_paths(cash, burn, np.zeros(horizon))
    months = runway_months(cash, cash_series, 0.0)[0]
    assert months == pytest.approx(cash / (annual / 12), rel=1e-12)


def test_constant_burn_hand_case_is_exact():
    # C$12M at C$6M a year: 12 / (6 / 12) = 24 months, to the last bit.
    cash = cash_paths(12e6, np.full(30, 6e6 / 12), np.zeros(30))
    assert runway_months(12e6, cash, 0.0)[0] == 24.0


def test_hand_case_with_inflow_and_floor():
    # 10 a month burn, 35 opening, a 20 inflow in month 2 (0-based), floor 5.
    # Balances: 25, 15, 25, 15, 5, -5 -> first below 5 is month 5 (index), crossing
    # between 5 and -5 at exactly the start: months = 5 + (5 - 5) / 10 = 5.
    burn = np.full(8, 10.0)
    inflows = np.zeros(8)
    inflows[2] = 20.0
    cash = cash_paths(35.0, burn, inflows)
    np.testing.assert_array_equal(cash[0, :6], [25, 15, 25, 15, 5, -5])
    assert first_below(35.0, cash, 5.0)[0] == 5
    assert runway_months(35.0, cash, 5.0)[0] == 5.0


def test_opening_below_floor_is_out_at_once():
    cash = cash_paths(1.0, np.full(3, 1.0), np.zeros(3))
    assert first_below(1.0, cash, 2.0)[0] == -1
    assert runway_months(1.0, cash, 2.0)[0] == 0.0


def test_never_out_is_inf():
    cash = cash_paths(100.0, np.full(12, 1.0), np.zeros(12))
    assert math.isinf(runway_months(100.0, cash, 0.0)[0])


# ------------------------------------------------------------------ Runway result


def make_runway(opening=12.0, monthly=1.0, months=24, inflows=None, floor=0.0, weights=None):
    timeline = Timeline(START, months)
    burn = np.full(months, monthly)
    parts = {"other": np.zeros(months) if inflows is None else inflows}
    return Runway.build(timeline, opening, burn, parts, floor, weights)


def test_cash_out_date_and_frame_identity():
    runway = make_runway(opening=12.5, monthly=1.0)
    assert runway.months == pytest.approx(12.5)
    # Month index 12 is the first below zero; it ends 13 months after the start.
    assert runway.cash_out == dt.date(2009, 8, 8)
    frame = runway.frame
    assert list(frame.columns[:3]) == ["cash", "burn", "inflows"]
    previous = np.concatenate([[12.5], frame["cash"].to_numpy()[:-1]])
    np.testing.assert_allclose(frame["cash"], previous - frame["burn"] + frame["inflows"])
    assert frame.index[0] == np.datetime64("2008-08-08")


def test_funding_gap_is_exact_and_closes_the_gap():
    runway = make_runway(opening=6.0, monthly=1.0, months=36)
    target = dt.date(2009, 7, 8)  # end of month index 11
    gap = runway.funding_gap(target)
    # Needs 12 months of burn by then, has 6: raise 6 now.
    assert gap == pytest.approx(6.0)
    topped = make_runway(opening=6.0 + gap, monthly=1.0, months=36)
    assert topped.frame["cash"].iloc[11] == pytest.approx(0.0)
    assert topped.frame["cash"].iloc[:12].min() >= -1e-12
    # A buffer of 2 months of burn adds 2; fees gross it up.
    assert runway.funding_gap(target, buffer=2) == pytest.approx(8.0)
    assert runway.funding_gap(target, buffer=2, fees=0.2) == pytest.approx(10.0)


def test_funding_gap_later_raise_and_too_late():
    runway = make_runway(opening=6.0, monthly=1.0, months=36)
    target = dt.date(2009, 7, 8)
    # Raise arriving in month index 3 (ends 2008-11-08): still 6 short by month 11.
    assert runway.funding_gap(target, at=dt.date(2008, 10, 20)) == pytest.approx(6.0)
    # Arriving after cash has already gone below the floor: impossible.
    assert math.isinf(runway.funding_gap(target, at=dt.date(2009, 3, 1)))
    assert runway.funding_gap(dt.date(2008, 9, 1)) == 0.0


def test_weighted_rows_median_and_probability():
    # Two outcome rows: 70% no inflow (runs out after 6 months), 30% a big inflow in month 2.
    inflows = np.zeros((2, 24))
    inflows[1, 2] = 100.0
    runway = make_runway(opening=6.0, monthly=1.0, inflows=inflows, weights=[0.7, 0.3])
    assert runway.months == pytest.approx(6.0)
    assert runway.prob_out_by(dt.date(2009, 2, 8)) == pytest.approx(0.7)
    assert runway.prob_out_by(dt.date(2008, 12, 1)) == 0.0
    assert runway.frame["p_out"].iloc[-1] == pytest.approx(0.7)
    # Covering every outcome needs the no-inflow row's raise; the median row too (70%).
    assert runway.funding_gap(dt.date(2009, 7, 8)) == pytest.approx(6.0)


def test_weighted_quantile():
    assert weighted_quantile([3, 1, 2], [0.2, 0.5, 0.3], 0.5) == 1
    assert weighted_quantile([3, 1, 2], [0.2, 0.5, 0.3], 0.6) == 2
    assert weighted_quantile([3, 1, 2], [0.2, 0.5, 0.3], 1.0) == 3
    assert weighted_quantile([3, 1, 2], [0.0, 0.5, 0.5], 1.0) == 2


# ------------------------------------------------------------------ guidance


def test_implied_burn_on_the_may_2006_facts():
    # About $17M of cash on 2006-05-04, guided to fund operations into Q3 2007.
    # Cash runs out between 2007-07-01 and 2007-09-30:
    #   2006-05-04 -> 2007-07-01: 13 whole months (to 2007-06-04) + 27/30 of June-July
    #   2006-05-04 -> 2007-09-30: 16 whole months (to 2007-09-04) + 26/30
    to_start = 13 + 27 / 30
    to_end = 16 + 26 / 30
    low, high = implied_burn(17e6, dt.date(2006, 5, 4), "into the third quarter of calendar 2007")
    assert high == pytest.approx(17e6 / to_start * 12)   # about 14.7M a year
    assert low == pytest.approx(17e6 / to_end * 12)      # about 12.1M a year
    assert 12.0e6 < low < 12.2e6 and 14.6e6 < high < 14.8e6


def test_implied_cash_is_the_converse():
    period = Period(dt.date(2007, 7, 1), dt.date(2007, 9, 30))
    as_of = dt.date(2006, 5, 4)
    low, high = implied_burn(17e6, as_of, period)
    c_low, c_high = implied_cash(low, as_of, period)
    assert c_high == pytest.approx(17e6)
    c_low, c_high = implied_cash(high, as_of, period)
    assert c_low == pytest.approx(17e6)


def test_months_between_is_exact_on_the_grid():
    assert months_between(START, dt.date(2009, 7, 8)) == 12
    assert months_between(dt.date(2008, 1, 31), dt.date(2008, 2, 29)) == 1
    assert months_between(START, dt.date(2008, 7, 23)) == pytest.approx(15 / 31)
    assert months_between(dt.date(2008, 7, 23), START) == pytest.approx(-15 / 31)


@settings(max_examples=150, deadline=None)
@given(runway_cases(), st.integers(0, 59), st.floats(0, 3))
def test_funding_gap_is_the_smallest_raise_that_holds(case, target_month, buffer):
    opening, burn, inflows, floor = case
    months = burn.shape[0]
    target = Timeline(START, months).ends[min(target_month, months - 1)]
    runway = Runway.build(Timeline(START, months), opening, burn, {"x": inflows}, floor)
    for r in range(len(opening)):
        single = Runway.build(Timeline(START, months), opening[r], burn, {"x": inflows[r]}, floor)
        gap = single.funding_gap(target, buffer=buffer)
        k = min(target_month, months - 1)
        floors = floor + buffer * burn[: k + 1]
        held, *_ = reference_runway(opening[r] + gap, burn, inflows[r], floor)
        assert np.all(held[: k + 1] >= floors - 1e-6 * max(1.0, gap))
        assert opening[r] + gap >= floor + buffer * burn[0] - 1e-6
        if gap > 1e-3:
            short, *_ = reference_runway(opening[r] + gap - 1e-3, burn, inflows[r], floor)
            assert np.any(short[: k + 1] < floors) or opening[r] + gap - 1e-3 < floors[0]
    # Covering every row is the largest single-row raise.
    assert runway.funding_gap(target, buffer=buffer) == pytest.approx(max(
        Runway.build(Timeline(START, months), opening[r], burn, {"x": inflows[r]}, floor)
        .funding_gap(target, buffer=buffer) for r in range(len(opening))))
