"""The vectorised engine against the slow per-path reference, draw by draw.

Both value the same rows of uniforms (:class:`finmodel.simulate.PathModel`):
the engine all at once, :func:`finmodel.engine.reference.reference_path` one
path at a time with Python loops. They must agree to 1e-12 relative, with an
absolute floor of 1e-6 currency units for values near zero (1e-6 / shares per
share; 1e-12 for the IRR, which the reference solves by bracketing to 1e-15
in ``log(1 + irr)``). A few scenarios small enough to value by hand check the
reference itself.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import pyxirr

import finmodel as fm
from finmodel.engine.reference import Reference, reference_path
from finmodel.scenario import Scenario
from finmodel.simulate import PathModel

ROOT = Path(__file__).resolve().parents[2]

RTOL = 1e-12
ATOL_MONEY = 1e-6          # currency units
ATOL_IRR = 1e-12
OUTPUTS = ("company_npv", "holder_npv", "holder_irr", "runway_months", "per_share",
           "equity", "opening", "out_index")


@pytest.fixture(scope="module")
def default() -> Scenario:
    return fm.load_scenario(ROOT / "inputs" / "migenix.yaml")


def _owned(s: Scenario) -> Scenario:
    """MX-2401 owned, with stage costs, a launch cost, margin, a ramp and generic erosion."""
    return s.with_overrides({
        "programs.mx2401.stages": {
            "preclinical": {"cost": 1.5e6},
            "phase1": {"cost": 4.0e6, "months": 20.0, "probability": 0.6},
            "phase2": {"cost": 9.0e6, "probability": 0.45},
            "phase3": {"cost": 30.0e6},
            "nda": {"cost": 2.0e6, "months": 11.5},
        },
        "programs.mx2401.sales": {
            "peak": 180.0e6, "currency": "USD", "ramp": [0.2, 0.45, 0.8],
            "exclusivity_end": dt.date(2024, 3, 15), "erosion": 0.8, "cogs": 0.12,
            "launch_cost": 15.0e6,
        },
        "uncertainty": {
            **{k: v.model_dump() for k, v in s.uncertainty.items()},
            "programs.mx2401.sales.peak": {"dist": "pert", "low": 60e6, "mode": 180e6,
                                           "high": 300e6},
            "programs.mx2401.stages.phase2.cost": {"dist": "uniform", "low": 5e6, "high": 15e6},
            "programs.mx2401.stages.phase2.probability": {"dist": "uniform", "low": 0.3,
                                                          "high": 0.7},
        },
        "company.financings": [{"label": "bought deal", "date": dt.date(2009, 2, 14),
                                "amount": 6.0e6, "fees": 0.07}],
    })


def _foreign_inflows(s: Scenario) -> Scenario:
    """A grant and a raise in US dollars while the USD rate is drawn per path.

    They convert at the path's rate, like every other USD flow of the path.
    """
    return s.with_overrides({
        "company.funding.0.currency": "USD",
        "company.financings": [{"label": "US placement", "date": dt.date(2008, 10, 20),
                                "amount": 3.0e6, "currency": "USD"}],
    })


def _tiered(s: Scenario) -> Scenario:
    """Marginal royalty tiers on Omigard, an exclusivity end, and a sales-milestone under erosion."""
    return s.with_overrides({
        "programs.omigard.royalty.tiers": [{"rate": 0.10, "up_to": 50.0e6},
                                           {"rate": 0.14, "up_to": 150.0e6},
                                           {"rate": 0.19}],
        "programs.omigard.sales.exclusivity_end": dt.date(2014, 9, 30),   # during the ramp
        "programs.omigard.sales.erosion": 0.6,
        "uncertainty": {
            **{k: v.model_dump() for k, v in s.uncertainty.items()
               if k != "programs.omigard.royalty.tiers.0.rate"},
            "programs.omigard.royalty.tiers.1.rate": {"dist": "uniform", "low": 0.11,
                                                      "high": 0.16},
            "programs.omigard.milestones.schedule.2.amount": {"dist": "uniform", "low": 2e6,
                                                              "high": 8e6},
        },
    })


def _feeding(s: Scenario) -> Scenario:
    """Milestones feed the RCU, holders were paid before, a raise; burn levels are drawn.

    Omigard's peak stays above its highest sales threshold, so every milestone
    an approved path earns falls inside the horizon.
    """
    return s.with_overrides({
        "rcu.milestones_feed": True,
        "rcu.paid_to_date": 4.2e6,
        # A raise and a cheaper company later on: some paths never run out of cash.
        "company.burn": [*[b.model_dump(by_alias=True) for b in s.company.burn],
                         {"from": dt.date(2011, 1, 1), "annual": 1.5e6}],
        "company.financings": [{"label": "rights offering", "date": dt.date(2008, 12, 1),
                                "amount": 12.0e6, "fees": 0.05, "currency": "CAD"}],
        "uncertainty": {
            **{k: v.model_dump() for k, v in s.uncertainty.items()},
            "company.burn.0.annual": {"dist": "normal", "mean": 9.5e6, "sd": 0.5e6},
            "programs.omigard.sales.peak": {"dist": "pert", "low": 200e6, "mode": 220e6,
                                            "high": 260e6},
        },
    })


def _feeding_past_horizon(s: Scenario) -> Scenario:
    """Milestones feed the RCU and some earned ones fall past the horizon (never paid).

    Once crashed the engine: a milestone booked in month T widened the fed span.
    """
    return s.with_overrides({"rcu.milestones_feed": True})


def _timing(s: Scenario) -> Scenario:
    """Guided dates drawn inside their periods plus a program slip; a low cash floor start."""
    return s.with_overrides({
        "timing": {"within": "uniform",
                   "slip": {"dist": "discrete", "values": [0, 3, 6], "probs": [0.5, 0.3, 0.2]}},
        "company.min_cash": 4.2e6,            # some draws start below the floor
        "discounting.convention": "mid_period",
    })


VARIANTS = {
    "default": lambda s: s,
    "owned": _owned,
    "owned_mid_period": lambda s: _owned(s).with_overrides({"discounting.convention":
                                                            "mid_period"}),
    "owned_annual_mid_year": lambda s: _timing(_owned(s)).with_overrides(
        {"discounting.convention": "annual_mid_year"}),
    "tiered": _tiered,
    "tiered_annual_mid_year": lambda s: _tiered(s).with_overrides(
        {"discounting.convention": "annual_mid_year"}),
    "milestones_feed_paid_to_date": _feeding,
    "milestones_feed_past_horizon": _feeding_past_horizon,
    "timing_slip": _timing,
    "foreign_currency_inflows": _foreign_inflows,
    # Exclusivity ends after the ramp here: the sales milestones feeding the RCU are reached.
    "everything": lambda s: _timing(_feeding(_tiered(_owned(s)))).with_overrides(
        {"programs.omigard.sales.exclusivity_end": dt.date(2022, 9, 30)}),
}


def _close(key: str, engine: float, reference: float, shares: float) -> bool:
    if engine == reference or (math.isnan(engine) and math.isnan(reference)):  # inf, no RCU
        return True
    if math.isnan(engine) or math.isnan(reference) or math.isinf(reference):
        return False
    atol = {"holder_irr": ATOL_IRR, "per_share": ATOL_MONEY / shares,
            "runway_months": 0.0, "out_index": 0.0}.get(key, ATOL_MONEY)
    return abs(engine - reference) <= max(RTOL * abs(reference), atol)


def _rows(scenario: Scenario, n: int, seed: int):
    """Engine outputs and the per-row inputs of ``n`` random paths."""
    model = PathModel(scenario)
    u = np.random.default_rng(seed).random((n, model.dimension))
    out, sampled, outcomes, events = model.rows(u)
    for r in range(n):
        yield r, out, (
            {k: float(v[r]) for k, v in sampled.items()},
            {pid: int(o[r]) for pid, o in outcomes.items()},
            {pid: {e: float(np.broadcast_to(x, (n,))[r]) for e, x in ev.items()}
             for pid, ev in events.items()},
        )


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_engine_equals_reference(default, variant):
    s = VARIANTS[variant](default)
    ref = Reference(s)
    shares = float(s.capital.shares_outstanding)
    failures, seen = [], {"paid": 0, "irr": 0, "out": 0, "never": 0, "below": 0}
    n = 300 if variant == "default" else 80
    for r, out, inputs in _rows(s, n, seed=sum(map(ord, variant))):
        got = ref.path(*inputs)
        for key in OUTPUTS:
            a, b = float(getattr(out, key)[r]), float(got[key])
            if not _close(key, a, b, shares):
                failures.append(f"row {r} {key}: engine {a!r}, reference {b!r}; inputs {inputs}")
        seen["paid"] += got["holder_npv"] > 0
        seen["irr"] += got["holder_irr"] > -1
        seen["out"] += 0 <= got["out_index"] < s.horizon_years * 12
        seen["never"] += math.isinf(got["runway_months"])
        seen["below"] += got["out_index"] == -1
    assert not failures, f"{len(failures)} mismatches, first: " + "\n".join(failures[:5])
    # The draws exercise the waterfall and the runway, not only the trivial rows.
    assert seen["paid"] > 10 and seen["out"] > 10, seen
    if variant in ("timing_slip", "everything"):
        assert seen["below"] > 0, seen


def _uncertain(s: Scenario, **extra) -> dict:
    return {**{k: v.model_dump() for k, v in s.uncertainty.items()}, **extra}


EDGES = {
    "on_the_market_owned": lambda s: s.with_overrides({
        "sources": {}, "notes": {}, "programs.mx2401.stage": "approved",
        "programs.mx2401.events": {},
        "programs.mx2401.sales": {"peak": 50e6, "currency": "CAD", "cogs": 0.3,
                                  "launch_cost": 4e6, "exclusivity_end": dt.date(2012, 1, 15)}}),
    "on_the_market_royalty": lambda s: s.with_overrides({
        "sources": {}, "notes": {}, "programs.cls001.stage": "approved",
        "programs.cls001.events": {}, "programs.cls001.royalty.years": 7.5}),
    "rcu_full_before": lambda s: s.with_overrides({"rcu.paid_to_date": 29465 * 1000.0}),
    "rcu_between_tiers": lambda s: s.with_overrides({"rcu.paid_to_date": 29465 * 300.0}),
    "no_rcu": lambda s: s.with_overrides({"rcu": None, "sources": {}, "notes": {}}),
    "short_horizon_wide_slip": lambda s: s.with_overrides({
        "horizon_years": 4, "timing": {"within": "uniform",
                                       "slip": {"dist": "normal", "mean": 2.0, "sd": 8.0}}}),
    "burn_steps_ahead": lambda s: s.with_overrides({
        "company.burn": [*[b.model_dump(by_alias=True) for b in s.company.burn],
                         {"from": dt.date(2009, 3, 17), "annual": 6e6},
                         {"from": dt.date(2010, 1, 1), "annual": 12e6}],
        "capital.overhead_years": 0.0,
        "uncertainty": _uncertain(s, **{
            "company.burn.2.annual": {"dist": "uniform", "low": 3e6, "high": 9e6},
            "company.burn.3.annual": {"dist": "lognormal", "median": 10e6, "sigma": 0.3}})}),
    "correlated_expired_warrants": lambda s: s.with_overrides({
        "correlation": [{"between": ["programs.omigard.sales.peak", "fx.USD"], "rank": 0.6}],
        "capital.warrants.0.expires": dt.date(2008, 7, 8)}),
}


@pytest.mark.parametrize("edge", list(EDGES))
def test_engine_equals_reference_on_edges(default, edge):
    s = EDGES[edge](default)
    ref = Reference(s)
    shares = float(s.capital.shares_outstanding)
    failures = []
    for r, out, inputs in _rows(s, 40, seed=sum(map(ord, edge))):
        got = ref.path(*inputs)
        for key in OUTPUTS:
            a, b = float(getattr(out, key)[r]), float(got[key])
            if not _close(key, a, b, shares):
                failures.append(f"row {r} {key}: engine {a!r}, reference {b!r}; inputs {inputs}")
    assert not failures, f"{len(failures)} mismatches, first: " + "\n".join(failures[:5])


def test_empty_stage_window_at_a_month_end(default):
    """A stage whose read-out equals its start at a whole month m books its cost in month
    m - 1 = (m - 1, m], as every point on the grid is booked (once an engine bug)."""
    from finmodel.engine.model import Engine, scenario_values

    s = default.with_overrides({"programs.mx2401.stages": {"phase1": {"cost": 4.0e6}},
                                "uncertainty": {}, "correlation": [], "timing": None})
    engine = Engine(s)
    events = {pid: {e: 5.0 for e in m.program.events} for pid, m in engine.models.items()}
    # Phase I starts at 10 months and Phase II is guided earlier: the window is [10, 10].
    events["mx2401"] = {"ind_filing": 10.0, "phase2_start": 5.0}
    outcomes = {pid: 5 for pid in engine.models}
    got = Reference(s).path({}, outcomes, events)
    assert got["flows"]["mx2401"]["costs"][9] == 4.0e6
    out = engine.evaluate(scenario_values(s), {p: np.array([o]) for p, o in outcomes.items()},
                          events, np.ones(1))
    assert _close("company_npv", float(out.company_npv[0]), got["company_npv"], 1.0)


def test_reference_path_matches_the_class(default):
    (_, _, inputs), *_ = _rows(default, 3, seed=1)
    a, b = reference_path(default, *inputs), Reference(default).path(*inputs)
    assert a["company_npv"] == b["company_npv"] and a["per_share"] == b["per_share"]


def test_reference_irr_agrees_with_pyxirr(default):
    """The bracketing solver against XIRR on the same dated flows (XIRR's own tolerance)."""
    s = default.with_overrides({"rcu.paid_to_date": 4.2e6})
    ref = Reference(s)
    checked = 0
    for r, out, inputs in _rows(s, 40, seed=5):
        got = ref.path(*inputs)
        if got["holder_npv"] <= 0:
            continue
        units, holders = ref.units, got["holders"]
        dates = [s.rcu.issued, s.valuation_date]
        amounts = [-s.rcu.price, s.rcu.paid_to_date / units]
        for q in range(0, ref.months, 3):
            dates.append(ref.ends[min(q + 2, ref.months - 1)])
            amounts.append(sum(holders[q:q + 3]) / units)
        # XIRR stops near 1e-9 (seen up to 8e-10 off the bracketed root).
        assert got["holder_irr"] == pytest.approx(pyxirr.xirr(dates, amounts), abs=2e-9)
        checked += 1
    assert checked > 5


# ---------------------------------------------------------------- hand-computed cases


def _small(**changes) -> Scenario:
    """A one-year company with one approved, partnered product and a one-tier RCU."""
    data = {
        "name": "hand", "valuation_date": dt.date(2020, 1, 31),
        "company": {"name": "Hand Inc.", "currency": "CAD",
                    "cash": {"amount": 1.0e6, "as_of": dt.date(2020, 1, 31)},
                    "burn": [{"from": dt.date(2019, 1, 1), "annual": 1.2e6}],
                    "min_cash": 0.775e6},
        "discounting": {"rate": 0.0},
        "horizon_years": 1,
        "programs": {"p": {"name": "P", "stage": "approved", "partner": "Big Pharma",
                           "royalty": {"tiers": [{"rate": 0.1}], "years": 1},
                           "sales": {"peak": 12.0e6, "currency": "CAD", "ramp": [1.0]}}},
        "rcu": {"units": 1000, "price": 300.0, "issued": dt.date(2019, 7, 31),
                "tiers": [{"amount": 300.0, "share": 0.5}], "feeds": ["p"]},
        "capital": {"shares_outstanding": 1_000_000, "overhead_years": 1.0,
                    "warrants": [{"label": "w", "count": 100_000, "strike": 0.5,
                                  "expires": dt.date(2021, 1, 1)}]},
    }
    for path, value in changes.items():
        node = data
        *head, last = path.split(".")
        for key in head:
            node = node[key]
        node[last] = value
    return Scenario.model_validate(data)


def _one(s: Scenario) -> dict:
    return reference_path(s, {}, {"p": 5}, {"p": {}})


def test_hand_waterfall_runway_and_capital():
    # 100,000 of royalties a month; holders take half until 300 per unit (300,000).
    got = _one(_small())
    assert got["flows"]["p"]["royalties"] == pytest.approx([1e5] * 12, rel=1e-15)
    assert got["holders"] == pytest.approx([5e4] * 6 + [0.0] * 6, rel=1e-15)
    assert got["holder_npv"] == pytest.approx(3e5, rel=1e-15)
    assert got["company_npv"] == pytest.approx(1.2e6 - 3e5, rel=1e-15)
    # 150 a unit at the ends of months 2 and 5 for a price of 300: exactly break-even.
    assert got["holder_irr"] == pytest.approx(0.0, abs=1e-14)
    # Net -50,000 a month for six months: 750,000 after month 4, floor 775,000.
    assert got["runway_months"] == pytest.approx(4.5, rel=1e-15)
    # Equity 1.0 + 0.9 - 1.2 (a year of burn) = 0.7 million: warrants (strike 0.5) exercised.
    assert got["equity"] == pytest.approx(0.7e6, rel=1e-15)
    assert got["per_share"] == pytest.approx((0.7e6 + 50_000) / 1.1e6, rel=1e-15)


def test_hand_tiered_royalty_and_paid_to_date():
    # 10% up to 5 million of annual sales, 20% above: 1.9 million a year on 12 million.
    s = _small(**{"programs.p.royalty.tiers": [{"rate": 0.1, "up_to": 5.0e6}, {"rate": 0.2}],
                  "rcu.paid_to_date": 250_000.0})
    got = _one(s)
    assert got["flows"]["p"]["royalties"] == pytest.approx([1.9e6 / 12] * 12, rel=1e-15)
    # 250,000 already paid: 50,000 of holder room left, filled by 100,000 of royalties.
    assert sum(got["holders"]) == pytest.approx(50_000.0, rel=1e-13)
    assert got["holders"][0] == pytest.approx(50_000.0, rel=1e-13)


def test_hand_discounting_conventions():
    s = _small(**{"discounting.rate": 0.1, "programs.p.royalty.years": 1,
                  "rcu.tiers": [{"amount": 1e-3, "share": 1.0}]})
    royalty = 1e5
    for convention, times in (("end_of_period", [k + 1 for k in range(12)]),
                              ("mid_period", [k + 0.5 for k in range(12)]),
                              ("annual_mid_year", [6.0] * 12)):
        got = _one(s.with_overrides({"discounting.convention": convention}))
        expected = sum(royalty * 1.1 ** (-t / 12) for t in times) - 1.0 * 1.1 ** (-times[0] / 12)
        assert got["company_npv"] == pytest.approx(expected, rel=1e-14), convention


def test_hand_launch_ramp_and_sales_milestone():
    # Launch guided 6 months after approval: approval at 3.2 -> launch 9.2 -> first sale month 9.
    s = _small(**{
        "horizon_years": 3, "programs.p.stage": "nda",
        "programs.p.stages": {"nda": {"months": 6.4, "probability": 1.0}},
        "programs.p.sales.ramp": [0.25, 0.5],
        "programs.p.royalty.years": 10,
        "programs.p.milestones": {"currency": "CAD", "schedule": [
            {"event": "approval", "amount": 1.0e6},
            {"event": "sales", "amount": 2.0e6, "sales_threshold": 6.0e6}]},
    })
    got = _one(s)
    royalties = got["flows"]["p"]["royalties"]
    expected = [0.0] * 9 + [0.025e6] * 12 + [0.05e6] * 12 + [0.1e6] * 3
    assert royalties == pytest.approx(expected, rel=1e-15)
    milestones = got["flows"]["p"]["milestones"]
    # Approval at 3.2 months is paid in month 3; 6 million a year is first reached in month 21.
    assert milestones[3] == 1.0e6 and milestones[21] == 2.0e6 and sum(milestones) == 3.0e6
