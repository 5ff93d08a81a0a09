"""A program's cash flows as a few structured parts instead of dense rows x months arrays.

Most flows have structure the engine exploits:

- a **stream** is linear in one number per row: ``coef[r] * table[index[r], t]``,
  where the table row is picked by the row's launch month (royalties at a flat
  rate, an owned product's margin, net sales). Its present value, cumulative
  sum and any month range come from the table without building ``(R, T)``;
- a **point** is one payment per row in one month (milestones, launch costs);
- a **dense** part is a full ``(R, T)`` array, for the rest (tiered
  royalties, development costs spread over a stage).

A table of share-of-peak per month is built once per program for every launch
month on the grid (:class:`SalesTable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np

from .. import benchmarks as bm
from ..scenario import Scenario
from .programs import (APPROVED, NDA, RESULT_EVENTS, STAGE_INDEX, START_EVENTS, ProgramModel,
                       Values)
from .timeline import Timeline

__all__ = ["SalesTable", "Stream", "Point", "Dense", "Part", "launch_index", "month_index",
           "program_parts", "tiered_royalty", "ProgramTables", "INFLOW", "OUTFLOW"]

INFLOW, OUTFLOW = 1.0, -1.0


def launch_index(launch: np.ndarray | float, earliest: int, months: int) -> np.ndarray:
    """Row of a :class:`SalesTable` for a launch at ``launch`` (months from the valuation date).

    A month ``k`` sells when its middle ``k + 1/2`` is at or after the launch,
    so the whole pattern depends on ``a = ceil(launch - 1/2)`` only: the first
    selling month. ``a`` is clipped to ``[earliest, months]`` (``months``: no
    sales inside the horizon) and returned as ``a - earliest``.
    """
    first = np.ceil(np.asarray(launch, dtype=float) - 0.5)
    first = np.clip(np.nan_to_num(first, nan=months, posinf=months), earliest, months)
    return (first - earliest).astype(np.intp)


def month_index(position: np.ndarray | float, months: int) -> np.ndarray:
    """Month holding each position (flows due now land in month 0; past the horizon -> T)."""
    position = np.asarray(position, dtype=float)
    position = np.where(np.isfinite(position), position, 1e9)
    return np.clip(np.ceil(position).astype(np.int64) - 1, 0, months).astype(np.intp)


@dataclass(frozen=True, eq=False)
class SalesTable:
    """Share of peak annual sales in every month, for every launch month.

    Attributes
    ----------
    share : ndarray (T + 1 - earliest, T)
        ``share[a - earliest, k]``: sales in month ``k`` as a share of peak
        annual sales when the first selling month is ``a`` (negative: launched
        before the valuation date). Launch year ``y`` sells
        ``ramp[y]`` of peak, then 100%; after exclusivity ends sales fall
        linearly by ``erosion`` over ``EROSION_MONTHS`` and stay there.
    term : ndarray of bool, like ``share``, or None
        Whether month ``k`` is inside the royalty term (``term_months`` from launch).
    reach : ndarray, like ``share``
        Running maximum of ``share`` along months: the first month sales reach
        a level ``x`` of peak is ``searchsorted(reach[a], x)``.
    """

    share: np.ndarray
    term: np.ndarray | None
    reach: np.ndarray
    earliest: int

    @classmethod
    def build(cls, timeline: Timeline, ramp: tuple[float, ...], exclusivity_end: float | None,
              erosion: float, term_months: int | None) -> SalesTable:
        months = timeline.months
        # Launches further back than the ramp and the royalty term all look alike.
        earliest = -max(12 * len(ramp), term_months or 0)
        k = np.arange(months)
        since = k[None, :] - np.arange(earliest, months + 1)[:, None]   # months since launch
        levels = np.append(np.asarray(ramp, dtype=float), 1.0)
        year = np.clip(since // 12, 0, len(ramp))
        share = np.where(since < 0, 0.0, levels[year])
        if exclusivity_end is not None:
            middle = k + 0.5
            after = np.clip((middle - exclusivity_end) / bm.EROSION_MONTHS, 0.0, 1.0)
            share = share * (1.0 - erosion * after)[None, :]
        term = None if term_months is None else (since >= 0) & (since < term_months)
        return cls(_frozen(share), None if term is None else _frozen(term),
                   _frozen(np.maximum.accumulate(share, axis=1)), earliest)

    def row(self, launch: np.ndarray | float) -> np.ndarray:
        """Table row of each launch position (see :func:`launch_index`)."""
        return launch_index(launch, self.earliest, self.months)

    @property
    def months(self) -> int:
        return self.share.shape[1]

    def first_reach(self, index: np.ndarray, level: np.ndarray) -> np.ndarray:
        """First month whose share reaches ``level`` per row (``T`` if never).

        Rows share few launch months, so one ``searchsorted`` per launch month.

        Parameters
        ----------
        index : ndarray of int (R,)
            Table row of each row's launch.
        level : ndarray (R,)
            Share of peak to reach.
        """
        out = np.full(index.shape, self.months, dtype=np.intp)
        for a in np.unique(index):
            rows = index == a
            out[rows] = np.searchsorted(self.reach[a], level[rows], side="left")
        return out


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Stream:
    """``coef[r] * table[index[r], t]``: a flow linear in one number per row.

    ``cumulative`` is the table summed along months; ``first``/``stop`` bound
    the months where each table row is non-zero.
    """

    pid: str
    kind: str
    sign: float
    coef: np.ndarray
    index: np.ndarray
    table: np.ndarray
    cumulative: np.ndarray
    first: np.ndarray
    stop: np.ndarray

    def dense(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Months ``lo:hi`` as an array (R, hi - lo)."""
        return self.coef[:, None] * self.table[self.index, lo:hi]

    def block(self, rows: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Months ``lo:hi`` of the selected rows."""
        return self.coef[rows, None] * self.table[self.index[rows], lo:hi]

    def cumulative_dense(self, lo: int, hi: int) -> np.ndarray:
        """Cumulative sum from month 0 through each month of ``lo:hi``, (R, hi - lo)."""
        return self.coef[:, None] * self.cumulative[self.index, lo:hi]

    @cached_property
    def span(self) -> tuple[int, int]:
        """Months ``(first, stop)`` where the part is non-zero in some row (``(0, 0)``: none)."""
        live = self.coef != 0
        if not live.any():
            return 0, 0
        return int(self.first[self.index[live]].min()), int(self.stop[self.index[live]].max())


@dataclass(frozen=True, eq=False)
class Point:
    """One amount per row, booked in one month (``T``: beyond the horizon)."""

    pid: str
    kind: str
    sign: float
    month: np.ndarray
    amount: np.ndarray
    _months: int

    def dense(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        return self.block(np.arange(self.month.shape[0]), lo,
                          self._months if hi is None else hi)

    def block(self, rows: np.ndarray, lo: int, hi: int) -> np.ndarray:
        month, amount = self.month[rows], self.amount[rows]
        out = np.zeros((month.shape[0], hi - lo))
        inside = (month >= lo) & (month < hi)
        out[np.nonzero(inside)[0], month[inside] - lo] = amount[inside]
        return out

    def cumulative_dense(self, lo: int, hi: int) -> np.ndarray:
        """Cumulative amount booked by the end of each month of ``lo:hi``, (R, hi - lo)."""
        return self.amount[:, None] * (self.month[:, None] <= np.arange(lo, hi))

    @cached_property
    def span(self) -> tuple[int, int]:
        """Months ``(first, stop)`` where the part is non-zero in some row (``(0, 0)``: none)."""
        live = (self.amount != 0) & (self.month < self._months)
        if not live.any():
            return 0, 0
        return int(self.month[live].min()), int(self.month[live].max()) + 1


@dataclass(frozen=True, eq=False)
class Dense:
    """A full (R, T) flow."""

    pid: str
    kind: str
    sign: float
    flow: np.ndarray

    def dense(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        return self.flow[:, lo:hi]

    def block(self, rows: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return self.flow[rows, lo:hi]

    def cumulative_dense(self, lo: int, hi: int) -> np.ndarray:
        return np.cumsum(self.flow[:, :hi], axis=1)[:, lo:]

    @cached_property
    def span(self) -> tuple[int, int]:
        """Months ``(first, stop)`` where the part is non-zero in some row (``(0, 0)``: none)."""
        live = np.nonzero(self.flow.any(axis=0))[0]
        return (0, 0) if live.size == 0 else (int(live[0]), int(live[-1]) + 1)


Part = Stream | Point | Dense


def _spans(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nonzero = table != 0
    any_ = nonzero.any(axis=1)
    first = np.where(any_, nonzero.argmax(axis=1), table.shape[1])
    stop = np.where(any_, table.shape[1] - nonzero[:, ::-1].argmax(axis=1), 0)
    return first, stop


def tiered_royalty(annual_sales: np.ndarray, rates: list, bounds: list) -> np.ndarray:
    """Royalty on annual net sales with marginal tiers ("3% up to 1.5B, 2% above").

    Parameters
    ----------
    annual_sales : ndarray, any shape
    rates : list of float or (R, 1) arrays
    bounds : list of float, upper bound of each tier (``inf`` for the last)
    """
    royalty = np.zeros_like(annual_sales)
    lower = 0.0
    for rate, upper in zip(rates, bounds):
        royalty = royalty + rate * np.clip(annual_sales - lower, 0.0, upper - lower)
        lower = upper
    return royalty


@dataclass(frozen=True, eq=False)
class ProgramTables:
    """What a program's flows need that does not vary by row."""

    sales: SalesTable | None
    royalty: np.ndarray | None      # share x in-term, same rows as the sales table
    royalty_cum: np.ndarray | None
    royalty_span: tuple[np.ndarray, np.ndarray] | None
    sales_cum: np.ndarray | None
    sales_span: tuple[np.ndarray, np.ndarray] | None

    @classmethod
    def build(cls, model: ProgramModel, timeline: Timeline) -> ProgramTables:
        s = model.program.sales
        if s is None:
            return cls(None, None, None, None, None, None)
        ramp = tuple(s.ramp) if s.ramp else tuple(bm.LAUNCH_CURVE.value)
        erosion = s.erosion if s.erosion is not None else float(bm.EROSION.value)
        loe = None if s.exclusivity_end is None else timeline.position(s.exclusivity_end)
        royalty = model.program.royalty
        term = None if royalty is None else int(round(12 * royalty.years))
        table = SalesTable.build(timeline, ramp, loe, erosion, term)
        sales_cum = _frozen(np.cumsum(table.share, axis=1))
        if table.term is None:
            return cls(table, None, None, None, sales_cum, _spans(table.share))
        roy = _frozen(table.share * table.term)
        return cls(table, roy, _frozen(np.cumsum(roy, axis=1)), _spans(roy), sales_cum,
                   _spans(table.share))


def _reached(event: str, outcome: np.ndarray, current: int) -> np.ndarray:
    """Whether each row's outcome reaches ``event`` (outcome: stage index where it stops)."""
    if event in START_EVENTS:
        needed = STAGE_INDEX[START_EVENTS[event]]
    elif event in RESULT_EVENTS:
        needed = STAGE_INDEX[RESULT_EVENTS[event]] + 1  # a positive read-out
    elif event == "nda_acceptance":
        needed = NDA
    else:  # launch, sales
        needed = APPROVED
    return outcome >= max(needed, current)


def _row(value: float | np.ndarray, rows: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (rows,))


def program_parts(model: ProgramModel, tables: ProgramTables, scenario: Scenario,
                  timeline: Timeline, outcome: np.ndarray, events: Mapping[str, np.ndarray],
                  values: Values, *, with_sales: bool = False) -> list[Part]:
    """Cash flows of one program in the reporting currency, as parts.

    Parameters
    ----------
    outcome : ndarray of int (R,)
        Stage index where each row's program stops (``APPROVED``: on the market).
    events : mapping
        Success-path event positions from :meth:`ProgramModel.schedule`.
    values : Values
        Numeric inputs by dotted path.
    with_sales : bool
        Also return net sales (kind ``sales``, not a company flow) for reporting.

    Returns
    -------
    list of Stream, Point, Dense
        Kinds ``milestones``, ``royalties``, ``sales_margin`` (inflows) and
        ``costs`` (outflows), each with its sign.
    """
    rows, months = outcome.shape[0], timeline.months
    program, pid, base = model.program, model.pid, f"programs.{model.pid}"
    approved = (outcome == APPROVED).astype(float)
    parts: list[Part] = []
    currency = scenario.company.currency

    def fx(code: str) -> np.ndarray:
        return _row(1.0 if code == currency else values(f"fx.{code}"), rows)

    launch = None
    if program.sales is not None:
        s = program.sales
        table = tables.sales
        launch = table.row(np.broadcast_to(events["launch"], (rows,)))
        peak = _row(values(f"{base}.sales.peak"), rows)
        sales_fx = fx(s.currency)
        per_month = approved * peak * sales_fx / 12.0         # reporting currency, at 100% share
        if with_sales:
            parts.append(Stream(pid, "sales", INFLOW, per_month, launch, table.share,
                                tables.sales_cum, *tables.sales_span))
        if program.royalty is not None:
            r = program.royalty
            rates = [_row(values(f"{base}.royalty.tiers.{i}.rate"), rows)
                     for i in range(len(r.tiers))]
            if len(r.tiers) == 1:
                parts.append(Stream(pid, "royalties", INFLOW, per_month * rates[0], launch,
                                    tables.royalty, tables.royalty_cum, *tables.royalty_span))
            else:
                bounds = [np.inf if t.up_to is None else t.up_to for t in r.tiers]
                annual = peak[:, None] * table.share[launch]             # sales currency, a year
                flow = tiered_royalty(annual, [x[:, None] for x in rates], bounds) \
                    * table.term[launch] * (approved * sales_fx / 12.0)[:, None]
                parts.append(Dense(pid, "royalties", INFLOW, flow))
        elif program.partner is None:
            parts.append(Stream(pid, "sales_margin", INFLOW, per_month * (1.0 - s.cogs), launch,
                                table.share, tables.sales_cum, *tables.sales_span))
            if s.launch_cost:
                at = month_index(np.broadcast_to(events["launch"], (rows,)), months)
                parts.append(Point(pid, "costs", OUTFLOW, at, approved * s.launch_cost * sales_fx,
                                   months))

    if program.milestones is not None:
        m = program.milestones
        m_fx = fx(m.currency)
        for i, milestone in enumerate(m.schedule):
            amount = _row(values(f"{base}.milestones.schedule.{i}.amount"), rows) * m_fx
            hit = _reached(milestone.event, outcome, model.current)
            if milestone.event == "sales":
                if launch is None:
                    continue
                peak = _row(values(f"{base}.sales.peak"), rows)
                with np.errstate(divide="ignore"):
                    level = np.where(peak > 0, milestone.sales_threshold / peak, np.inf)
                month = tables.sales.first_reach(launch, level)
            else:
                position = np.broadcast_to(events.get(milestone.event, np.inf), (rows,))
                month = month_index(position, months)
            parts.append(Point(pid, "milestones", INFLOW, month, np.where(hit, amount, 0.0),
                               months))

    for i, stage in enumerate(model.stages):
        given = program.stages.get(stage)
        if given is None or not given.cost:
            continue
        cost = _row(values(f"{base}.stages.{stage}.cost"), rows)
        first = np.broadcast_to(events[f"start:{stage}"], (rows,)) if i else np.zeros(rows)
        last = np.broadcast_to(events[f"readout:{stage}"], (rows,))
        paid = cost * (outcome >= STAGE_INDEX[stage])
        if given.cost_timing == "start":
            parts.append(Point(pid, "costs", OUTFLOW, month_index(first, months), paid, months))
        else:
            spread = _spread_rows(first, last, months)
            parts.append(Dense(pid, "costs", OUTFLOW, spread * paid[:, None]))
    return parts


def _spread_rows(first: np.ndarray, last: np.ndarray, months: int) -> np.ndarray:
    """Share of each row's window [first, last] in each month, shape (R, T).

    An empty window puts everything in the month holding ``first``, as a
    point would be booked (:func:`month_index`).
    """
    edges = np.arange(months + 1, dtype=float)
    empty = last <= first
    lo, hi = first[:, None], np.where(empty, first + 1.0, last)[:, None]
    overlap = np.clip(np.minimum(edges[None, 1:], hi) - np.maximum(edges[None, :-1], lo), 0, None)
    share = overlap / (hi - lo)
    if empty.any():
        rows = np.nonzero(empty)[0]
        share[rows] = 0.0
        at = month_index(first[rows], months)
        inside = at < months
        share[rows[inside], at[inside]] = 1.0
    return share
