"""The whole company on rows: programs, RCU waterfall, runway, capital.

:class:`Engine` is the one place the models are put together. The exact
valuation evaluates one row per outcome combination; Monte Carlo evaluates
sampled rows. Nonlinear parts (the capped waterfall, cash-out, warrant
exercise) are therefore applied row by row, never to probability-weighted
averages.

Speed comes from structure, not from a second implementation: flows are kept
as streams, points and dense parts (:mod:`.flows`); present values of
streams come from their tables; the waterfall runs only over the months that
feed it; the runway is scanned in growing blocks of months and stops, row by
row, at cash-out. ``detail=True`` additionally materialises every flow as a
``(R, T)`` array for reports (the exact valuation has few rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..scenario import Scenario, _leaves
from .capital import value_per_share
from .company import (burn_schedule, by_currency, in_reporting_currency, opening_cash,
                      timeline_for)
from .flows import Part, Point, ProgramTables, Stream, program_parts
from .irr import irr_rows
from .programs import ProgramModel, Values
from .runway import Runway
from .timeline import Timeline
from .waterfall import Waterfall

__all__ = ["FLOW_KINDS", "Engine", "Hints", "Paths", "RowOutputs", "scenario_values",
           "waterfall_for"]

FLOW_KINDS = ("milestones", "royalties", "sales_margin", "costs")
"""Company cash-flow kinds per program (costs are outflows, stored positive)."""

FIRST_BLOCK = 24
"""Months of the first runway block; later blocks double."""


def scenario_values(scenario: Scenario, samples: Mapping[str, np.ndarray] | None = None,
                    flat: Mapping[str, Any] | None = None) -> Values:
    """Numeric inputs by dotted path: the scenario's values, replaced by ``samples`` where given.

    ``flat`` (the scenario's leaves, if already at hand) saves walking it again.
    Missing paths raise KeyError naming the path.
    """
    flat = dict(_leaves(scenario.to_dict())) if flat is None else flat
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
class RowOutputs:
    """Per-row results, each of shape (R,), in the reporting currency.

    Attributes
    ----------
    company_npv : programs' NPV net of the RCU holders' claim
    holder_npv : PV of future payments to RCU holders
    holder_irr : holders' IRR on the unit price (quarterly payments); -1 if never paid
    runway_months : months to cash-out, interpolated (0: already below; inf: never)
    out_index : first month below the floor (-1: already; T: never)
    opening : cash at the valuation date
    equity : opening + company_npv + PV(funding) - PV(overhead burn)
    per_share : equity per fully diluted share (warrants exercised when in the money)
    readout_months : position of the key event on the success path (NaN if none)
    fan : cash balance at each of the first months, (R, K), or None
    """

    company_npv: np.ndarray
    holder_npv: np.ndarray
    holder_irr: np.ndarray
    runway_months: np.ndarray
    out_index: np.ndarray
    opening: np.ndarray
    equity: np.ndarray
    per_share: np.ndarray
    readout_months: np.ndarray
    fan: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Paths:
    """Every model's flows per row, in the reporting currency (``detail=True``).

    Attributes
    ----------
    weights : ndarray (R,)
    flows : dict program id -> dict kind -> ndarray (R, T)
        Company flows before the RCU (royalties gross; costs positive).
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
    rows : RowOutputs
        The per-row figures, computed by the same code Monte Carlo runs.
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
    rows: RowOutputs

    def pv(self, flow: np.ndarray) -> np.ndarray:
        """Present value per row of a (R, T) flow, shape (R,)."""
        return np.sum(flow * self.discount, axis=-1)

    def net(self, pid: str) -> np.ndarray:
        """A program's company flow after the RCU and costs, (R, T)."""
        f = self.flows[pid]
        return (f["milestones"] + f["royalties"] + f["sales_margin"] - f["costs"]
                - self.rcu_share.get(pid, 0.0))


@dataclass(frozen=True)
class Hints:
    """Ranges that hold for every row of a run (see :meth:`Engine.evaluate`).

    Attributes
    ----------
    log_rate : (low, high) of ``log(1 + discount rate)``, or None
    window : (first, stop) months in which the RCU feed may move, or None
    """

    log_rate: tuple[float, float] | None = None
    window: tuple[int, int] | None = None


@dataclass(eq=False)
class _Rows:
    """Working state of one evaluation (private)."""

    parts: list[Part]
    fed: list[Part]
    other: list[Part]
    log_rate: np.ndarray                      # log(1 + rate), (R,) or (1,)
    years: np.ndarray                         # discounting time of each month, (T,)
    lo: int = 0
    hi: int = 0
    holders: np.ndarray | None = None         # dense waterfall: (R, hi - lo)
    cumulative: np.ndarray | None = None      # cumulative feed, (R, hi - lo)
    expansion: _Expansion | None = None
    window: list[tuple[int, int]] = field(default_factory=list)   # months the feed may move
    fx: dict[str, np.ndarray] = field(default_factory=dict)       # per-row rate by currency
    cpv: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Cumulative-PV coefficients per (table, launch index array), built once per evaluation."""

    def discount(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Discount factors of months ``lo:hi``, (R or 1, hi - lo)."""
        return np.exp(-self.log_rate[:, None] * self.years[None, lo:hi])

    def discount_at(self, month: np.ndarray) -> np.ndarray:
        """Discount factor of months per row (months >= T: 0); ``month`` is (R,) or (R, M)."""
        log_rate = self.log_rate if month.ndim == 1 else self.log_rate[:, None]
        return np.exp(-log_rate * np.append(self.years, np.inf)[month])


class _Expansion:
    """Discounting at each row's own rate as a polynomial in its distance from a central rate.

    ``exp(-lam_r t) = exp(-lam0 t) * sum_n (-(lam_r - lam0) t)^n / n!``. The
    number of terms makes the remainder below 1e-17 of the leading term for
    every row and month, so present values of table rows become polynomials
    in ``lam_r - lam0``, evaluated by Horner's rule, instead of (R, T) arrays.
    """

    def __init__(self, log_rate: np.ndarray, years: np.ndarray,
                 bounds: tuple[float, float] | None = None):
        low, high = log_rate.min(), log_rate.max()
        if bounds is not None:  # fixed for a whole run: rows do not depend on their batch
            low, high = min(low, bounds[0]), max(high, bounds[1])
        lam0 = 0.5 * (low + high)
        self.delta = log_rate - lam0
        h = float(max(high - lam0, lam0 - low) * years.max())
        terms, bound = 1, h * math.exp(h)
        while bound > 1e-17 and terms < _MAX_TERMS:
            terms += 1
            bound *= h / terms
        # Term n of month t: exp(-lam0 t) (-t)^n / n!, by running products.
        ratio = np.empty((years.size, terms))
        ratio[:, 0] = np.exp(-lam0 * years)
        ratio[:, 1:] = -years[:, None] / np.arange(1, terms)
        self.weights = np.cumprod(ratio, axis=1)
        self.usable = bound <= 1e-17

    def _horner(self, coefficients: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        """``sum_n coefficients[n] delta^n`` per row; ``coefficients`` is (terms, N) read at
        ``index`` ((R,) or (R, M)), or (terms,) shared by every row."""
        if index is None:
            value = np.full(self.delta.shape, coefficients[-1])
            delta = self.delta
        else:
            value = coefficients[-1].take(index)
            delta = self.delta.reshape(self.delta.shape + (1,) * (index.ndim - 1))
        for c in coefficients[-2::-1]:
            value *= delta
            value += c if index is None else c.take(index)
        return value

    def pv(self, flow: np.ndarray) -> np.ndarray:
        """PV per row of a flow over the first months shared by every row, (R,)."""
        return self._horner((flow[:, None] * self.weights[:flow.size]).sum(axis=0))

    def cumulative(self, table: np.ndarray) -> np.ndarray:
        """Cumulative PV coefficients of table rows, term-major: (terms, rows * T)."""
        cumulative = np.cumsum(table[:, :, None] * self.weights[None], axis=1)
        return np.ascontiguousarray(np.moveaxis(cumulative, 2, 0)).reshape(
            cumulative.shape[2], -1)

    def cumulative_pv(self, cumulative: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Row ``r``'s value of :meth:`cumulative` coefficients at ``index`` (flat positions)."""
        return self._horner(cumulative, index)


_MAX_TERMS = 60


class Engine:
    """A scenario's fixed structure, built once; :meth:`evaluate` runs any rows through it.

    Parameters
    ----------
    scenario : Scenario
    models : mapping of program id -> ProgramModel, optional
    """

    def __init__(self, scenario: Scenario, models: Mapping[str, ProgramModel] | None = None):
        s = scenario
        self.scenario = s
        self.timeline = timeline = timeline_for(s)
        months = timeline.months
        self.models = dict(models) if models is not None else {
            pid: ProgramModel.build(pid, p) for pid, p in s.programs.items()}
        self.tables = {pid: ProgramTables.build(m, timeline) for pid, m in self.models.items()}
        steps = len(s.company.burn)
        self.burn_shapes = np.stack([burn_schedule(s, timeline, [
            np.float64(1.0 if j == i else 0.0) for j in range(steps)]) for i in range(steps)])
        native = by_currency(s, timeline)
        self.funding = in_reporting_currency(s, native["funding"], timeline)
        self.financing = in_reporting_currency(s, native["financing"], timeline)
        self.native_funding = native["funding"]
        self.native_inflows = {c: native["funding"].get(c, 0.0) + native["financing"].get(c, 0.0)
                               for c in {*native["funding"], *native["financing"]}}
        self.years = _discount_years(months, s.discounting.convention)
        self.overhead_months = min(int(round(12 * s.capital.overhead_years)), months)
        self.waterfall = waterfall_for(s)
        rcu = s.rcu
        if rcu is not None:
            self.received = float(self.waterfall.royalties_to_reach(rcu.paid_to_date))
            self.paid_before = float(self.waterfall.paid(self.received))
            self.fed_kinds = {"royalties", *(("milestones",) if rcu.milestones_feed else ())}
            self.fed_pids = set(rcu.feeds)
            # Holders are paid quarterly; IRR dates: issue, valuation date, quarter ends.
            quarter_ends = np.minimum(np.arange(2, months + 2, 3), months - 1)
            self.quarter_ends = np.unique(quarter_ends)
            issue = np.datetime64(rcu.issued, "D")
            days = (timeline.index[self.quarter_ends] - issue).astype(float)
            self.irr_years = days / 365.0
            self.irr_now = float((np.datetime64(s.valuation_date, "D") - issue).astype(float)
                                 / 365.0)
        else:
            self.fed_kinds, self.fed_pids = set(), set()
        live = [w for w in s.capital.warrants if w.expires > s.valuation_date]
        self.warrant_shares = float(sum(w.count for w in live))
        self.warrant_proceeds = float(sum(w.count * w.strike for w in live))
        self._at_quarter_ends: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    # ------------------------------------------------------------------ inputs

    def _feeds(self, part: Part) -> bool:
        return part.pid in self.fed_pids and part.kind in self.fed_kinds

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, values: Values, outcomes: Mapping[str, np.ndarray],
                 event_at: Mapping[str, Mapping[str, np.ndarray | float]], weights: np.ndarray,
                 *, detail: bool = False, fan_months: int = 0,
                 hints: Hints | None = None) -> Paths | RowOutputs:
        """Run the rows.

        Parameters
        ----------
        values : Values
            Numeric inputs by dotted path (scalars, or one value per row).
        outcomes : program id -> ndarray of int (R,)
            Stage index where each row's program stops.
        event_at : program id -> guided event -> position in months (scalar or (R,))
        weights : ndarray (R,)
        detail : bool
            Return :class:`Paths` with every flow as (R, T) arrays (few rows only).
        fan_months : int
            Also keep the cash balance of the first ``fan_months`` months per row.
        hints : Hints, optional
            Ranges valid for every row of a run, so that each row's numbers do not
            depend on which other rows share its batch (Monte Carlo).

        Returns
        -------
        Paths if ``detail`` else RowOutputs
        """
        s, months = self.scenario, self.timeline.months
        rows = len(weights)
        events = {pid: m.schedule(event_at[pid]) for pid, m in self.models.items()}
        parts: list[Part] = []
        for pid, model in self.models.items():
            parts += program_parts(model, self.tables[pid], s, self.timeline, outcomes[pid],
                                   events[pid], values, with_sales=detail)
        flows = [p for p in parts if p.kind != "sales"]
        log_rate = np.log1p(np.atleast_1d(np.asarray(values("discounting.rate"), dtype=float)))
        work = _Rows(parts, [p for p in flows if self._feeds(p)],
                     [p for p in flows if not self._feeds(p)], log_rate, self.years)
        if hints is not None and hints.window is not None:
            work.window = [hints.window]
        work.fx = {c: np.broadcast_to(np.asarray(1.0 if c == s.company.currency
                                                 else values(f"fx.{c}"), dtype=float), (rows,))
                   for c in self.native_inflows}
        expansion = _Expansion(log_rate, self.years, hints and hints.log_rate)
        work.expansion = expansion if expansion.usable else None
        company_npv = np.zeros(rows)
        for part in flows:
            company_npv += part.sign * self._pv(part, work)
        if (detail or work.expansion is None
                or not all(isinstance(p, Stream) for p in work.fed)):
            holder_npv, irr_amounts = self._waterfall(work, rows)
        else:
            holder_npv, irr_amounts = self._waterfall_streams(work, rows)
        company_npv -= holder_npv

        opening = np.broadcast_to(np.asarray(
            opening_cash(s, values("company.cash.amount")), dtype=float), (rows,)).copy()
        levels = np.stack(np.broadcast_arrays(
            *[np.asarray(values(f"company.burn.{i}.annual"), dtype=float)
              for i in range(len(s.company.burn))], np.zeros(rows)), -1)[:, :-1]
        runway_months, out_index = self._runway(work, opening, levels)
        n = self.overhead_months
        pv_overhead = sum(levels[:, i] * self._pv_fixed(work, shape[:n], rows)
                          for i, shape in enumerate(self.burn_shapes))
        pv_funding = np.zeros(rows)
        for currency, flow in self.native_funding.items():
            funded = np.nonzero(flow)[0]
            if funded.size:
                pv_funding = pv_funding + work.fx[currency] * self._pv_fixed(
                    work, flow[:funded[-1] + 1], rows)
        equity = opening + company_npv + pv_funding - pv_overhead
        per_share = value_per_share(equity, s.capital.shares_outstanding, self.warrant_shares,
                                    self.warrant_proceeds)
        key = s.key_event
        readout = (np.broadcast_to(np.asarray(events[key.program][key.event], dtype=float),
                                   (rows,)) if key is not None else np.full(rows, np.nan))
        fan = None
        if fan_months:
            k = min(fan_months, months)
            fan = opening[:, None] + np.cumsum(self._net(work, levels, np.arange(rows), 0, k),
                                               axis=1)
        out = RowOutputs(company_npv, holder_npv, self._holder_irr(irr_amounts, rows),
                         runway_months, out_index, opening, equity, per_share, readout, fan)
        if not detail:
            return out
        return self._paths(work, out, weights, opening, levels)

    # ------------------------------------------------------------------ pieces

    def _pv(self, part: Part, work: _Rows) -> np.ndarray:
        """Present value of a part per row, (R,) (sign not applied)."""
        if isinstance(part, Point):
            return part.amount * work.discount_at(part.month)
        if isinstance(part, Stream):
            rows = part.coef.shape[0]
            if work.expansion is not None:
                return part.coef * self._stream_cpv(part, work, np.full(rows, self.timeline.months
                                                                        - 1))
        lo, hi = part.span
        rows = part.coef.shape[0] if isinstance(part, Stream) else part.flow.shape[0]
        if hi <= lo:
            return np.zeros(rows)
        return (part.dense(lo, hi) * work.discount(lo, hi)).sum(axis=1)

    def _pv_fixed(self, work: _Rows, flow: np.ndarray, rows: int) -> np.ndarray:
        """PV per row of one flow shared by every row (its first months), (R,)."""
        if work.expansion is not None:
            return work.expansion.pv(flow)
        # Row-wise sums (not BLAS): a row's result must not depend on its batch.
        d = np.broadcast_to(work.discount(0, flow.size), (rows, flow.size))
        return (d * flow).sum(axis=1)

    def _stream_cpv(self, part: Stream, work: _Rows, month: np.ndarray) -> np.ndarray:
        """PV of a stream's table row (coefficient 1) summed over months ``0..month``.

        ``month`` is (R,) or (R, M); the result has its shape. ``month = -1`` gives 0.
        """
        cache = work.cpv
        key = (id(part.table), id(part.index))
        if key not in cache:
            rows = np.unique(part.index)
            position = np.zeros(part.table.shape[0], dtype=np.intp)
            position[rows] = np.arange(rows.size)
            cache[key] = (work.expansion.cumulative(part.table[rows]),
                          position[part.index] * self.timeline.months)
        cumulative, start = cache[key]
        if month.ndim == 2:
            start = start[:, None]
        value = work.expansion.cumulative_pv(cumulative, start + np.maximum(month, 0))
        return np.where(month < 0, 0.0, value)

    def _feed_at(self, work: _Rows, month: np.ndarray, rows: np.ndarray | slice = slice(None)
                 ) -> np.ndarray:
        """Cumulative stream feed at the end of each month (-1: the valuation date).

        ``month`` is (n,) or (n, M) for the selected ``rows``. The streams'
        cumulative tables are flat before the feed's window and after it, so
        any month of the grid reads the right value.
        """
        column = np.clip(month, 0, self.timeline.months - 1)
        value = np.full(month.shape, self.received)
        for part in work.fed:
            index, coef = part.index[rows], part.coef[rows]
            if month.ndim == 2:
                index, coef = index[:, None], coef[:, None]
            value += part.cumulative[index, column] * coef
        return np.where(month < 0, self.received, value)

    def _quarterly(self, table: np.ndarray) -> np.ndarray:
        """A stream's cumulative table at the quarter ends, built once per engine."""
        key = id(table)
        if key not in self._at_quarter_ends:  # holding the table keeps its id from reuse
            self._at_quarter_ends[key] = (table, table[:, self.quarter_ends])
        return self._at_quarter_ends[key][1]

    def _waterfall_streams(self, work: _Rows, rows: int) -> tuple[np.ndarray, tuple | None]:
        """Holders' PV without (R, T) arrays, when only streams feed the RCU.

        The cumulative feed ``F`` is non-decreasing, so it reaches each
        breakpoint ``b_j`` in one month ``r_j``. Let ``G_j`` be the PV of the
        feed until it reaches ``b_j``: the feed of months before ``r_j``, plus
        ``b_j - F(r_j - 1)`` of month ``r_j``. Tier ``k`` lies between ``b_k``
        and ``b_{k+1}``, so the holders' PV is ``sum_k share_k (G_{k+1} - G_k)``
        with ``G_0 = 0``. The months ``r_j`` are found at the quarter ends first
        (the feed is read there anyway for the holders' quarterly payments),
        then within the quarter.
        """
        months = self.timeline.months
        spans = [sp for sp in (p.span for p in work.fed) if sp[1] > sp[0]]
        if not spans:
            return np.zeros(rows), None
        work.lo = min(a for a, _ in spans + work.window)
        work.hi = max(b for _, b in spans + work.window)
        first, last = self._quarter_range(work)
        ends = self.quarter_ends[first:last]
        at_ends = np.full((rows, ends.size), self.received)
        for part in work.fed:
            gathered = self._quarterly(part.cumulative)[part.index, first:last]
            gathered *= part.coef[:, None]
            at_ends += gathered

        bounds = self.waterfall.breakpoints
        n = bounds.size
        # Quarter in which the feed reaches each bound (ends.size: never), and its last month.
        quarter = np.stack([np.count_nonzero(at_ends < b, axis=1) for b in bounds], axis=1)
        end = ends[np.minimum(quarter, ends.size - 1)]
        before = np.where(quarter > 0, np.take_along_axis(
            at_ends, np.maximum(quarter - 1, 0), axis=1), self.received)
        inside = self._feed_at(work, np.concatenate([end - 2, end - 1], axis=1))
        two, one = inside[:, :n], inside[:, n:]       # F two months and one month before the end
        # Earlier months of the quarter lie at or before the previous end, below the bound.
        at_two, at_one = two >= bounds, one >= bounds
        reach = np.where(at_two, end - 2, np.where(at_one, end - 1, end))
        prior = np.where(at_two, before, np.where(at_one, two, one))     # F(reach - 1)
        reached = quarter < ends.size
        reach = np.where(reached, reach, months)
        feed_pv = sum(part.coef[:, None] * self._stream_cpv(part, work, reach - 1)
                      for part in work.fed)
        partial = np.where(reached, (bounds - prior) * work.discount_at(reach), 0.0)
        to_bound = np.where(self.received < bounds, feed_pv + partial, 0.0)    # G_1 .. G_n
        shares = np.array([share for _, share in self.waterfall.tiers])
        weights = shares - np.append(shares[1:], 0.0)             # sum_k s_k (G_k+1 - G_k)
        pv = (to_bound * weights).sum(axis=1)
        return pv, (ends, self.waterfall.paid_fast(at_ends))

    def _quarter_range(self, work: _Rows) -> tuple[int, int]:
        """Quarter ends (as a slice of :attr:`quarter_ends`) from the first that can pay to
        the first after the last payment."""
        ends = self.quarter_ends
        first = int(np.searchsorted(ends, work.lo))
        last = min(int(np.searchsorted(ends, work.hi - 1)), ends.size - 1)
        return first, last + 1

    def _waterfall(self, work: _Rows, rows: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Dense waterfall over the months that feed it; returns PV to holders."""
        spans = [p.span for p in work.fed]
        spans = [sp for sp in spans if sp[1] > sp[0]]
        if self.waterfall is None or not spans:
            return np.zeros(rows), None
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        work.lo, work.hi = lo, hi
        cumulative = np.full((rows, hi - lo), self.received)
        for part in work.fed:
            cumulative += part.cumulative_dense(lo, hi)
        paid = self.waterfall.paid(cumulative)
        holders = np.diff(paid, axis=1, prepend=self.paid_before)
        feed = np.diff(cumulative, axis=1, prepend=self.received)
        np.clip(holders, 0.0, feed, out=holders)
        work.holders, work.cumulative = holders, cumulative
        d = np.broadcast_to(work.discount(lo, hi), holders.shape)
        first, last = self._quarter_range(work)
        ends = self.quarter_ends[first:last]
        return (holders * d).sum(axis=1), (ends, paid[:, np.minimum(ends, hi - 1) - lo])

    def _holder_irr(self, irr_amounts, rows: int) -> np.ndarray:
        """Holders' IRR per row from cumulative payments at quarter ends.

        All units together: the price of every unit against all payments, the
        same rate as one unit's.
        """
        if self.waterfall is None:
            return np.full(rows, np.nan)
        price = self.scenario.rcu.price * self.scenario.rcu.units
        before = np.full((rows, 1), self.paid_before)       # paid up to the valuation date
        if irr_amounts is None:
            return irr_rows(price, before, np.array([self.irr_now]))
        ends, paid = irr_amounts
        amounts = np.diff(paid, axis=1, prepend=self.paid_before)
        years = self.irr_years[np.searchsorted(self.quarter_ends, ends)]
        if self.paid_before > 0.0:     # a zero column would only cost time
            amounts = np.concatenate([before, amounts], axis=1)
            years = np.append(self.irr_now, years)
        return irr_rows(price, amounts, years)

    def _fed_company(self, work: _Rows, rows: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """What the company keeps of the RCU feed in months ``lo:hi`` (inside the feed's
        window), selected rows."""
        if work.cumulative is None:  # stream feed: read from the tables
            cumulative = self._feed_at(work, np.broadcast_to(np.arange(lo - 1, hi),
                                                             (rows.size, hi - lo + 1)), rows)
        else:
            a, b = lo - work.lo, hi - work.lo
            before = (work.cumulative[rows, a - 1] if a > 0
                      else np.full(rows.size, self.received))
            cumulative = np.column_stack([before, work.cumulative[rows, a:b]])
        return np.diff(cumulative, axis=1) - np.diff(self.waterfall.paid_fast(cumulative), axis=1)

    def _net(self, work: _Rows, levels: np.ndarray, rows: np.ndarray, lo: int, hi: int
             ) -> np.ndarray:
        """Net cash flow of the selected rows in months ``lo:hi``, (n, hi - lo)."""
        net = -sum(levels[rows, i, None] * shape[lo:hi] for i, shape in enumerate(self.burn_shapes))
        for currency, flow in self.native_inflows.items():
            if flow[lo:hi].any():
                net += work.fx[currency][rows, None] * flow[lo:hi]
        for part in work.other:
            a, b = part.span
            a, b = max(a, lo), min(b, hi)
            if b > a:
                net[:, a - lo:b - lo] += part.sign * part.block(rows, a, b)
        if self.waterfall is not None and work.hi > work.lo:
            a, b = max(work.lo, lo), min(work.hi, hi)
            if b > a:
                net[:, a - lo:b - lo] += self._fed_company(work, rows, a, b)
        return net

    def _runway(self, work: _Rows, opening: np.ndarray, levels: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """Months to cash-out and the first month below the floor, scanning blocks of months."""
        months, floor = self.timeline.months, self.scenario.company.min_cash
        runway = np.where(opening < floor, 0.0, np.inf)
        index = np.where(opening < floor, -1, months)
        balance = opening.copy()
        alive = np.nonzero(opening >= floor)[0]
        lo, size = 0, FIRST_BLOCK
        while alive.size and lo < months:
            hi = min(months, lo + size)
            cash = balance[alive, None] + np.cumsum(self._net(work, levels, alive, lo, hi), axis=1)
            below = cash < floor
            hit = below.any(axis=1)
            k = below.argmax(axis=1)[hit]
            rows = alive[hit]
            before = np.where(k > 0, cash[hit, np.maximum(k - 1, 0)], balance[rows])
            after = cash[hit, k]
            with np.errstate(divide="ignore", invalid="ignore"):
                runway[rows] = lo + k + (before - floor) / (before - after)
            index[rows] = lo + k
            balance[alive] = cash[:, -1]
            alive = alive[~hit]
            lo, size = hi, 2 * size
        return runway, index

    def _paths(self, work: _Rows, out: RowOutputs, weights: np.ndarray, opening: np.ndarray,
               levels: np.ndarray) -> Paths:
        """Materialise every flow as (R, T) arrays for reports."""
        months, rows = self.timeline.months, len(weights)
        zeros = np.zeros((rows, months))
        flows = {pid: {kind: zeros.copy() for kind in FLOW_KINDS} for pid in self.models}
        sales = {pid: zeros.copy() for pid in self.models}
        for part in work.parts:
            target = sales[part.pid] if part.kind == "sales" else flows[part.pid][part.kind]
            target += part.dense(0, months)
        feed = sum((part.dense(0, months) for part in work.fed), zeros.copy())
        holders = zeros.copy()
        if work.holders is not None:
            holders[:, work.lo:work.hi] = work.holders
        rcu_share, by_tier = {}, np.zeros((rows, 0, months))
        if self.waterfall is not None:
            by_tier = self.waterfall.split_by_tier(feed, received=self.received)
            with np.errstate(divide="ignore", invalid="ignore"):
                take = np.where(feed > 0, holders / feed, 0.0)
            for part in work.fed:
                rcu_share[part.pid] = rcu_share.get(part.pid, 0.0) + part.dense(0, months) * take
        royalties_net = sum((flows[pid]["royalties"] for pid in flows), zeros.copy()) - holders
        runway = Runway.build(
            self.timeline,
            opening=opening,
            burn=levels @ self.burn_shapes + sum((flows[pid]["costs"] for pid in flows),
                                                 zeros.copy()),
            inflows={
                "financing": self.financing,
                "funding": self.funding,
                "milestones": sum((flows[pid]["milestones"] for pid in flows), zeros.copy()),
                "royalties": royalties_net,
                "sales_margin": sum((flows[pid]["sales_margin"] for pid in flows),
                                    zeros.copy()),
            },
            min_cash=self.scenario.company.min_cash,
            weights=weights,
        )
        return Paths(self.timeline, weights, flows, sales, feed, holders, by_tier, rcu_share,
                     work.discount(), runway, out)


def _discount_years(months: int, convention: str) -> np.ndarray:
    """Time in years at which each month's flows are discounted."""
    k = np.arange(months, dtype=float)
    if convention == "end_of_period":
        t = k + 1.0
    elif convention == "mid_period":
        t = k + 0.5
    elif convention == "annual_mid_year":
        t = 12.0 * (np.floor(k / 12.0) + 0.5)
    else:
        raise ValueError(f"unknown discounting convention {convention!r}")
    return t / 12.0

