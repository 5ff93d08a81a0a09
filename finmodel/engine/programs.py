"""Programs: stages, outcome probabilities and the success-path timing of events.

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
    "NDA",
    "STAGE_INDEX",
    "START_EVENTS",
    "RESULT_EVENTS",
    "ProgramModel",
    "Values",
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
