"""The exact valuation: hand-worked cases, plain NPV, brute-force tree, RCU and capital."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import finmodel as fm
from finmodel import benchmarks as bm
from finmodel.engine.programs import APPROVED, STAGE_INDEX
from finmodel.scenario import STAGES, Scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default() -> Scenario:
    return fm.load_scenario(ROOT / "inputs" / "migenix.yaml")


@pytest.fixture(scope="module")
def base_value(default) -> fm.Valuation:
    return fm.run(default)


def tiny(programs: dict, **extra) -> Scenario:
    """A one-company scenario valued on 2010-01-01 at 10% with no burn and no RCU."""
    data = {
        "name": "tiny",
        "valuation_date": dt.date(2010, 1, 1),
        "company": {"name": "Tiny", "currency": "USD",
                    "cash": {"amount": 1e6, "as_of": dt.date(2010, 1, 1)},
                    "burn": [{"from": dt.date(2010, 1, 1), "annual": 0.0}]},
        "discounting": {"rate": 0.10},
        "horizon_years": 5,
        "programs": programs,
        "capital": {"shares_outstanding": 1_000_000},
        **extra,
    }
    return Scenario.model_validate(data)


def df(months: float, rate: float = 0.10) -> float:
    return (1 + rate) ** (-months / 12)


# ------------------------------------------------------------------ hand-worked


def milestone_program(**stages):
    return {"name": "A", "partner": "P", "stage": "phase3",
            "events": {"phase3_results": "June 30, 2010"},
            "stages": {"phase3": {"probability": 0.5}, "nda": {"probability": 0.8, "months": 12},
                       **stages},
            "milestones": {"currency": "USD", "total": 10e6,
                           "schedule": [{"event": "approval", "amount": 10e6}]}}


def test_one_milestone_by_hand():
    # Phase III reads out 2010-06-30: 5 months + 29/30 after 2010-01-01. The NDA starts
    # then and takes 12 months: approval at 17 + 29/30 months, booked at the end of
    # month 18. Expected value = 10M x P(III) 0.5 x P(NDA) 0.8, discounted 18 months at 10%.
    v = fm.run(tiny({"a": milestone_program()}))
    assert v.rnpv.total == pytest.approx(10e6 * 0.5 * 0.8 * df(18), rel=1e-12)
    assert v.rows == 3   # fails in III, fails at NDA, approved
    assert v.rnpv.by_program.loc["a", "pos"] == pytest.approx(0.4)


@pytest.mark.parametrize("convention,months", [("end_of_period", 18), ("mid_period", 17.5),
                                               ("annual_mid_year", 18)])
def test_discounting_conventions(convention, months):
    s = tiny({"a": milestone_program()}, discounting={"rate": 0.10, "convention": convention})
    assert fm.run(s).rnpv.total == pytest.approx(4e6 * df(months), rel=1e-12)


def test_one_royalty_stream_by_hand():
    # An NDA under review, approval guided for 2010-06-30 (5 + 29/30 months); launch six months
    # later (11 + 29/30). Flat sales of 120M a year (ramp [1.0]) = 10M a month; 10% royalty for
    # one year: months whose middle falls in the term are 12..23, paid at the end of months
    # 13..24, 1M each. P(approval) = 0.5.
    program = {"name": "R", "partner": "P", "stage": "nda",
               "events": {"approval": "June 30, 2010"},
               "stages": {"nda": {"probability": 0.5}},
               "royalty": {"tiers": [{"rate": 0.10}], "years": 1},
               "sales": {"peak": 120e6, "currency": "USD", "ramp": [1.0]}}
    v = fm.run(tiny({"r": program}))
    expected = 0.5 * sum(1e6 * df(m) for m in range(13, 25))
    assert v.rnpv.total == pytest.approx(expected, rel=1e-12)


def test_tiered_royalty_is_marginal():
    # 10% up to 60M of annual sales, 5% above: on 120M a year, 6M + 3M = 9M a year.
    program = {"name": "R", "partner": "P", "stage": "approved",
               "royalty": {"tiers": [{"rate": 0.10, "up_to": 60e6}, {"rate": 0.05}], "years": 1},
               "sales": {"peak": 120e6, "currency": "USD", "ramp": [1.0]}}
    v = fm.run(tiny({"r": program}))
    flows = v.cashflows.query("kind == 'royalties'")
    assert flows["expected"].sum() == pytest.approx(9e6 / 12 * len(flows))
    assert flows["expected"].max() == pytest.approx(0.75e6)


def test_owned_program_costs_only_if_stage_reached():
    # Owned program in Phase II (halfway: 21 of 42 months left), Phase III costs 12M if reached.
    program = {"name": "O", "stage": "phase2", "area": "anti_infective",
               "stages": {"phase2": {"probability": 0.5}, "phase3": {"cost": 12e6}},
               "sales": {"peak": 0.0, "currency": "USD"}}
    v = fm.run(tiny({"o": program}))
    costs = v.cashflows.query("kind == 'costs'")
    assert costs["expected"].sum() == pytest.approx(-0.5 * 12e6 * _share_in_horizon(21, 37.2, 60))
    assert (costs["month_end"] > np.datetime64("2011-10-01")).all()


def _share_in_horizon(start: float, length: float, horizon: int) -> float:
    return min(max(horizon - start, 0.0), length) / length


# ------------------------------------------------------------------ plain NPV and the tree


def all_certain(s: Scenario) -> Scenario:
    overrides = {}
    for pid, program in s.programs.items():
        for stage in STAGES[STAGE_INDEX[program.stage]:APPROVED]:
            overrides[f"programs.{pid}.stages.{stage}"] = {"probability": 1.0}
    return s.with_overrides(overrides)


def test_probability_one_equals_plain_npv(default):
    s = all_certain(default)
    v = fm.run(s)
    assert v.rows == 1
    # Plain NPV written out: every company flow of the single path, discounted by hand.
    flows = v.cashflows
    months = np.array([fm.engine.timeline.months_between(s.valuation_date, d.date())
                       for d in flows["month_end"]])
    plain = float(np.sum(flows["amount"] * (1 + s.discounting.rate) ** (-months / 12)))
    assert v.rnpv.total == pytest.approx(plain, rel=1e-12)
    assert (v.rnpv.by_program["pos"] == 1).all()


def outcome_choices(s: Scenario, pid: str):
    """(forcing overrides, probability) for each way a program can end."""
    program = s.programs[pid]
    stages = STAGES[STAGE_INDEX[program.stage]:APPROVED]
    p = [bm.success_rate(program.area, st).value for st in stages]
    for stage, given in program.stages.items():
        if given.probability is not None:
            p[stages.index(stage)] = given.probability
    for stop in range(len(stages) + 1):
        forced = {f"programs.{pid}.stages.{st}": {"probability": 1.0 if i < stop else 0.0}
                  for i, st in enumerate(stages) if i <= stop}
        prob = math.prod(p[:stop]) * (1 - p[stop] if stop < len(stages) else 1.0)
        yield forced, prob


def test_tree_equals_brute_force_enumeration(default, base_value):
    """Force every combination of outcomes one at a time and weight by hand."""
    movers = ["omigard", "cls001", "sb9000"]  # the programs that move cash
    total = holders = p_sum = 0.0
    for combo in itertools.product(*(list(outcome_choices(default, pid)) for pid in movers)):
        overrides, prob = {}, 1.0
        for forced, p in combo:
            overrides.update(forced)
            prob *= p
        if prob == 0:
            continue
        v = fm.run(default.with_overrides(overrides))
        assert v.rows == 1
        total += prob * v.rnpv.total
        holders += prob * v.rcu.holder_value
        p_sum += prob
    assert p_sum == pytest.approx(1.0)
    assert base_value.rnpv.total == pytest.approx(total, rel=1e-10)
    assert base_value.rcu.holder_value == pytest.approx(holders, rel=1e-10)


def test_shortcut_error_is_nonzero_on_the_default(base_value):
    r = base_value.rcu
    assert abs(r.shortcut_error) > 1e5
    assert r.shortcut_value == pytest.approx(r.holder_value + r.shortcut_error)


# ------------------------------------------------------------------ RCU and capital


def test_rcu_figures_are_consistent(base_value, default):
    r, paths = base_value.rcu, base_value.paths
    np.testing.assert_allclose(paths.holders.sum(axis=-1) <= 1000 * 29_465 + 1e-6, True)
    assert r.holder_value == pytest.approx(float(paths.weights @ paths.pv(paths.holders)))
    assert r.by_tier().sum().sum() == pytest.approx(float(paths.weights @ paths.holders.sum(-1)))
    assert 0 <= r.p_cap <= r.p_recover <= 1
    # The cap is reached only if Omigard is approved (CLS001 alone cannot fill it in time).
    assert r.p_cap <= base_value.rnpv.by_program.loc["omigard", "pos"] + 1e-12
    assert -1 <= r.irr_expected < 1 and r.company_cost == r.irr_expected
    assert r.shares_per_unit(150.0) == pytest.approx(300.0)
    assert r.shares_per_unit(400.0) == 0.0
    assert r.converts_at(r.break_even_price * 1.01) and not r.converts_at(r.break_even_price * .99)


def test_holder_irr_hand_case(base_value):
    # 600 a unit paid at the end of the first month (2008-08-08) on 300 paid 2006-05-04:
    # doubling over `days` days -> 2 ** (365 / days) - 1 (XIRR counts actual days / 365).
    per_unit = np.zeros(base_value.paths.timeline.months)
    per_unit[0] = 600.0
    days = (dt.date(2008, 8, 8) - dt.date(2006, 5, 4)).days
    assert base_value.rcu._irr(per_unit) == pytest.approx(2 ** (365 / days) - 1, rel=1e-9)
    assert base_value.rcu._irr(np.zeros_like(per_unit)) == -1.0


def test_capital_sum_of_the_parts(base_value, default):
    c = base_value.capital
    assert c.equity == pytest.approx(c.cash + c.rnpv + c.pv_funding - c.pv_overhead)
    assert c.per_share_basic == pytest.approx(c.equity / default.capital.shares_outstanding)
    # Warrants (strike 0.50) are in the money at the computed value: exercised, proceeds added.
    assert c.per_share_basic > 0.5
    assert c.per_share == pytest.approx((c.equity + 883_950 * 0.5)
                                        / (default.capital.shares_outstanding + 883_950))


def test_runway_receives_program_inflows(base_value):
    frame = base_value.runway.frame
    assert frame["milestones"].sum() > 0 and frame["royalties"].sum() > 0
    np.testing.assert_allclose(frame["inflows"], frame[["financing", "funding", "milestones",
                                                        "royalties", "sales_margin"]].sum(axis=1))
    p = base_value.summary()["prob_cash_out_before_readout"]
    assert 0 <= p <= 1


def test_compare_side_by_side(default):
    bear = default.with_overrides({"programs.omigard.sales.peak": 100e6})
    table = fm.compare({"base": default, "bear": bear})
    assert list(table.columns) == ["base", "bear"]
    assert table.loc["rnpv_total", "bear"] < table.loc["rnpv_total", "base"]


def test_repr_and_summary(base_value):
    assert "rnpv=" in repr(base_value)
    assert "rnpv" in base_value.rnpv.summary().columns
    assert base_value.rnpv._repr_html_().startswith("<p>")
