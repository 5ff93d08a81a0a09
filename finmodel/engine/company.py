"""Company-level flows on the monthly grid: burn, non-dilutive funding, planned raises.

Each function reads the scenario and returns arrays of shape (T,) in the
reporting currency; the runway broadcasts them over rows.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Scenario
from .timeline import Timeline

__all__ = ["timeline_for", "burn_schedule", "opening_cash", "funding_draws", "financing_inflows",
           "by_currency", "in_reporting_currency"]


def timeline_for(scenario: Scenario) -> Timeline:
    """The monthly grid from the valuation date over the scenario's horizon."""
    return Timeline(scenario.valuation_date, 12 * scenario.horizon_years)


def burn_schedule(scenario: Scenario, timeline: Timeline, annual=None) -> np.ndarray:
    """Operating burn of each month, shape (T,), or (R, T) with per-row step levels.

    The annual burn is a step function of time; a month straddling a step
    blends the two rates by the share of the month on each side.

    Parameters
    ----------
    annual : sequence of float or of (R,) arrays, optional
        Annual burn of each step; defaults to the scenario's.
    """
    steps = scenario.company.burn
    starts = np.array([timeline.position(step.start) for step in steps])
    ends = np.append(starts[1:], np.inf)
    left = np.arange(timeline.months, dtype=float)
    # overlap[k, i]: share of month k under step i (0 before the first step starts).
    overlap = np.clip(np.minimum(left[:, None] + 1, ends) - np.maximum(left[:, None], starts),
                      0.0, 1.0)
    if annual is None:
        return overlap @ (np.array([step.annual for step in steps]) / 12.0)
    levels = np.stack(np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in annual]), -1)
    return levels @ overlap.T / 12.0


def opening_cash(scenario: Scenario, amount=None):
    """Cash at the valuation date: the stated balance rolled forward by the burn in between.

    ``amount`` replaces the stated balance (a scalar or one value per row).

    The roll-forward charges each day between ``cash.as_of`` and the valuation
    date at the annual burn in force that day, over 365.25 days a year.
    """
    cash = scenario.company.cash
    amount = cash.amount if amount is None else amount
    days = (scenario.valuation_date - cash.as_of).days
    if days <= 0:
        return amount
    steps = scenario.company.burn
    spent = 0.0
    for i, step in enumerate(steps):
        lo = max(step.start, cash.as_of)
        hi = min(steps[i + 1].start if i + 1 < len(steps) else scenario.valuation_date,
                 scenario.valuation_date)
        if hi > lo:
            spent += step.annual * (hi - lo).days / 365.25
    return amount - spent


def by_currency(scenario: Scenario, timeline: Timeline) -> dict[str, dict[str, np.ndarray]]:
    """Funding draws and net raises of each month in their own currency.

    Returns
    -------
    dict ``{"funding": {currency: (T,)}, "financing": {currency: (T,)}}``; the
    reporting currency is one of the keys when used.
    """
    reporting = scenario.company.currency
    out: dict[str, dict[str, np.ndarray]] = {"funding": {}, "financing": {}}
    for draw in scenario.company.funding:
        share = timeline.spread(timeline.position(draw.start), timeline.position(draw.end))
        flows = out["funding"].setdefault(draw.currency or reporting, np.zeros(timeline.months))
        flows += draw.amount * share
    for raise_ in scenario.company.financings:
        k = timeline.month_of(raise_.date)
        flows = out["financing"].setdefault(raise_.currency or reporting,
                                            np.zeros(timeline.months))
        if k < timeline.months:
            flows[k] += raise_.amount * (1.0 - raise_.fees)
    return out


def funding_draws(scenario: Scenario, timeline: Timeline) -> np.ndarray:
    """Non-dilutive funding received each month in the reporting currency, shape (T,).

    Each commitment is drawn evenly over its window; the part of the window
    before the valuation date counts as already received (it is in the cash
    balance) and is dropped.
    """
    return in_reporting_currency(scenario, by_currency(scenario, timeline)["funding"], timeline)


def financing_inflows(scenario: Scenario, timeline: Timeline) -> np.ndarray:
    """Planned raises net of fees, in the month of their date, shape (T,).

    A raise dated on or before the valuation date lands in month 0.
    """
    return in_reporting_currency(scenario, by_currency(scenario, timeline)["financing"], timeline)


def in_reporting_currency(scenario: Scenario, flows: dict[str, np.ndarray],
                          timeline: Timeline) -> np.ndarray:
    """Flows by currency (from :func:`by_currency`) summed at the scenario's FX rates."""
    return sum((scenario.fx_rate(c) * f for c, f in flows.items()), np.zeros(timeline.months))
