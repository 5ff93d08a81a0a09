"""Tiered royalty waterfall of Royalty Conversion Units (RCU).

Holders of the units receive a share of every royalty the company collects,
tier after tier: in each tier they take a fixed share of royalties until they
have been paid that tier's amount per unit; after the last tier the company
keeps everything.

As a function of cumulative royalties received, the cumulative amount paid to
holders is piecewise linear, non-decreasing and capped::

    paid(C) = interp(C, [0, B_1, ..., B_n], [0, P_1, ..., P_n])

with ``P_k`` the cumulative holder payment at the end of tier ``k`` and
``B_k = B_{k-1} + (P_k - P_{k-1}) / share_k`` the cumulative royalties that fill
it. Per-period payments are differences of ``paid`` along the time axis, so any
number of rows (paths, outcome combinations) are valued at once with
``np.interp``.

Example
-------
>>> w = Waterfall(units=29_465, tiers=[(300, 0.75), (300, 0.50), (400, 0.25)])
>>> holders, company = w.split([5e6, 5e6, 5e6])
>>> holders.tolist()
[3750000.0, 3750000.0, 2946500.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

from finmodel.errors import InputError

__all__ = ["Waterfall"]

_FIELD = "rcu"  # dotted path of the RCU terms in a scenario


def _positive_number(value: object, where: str) -> float:
    """Return ``value`` as a finite float > 0, else raise InputError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(f"expected a number > 0, found {value!r}", field=where)
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"expected a number > 0, found {value!r}", field=where)
    return number


def _share(value: object, where: str) -> float:
    """Return ``value`` as a float in (0, 1], else raise InputError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(f"expected a fraction in (0, 1], found {value!r}", field=where)
    number = float(value)
    if not 0.0 < number <= 1.0:  # also rejects NaN
        raise InputError(f"expected a fraction in (0, 1], found {value!r}", field=where)
    return number


def _tier(entry: object, where: str) -> tuple[float, float]:
    """Read one tier given as ``(amount, share)`` or ``{"amount": .., "share": ..}``."""
    if isinstance(entry, Mapping):
        missing = [key for key in ("amount", "share") if key not in entry]
        if missing:
            raise InputError(f"missing key {missing[0]!r}", field=f"{where}.{missing[0]}")
        amount, share = entry["amount"], entry["share"]
    elif isinstance(entry, Sequence) and not isinstance(entry, str) and len(entry) == 2:
        amount, share = entry
    else:
        raise InputError(f"expected a pair (amount, share), found {entry!r}", field=where)
    return _positive_number(amount, f"{where}.amount"), _share(share, f"{where}.share")


def _fmt(number: float) -> str:
    """Shortest readable form of a number: ``300`` rather than ``300.0``."""
    return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)


def _frozen(array: NDArray[np.float64]) -> NDArray[np.float64]:
    array.setflags(write=False)
    return array


def _nonnegative(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """``values`` as a float array; ValueError if any is negative or not finite."""
    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite")
    if (array < 0).any():
        raise ValueError(f"{name} must be >= 0, found {array.min()!r}")
    return array


@dataclass(frozen=True, slots=True, init=False)
class Waterfall:
    """Tiered split of royalties between RCU holders and the company.

    Parameters
    ----------
    units : float
        Number of units outstanding (> 0).
    tiers : sequence of (amount, share)
        In order of payment: ``amount`` paid per unit within the tier (> 0) and
        ``share`` of royalties going to holders while the tier fills, in (0, 1].
        A tier may also be a mapping ``{"amount": ..., "share": ...}``.

    Raises
    ------
    InputError
        Naming the field: ``rcu.units``, ``rcu.tiers``, ``rcu.tiers.<i>``,
        ``rcu.tiers.<i>.amount`` or ``rcu.tiers.<i>.share`` (``i`` from 0).

    Examples
    --------
    >>> w = Waterfall(units=29_465, tiers=[(300, 0.75), (300, 0.50), (400, 0.25)])
    >>> w.cap, w.breakpoints.tolist()
    (29465000.0, [11786000.0, 29465000.0, 76609000.0])
    """

    units: float
    tiers: tuple[tuple[float, float], ...]
    # Knots of the map paid(C): royalties xp -> cumulative holder payments fp, both (n + 1,).
    _xp: NDArray[np.float64] = field(repr=False, compare=False)
    _fp: NDArray[np.float64] = field(repr=False, compare=False)
    # Slope of paid(C) in each tier, and whether it never rises (paid is then concave).
    _slopes: NDArray[np.float64] = field(repr=False, compare=False)
    _concave: bool = field(repr=False, compare=False)

    def __init__(self, units: float, tiers: Sequence[tuple[float, float]]) -> None:
        n_units = _positive_number(units, f"{_FIELD}.units")
        if isinstance(tiers, (str, Mapping)) or not isinstance(tiers, Sequence):
            raise InputError(
                f"expected a list of (amount, share) pairs, found {tiers!r}",
                field=f"{_FIELD}.tiers",
            )
        if len(tiers) == 0:
            raise InputError("expected at least one tier, found none", field=f"{_FIELD}.tiers")
        table = tuple(_tier(entry, f"{_FIELD}.tiers.{i}") for i, entry in enumerate(tiers))

        amounts = np.array([amount for amount, _ in table])
        shares = np.array([share for _, share in table])
        fp = np.concatenate(([0.0], n_units * np.cumsum(amounts)))
        xp = np.concatenate(([0.0], np.cumsum(n_units * amounts / shares)))
        # np.interp and the inverse need strictly increasing knots.
        if not (np.isfinite(xp).all() and (np.diff(xp) > 0).all() and (np.diff(fp) > 0).all()):
            raise InputError(
                "tier amounts are too far apart in magnitude to be told apart",
                field=f"{_FIELD}.tiers",
            )
        object.__setattr__(self, "units", n_units)
        object.__setattr__(self, "tiers", table)
        object.__setattr__(self, "_xp", _frozen(xp))
        object.__setattr__(self, "_fp", _frozen(fp))
        slopes = np.diff(fp) / np.diff(xp)
        object.__setattr__(self, "_slopes", _frozen(slopes))
        object.__setattr__(self, "_concave", bool((np.diff(slopes) <= 0).all()))

    def __repr__(self) -> str:
        tiers = ", ".join(f"({_fmt(amount)}, {_fmt(share)})" for amount, share in self.tiers)
        return f"Waterfall(units={_fmt(self.units)}, tiers=[{tiers}])"

    # ------------------------------------------------------------------ terms

    @property
    def n_tiers(self) -> int:
        """Number of tiers."""
        return len(self.tiers)

    @property
    def cap_per_unit(self) -> float:
        """Total paid per unit once every tier is full (sum of the tier amounts)."""
        return float(self._fp[-1] / self.units)

    @property
    def cap(self) -> float:
        """Total paid to all holders once every tier is full: ``units * cap_per_unit``."""
        return float(self._fp[-1])

    @property
    def breakpoints(self) -> NDArray[np.float64]:
        """Cumulative royalties at which each tier is full, shape (n_tiers,), read-only."""
        return self._xp[1:]

    @property
    def tier_bounds(self) -> NDArray[np.float64]:
        """Cumulative holder payments at the end of each tier, shape (n_tiers,), read-only."""
        return self._fp[1:]

    # ------------------------------------------------------------------ the map

    def paid(self, cumulative_royalties: ArrayLike) -> NDArray[np.float64]:
        """Cumulative amount paid to holders once ``cumulative_royalties`` have been received.

        Parameters
        ----------
        cumulative_royalties : array_like, any shape, >= 0

        Returns
        -------
        ndarray of float, same shape, in ``[0, cap]``.
        """
        cumulative = _nonnegative(cumulative_royalties, "cumulative royalties")
        return np.interp(cumulative, self._xp, self._fp)

    def paid_fast(self, cumulative_royalties: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`paid` without input checks, for the engine's inner loop (equal to it up to
        rounding).

        With shares that never rise from one tier to the next, ``paid`` is
        concave: the smallest of its linear pieces and the cap, a few
        multiply-adds per element. Otherwise it is a sum of clipped tiers.
        """
        shares = self._slopes
        x = cumulative_royalties
        if self._concave:
            out = x * shares[0]
            piece = np.empty_like(x)
            for k in range(1, len(shares)):
                np.multiply(x, shares[k], out=piece)
                piece += self._fp[k] - shares[k] * self._xp[k]
                np.minimum(out, piece, out=out)
            return np.minimum(out, self._fp[-1], out=out)
        out = np.zeros_like(x)
        for k in range(len(shares)):
            part = np.clip(x - self._xp[k], 0.0, self._xp[k + 1] - self._xp[k])
            out += shares[k] * part
        return out

    def royalties_to_reach(self, paid: ArrayLike) -> NDArray[np.float64]:
        """Smallest cumulative royalties at which holders have been paid ``paid``.

        The inverse of :meth:`paid` on ``[0, cap]``.

        Parameters
        ----------
        paid : array_like, any shape, >= 0
            Cumulative payment to holders.

        Returns
        -------
        ndarray of float, same shape; ``inf`` where ``paid`` exceeds the cap.
        """
        target = _nonnegative(paid, "paid")
        royalties = np.interp(target, self._fp, self._xp)
        return np.where(target > self._fp[-1], np.inf, royalties)

    # ------------------------------------------------------------------ splitting

    def _cumulative(
        self, royalties: ArrayLike, received: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Royalties (..., T); cumulative paid before period 1 (..., 1) and after each (..., T)."""
        flows = _nonnegative(royalties, "royalties")
        if flows.ndim == 0:
            raise ValueError("royalties must have a time axis (the last axis)")
        start = _nonnegative(received, "received")
        try:
            start = np.broadcast_to(start, flows.shape[:-1])[..., None]
        except ValueError:
            raise ValueError(
                f"received of shape {start.shape} does not broadcast to the leading axes "
                f"{flows.shape[:-1]} of royalties"
            ) from None
        cumulative = start + np.cumsum(flows, axis=-1)
        return flows, self.paid(start), self.paid(cumulative)

    def split(
        self, royalties: ArrayLike, received: ArrayLike = 0.0
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Split each period's royalties between holders and the company.

        Parameters
        ----------
        royalties : array_like, shape (..., T), >= 0
            Royalties received in each period; time on the last axis, any leading
            axes (rows, paths).
        received : float or array_like broadcastable to shape (...), >= 0, default 0
            Royalties already received before the first period (to value the units
            part-way through the waterfall).

        Returns
        -------
        holders, company : ndarray of float, shape (..., T)
            Per-period payments, both >= 0; ``company = royalties - holders``, so
            ``holders + company == royalties`` to the last bit of rounding.

        Raises
        ------
        ValueError
            If royalties or ``received`` are negative or not finite, royalties
            have no axis, or ``received`` does not broadcast to the leading axes.
        """
        flows, paid_before, paid_after = self._cumulative(royalties, received)
        holders = np.diff(paid_after, axis=-1, prepend=paid_before)
        # Rounding of the running sum (ulps of it) must not leave holders outside [0, royalties].
        np.clip(holders, 0.0, flows, out=holders)
        return holders, flows - holders

    def split_by_tier(self, royalties: ArrayLike, received: ArrayLike = 0.0) -> NDArray[np.float64]:
        """Holders' per-period payments broken down by tier.

        Parameters
        ----------
        royalties : array_like, shape (..., T), >= 0
            As in :meth:`split`.
        received : float or array_like broadcastable to shape (...), >= 0, default 0
            As in :meth:`split`.

        Returns
        -------
        ndarray of float, shape (..., n_tiers, T)
            Payment out of each tier; sums over axis -2 to ``split(royalties)[0]``
            (up to rounding).
        """
        _, paid_before, paid_after = self._cumulative(royalties, received)
        low = self._fp[:-1, None]  # (n, 1): cumulative payment where each tier starts
        size = np.diff(self._fp)[:, None]  # (n, 1): holder amount in each tier
        # Cumulative payment out of each tier, (..., n, T) and (..., n, 1).
        after = np.clip(paid_after[..., None, :] - low, 0.0, size)
        before = np.clip(paid_before[..., None, :] - low, 0.0, size)
        by_tier = np.diff(after, axis=-1, prepend=before)
        return np.maximum(by_tier, 0.0, out=by_tier)
