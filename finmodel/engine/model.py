"""The whole company on rows x months: programs, RCU waterfall, runway.

:func:`evaluate` is the one place the models are put together. The exact
valuation calls it with one row per outcome combination; Monte Carlo calls it
with sampled rows. Nonlinear parts (the capped waterfall, cash-out) are
therefore applied row by row, never to probability-weighted averages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..scenario import Scenario, _leaves
from .company import burn_schedule, financing_inflows, funding_draws, opening_cash
from .programs import ProgramModel, Values, program_flows
from .runway import Runway
from .timeline import Timeline
from .waterfall import Waterfall

__all__ = ["Paths", "evaluate", "scenario_values", "waterfall_for", "FLOW_KINDS"]

FLOW_KINDS = ("milestones", "royalties", "sales_margin", "costs")
"""Company cash-flow kinds per program (costs are outflows, stored positive)."""


def scenario_values(scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None
                    ) -> Values:
    """Numeric inputs by dotted path: the scenario's values, replaced by ``samples`` where given.

    Missing paths raise KeyError naming the path.
    """
    flat: dict[str, Any] = dict(_leaves(scenario.to_dict()))
    samples = dict(samples or {})

    def values(path: str) -> float | np.ndarray:
        if path in samples:
            return samples[path]
        return flat[path]

    return values


def waterfall_for(scenario: Scenario) -> Waterfall | None:
    rcu = scenario.rcu
    if rcu is None:
        return None
    return Waterfall(units=rcu.units, tiers=[(t.amount, t.share) for t in rcu.tiers])


@dataclass(frozen=True, eq=False)
class Paths:
    """Every model's flows per row, in the reporting currency.

    Attributes
    ----------
    weights : ndarray (R,)
    flows : dict program id -> dict kind -> ndarray (R, T)
        Company flows before the RCU (royalties gross).
    sales : dict program id -> ndarray (R, T)
        Net sales in the reporting currency (partner's or own).
    feed : ndarray (R, T)
        Amounts flowing into the RCU waterfall.
    holders : ndarray (R, T)
        Paid to RCU holders.
    holders_by_tier : ndarray (R, n_tiers, T)
    rcu_share : dict program id -> ndarray (R, T)
        Each fed program's part of the holders' payments (pro rata to what it fed).
    discount : ndarray (R, T) or (1, T)
    runway : Runway
    """

    timeline: Timeline
    weights: np.ndarray
    flows: dict[str, dict[str, np.ndarray]]
    sales: dict[str, np.ndarray]
    feed: np.ndarray
    holders: np.ndarray
    holders_by_tier: np.ndarray
    rcu_share: dict[str, np.ndarray]
    discount: np.ndarray
    runway: Runway

    def pv(self, flow: np.ndarray) -> np.ndarray:
        """Present value per row of a (R, T) flow, shape (R,)."""
        return np.sum(flow * self.discount, axis=-1)

    def net(self, pid: str) -> np.ndarray:
        """A program's company flow after the RCU and costs, (R, T)."""
        f = self.flows[pid]
        return (f["milestones"] + f["royalties"] + f["sales_margin"] - f["costs"]
                - self.rcu_share.get(pid, 0.0))


def evaluate(scenario: Scenario, timeline: Timeline, models: Mapping[str, ProgramModel],
             values: Values, outcomes: Mapping[str, np.ndarray],
             events: Mapping[str, Mapping[str, np.ndarray]], weights: np.ndarray) -> Paths:
    """Run every model on the given rows.

    Parameters
    ----------
    outcomes : program id -> ndarray of int (R,)
    events : program id -> success-path event positions (scalars or (R,))
    weights : ndarray (R,)
    """
    rows = len(weights)
    flows = {pid: program_flows(models[pid], scenario, timeline, outcomes[pid], events[pid],
                                values) for pid in models}
    sales = {pid: f.pop("sales") for pid, f in flows.items()}
    zeros = np.zeros((rows, timeline.months))

    rcu = scenario.rcu
    feed = zeros.copy()
    holders, by_tier, rcu_share = zeros.copy(), np.zeros((rows, 0, timeline.months)), {}
    if rcu is not None:
        fed = {pid: flows[pid]["royalties"] + (flows[pid]["milestones"] if rcu.milestones_feed
                                               else 0.0) for pid in rcu.feeds}
        feed = sum(fed.values(), zeros)
        waterfall = waterfall_for(scenario)
        received = float(waterfall.royalties_to_reach(rcu.paid_to_date))
        holders, _ = waterfall.split(feed, received=received)
        by_tier = waterfall.split_by_tier(feed, received=received)
        with np.errstate(divide="ignore", invalid="ignore"):
            take = np.where(feed > 0, holders / feed, 0.0)
        rcu_share = {pid: f * take for pid, f in fed.items()}

    rate = np.asarray(values("discounting.rate"), dtype=float)
    discount = timeline.discount_factors(rate.reshape(-1, 1) if rate.ndim else float(rate),
                                         scenario.discounting.convention)
    discount = np.atleast_2d(discount)

    company_in = {kind: sum((flows[pid][kind] for pid in flows), zeros)
                  for kind in ("milestones", "sales_margin")}
    # The holders' take comes out of what fed the waterfall (royalties, and milestones if
    # they feed it); booking it against royalties keeps the total inflow right either way.
    royalties_net = sum((flows[pid]["royalties"] for pid in flows), zeros) - holders
    costs = sum((flows[pid]["costs"] for pid in flows), zeros)
    runway = Runway.build(
        timeline,
        opening=opening_cash(scenario, values("company.cash.amount")),
        burn=burn_schedule(scenario, timeline, [values(f"company.burn.{i}.annual")
                                                for i in range(len(scenario.company.burn))])
        + costs,
        inflows={
            "financing": financing_inflows(scenario, timeline),
            "funding": funding_draws(scenario, timeline),
            "milestones": company_in["milestones"],
            "royalties": royalties_net,
            "sales_margin": company_in["sales_margin"],
        },
        min_cash=scenario.company.min_cash,
        weights=weights,
    )
    return Paths(timeline, weights, flows, sales, feed, holders, by_tier, rcu_share, discount,
                 runway)
