"""The monthly grid every model shares.

Month ``k`` (0-based) is the interval ``(start + k months, start + (k + 1) months]``
counted from the valuation date, so every month has the same weight in time
and a constant annual amount ``A`` is exactly ``A / 12`` a month. Within a
month, a date's position is the elapsed fraction of that month's days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from dateutil.relativedelta import relativedelta

__all__ = ["Timeline", "add_months", "months_between"]


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole months, clamped to the month's last day (Jan 31 + 1 = Feb 29)."""
    return start + relativedelta(months=months)


def months_between(start: dt.date, end: dt.date) -> float:
    """Fractional months from ``start`` to ``end`` on the grid anchored at ``start``.

    Whole months count as 1 each; the remainder is the elapsed share of the
    days of the month it falls in. Negative when ``end`` is before ``start``.
    """
    if end < start:
        return -months_between(end, start)
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    while whole > 0 and add_months(start, whole) > end:
        whole -= 1
    lo, hi = add_months(start, whole), add_months(start, whole + 1)
    return whole + (end - lo).days / (hi - lo).days


@dataclass(frozen=True)
class Timeline:
    """``months`` monthly periods from ``start`` (the valuation date).

    Attributes
    ----------
    start : date
        The valuation date: time 0.
    months : int
        Number of monthly periods, T.
    """

    start: dt.date
    months: int

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError(f"a timeline needs at least one month, got {self.months}")

    @cached_property
    def ends(self) -> tuple[dt.date, ...]:
        """End date of each month, shape (T,)."""
        return tuple(add_months(self.start, k + 1) for k in range(self.months))

    @cached_property
    def index(self) -> "np.ndarray":
        """Month-end dates as ``datetime64[D]``, shape (T,): a DataFrame index."""
        return np.array(self.ends, dtype="datetime64[D]")

    @property
    def end(self) -> dt.date:
        return self.ends[-1]

    def position(self, day: dt.date) -> float:
        """Fractional months from the start to ``day`` (negative before the start)."""
        return months_between(self.start, day)

    def month_of(self, day: dt.date) -> int:
        """Index of the month whose interval holds ``day``.

        A day on or before the start maps to month 0 (flows due now are
        booked in the first month); a day past the horizon maps to T.
        """
        pos = self.position(day)
        if pos <= 0:
            return 0
        return min(int(np.ceil(pos)) - 1, self.months)

    def spread(self, first: float, last: float) -> np.ndarray:
        """Share of the interval ``[first, last]`` (in months) falling in each month, shape (T,).

        Used to draw an amount evenly over a window; a zero-length window puts
        everything in the month holding it. Parts outside the grid are dropped.
        """
        edges = np.arange(self.months + 1, dtype=float)
        if last <= first:
            out = np.zeros(self.months)
            k = max(int(np.ceil(first)) - 1, 0)
            if 0 <= first <= self.months and k < self.months:
                out[k] = 1.0
            return out
        overlap = np.clip(np.minimum(edges[1:], last) - np.maximum(edges[:-1], first), 0, None)
        return overlap / (last - first)

    def discount_factors(self, rate: float, convention: str = "end_of_period") -> np.ndarray:
        """Discount factor of each month's flows, shape (T,).

        ``(1 + rate) ** -(t / 12)`` with ``t`` in months: the month's end
        (``end_of_period``), its middle (``mid_period``), or the middle of its
        12-month year (``annual_mid_year``: flows summed by year, discounted at
        mid-year).
        """
        k = np.arange(self.months, dtype=float)
        if convention == "end_of_period":
            t = k + 1.0
        elif convention == "mid_period":
            t = k + 0.5
        elif convention == "annual_mid_year":
            t = 12.0 * (np.floor(k / 12.0) + 0.5)
        else:
            raise ValueError(f"unknown discounting convention {convention!r}")
        return (1.0 + rate) ** (-t / 12.0)
