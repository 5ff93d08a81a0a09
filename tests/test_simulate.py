"""Monte Carlo through the exact valuation's engine: convergence, seeding, distributions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import finmodel as fm
from finmodel.scenario import Scenario
from finmodel.simulate import inverse_cdf

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default() -> Scenario:
    return fm.load_scenario(ROOT / "inputs" / "migenix.yaml")


def test_mean_converges_to_the_exact_value(default):
    # Only stage outcomes are random.
    s = default.with_overrides({"uncertainty": {}, "timing": None, "correlation": []})
    exact = fm.run(s)
    m = fm.simulate(s, paths=20_000, seed=7)
    for column, value in (("company_npv", exact.rnpv.total),
                          ("holder_npv", exact.rcu.holder_value)):
        x = m.samples[column]
        se = x.std(ddof=1) / np.sqrt(len(x))
        assert abs(x.mean() - value) < 4 * se, column
    # Outcome frequencies match the stage probabilities.
    approved = (m.samples["outcome_omigard"] == 5).mean()
    assert approved == pytest.approx(exact.rnpv.by_program.loc["omigard", "pos"], abs=0.015)


def test_same_numbers_for_any_chunk_size(default):
    a = fm.simulate(default, paths=9_000, seed=3)
    b = fm.simulate(default, paths=9_000, seed=3, chunk=7_777)
    c = fm.simulate(default, paths=9_000, seed=3, chunk=1_000)
    assert a.samples.equals(b.samples) and a.samples.equals(c.samples)
    d = fm.simulate(default, paths=9_000, seed=4)
    assert not a.samples["company_npv"].equals(d.samples["company_npv"])


def test_prefix_of_a_longer_run_is_the_shorter_run(default):
    short = fm.simulate(default, paths=5_000, seed=11)
    long = fm.simulate(default, paths=9_000, seed=11)
    assert long.samples.iloc[:5_000].reset_index(drop=True).equals(short.samples)


def test_result_object(default):
    m = fm.simulate(default, paths=2_000, seed=1)
    summary = m.summary()
    assert {"mean", "se", "ci_low", "ci_high", "p10", "p50", "p90"} <= set(summary.columns)
    assert summary.loc["company_npv", "ci_low"] < summary.loc["company_npv", "mean"]
    assert 0 <= m.prob("runway_months < 9") <= 1
    assert m.quantile(0.5)["company_npv"] == pytest.approx(m.samples["company_npv"].median())
    lo, hi = default.uncertainty["fx.USD"].low, default.uncertainty["fx.USD"].high
    assert m.samples["fx.USD"].between(lo, hi).all()
    assert "paths=2,000" in repr(m)


def test_unsupported_uncertainty_is_refused(default):
    s = default.with_overrides({"uncertainty": {"company.min_cash":
                                                {"dist": "uniform", "low": 0.0, "high": 1.0}},
                                "correlation": []})
    with pytest.raises(fm.InputError, match="uncertainty.company.min_cash"):
        fm.simulate(s, paths=10, seed=1)


@pytest.mark.parametrize("dist,mean", [
    ({"dist": "pert", "low": 1.0, "mode": 2.0, "high": 6.0}, (1 + 4 * 2 + 6) / 6),
    ({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0}, (1 + 2 + 6) / 3),
    ({"dist": "uniform", "low": 1.0, "high": 6.0}, 3.5),
    ({"dist": "normal", "mean": 2.0, "sd": 0.5}, 2.0),
    ({"dist": "lognormal", "median": 2.0, "sigma": 0.5}, 2.0 * np.exp(0.5 ** 2 / 2)),
    ({"dist": "beta", "a": 2.0, "b": 6.0, "low": 0.0, "high": 4.0}, 4 * 2 / 8),
    ({"dist": "discrete", "values": [1.0, 5.0], "probs": [0.25, 0.75]}, 4.0),
])
def test_inverse_cdf_means(dist, mean):
    from pydantic import TypeAdapter

    from finmodel.scenario import Distribution

    parsed = TypeAdapter(Distribution).validate_python(dist)
    u = (np.arange(200_000) + 0.5) / 200_000   # midpoint rule on (0, 1)
    assert inverse_cdf(parsed, u).mean() == pytest.approx(mean, rel=2e-3)
