"""Internal rates of return of many investments at once.

Each row is an investment of ``price`` at time 0 followed by non-negative
amounts at later times. Its net present value, as a function of
``g = log(1 + irr)``, is decreasing and convex, so Newton's method converges
from any start: a step from the right of the root lands left of it, and from
the left it climbs to the root without overshooting, quadratically.

The start is the rate of a second-order cumulant approximation,
``log(sum a e^(-g t)) ~ log A - g m + g^2 v / 2`` with ``A``, ``m``, ``v`` the
total, mean time and variance of time of the payments, solved for ``g``. It is
typically within 1e-5 of the root, so most rows stop after two steps. Where
the quadratic has no root, or moves the start far from the first-order
(Jensen) rate ``log(A / P) / m``, which is never right of the root, the Jensen
rate is the start.
"""

from __future__ import annotations

import numpy as np

__all__ = ["irr_rows"]

_LAST_STEP = 1e-8
_TRUSTED = 0.1
"""Largest second-order correction to the Jensen start, in units of log discount at the
payments' mean time."""
_MAX_STEPS = 100


def irr_rows(price: float, amounts: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Annual IRR of ``-price`` at time 0 and ``amounts`` at ``years``, per row.

    Parameters
    ----------
    price : float
        Paid at time 0 (> 0).
    amounts : ndarray (R, Q), >= 0
        Received at each time.
    years : ndarray (Q,), > 0
        Times in years from the investment (actual days / 365, as XIRR counts).

    Returns
    -------
    ndarray (R,)
        Effective annual rate; ``-1`` for rows that receive nothing.
    """
    amounts = np.asarray(amounts, dtype=float)
    years = np.asarray(years, dtype=float)
    total = amounts.sum(axis=1)
    out = np.full(amounts.shape[0], -1.0)
    live = np.nonzero(total > 0)[0]
    if live.size == 0:
        return out
    a = amounts if live.size == amounts.shape[0] else amounts[live]
    weighted = a * years
    mean_time = weighted.sum(axis=1) / total[live]
    variance = np.maximum((weighted * years).sum(axis=1) / total[live] - mean_time ** 2, 0.0)
    log_multiple = np.log(total[live] / price)
    root = mean_time ** 2 - 2.0 * variance * log_multiple
    jensen = log_multiple / mean_time                    # never right of the root
    # 2L / (m + sqrt(m^2 - 2vL)): the quadratic's smaller root without cancellation.
    second = 2.0 * log_multiple / (mean_time + np.sqrt(np.maximum(root, 0.0)))
    # Trusted only as a small correction: a start far right of the root would send the
    # first Newton step far left, where the climb back is slow.
    g = np.where((root > 0) & ((second - jensen) * mean_time < _TRUSTED), second, jensen)
    rows = np.arange(live.size)               # positions in ``g`` still iterating
    for _ in range(_MAX_STEPS):
        e = np.multiply.outer(-g[rows], years)
        np.exp(e, out=e)
        value = (a * e).sum(axis=1) - price        # row-wise sums: no row depends on another
        slope = -(weighted * e).sum(axis=1)
        step = value / slope
        g[rows] -= step
        # Quadratic convergence: after a step of size s the error is at most s^2 times half
        # the last payment's time (years), so below rounding once s < 1e-8.
        going = np.abs(step) > _LAST_STEP * np.maximum(1.0, np.abs(g[rows]))
        if not going.any():
            break
        if not going.all():
            rows, a, weighted = rows[going], a[going], weighted[going]
    out[live] = np.expm1(g)
    return out
