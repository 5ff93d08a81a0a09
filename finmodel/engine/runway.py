"""Cash runway, vectorised over rows (paths or outcome combinations) x months.

The balance follows ``cash[t] = cash[t-1] - burn[t] + inflows[t]`` with flows
at month end. Within a month the net flow is taken to accrue evenly, so the
runway in months is interpolated inside the month the balance crosses the
floor: a constant burn ``B`` a year and no inflows give exactly ``cash / (B / 12)``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from .timeline import Timeline, months_between

__all__ = [
    "cash_paths",
    "first_below",
    "runway_months",
    "raise_needed",
    "weighted_quantile",
    "implied_burn",
    "implied_cash",
    "Runway",
]


def cash_paths(opening: np.ndarray | float, burn: np.ndarray, inflows: np.ndarray) -> np.ndarray:
    """Closing balance of each month.

    Parameters
    ----------
    opening : float or ndarray of shape (R,)
        Balance at the valuation date.
    burn, inflows : ndarray of shape (R, T) or (T,)
        Outflow (positive) and inflow of each month.

    Returns
    -------
    ndarray of shape (R, T)
    """
    opening = np.atleast_1d(np.asarray(opening, dtype=float))
    net = np.atleast_2d(np.asarray(inflows, dtype=float) - np.asarray(burn, dtype=float))
    return opening[:, None] + np.cumsum(net, axis=-1)


def first_below(opening: np.ndarray | float, cash: np.ndarray, floor: float) -> np.ndarray:
    """Index of the first month whose closing balance is below ``floor``.

    Returns
    -------
    ndarray of int, shape (R,)
        ``-1`` when the opening balance is already below the floor, ``T`` when
        the balance never goes below it.
    """
    opening = np.broadcast_to(np.asarray(opening, dtype=float), cash.shape[:1])
    below = cash < floor
    hit = below.any(axis=-1)
    index = np.where(hit, below.argmax(axis=-1), cash.shape[-1])
    return np.where(opening < floor, -1, index)


def runway_months(opening: np.ndarray | float, cash: np.ndarray, floor: float) -> np.ndarray:
    """Months from the valuation date until the balance crosses ``floor``.

    Interpolated within the crossing month (the net flow accrues evenly
    inside a month); ``0`` if the opening balance is already below the
    floor; ``inf`` if it never crosses.

    Returns
    -------
    ndarray of float, shape (R,)
    """
    opening = np.broadcast_to(np.asarray(opening, dtype=float), cash.shape[:1])
    index = first_below(opening, cash, floor)
    rows = np.arange(cash.shape[0])
    k = np.clip(index, 0, cash.shape[-1] - 1)
    before = np.where(k > 0, cash[rows, np.maximum(k - 1, 0)], opening)
    after = cash[rows, k]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        months = k + (before - floor) / (before - after)
    months = np.where(index == cash.shape[-1], np.inf, months)
    return np.where(index < 0, 0.0, months)


def raise_needed(
    opening: np.ndarray | float,
    cash: np.ndarray,
    floors: np.ndarray,
    at: int,
    until: int,
) -> np.ndarray:
    """Smallest raise received in month ``at`` keeping cash >= floor through month ``until``.

    Parameters
    ----------
    opening : float or ndarray of shape (R,)
    cash : ndarray of shape (R, T)
        Balances without the raise.
    floors : ndarray of shape (T,) or (R, T)
        The balance to keep at each month end.
    at : int
        Month the raise arrives in (``-1``: at the valuation date itself).
    until : int
        Last month (inclusive) that must stay at or above the floor.

    Returns
    -------
    ndarray of shape (R,)
        The raise per row; ``inf`` where the balance falls below the floor
        before the raise can arrive.
    """
    floors = np.broadcast_to(floors, cash.shape)
    opening = np.broadcast_to(np.asarray(opening, dtype=float), cash.shape[:1])
    # Months before the raise arrives must hold on their own.
    lead = cash[:, : max(at, 0)] < floors[:, : max(at, 0)]
    too_late = lead.any(axis=-1)
    start = max(at, 0)
    shortfall = (floors - cash)[:, start : until + 1]
    need = shortfall.max(axis=-1, initial=0.0)
    if at < 0:
        need = np.maximum(need, floors[:, 0] - opening)
    need = np.maximum(need, 0.0)
    return np.where(too_late, np.inf, need)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` (inverse CDF; ``q=1`` is the max
    over rows with positive weight)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    i = int(np.searchsorted(cum, q - 1e-12, side="left"))
    return float(values[order][min(i, len(values) - 1)])


def implied_burn(cash: float, as_of: dt.date, guidance) -> tuple[float, float]:
    """Annual burn range that makes ``cash`` run out inside a guided period.

    If the company says its cash funds operations "into Q3 2007", cash runs
    out between the period's start and end, so the constant annual burn lies
    between ``cash / months_to_end * 12`` and ``cash / months_to_start * 12``.

    Parameters
    ----------
    cash : float
        Cash on ``as_of``.
    as_of : date
    guidance : Period or str
        The guided cash-out period (a phrase is parsed against ``as_of``).

    Returns
    -------
    (low, high) : tuple of float
        Annual burn; ``high`` is ``inf`` when the period starts on ``as_of``.
    """
    period = _as_period(guidance, as_of)
    to_start = months_between(as_of, period.start)
    to_end = months_between(as_of, period.end)
    if to_end <= 0:
        raise ValueError(f"the guided period {period} does not end after {as_of}")
    high = math.inf if to_start <= 0 else cash / to_start * 12.0
    return cash / to_end * 12.0, high


def implied_cash(annual_burn: float, as_of: dt.date, guidance) -> tuple[float, float]:
    """Cash range on ``as_of`` that runs out inside a guided period at a constant burn."""
    period = _as_period(guidance, as_of)
    to_start = max(months_between(as_of, period.start), 0.0)
    to_end = months_between(as_of, period.end)
    if to_end <= 0:
        raise ValueError(f"the guided period {period} does not end after {as_of}")
    return annual_burn / 12.0 * to_start, annual_burn / 12.0 * to_end


def _as_period(guidance, as_of: dt.date):
    from ..periods import resolve_period  # periods is a leaf module; import on use keeps engine light

    return resolve_period(guidance, as_of) if isinstance(guidance, str) else guidance


@dataclass(frozen=True, eq=False)
class Runway:
    """Cash runway over rows with probability weights.

    With one row this is the plain runway. With several (outcome combinations
    of the exact valuation, or Monte Carlo paths) the frame holds expected
    values, ``p_out`` is the probability of having run out by each month end,
    and ``cash_out``/``months`` describe the weighted median row.

    Attributes
    ----------
    timeline : Timeline
    opening : ndarray of shape (R,)
    burn, inflows : ndarray of shape (R, T)
    min_cash : float
    weights : ndarray of shape (R,)
        Probabilities; sum to 1.
    breakdown : mapping of name -> ndarray of shape (R, T)
        Components of ``inflows`` (financing, funding, milestones, ...).
    """

    timeline: Timeline
    opening: np.ndarray
    burn: np.ndarray
    inflows: np.ndarray
    min_cash: float
    weights: np.ndarray
    breakdown: Mapping[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, timeline: Timeline, opening, burn, inflows: Mapping[str, np.ndarray],
              min_cash: float, weights=None) -> Runway:
        """Assemble from named inflow components, each broadcastable to (R, T)."""
        opening = np.atleast_1d(np.asarray(opening, dtype=float))
        burn = np.atleast_2d(np.asarray(burn, dtype=float))
        rows = max([opening.shape[0], burn.shape[0],
                    *(np.atleast_2d(v).shape[0] for v in inflows.values())])
        shape = (rows, timeline.months)
        parts = {k: np.broadcast_to(np.atleast_2d(v), shape) for k, v in inflows.items()}
        total = sum(parts.values(), np.zeros(shape))
        w = np.full(rows, 1.0 / rows) if weights is None else np.asarray(weights, dtype=float)
        return cls(timeline, np.broadcast_to(opening, (rows,)), np.broadcast_to(burn, shape),
                   total, float(min_cash), w, parts)

    # -- per-row results -----------------------------------------------

    @property
    def cash(self) -> np.ndarray:
        """Closing balances, shape (R, T)."""
        return _cached(self, "_cash", lambda: cash_paths(self.opening, self.burn, self.inflows))

    @property
    def months_by_row(self) -> np.ndarray:
        """Runway in months of each row, shape (R,)."""
        return _cached(self, "_months", lambda: runway_months(self.opening, self.cash,
                                                              self.min_cash))

    @property
    def out_index(self) -> np.ndarray:
        """First month below ``min_cash`` per row (-1: already below; T: never), shape (R,)."""
        return _cached(self, "_out", lambda: first_below(self.opening, self.cash, self.min_cash))

    # -- summary figures -----------------------------------------------

    @property
    def months(self) -> float:
        """Months from the valuation date to cash-out (``inf`` if never); weighted median row."""
        return weighted_quantile(self.months_by_row, self.weights, 0.5)

    @property
    def expected_months(self) -> float:
        """Probability-weighted mean runway in months (``inf`` if any row never runs out)."""
        return float(np.dot(self.weights, self.months_by_row))

    @property
    def cash_out(self) -> dt.date | None:
        """End date of the first month the balance is below ``min_cash`` (weighted median row).

        The valuation date itself when the opening balance is already below;
        None when the balance stays above it over the whole horizon.
        """
        index = int(weighted_quantile(self.out_index, self.weights, 0.5))
        if index >= self.timeline.months:
            return None
        return self.timeline.start if index < 0 else self.timeline.ends[index]

    def prob_out_by(self, day: dt.date) -> float:
        """Probability that the balance has gone below ``min_cash`` by ``day``."""
        position = self.timeline.position(day)
        return float(np.dot(self.weights, self.months_by_row <= position))

    def funding_gap(self, target: dt.date, at: dt.date | None = None, buffer: float = 0.0,
                    *, fees: float = 0.0, coverage: float = 1.0) -> float:
        """Smallest raise at ``at`` keeping cash at or above the buffer until ``target``.

        Parameters
        ----------
        target : date
            The balance must hold through the month containing this date.
        at : date, optional
            When the raise arrives; default the valuation date (added to the opening balance).
        buffer : float
            Months of burn to keep on top of ``min_cash`` at every month end.
        fees : float
            Fees as a fraction of the gross raise; the result is gross.
        coverage : float
            Share of the probability mass the raise must cover: 1 covers every
            outcome with positive probability, 0.5 the weighted median.

        Returns
        -------
        float
            The gross raise; 0 if none is needed, ``inf`` if the company runs out
            before ``at``.
        """
        if not 0 <= fees < 1:
            raise ValueError(f"fees must be in [0, 1), found {fees}")
        if target <= self.timeline.start:
            return 0.0
        if at is not None and at > target:
            raise ValueError(f"the raise date {at} is after the target {target}")
        start = -1 if at is None or at <= self.timeline.start else self.timeline.month_of(at)
        until = min(self.timeline.month_of(target), self.timeline.months - 1)
        floors = self.min_cash + buffer * self.burn
        per_row = raise_needed(self.opening, self.cash, floors, start, until)
        return weighted_quantile(per_row, self.weights, coverage) / (1.0 - fees)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per month indexed by month-end date: expected ``cash`` (closing), ``burn``,
        ``inflows`` and each inflow component, ``p_out`` (probability of having run out)."""
        w = self.weights
        data = {
            "cash": w @ self.cash,
            "burn": w @ self.burn,
            "inflows": w @ self.inflows,
            **{name: w @ part for name, part in self.breakdown.items()},
            "p_out": w @ (self.months_by_row[:, None] <= np.arange(1, self.timeline.months + 1)),
        }
        frame = pd.DataFrame(data, index=pd.DatetimeIndex(self.timeline.index, name="month_end"))
        return frame

    def summary(self) -> dict[str, object]:
        return {
            "opening_cash": float(self.weights @ self.opening),
            "cash_out": self.cash_out,
            "months": self.months,
            "expected_months": self.expected_months,
        }

    def __repr__(self) -> str:
        out = self.cash_out.isoformat() if self.cash_out else "never"
        return (f"Runway(start={self.timeline.start}, months={self.months:.2f}, cash_out={out}, "
                f"rows={len(self.weights)})")


def _cached(obj: object, name: str, compute):
    # Frozen dataclass: memoise derived arrays in the instance dict.
    try:
        return obj.__dict__[name]
    except KeyError:
        value = compute()
        obj.__dict__[name] = value
        return value
