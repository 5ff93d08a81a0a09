"""``run(scenario)``: the exact valuation, and ``compare`` of several scenarios.

The exact answer is the expectation over the tree of program outcomes: the
engine evaluates one row per outcome combination and weights each by its
probability. Event dates take the midpoints of their guided periods.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .engine.company import burn_schedule
from .engine.model import FLOW_KINDS, Engine, Paths, scenario_values
from .engine.programs import APPROVED, ProgramModel
from .engine.runway import Runway
from .engine.timeline import add_months
from .engine.tree import outcome_tree
from .periods import Period
from .results import RNPV, CapitalResult, RcuResult, capital_result, rcu_result, rnpv_result
from .scenario import Scenario

__all__ = ["run", "compare", "Valuation"]


@dataclass(frozen=True, eq=False)
class Valuation:
    """The result of :func:`run`.

    Attributes
    ----------
    scenario : Scenario
    runway : Runway
        Over the outcome rows: ``cash_out`` and ``months`` of the weighted
        median row, ``prob_out_by(date)``, expected balances in ``frame``.
    rnpv : RNPV
    rcu : RcuResult or None
    capital : CapitalResult
    paths : Paths
        The per-row arrays every figure is reduced from.
    outcomes : dict of program id -> ndarray of int
        Stage index each row's program stops at.
    seconds : float
        Wall time of the evaluation.
    """

    scenario: Scenario
    runway: Runway
    rnpv: RNPV
    rcu: RcuResult | None
    capital: CapitalResult
    paths: Paths
    outcomes: dict[str, np.ndarray]
    models: dict[str, ProgramModel]
    seconds: float

    @property
    def rows(self) -> int:
        """Outcome combinations evaluated."""
        return len(self.paths.weights)

    # -- the key readout ---------------------------------------------------

    @property
    def readout_period(self) -> Period | None:
        return self.scenario.key_event_period()

    @property
    def readout(self) -> dt.date | None:
        """Expected date of the key readout: the midpoint of its guided period."""
        period = self.readout_period
        return None if period is None else period.midpoint

    @property
    def funding_target(self) -> dt.date | None:
        """Latest guided readout date plus the scenario's safety margin."""
        period = self.readout_period
        if period is None:
            return None
        return add_months(period.end, self.scenario.key_event.margin_months)

    def funding_gap(self, coverage: float = 1.0) -> float | None:
        """Raise needed now to stay above the cash floor until :attr:`funding_target`
        in every outcome (``coverage=1``) or in the given share of probability."""
        target = self.funding_target
        return None if target is None else self.runway.funding_gap(target, coverage=coverage)

    # -- tables ------------------------------------------------------------

    @property
    def cashflows(self) -> pd.DataFrame:
        """Tidy cash flows: ``month_end, program, kind, amount, expected``.

        ``expected`` is probability-weighted; ``amount`` is the flow given that
        the program reaches the market. ``rcu`` is the holders' part (negative),
        ``costs`` are negative. Zero rows are left out.
        """
        w = self.paths.weights
        index = pd.DatetimeIndex(self.paths.timeline.index, name="month_end")
        parts = []
        for pid, flows in self.paths.flows.items():
            approved = self.outcomes[pid] == APPROVED
            signed = {**{k: flows[k] for k in FLOW_KINDS}, "costs": -flows["costs"]}
            if pid in self.paths.rcu_share:
                signed["rcu"] = -self.paths.rcu_share[pid]
            for kind, flow in signed.items():
                expected = w @ flow
                conditional = (w[approved] @ flow[approved] / w[approved].sum()
                               if approved.any() else np.full(flow.shape[1], np.nan))
                keep = (expected != 0) | (np.nan_to_num(conditional) != 0)
                if keep.any():
                    parts.append(pd.DataFrame({"month_end": index[keep], "program": pid,
                                               "kind": kind, "amount": conditional[keep],
                                               "expected": expected[keep]}))
        if not parts:
            return pd.DataFrame(columns=["month_end", "program", "kind", "amount", "expected"])
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> dict[str, object]:
        """Key figures as plain values (what ``finmodel run --json`` prints)."""
        s, runway = self.scenario, self.runway
        out: dict[str, object] = {
            "scenario": s.name,
            "valuation_date": s.valuation_date.isoformat(),
            "currency": s.company.currency,
            "opening_cash": float(runway.weights @ runway.opening),
            "monthly_burn_now": float(runway.weights @ runway.burn[:, 0]),
            "min_cash": runway.min_cash,
            "cash_out": runway.cash_out.isoformat() if runway.cash_out else None,
            "runway_months": _finite(runway.months),
            "expected_runway_months": _finite(runway.expected_months),
        }
        if s.key_event is not None:
            out.update({
                "key_event": f"{s.key_event.program}.{s.key_event.event}",
                "readout_expected": self.readout.isoformat(),
                "prob_cash_out_before_readout": runway.prob_out_by(self.readout),
                "funding_target": self.funding_target.isoformat(),
                "funding_gap": self.funding_gap(),
            })
        out["rnpv_total"] = self.rnpv.total
        out["rnpv_by_program"] = self.rnpv.by_program["rnpv"].to_dict()
        if self.rcu is not None:
            out.update({f"rcu_{k}": _finite(v) for k, v in self.rcu.summary().items()})
        out.update({f"capital_{k}": v for k, v in self.capital.summary().items()})
        out.update({"rows_evaluated": self.rows, "seconds": self.seconds})
        return out

    def __repr__(self) -> str:
        return (f"Valuation({self.scenario.name!r}, rnpv={self.rnpv.total:,.0f} "
                f"{self.scenario.company.currency}, rows={self.rows}, {self.runway!r})")


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def guided_midpoints(scenario: Scenario, models: Mapping[str, ProgramModel], timeline
                     ) -> dict[str, dict[str, float]]:
    """Guided events of each program at the midpoints of their periods (months from the start)."""
    return {pid: {e: (lo + hi) / 2.0 for e, (lo, hi) in model.guided(timeline, scenario).items()}
            for pid, model in models.items()}


def run(scenario: Scenario) -> Valuation:
    """Value a scenario exactly: the expectation over every combination of program outcomes.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Valuation
    """
    started = time.perf_counter()
    engine = Engine(scenario)
    timeline, models = engine.timeline, engine.models
    values = scenario_values(scenario)
    outcomes, weights = outcome_tree(models, values)
    paths = engine.evaluate(values, outcomes, guided_midpoints(scenario, models, timeline),
                            weights, detail=True)
    rnpv = rnpv_result(scenario, models, paths, values)
    rcu = rcu_result(scenario, paths)
    capital = capital_result(scenario, paths, rnpv, rcu, burn_schedule(scenario, timeline),
                             engine.funding)
    if rcu is not None:
        _ = rcu.irr_by_row  # part of the evaluation's cost, not of the first summary() call
    return Valuation(scenario, paths.runway, rnpv, rcu, capital, paths, outcomes, models,
                     seconds=time.perf_counter() - started)


def compare(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """Key figures of several scenarios side by side (one column each)."""
    columns = {}
    for name, scenario in scenarios.items():
        figures = run(scenario).summary()
        columns[name] = {k: v for k, v in figures.items()
                         if not isinstance(v, dict) and k not in ("seconds",)}
    return pd.DataFrame(columns)
