"""Monte Carlo over the same engine as the exact valuation.

Rows are paths: each draws one outcome per program (from the stage
probabilities) and a value for every input under ``uncertainty``, then the
engine of :func:`finmodel.run` evaluates the rows. Randomness comes only from
:func:`generators`: one ``SeedSequence`` child per fixed-size block of paths,
so results do not depend on how the paths are chunked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .engine.company import timeline_for
from .engine.model import evaluate, scenario_values
from .engine.programs import APPROVED, ProgramModel
from .errors import InputError
from .scenario import Scenario
from .valuation import guided_midpoints

__all__ = ["simulate", "Simulation", "PathModel", "generators", "inverse_cdf", "BLOCK", "OUTPUTS"]

OUTPUTS = ("company_npv", "holder_npv", "runway_months")
"""Numeric outputs per path, in every :class:`Simulation` and :meth:`PathModel.evaluate`."""

BLOCK = 4096
"""Paths per random block: block ``b`` always uses the ``b``-th child seed."""

_SUPPORTED = re.compile(
    r"^(company\.cash\.amount|company\.burn\.\d+\.annual|discounting\.rate|fx\.[A-Z]{3}"
    r"|programs\.\w+\.(sales\.peak|royalty\.tiers\.\d+\.rate|milestones\.schedule\.\d+\.amount"
    r"|stages\.\w+\.probability))$")
"""Inputs the engine reads per row; uncertainty on any other path is refused, not ignored."""


def generators(seed: int | np.random.SeedSequence | None, blocks: int) -> list[np.random.Generator]:
    """One independent Generator per block of paths, from a single seed."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(child) for child in root.spawn(blocks)]


def inverse_cdf(dist, u: np.ndarray) -> np.ndarray:
    """Values of a scenario distribution at probabilities ``u`` (so any sampler can drive it)."""
    kind = dist.dist
    if kind == "uniform":
        return dist.low + (dist.high - dist.low) * u
    if kind == "pert":
        span = dist.high - dist.low
        a = 1 + 4 * (dist.mode - dist.low) / span
        b = 1 + 4 * (dist.high - dist.mode) / span
        return dist.low + span * stats.beta.ppf(u, a, b)
    if kind == "triangular":
        span = dist.high - dist.low
        return stats.triang.ppf(u, (dist.mode - dist.low) / span, loc=dist.low, scale=span)
    if kind == "normal":
        return stats.norm.ppf(u, dist.mean, dist.sd)
    if kind == "lognormal":
        return dist.median * np.exp(dist.sigma * stats.norm.ppf(u))
    if kind == "beta":
        return dist.low + (dist.high - dist.low) * stats.beta.ppf(u, dist.a, dist.b)
    if kind == "discrete":
        cumulative = np.cumsum(dist.probs)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(dist.values) - 1)
        return np.asarray(dist.values, dtype=float)[index]
    raise ValueError(f"unknown distribution {kind!r}")


@dataclass(frozen=True, eq=False)
class Simulation:
    """Monte Carlo result: one row per path in :attr:`samples`.

    Columns: ``company_npv`` (rNPV net of the RCU claim), ``holder_npv``,
    ``runway_months``, ``cash_out`` (date or NaT), one ``outcome_<program>``
    column (stage index reached; 5 = approved) and the sampled inputs.
    """

    samples: pd.DataFrame
    seed: int | None
    currency: str

    def __len__(self) -> int:
        return len(self.samples)

    def _numeric(self) -> pd.DataFrame:
        return self.samples.select_dtypes("number")

    def summary(self) -> pd.DataFrame:
        """Mean, standard error, 95% interval of the mean, and P10/P50/P90 per output."""
        data = self._numeric().replace([np.inf, -np.inf], np.nan)
        n = data.count()
        mean, sd = data.mean(), data.std(ddof=1)
        se = sd / np.sqrt(n)
        return pd.DataFrame({"mean": mean, "se": se, "ci_low": mean - 1.96 * se,
                             "ci_high": mean + 1.96 * se, "p10": data.quantile(0.1),
                             "p50": data.quantile(0.5), "p90": data.quantile(0.9)})

    def quantile(self, q: float | list[float]) -> pd.DataFrame | pd.Series:
        return self._numeric().quantile(q)

    def prob(self, condition: str) -> float:
        """Share of paths meeting a pandas query, e.g. ``"company_npv < 0"``."""
        return float(len(self.samples.query(condition)) / len(self.samples))

    def __repr__(self) -> str:
        mean = self.samples["company_npv"].mean()
        return f"Simulation(paths={len(self)}, seed={self.seed}, mean company_npv={mean:,.0f})"


def simulate(scenario: Scenario, paths: int = 100_000, seed: int | None = None, *,
             chunk: int | None = None) -> Simulation:
    """Draw ``paths`` Monte Carlo paths of a scenario through the exact valuation's engine.

    Parameters
    ----------
    paths : int
    seed : int or None
    chunk : int, optional
        Paths evaluated at once (memory); defaults to ``BLOCK``. Results do not
        depend on it.
    """
    if paths < 1:
        raise InputError(f"expected at least 1 path, found {paths}", field="paths")
    for path in scenario.uncertainty:
        if not _SUPPORTED.match(path):
            raise InputError("the engine does not yet read this input per path; "
                             "uncertainty on it would be ignored", field=f"uncertainty.{path}")
    chunk = BLOCK if chunk is None else max(1, int(chunk))
    blocks = math.ceil(paths / BLOCK)
    uniforms = [_block_uniforms(rng, min(BLOCK, paths - b * BLOCK), scenario)
                for b, rng in enumerate(generators(seed, blocks))]
    timeline = timeline_for(scenario)
    models = {pid: ProgramModel.build(pid, p) for pid, p in scenario.programs.items()}
    events = guided_midpoints(scenario, models, timeline)
    u = np.concatenate(uniforms)
    parts = [_evaluate_rows(scenario, timeline, models, events, u[lo:lo + chunk])
             for lo in range(0, paths, chunk)]
    return Simulation(pd.concat(parts, ignore_index=True), seed, scenario.company.currency)


class PathModel:
    """The engine as a function on the unit hypercube: one row of uniforms per path.

    ``factors`` names the columns: the uncertain inputs (in the scenario's
    order), then ``outcome.<program>`` for each program. Any sampler (random,
    Sobol, LHS) or sensitivity method drives :meth:`evaluate` with its own
    points.
    """

    def __init__(self, scenario: Scenario):
        for path in scenario.uncertainty:
            if not _SUPPORTED.match(path):
                raise InputError("the engine does not yet read this input per path; "
                                 "uncertainty on it would be ignored", field=f"uncertainty.{path}")
        self.scenario = scenario
        self.timeline = timeline_for(scenario)
        self.models = {pid: ProgramModel.build(pid, p) for pid, p in scenario.programs.items()}
        self.events = guided_midpoints(scenario, self.models, self.timeline)
        self.factors = (*scenario.uncertainty, *(f"outcome.{pid}" for pid in self.models))

    @property
    def dimension(self) -> int:
        return len(self.factors)

    def evaluate(self, u: np.ndarray) -> pd.DataFrame:
        """Outputs (:data:`OUTPUTS`, ``cash_out``, outcomes) and sampled inputs per row of ``u``.

        Parameters
        ----------
        u : ndarray, shape (n, dimension), values in [0, 1)
        """
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.dimension:
            raise ValueError(f"expected uniforms of shape (n, {self.dimension}), found {u.shape}")
        return _evaluate_rows(self.scenario, self.timeline, self.models, self.events, u)


def _block_uniforms(rng: np.random.Generator, n: int, scenario: Scenario) -> np.ndarray:
    # Fixed column order: one per uncertain input, then one per program outcome.
    return rng.random((n, len(scenario.uncertainty) + len(scenario.programs)))


def _evaluate_rows(scenario, timeline, models, events, u: np.ndarray) -> pd.DataFrame:
    n = u.shape[0]
    sampled = {path: inverse_cdf(dist, u[:, i])
               for i, (path, dist) in enumerate(scenario.uncertainty.items())}
    values = scenario_values(scenario, sampled)
    outcomes = {}
    offset = len(scenario.uncertainty)
    for j, (pid, model) in enumerate(models.items()):
        probs = np.stack([np.broadcast_to(p, (n,)) for p in model.outcome_probabilities(values)],
                         axis=-1)
        cumulative = np.cumsum(probs, axis=-1)
        index = (u[:, offset + j, None] >= cumulative).sum(axis=-1)
        outcomes[pid] = np.minimum(model.current + index, APPROVED)
    paths = evaluate(scenario, timeline, models, values, outcomes, events, np.full(n, 1.0 / n))
    company = sum(paths.pv(paths.net(pid)) for pid in models) if models else np.zeros(n)
    months = paths.runway.months_by_row
    ends = np.array(paths.timeline.ends + (None,), dtype=object)
    out_index = paths.runway.out_index
    cash_out = [scenario.valuation_date if k < 0 else ends[k] for k in out_index]
    frame = pd.DataFrame({
        "company_npv": company,
        "holder_npv": paths.pv(paths.holders),
        "runway_months": months,
        "cash_out": pd.to_datetime(pd.Series(cash_out, dtype=object)),
        **{f"outcome_{pid}": o for pid, o in outcomes.items()},
        **{path: values for path, values in sampled.items()},
    })
    return frame
