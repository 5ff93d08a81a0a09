"""Programs: stage timing, outcomes, milestones, sales, royalties and costs on rows x months.

A program in stage ``c`` ends at one of the stages ``c .. nda`` (it fails there)
or is approved. A row carries one outcome per program (an index into
:data:`~finmodel.scenario.STAGES`; ``APPROVED`` means it reached the market)
and, for Monte Carlo, its own event timing and parameter values. Every
function here takes arrays with a leading row axis, so the exact valuation
(one row per outcome combination) and Monte Carlo (one row per path) run the
same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .. import benchmarks as bm
from ..scenario import STAGES, Program, Scenario
from .timeline import Timeline

__all__ = [
    "APPROVED",
    "STAGE_INDEX",
    "START_EVENTS",
    "RESULT_EVENTS",
    "ProgramModel",
    "program_flows",
]

STAGE_INDEX = {stage: i for i, stage in enumerate(STAGES)}
APPROVED = STAGE_INDEX["approved"]
NDA = STAGE_INDEX["nda"]

START_EVENTS = {
    # guided event -> the stage it starts
    "phase1_start": "phase1", "clinic_start": "phase1", "ind_filing": "phase1",
    "phase2_start": "phase2", "phase3_start": "phase3",
    "nda_submission": "nda", "approval": "approved",
}
RESULT_EVENTS = {"phase1_results": "phase1", "phase2_results": "phase2",
                 "phase3_results": "phase3"}
"""Guided read-outs: when a stage's success or failure becomes known."""

Values = Callable[[str], "float | np.ndarray"]
"""Numeric input by dotted path: a scalar (exact valuation) or one value per row (Monte Carlo)."""


@dataclass(frozen=True)
class ProgramModel:
    """Static facts of one program the engine needs: stage, defaults and their sources.

    Built once per scenario by :meth:`build`; numbers that may vary per row are
    read through a :data:`Values` accessor at evaluation time.
    """

    pid: str
    program: Program
    current: int
    """Index of the current stage."""
    probability: Mapping[str, str | float] = field(default_factory=dict)
    """Stage -> override path (read per row) or benchmark value."""
    duration: Mapping[str, float] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    """Description of each default used -> its source (for the report)."""

    @classmethod
    def build(cls, pid: str, program: Program) -> ProgramModel:
        probability: dict[str, str | float] = {}
        duration: dict[str, float] = {}
        sources: dict[str, str] = {}
        current = STAGE_INDEX[program.stage]
        for stage in STAGES[current:APPROVED]:
            given = program.stages.get(stage)
            if given is not None and given.probability is not None:
                probability[stage] = f"programs.{pid}.stages.{stage}.probability"
            else:
                default = bm.success_rate(program.area, stage)
                probability[stage] = float(default.value)
                sources[f"P(pass {stage})"] = default.source
            if given is not None and given.months is not None:
                duration[stage] = given.months
            else:
                default = bm.duration_months(program.area, stage)
                duration[stage] = float(default.value)
                sources[f"{stage} duration"] = default.source
        return cls(pid, program, current, probability, duration, sources)

    @property
    def stages(self) -> tuple[str, ...]:
        """Stages still ahead, from the current one to ``nda``."""
        return STAGES[self.current:APPROVED]

    @property
    def has_flows(self) -> bool:
        """Whether any outcome of this program moves cash (otherwise one row suffices)."""
        p = self.program
        return bool((p.milestones and p.milestones.schedule) or (p.sales and (p.royalty or not
                    p.partner)) or any(s.cost for s in p.stages.values()))

    def outcome_probabilities(self, values: Values) -> list[float | np.ndarray]:
        """Probability of each outcome: failing at each stage ahead, then approval.

        Returns
        -------
        list of length ``APPROVED - current + 1``
        """
        out, survive = [], 1.0
        for stage in self.stages:
            p = self.pass_probability(stage, values)
            out.append(survive * (1.0 - p))
            survive = survive * p
        out.append(survive)
        return out

    def pass_probability(self, stage: str, values: Values) -> float | np.ndarray:
        given = self.probability[stage]
        return values(given) if isinstance(given, str) else given

    def guided(self, timeline: Timeline, scenario: Scenario) -> dict[str, tuple[float, float]]:
        """Guided events as (earliest, latest) positions in months from the valuation date."""
        out = {}
        for event in self.program.events:
            period = scenario.event_period(self.pid, event)
            out[event] = (timeline.position(period.start), timeline.position(period.end))
        return out

    def schedule(self, event_at: Mapping[str, np.ndarray | float]) -> dict[str, np.ndarray]:
        """Event positions (months) on the success path, per row.

        Parameters
        ----------
        event_at : mapping of guided event -> position, scalar or shape (R,)
            The exact valuation passes each guided period's midpoint; Monte
            Carlo passes draws.

        Returns
        -------
        dict
            ``start:<stage>`` and ``readout:<stage>`` for every stage ahead,
            ``nda_acceptance``, ``approval``, ``launch``, and every start or
            result event name, each a float array broadcastable to (R,).

        Notes
        -----
        The current stage ends at its guided read-out or the next stage's
        guided start; failing both, after its benchmark duration counted from
        its guided start, or after half of it (taken to be halfway through).
        Later stages start when the previous one reads out unless guided.
        """
        starts_guided = {START_EVENTS[e]: event_at[e] for e in event_at if e in START_EVENTS}
        results_guided = {RESULT_EVENTS[e]: event_at[e] for e in event_at if e in RESULT_EVENTS}
        out: dict[str, np.ndarray] = {}
        for i, stage in enumerate(self.stages):
            nxt = STAGES[self.current + i + 1]
            if i == 0:
                begun = starts_guided.get(stage)
                start = np.asarray(0.0 if begun is None else begun, dtype=float)
                natural = start + self.duration[stage] * (0.5 if begun is None else 1.0)
            else:
                start = out[f"start:{stage}"]
                natural = start + self.duration[stage]
            readout = results_guided.get(stage, starts_guided.get(nxt, natural))
            readout = np.maximum(np.asarray(readout, dtype=float), start)
            out[f"start:{stage}"] = start
            out[f"readout:{stage}"] = readout
            out[f"start:{nxt}"] = np.maximum(np.asarray(starts_guided.get(nxt, readout),
                                                        dtype=float), readout)
        if self.current < APPROVED:
            submitted = out["start:nda"] if "start:nda" in out else None
            if submitted is not None:
                out["nda_acceptance"] = submitted + float(bm.NDA_ACCEPTANCE_MONTHS.value)
        if self.current < APPROVED:
            out["approval"] = out["start:approved"]
            out["launch"] = out["approval"] + float(bm.LAUNCH_LAG_MONTHS.value)
        else:  # on the market already: sales run from the valuation date
            out["approval"] = out["launch"] = np.asarray(0.0)
        for event, stage in START_EVENTS.items():
            if f"start:{stage}" in out:
                out[event] = out[f"start:{stage}"]
        for event, stage in RESULT_EVENTS.items():
            if f"readout:{stage}" in out:
                out[event] = out[f"readout:{stage}"]
        return out


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


def _month_index(position: np.ndarray, months: int) -> np.ndarray:
    """Month holding each position (flows due now land in month 0; past the horizon -> T)."""
    return np.clip(np.ceil(position).astype(int) - 1, 0, months)


def _book(out: np.ndarray, month: np.ndarray, amount: np.ndarray) -> None:
    """Add ``amount[r]`` at ``out[r, month[r]]``; months past the horizon are dropped."""
    rows = np.arange(out.shape[0])
    keep = month < out.shape[1]
    np.add.at(out, (rows[keep], month[keep]), amount[keep])


def sales_curve(launch: np.ndarray, timeline: Timeline, ramp: tuple[float, ...],
                exclusivity_end: float | None, erosion: float) -> np.ndarray:
    """Share of peak annual sales in each month, shape (R, T).

    Launch year ``y`` (counted from ``launch``) sells ``ramp[y]`` of peak,
    then 100%; after exclusivity ends sales fall linearly by ``erosion`` over
    ``EROSION_MONTHS`` and stay there. Month ``k`` is valued at its middle.
    """
    middle = np.arange(timeline.months) + 0.5
    since = middle[None, :] - np.atleast_1d(launch)[:, None]
    year = np.floor(since / 12.0).astype(int)
    shares = np.append(np.asarray(ramp, dtype=float), 1.0)
    share = np.where(since < 0, 0.0, shares[np.clip(year, 0, len(ramp))])
    if exclusivity_end is not None:
        after = np.clip((middle - exclusivity_end) / bm.EROSION_MONTHS, 0.0, 1.0)
        share = share * (1.0 - erosion * after)[None, :]
    return share


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


def program_flows(model: ProgramModel, scenario: Scenario, timeline: Timeline,
                  outcome: np.ndarray, events: Mapping[str, np.ndarray], values: Values
                  ) -> dict[str, np.ndarray]:
    """Cash flows of one program in the reporting currency, each of shape (R, T).

    Parameters
    ----------
    outcome : ndarray of int, shape (R,)
        Stage index where each row's program stops (``APPROVED``: on the market).
    events : mapping
        Success-path event positions from :meth:`ProgramModel.schedule`.
    values : Values
        Numeric inputs by dotted path.

    Returns
    -------
    dict with keys ``milestones``, ``royalties``, ``sales_margin``, ``costs``
    (costs positive) and ``sales`` (net sales, for reference, not a company flow).
    """
    rows, months = outcome.shape[0], timeline.months
    program, pid = model.program, model.pid
    zeros = lambda: np.zeros((rows, months))  # noqa: E731
    flows = {k: zeros() for k in ("milestones", "royalties", "sales_margin", "costs", "sales")}
    approved = outcome == APPROVED
    base = f"programs.{pid}"

    sales_share = None
    if program.sales is not None:
        s = program.sales
        ramp = tuple(s.ramp) if s.ramp else bm.LAUNCH_CURVE.value
        erosion = s.erosion if s.erosion is not None else float(bm.EROSION.value)
        loe = None if s.exclusivity_end is None else timeline.position(s.exclusivity_end)
        launch = np.broadcast_to(events["launch"], (rows,))
        sales_share = sales_curve(launch, timeline, ramp, loe, erosion) * approved[:, None]
        peak = _col(values(f"{base}.sales.peak"), rows)
        annual = sales_share * peak                                   # sales currency, a year
        fx = _col(values(f"fx.{s.currency}") if s.currency != scenario.company.currency
                  else 1.0, rows)
        flows["sales"] = annual / 12.0 * fx
        if program.royalty is not None:
            r = program.royalty
            rates = [_col(values(f"{base}.royalty.tiers.{i}.rate"), rows)
                     for i in range(len(r.tiers))]
            bounds = [np.inf if t.up_to is None else t.up_to for t in r.tiers]
            in_term = (np.arange(months)[None, :] + 0.5) < (launch[:, None] + 12.0 * r.years)
            flows["royalties"] = tiered_royalty(annual, rates, bounds) / 12.0 * fx * in_term
        elif program.partner is None:
            flows["sales_margin"] = flows["sales"] * (1.0 - s.cogs)
            if s.launch_cost:
                month = _month_index(launch, months)
                _book(flows["costs"], month, np.where(approved, s.launch_cost * fx[:, 0], 0.0))

    if program.milestones is not None:
        m = program.milestones
        fx = _col(values(f"fx.{m.currency}") if m.currency != scenario.company.currency
                  else 1.0, rows)
        for i, milestone in enumerate(m.schedule):
            amount = _col(values(f"{base}.milestones.schedule.{i}.amount"), rows)[:, 0] * fx[:, 0]
            hit = _reached(milestone.event, outcome, model.current)
            if milestone.event == "sales":
                if sales_share is None:
                    continue
                over = sales_share * _col(values(f"{base}.sales.peak"), rows) >= \
                    milestone.sales_threshold
                month = np.where(over.any(axis=1), over.argmax(axis=1), months)
            else:
                position = np.broadcast_to(events.get(milestone.event, np.inf), (rows,))
                month = _month_index(np.where(np.isfinite(position), position, 1e9), months)
            _book(flows["milestones"], month, np.where(hit, amount, 0.0))

    for i, stage in enumerate(model.stages):
        given = program.stages.get(stage)
        if given is None or not given.cost:
            continue
        cost = _col(values(f"{base}.stages.{stage}.cost"), rows)[:, 0]
        first = np.broadcast_to(events[f"start:{stage}"], (rows,)) if i else np.zeros(rows)
        last = np.broadcast_to(events[f"readout:{stage}"], (rows,))
        spread = _spread_rows(first, last, timeline)
        flows["costs"] += spread * (cost * (outcome >= STAGE_INDEX[stage]))[:, None]
    return flows


def _col(value: float | np.ndarray, rows: int) -> np.ndarray:
    """A per-row value as a column of shape (R, 1)."""
    return np.broadcast_to(np.asarray(value, dtype=float), (rows,))[:, None]


def _spread_rows(first: np.ndarray, last: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Share of each row's window [first, last] in each month, shape (R, T)."""
    edges = np.arange(timeline.months + 1, dtype=float)
    lo, hi = first[:, None], np.maximum(last, first + 1e-9)[:, None]
    overlap = np.clip(np.minimum(edges[None, 1:], hi) - np.maximum(edges[None, :-1], lo), 0, None)
    return overlap / (hi - lo)
