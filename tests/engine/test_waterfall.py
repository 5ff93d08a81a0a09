"""Tests of the RCU waterfall: vectorised split against a slow sequential reference."""

from __future__ import annotations

import dataclasses

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.engine.waterfall import Waterfall
from finmodel.errors import InputError

DEFAULT_TIERS = [(300, 0.75), (300, 0.50), (400, 0.25)]


def default() -> Waterfall:
    return Waterfall(units=29_465, tiers=DEFAULT_TIERS)


# --------------------------------------------------------------------------- reference


def reference_split(royalties, units, tiers, received=0.0):
    """Pay holders period by period, filling one tier after another.

    Within a period the royalty goes to the current tier at its share until the
    tier is full; whatever royalty is left over moves on to the next tier at
    that tier's share. Royalties received before the first period are run
    through the same loop first, without recording their payments.
    """
    royalties = np.asarray(royalties, dtype=float)
    received = np.broadcast_to(np.asarray(received, dtype=float), royalties.shape[:-1])
    holders = np.zeros_like(royalties)
    for row in np.ndindex(royalties.shape[:-1]):
        left_in_tier = [units * amount for amount, _ in tiers]  # holder money still owed per tier
        tier = 0
        periods = [float(received[row])] + [float(x) for x in royalties[row]]
        for t, royalty in enumerate(periods):
            paid = 0.0
            while royalty > 0 and tier < len(tiers):
                share = tiers[tier][1]
                needed = left_in_tier[tier] / share  # royalties that would fill this tier
                if royalty >= needed:
                    paid += left_in_tier[tier]
                    royalty -= needed
                    left_in_tier[tier] = 0.0
                    tier += 1
                else:
                    paid += royalty * share
                    left_in_tier[tier] -= royalty * share
                    royalty = 0.0
            if t > 0:
                holders[(*row, t - 1)] = paid
    return holders, royalties - holders


# --------------------------------------------------------------------------- strategies

units_st = st.one_of(
    st.integers(1, 1_000_000),
    st.floats(0.5, 1e6, allow_nan=False, allow_infinity=False),
)
tier_st = st.tuples(
    st.floats(0.01, 10_000, allow_nan=False, allow_infinity=False),
    st.one_of(st.sampled_from([1.0, 0.75, 0.5, 0.25, 0.1]), st.floats(0.01, 1.0)),
)
tiers_st = st.lists(tier_st, min_size=1, max_size=5)
shape_st = st.one_of(
    st.tuples(st.integers(0, 40)),
    st.tuples(st.integers(1, 4), st.integers(1, 25)),
    st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 12)),
)


@st.composite
def cases(draw):
    """A waterfall, a royalty array and royalties received before it."""
    units = draw(units_st)
    tiers = draw(tiers_st)
    w = Waterfall(units=units, tiers=tiers)
    fills = np.diff(w.breakpoints, prepend=0.0)  # royalties that exactly fill each tier
    values = st.one_of(
        st.just(0.0),
        st.floats(1e-9, 1e-3),  # tiny
        st.floats(1e12, 1e15),  # huge
        st.floats(0.0, float(w.breakpoints[-1])),  # ordinary
        st.sampled_from([float(x) for x in fills]),  # exactly one tier
        st.sampled_from([float(x) for x in w.breakpoints]),  # exactly up to a tier end
        st.sampled_from([float(x) / 2 for x in fills]),  # half a tier
    )
    shape = draw(shape_st)
    royalties = draw(hnp.arrays(np.float64, shape, elements=values))
    received = draw(st.one_of(st.just(0.0), values))
    return w, royalties, received


def tolerance(w, royalties, received=0.0):
    """Absolute tolerance: a tiny fraction of the largest cumulative amount involved."""
    total = float(np.max(np.sum(royalties, axis=-1), initial=0.0)) + float(np.max(received))
    return 1e-12 * max(total, w.breakpoints[-1])


# --------------------------------------------------------------------------- against the reference


@settings(max_examples=300, deadline=None)
@given(cases())
def test_split_matches_sequential_reference(case):
    w, royalties, _ = case
    holders, company = w.split(royalties)
    ref_holders, ref_company = reference_split(royalties, w.units, w.tiers)
    atol = tolerance(w, royalties)
    np.testing.assert_allclose(holders, ref_holders, rtol=1e-9, atol=atol)
    np.testing.assert_allclose(company, ref_company, rtol=1e-9, atol=atol)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_split_with_royalties_already_received_matches_reference(case):
    w, royalties, received = case
    holders, company = w.split(royalties, received=received)
    ref_holders, ref_company = reference_split(royalties, w.units, w.tiers, received)
    atol = tolerance(w, royalties, received)
    np.testing.assert_allclose(holders, ref_holders, rtol=1e-9, atol=atol)
    np.testing.assert_allclose(company, ref_company, rtol=1e-9, atol=atol)


def test_received_per_row_broadcasts_over_leading_axes():
    w = default()
    royalties = np.full((3, 2, 24), 2e6)
    received = np.array([0.0, 20e6, 80e6])[:, None]  # (3, 1) -> leading axes (3, 2)
    holders, _ = w.split(royalties, received=received)
    ref, _ = reference_split(royalties, w.units, w.tiers, np.broadcast_to(received, (3, 2)))
    np.testing.assert_allclose(holders, ref, rtol=1e-12, atol=1e-6)
    assert holders[2].sum() == 0.0  # already past the cap


def test_received_equals_prefix_of_a_longer_stream():
    w = default()
    stream = np.linspace(1e6, 8e6, 30)
    full, _ = w.split(stream)
    tail, _ = w.split(stream[10:], received=stream[:10].sum())
    np.testing.assert_allclose(tail, full[10:], rtol=1e-12, atol=1e-6)


# --------------------------------------------------------------------------- invariants


@settings(max_examples=300, deadline=None)
@given(cases())
def test_invariants(case):
    w, royalties, received = case
    holders, company = w.split(royalties, received=received)
    atol = tolerance(w, royalties, received)

    assert holders.shape == company.shape == royalties.shape
    assert holders.dtype == company.dtype == np.float64
    np.testing.assert_allclose(holders + company, royalties, rtol=1e-15, atol=0)
    assert (holders >= 0).all()
    assert (company >= 0).all()
    assert (holders <= royalties).all()

    cumulative = np.cumsum(holders, axis=-1)
    assert (cumulative <= w.cap - float(w.paid(received)) + atol).all()
    assert (np.diff(cumulative, axis=-1) >= 0).all()

    by_tier = w.split_by_tier(royalties, received=received)
    assert by_tier.shape == (*royalties.shape[:-1], w.n_tiers, royalties.shape[-1])
    assert (by_tier >= 0).all()
    np.testing.assert_allclose(by_tier.sum(axis=-2), holders, rtol=1e-9, atol=atol)
    # No tier ever pays more than its size.
    sizes = np.diff(w.tier_bounds, prepend=0.0)
    assert (by_tier.sum(axis=-1) <= sizes + atol).all()


@settings(max_examples=300, deadline=None)
@given(units_st, tiers_st, st.floats(0.0, 1.0))
def test_paid_inverts_royalties_to_reach(units, tiers, fraction):
    w = Waterfall(units=units, tiers=tiers)
    target = fraction * w.cap
    royalties = w.royalties_to_reach(target)
    assert 0 <= royalties <= w.breakpoints[-1]
    np.testing.assert_allclose(w.paid(royalties), target, rtol=1e-12, atol=1e-12 * w.cap)
    # Smallest such amount: a little less pays strictly less (slopes are > 0).
    if royalties > 1e-300:  # not subnormal, so 1e-9 less is representable
        assert w.paid(royalties * (1 - 1e-9)) < target


@settings(max_examples=100, deadline=None)
@given(units_st, tiers_st)
def test_knots_are_consistent(units, tiers):
    w = Waterfall(units=units, tiers=tiers)
    np.testing.assert_allclose(w.paid(w.breakpoints), w.tier_bounds, rtol=1e-12)
    np.testing.assert_allclose(w.royalties_to_reach(w.tier_bounds), w.breakpoints, rtol=1e-12)
    assert w.paid(0.0) == 0.0
    assert w.paid(w.breakpoints[-1] * 10) == w.cap
    assert w.tier_bounds[-1] == w.cap
    assert w.cap_per_unit == pytest.approx(sum(amount for amount, _ in tiers), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(units_st, tiers_st, st.lists(st.floats(0.0, 3.0), min_size=1, max_size=20))
def test_paid_fast_equals_paid(units, tiers, fractions):
    # Concave tiers (shares never rising) take the min-of-pieces path, others the clip path.
    w = Waterfall(units=units, tiers=tiers)
    x = np.array(fractions) * w.breakpoints[-1]
    x = np.concatenate([x, [0.0], w.breakpoints, w.breakpoints * (1 + 1e-9)])
    np.testing.assert_allclose(w.paid_fast(x), w.paid(x), rtol=1e-12, atol=1e-12 * w.cap)


def test_paid_fast_takes_both_paths():
    falling, rising = default(), Waterfall(units=10, tiers=[(100, 0.25), (100, 0.75)])
    for w in (falling, rising):
        x = np.linspace(0.0, 1.5 * w.breakpoints[-1], 101).reshape(1, -1)
        np.testing.assert_allclose(w.paid_fast(x), w.paid(x), rtol=1e-13, atol=1e-9)


def test_royalties_to_reach_beyond_cap_is_infinite():
    w = default()
    np.testing.assert_array_equal(
        w.royalties_to_reach([0.0, w.cap, w.cap + 1.0]), [0.0, 76_609_000.0, np.inf]
    )


# --------------------------------------------------------------------------- golden cases

# Default terms: 29,465 units; tiers of $300 at 75%, $300 at 50%, $400 at 25% per unit.
#   tier 1: holders get 29,465 * 300 =  8,839,500; filled by royalties  8,839,500 / .75 = 11,786,000
#   tier 2: holders get 29,465 * 300 =  8,839,500; filled by royalties  8,839,500 / .50 = 17,679,000
#           -> full at cumulative royalties 29,465,000, holders' cumulative 17,679,000
#   tier 3: holders get 29,465 * 400 = 11,786,000; filled by royalties 11,786,000 / .25 = 47,144,000
#           -> cap at cumulative royalties 76,609,000, holders' cumulative 29,465,000
#
# Royalties of 5,000,000 a year (cumulative royalties 5M * year); holders' payment (cumulative):
#   year  1, cum  5M: all tier 1, 5M * .75                     = 3,750,000  ( 3,750,000)
#   year  2, cum 10M: all tier 1                               = 3,750,000  ( 7,500,000)
#   year  3, cum 15M: tier 1 full at 11,786,000
#                     1,786,000 * .75 = 1,339,500 (tier 1)
#                     3,214,000 * .50 = 1,607,000 (tier 2)     = 2,946,500  (10,446,500)
#   year  4, cum 20M: all tier 2, 5M * .50                     = 2,500,000  (12,946,500)
#   year  5, cum 25M: all tier 2                               = 2,500,000  (15,446,500)
#   year  6, cum 30M: tier 2 full at 29,465,000
#                     4,465,000 * .50 = 2,232,500 (tier 2)
#                       535,000 * .25 =   133,750 (tier 3)     = 2,366,250  (17,812,750)
#   years 7-15, cum 35M..75M: all tier 3, 5M * .25             = 1,250,000 a year
#                                                      (19,062,750 ... 29,062,750)
#   year 16, cum 80M: cap at 76,609,000, 1,609,000 * .25       =   402,250  (29,465,000)
#   years 17-20: nothing more.
ANNUAL_HOLDERS = np.array(
    [3_750_000.0, 3_750_000.0, 2_946_500.0, 2_500_000.0, 2_500_000.0, 2_366_250.0]
    + [1_250_000.0] * 9
    + [402_250.0]
    + [0.0] * 4
)
ANNUAL_CUMULATIVE = [
    3_750_000, 7_500_000, 10_446_500, 12_946_500, 15_446_500, 17_812_750,
    19_062_750, 20_312_750, 21_562_750, 22_812_750, 24_062_750,
    25_312_750, 26_562_750, 27_812_750, 29_062_750,
    29_465_000, 29_465_000, 29_465_000, 29_465_000, 29_465_000,
]  # fmt: skip


def test_default_terms():
    w = default()
    assert w.units == 29_465.0
    assert w.cap_per_unit == 1_000.0
    assert w.cap == 29_465_000.0
    np.testing.assert_array_equal(w.breakpoints, [11_786_000.0, 29_465_000.0, 76_609_000.0])
    np.testing.assert_array_equal(w.tier_bounds, [8_839_500.0, 17_679_000.0, 29_465_000.0])
    assert w.n_tiers == 3
    assert repr(w) == "Waterfall(units=29465, tiers=[(300, 0.75), (300, 0.5), (400, 0.25)])"


def test_golden_annual():
    w = default()
    royalties = np.full(20, 5e6)
    holders, company = w.split(royalties)
    np.testing.assert_allclose(holders, ANNUAL_HOLDERS, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.cumsum(holders), ANNUAL_CUMULATIVE, rtol=0, atol=1e-6)
    np.testing.assert_allclose(company, 5e6 - ANNUAL_HOLDERS, rtol=0, atol=1e-6)
    # Same answer on every row of a stacked input.
    stacked, _ = w.split(np.tile(royalties, (2, 3, 1)))
    np.testing.assert_array_equal(stacked, np.broadcast_to(holders, (2, 3, 20)))


def test_golden_annual_by_tier():
    by_tier = default().split_by_tier(np.full(20, 5e6))
    assert by_tier.shape == (3, 20)
    np.testing.assert_allclose(by_tier[:, 2], [1_339_500.0, 1_607_000.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(by_tier[:, 5], [0.0, 2_232_500.0, 133_750.0], atol=1e-6)
    np.testing.assert_allclose(by_tier[:, 15], [0.0, 0.0, 402_250.0], atol=1e-6)
    np.testing.assert_allclose(by_tier.sum(axis=1), [8_839_500.0, 8_839_500.0, 11_786_000.0])


# Monthly royalties of 5,000,000 / 12 = m = 1,250,000 / 3 (cumulative after month k: k * m).
#   tier 1 fills at 11,786,000 / m = 28.29 -> during month 29
#     months 1-28: m * .75 = 312,500 each (cum 8,750,000 after month 28)
#     month 29: 11,786,000 - 28 m = 358,000 / 3 royalties finish tier 1: * .75 =  89,500
#               the other 892,000 / 3 go to tier 2 at .50                = 446,000 / 3
#               holders = 714,500 / 3 = 238,166.67
#   months 30-70: m * .50 = 625,000 / 3 = 208,333.33 each
#   tier 2 fills at 29,465,000 / m = 70.72 -> during month 71
#     cum after month 70: 8,839,500 + (70 m - 11,786,000) * .5 = 17,529,833.33
#     month 71: 29,465,000 - 70 m = 895,000 / 3 royalties finish tier 2: * .50 = 447,500 / 3
#               the other 355,000 / 3 go to tier 3 at .25                      =  88,750 / 3
#               holders = 536,250 / 3 = 178,750
#   months 72-183: m * .25 = 312,500 / 3 = 104,166.67 each
#   cap at 76,609,000 / m = 183.86 -> during month 184
#     month 184: 76,609,000 - 183 m = 359,000 royalties at .25 = 89,750; then nothing.
MONTHLY_CHECKS = {  # month (1-based) -> holders in that month
    1: 312_500.0,
    28: 312_500.0,
    29: 714_500 / 3,
    30: 625_000 / 3,
    70: 625_000 / 3,
    71: 178_750.0,
    72: 312_500 / 3,
    183: 312_500 / 3,
    184: 89_750.0,
    185: 0.0,
    240: 0.0,
}


def test_golden_monthly():
    w = default()
    holders, _ = w.split(np.full(240, 5e6 / 12))
    months = sorted(MONTHLY_CHECKS)
    np.testing.assert_allclose(
        holders[np.array(months) - 1], [MONTHLY_CHECKS[m] for m in months], rtol=1e-9, atol=1e-6
    )
    cumulative = np.cumsum(holders)
    np.testing.assert_allclose(cumulative[27], 8_750_000.0, rtol=1e-12)
    np.testing.assert_allclose(cumulative[69], 8_839_500 + 52_142_000 / 6, rtol=1e-12)
    np.testing.assert_allclose(cumulative[183:], 29_465_000.0, rtol=1e-12)


# --------------------------------------------------------------------------- edge cases


def test_zero_and_empty_streams():
    w = default()
    holders, company = w.split(np.zeros((2, 5)))
    assert not holders.any()
    assert not company.any()
    holders, company = w.split(np.zeros((3, 0)))
    assert holders.shape == company.shape == (3, 0)


def test_accepts_lists_and_integers_and_does_not_touch_input():
    w = default()
    royalties = np.array([5_000_000, 5_000_000], dtype=np.int64)
    holders, company = w.split(royalties.tolist())
    np.testing.assert_array_equal(holders, [3_750_000.0, 3_750_000.0])
    np.testing.assert_array_equal(company, [1_250_000.0, 1_250_000.0])
    assert holders.dtype == company.dtype == np.float64
    floats = np.full(3, 5e6)
    w.split(floats)
    np.testing.assert_array_equal(floats, 5e6)


def test_share_of_one_passes_everything_through():
    w = Waterfall(units=10, tiers=[(5, 1.0)])
    holders, company = w.split([20.0, 20.0, 20.0, 20.0])
    np.testing.assert_array_equal(holders, [20.0, 20.0, 10.0, 0.0])
    np.testing.assert_array_equal(company, [0.0, 0.0, 10.0, 20.0])


def test_tiers_as_mappings():
    w = Waterfall(units=29_465, tiers=[{"amount": a, "share": s} for a, s in DEFAULT_TIERS])
    assert w == default()


def test_immutable():
    w = default()
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.units = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        w.breakpoints[0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        w.tier_bounds[0] = 0.0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("units", "tiers", "field"),
    [
        (0, DEFAULT_TIERS, "rcu.units"),
        (-5, DEFAULT_TIERS, "rcu.units"),
        (float("nan"), DEFAULT_TIERS, "rcu.units"),
        (float("inf"), DEFAULT_TIERS, "rcu.units"),
        ("29465", DEFAULT_TIERS, "rcu.units"),
        (True, DEFAULT_TIERS, "rcu.units"),
        (29_465, [], "rcu.tiers"),
        (29_465, None, "rcu.tiers"),
        (29_465, "300,0.75", "rcu.tiers"),
        (29_465, [(300, 0.75), (0, 0.5)], "rcu.tiers.1.amount"),
        (29_465, [(-300, 0.75)], "rcu.tiers.0.amount"),
        (29_465, [(300, 0.75), (300, 0.5), (400, 0)], "rcu.tiers.2.share"),
        (29_465, [(300, 0.75), (300, 1.5)], "rcu.tiers.1.share"),
        (29_465, [(300, -0.25)], "rcu.tiers.0.share"),
        (29_465, [(300, float("nan"))], "rcu.tiers.0.share"),
        (29_465, [(300, 0.75), (300,)], "rcu.tiers.1"),
        (29_465, [(300, 0.75, 1)], "rcu.tiers.0"),
        (29_465, [{"amount": 300}], "rcu.tiers.0.share"),
        (29_465, [(1e300, 1.0), (1e-300, 1.0)], "rcu.tiers"),
    ],
)
def test_bad_terms_name_the_field(units, tiers, field):
    with pytest.raises(InputError) as error:
        Waterfall(units=units, tiers=tiers)
    assert error.value.field == field
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("royalties", "message"),
    [
        ([1.0, -1.0], ">= 0"),
        ([[1.0], [-0.5]], ">= 0"),
        ([1.0, float("nan")], "finite"),
        ([float("inf")], "finite"),
        (5.0, "time axis"),
    ],
)
def test_bad_royalties_raise_value_error(royalties, message):
    with pytest.raises(ValueError, match=message) as error:
        default().split(royalties)
    assert not isinstance(error.value, InputError)  # a model error, not a scenario field
    with pytest.raises(ValueError, match=message):
        default().split_by_tier(royalties)


def test_bad_received_raises_value_error():
    w = default()
    with pytest.raises(ValueError, match="received must be >= 0"):
        w.split([1.0, 2.0], received=-1.0)
    with pytest.raises(ValueError, match="broadcast"):
        w.split(np.ones((2, 3)), received=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="cumulative royalties must be >= 0"):
        w.paid(-1.0)
    with pytest.raises(ValueError, match="paid must be >= 0"):
        w.royalties_to_reach(-1.0)


def test_row_loop_free_on_large_inputs():
    # 10,000 paths x 240 months in one call; also checks rows are independent.
    rng = np.random.default_rng(0)
    royalties = rng.gamma(2.0, 300_000.0, size=(10_000, 240))
    holders, company = default().split(royalties)
    one, _ = default().split(royalties[1234])
    np.testing.assert_allclose(holders[1234], one, rtol=0, atol=1e-6)
    assert np.all(np.cumsum(holders, axis=-1)[:, -1] <= 29_465_000.0 * (1 + 1e-12))
    assert (company >= 0).all()
