"""``run(scenario)``: the exact valuation of a scenario.

Every model is evaluated by the vectorised engine on rows x months; the exact
answer weights each row by its probability.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np

from .engine.company import (
    burn_schedule,
    financing_inflows,
    funding_draws,
    opening_cash,
    timeline_for,
)
from .engine.runway import Runway
from .engine.timeline import add_months
from .scenario import Scenario

__all__ = ["run", "Valuation"]


@dataclass(frozen=True, eq=False)
class Valuation:
    """The result of :func:`run`.

    Attributes
    ----------
    scenario : Scenario
    runway : Runway
    rows : int
        Rows the engine evaluated.
    seconds : float
        Wall time of the evaluation.
    """

    scenario: Scenario
    runway: Runway
    rows: int
    seconds: float

    @property
    def readout(self) -> dt.date | None:
        """Latest date of the key readout's guided period (None without a key event)."""
        period = self.scenario.key_event_period()
        return None if period is None else period.end

    @property
    def funding_target(self) -> dt.date | None:
        """Readout (end of its guided period) plus the scenario's safety margin."""
        if self.readout is None:
            return None
        return add_months(self.readout, self.scenario.key_event.margin_months)

    def funding_gap(self) -> float | None:
        """Raise needed now to stay above the cash floor until :attr:`funding_target`."""
        target = self.funding_target
        return None if target is None else self.runway.funding_gap(target)

    def summary(self) -> dict[str, object]:
        """Key figures as plain values (what ``finmodel run --json`` prints)."""
        s = self.scenario
        runway = self.runway
        out: dict[str, object] = {
            "scenario": s.name,
            "valuation_date": s.valuation_date.isoformat(),
            "currency": s.company.currency,
            "opening_cash": float(runway.weights @ runway.opening),
            "monthly_burn_now": float(runway.weights @ runway.burn[:, 0]),
            "min_cash": runway.min_cash,
            "cash_out": runway.cash_out.isoformat() if runway.cash_out else None,
            "runway_months": None if np.isinf(runway.months) else runway.months,
        }
        if s.key_event is not None:
            out.update({
                "key_event": f"{s.key_event.program}.{s.key_event.event}",
                "readout_latest": self.readout.isoformat(),
                "prob_cash_out_before_readout": runway.prob_out_by(self.readout),
                "funding_target": self.funding_target.isoformat(),
                "funding_gap": self.funding_gap(),
            })
        out.update({"rows_evaluated": self.rows, "seconds": self.seconds})
        return out

    def __repr__(self) -> str:
        return f"Valuation({self.scenario.name!r}, {self.runway!r})"


def run(scenario: Scenario) -> Valuation:
    """Value a scenario exactly: the runway (and, as the engine grows, every other model).

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Valuation
    """
    started = time.perf_counter()
    timeline = timeline_for(scenario)
    runway = Runway.build(
        timeline,
        opening=opening_cash(scenario),
        burn=burn_schedule(scenario, timeline),
        inflows={
            "financing": financing_inflows(scenario, timeline),
            "funding": funding_draws(scenario, timeline),
        },
        min_cash=scenario.company.min_cash,
    )
    return Valuation(scenario, runway, rows=len(runway.weights),
                     seconds=time.perf_counter() - started)
