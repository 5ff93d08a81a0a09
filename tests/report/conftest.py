"""Fixtures of the report tests: small results, hand-made sensitivity frames, one report.

Path counts and the Sobol sample are kept small so the whole directory runs in
well under a minute; one test (``test_default_report``) runs the real defaults.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import finmodel as fm
from finmodel.report import build

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "inputs" / "migenix.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
SMALL_PATHS = 2000
SMALL_SOBOL = 256


@pytest.fixture(autouse=True)
def small_sobol(request, monkeypatch):
    """A small Sobol sample everywhere but in the test of the real defaults."""
    if request.node.name != "test_default_report":
        monkeypatch.setattr(build, "SOBOL_N", SMALL_SOBOL)


@pytest.fixture(scope="session")
def scenario() -> fm.Scenario:
    return fm.load_scenario(SCENARIO)


@pytest.fixture(scope="session")
def valuation(scenario):
    return fm.run(scenario)


@pytest.fixture(scope="session")
def simulation(scenario):
    return fm.simulate(scenario, paths=SMALL_PATHS, seed=1)


@pytest.fixture(scope="session")
def releases() -> tuple[Path, ...]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    return build.release_files(SEEDS)


@pytest.fixture
def fan(valuation) -> pd.DataFrame:
    """A Monte Carlo cash fan of the agreed shape, made by hand around the exact balance."""
    cash = valuation.runway.frame["cash"].iloc[:24]
    spread = np.linspace(0.3e6, 2.0e6, len(cash))
    return pd.DataFrame({"p10": cash - spread, "p50": cash + 0.1e6, "p90": cash + spread,
                         "mean": cash}, index=cash.index)


@pytest.fixture
def tornado_frame() -> pd.DataFrame:
    rows = []
    for output, base in (("company_npv", 97e6), ("holder_irr", 0.15), ("runway_months", 8.3)):
        for i, (path, lo, hi) in enumerate((("programs.omigard.sales.peak", 150e6, 230e6),
                                            ("discounting.rate", 0.11, 0.14),
                                            ("company.cash.amount", 4.5e6, 5.5e6))):
            low, high = base * (0.8 + 0.05 * i), base * (1.15 - 0.05 * i)
            rows.append({"input": path, "output": output, "base": base, "low_input": lo,
                         "high_input": hi, "low": low, "high": high, "swing": abs(high - low)})
    return pd.DataFrame(rows)


@pytest.fixture
def spider_frame() -> pd.DataFrame:
    rows = []
    for output, base in (("company_npv", 97e6), ("runway_months", 8.3)):
        for j, path in enumerate(("programs.omigard.sales.peak", "fx.USD")):
            for q in (0.05, 0.25, 0.5, 0.75, 0.95):
                rows.append({"input": path, "output": output, "quantile": q,
                             "input_value": q, "value": base * (1 + (q - 0.5) * (j + 1) / 4)})
    return pd.DataFrame(rows)


@pytest.fixture
def sobol_frame() -> pd.DataFrame:
    rows = []
    for output in ("company_npv", "runway_months"):
        for factor, first, total in (("outcome.omigard", 0.7, 0.75), ("fx.USD", 0.05, 0.06),
                                     ("outcome.mx2401", 0.0, 0.0)):
            rows.append({"factor": factor, "output": output, "first": first,
                         "first_low": first - 0.02, "first_high": first + 0.02, "total": total,
                         "total_low": total - 0.03, "total_high": total + 0.03})
    return pd.DataFrame(rows)


@pytest.fixture
def history_frame() -> pd.DataFrame:
    d = dt.date
    rows = [("Omigard", "phase3_results", d(2006, 5, 4), d(2007, 1, 1), d(2007, 6, 30)),
            ("Omigard", "phase3_results", d(2008, 5, 6), d(2008, 7, 1), d(2008, 12, 31)),
            ("Omigard", "nda_submission", d(2008, 5, 6), d(2009, 1, 1), d(2009, 6, 30)),
            ("celgosivir", "phase2_results", d(2006, 5, 4), d(2006, 5, 4), d(2006, 12, 31))]
    frame = pd.DataFrame(rows, columns=["program", "event", "published", "period_start",
                                        "period_end"])
    frame["slip_days"] = 0
    frame["source"] = "release.txt"
    return frame


def small_report_in(out, releases, **options) -> build.ReportFiles:
    """The shipped scenario's report on few paths and a small Sobol sample, seed 3."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "SOBOL_N", SMALL_SOBOL)
        return build.report(SCENARIO, out=out, paths=SMALL_PATHS, seed=3, releases=releases,
                            **options)


@pytest.fixture(scope="session")
def make_report():
    return small_report_in


@pytest.fixture(scope="session")
def small_settings() -> dict:
    return {"scenario": SCENARIO, "root": ROOT, "paths": SMALL_PATHS, "sobol": SMALL_SOBOL,
            "seed": 3}


@pytest.fixture(scope="session")
def small_report(tmp_path_factory, releases):
    """One small report, written once for several tests, with its progress lines."""
    lines: list[str] = []
    files = small_report_in(tmp_path_factory.mktemp("report"), releases, progress=lines.append)
    return files, lines
