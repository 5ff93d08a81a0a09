"""Monte Carlo over the same engine as the exact valuation.

A path is one row of uniforms on the unit hypercube (:class:`PathModel`):
one per uncertain input, one per program outcome, and, when the scenario
draws event dates, one per guided event and one slip per program. Samplers
(pseudo-random, scrambled Sobol, Latin hypercube) only produce those
uniforms; the engine of :func:`finmodel.run` values the rows.

Randomness comes only from :func:`generators`: one ``SeedSequence`` child per
fixed-size block of :data:`BLOCK` paths. Work is split into chunks of rows
that may straddle blocks, so the numbers do not depend on the chunk size,
the executor or the number of workers.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.stats import qmc

from ._memory import keep_freed_memory
from .engine.model import Engine, Hints, RowOutputs, scenario_values
from .engine.programs import APPROVED
from .errors import InputError
from .scenario import Discrete, Scenario, _leaves, correlation_matrix
from .valuation import guided_midpoints

__all__ = ["simulate", "Simulation", "PathModel", "generators", "inverse_cdf",
           "slip_from_history", "beta_ppf", "BLOCK", "CHUNK", "OUTPUTS", "SAMPLERS"]

BLOCK = 4096
"""Paths per random block: block ``b`` always uses the ``b``-th child seed (a power of two,
so every block of a Sobol sequence is balanced)."""

CHUNK = 4 * BLOCK
"""Paths evaluated at once by default: large enough that per-call overhead and the
executor's traffic stay small, small enough that a chunk's arrays stay in tens of MB."""

SAMPLERS = ("random", "sobol", "lhs")
_SOBOL_KEY = 2**32 - 1
"""Child seed that scrambles the one Sobol sequence of a run (no block uses it)."""

OUTPUTS = ("company_npv", "holder_npv", "holder_irr", "runway_months", "per_share")
"""Numeric outputs per path, in every :class:`Simulation` and :meth:`PathModel.evaluate`."""

_READ_PER_ROW = re.compile(
    r"^(company\.cash\.amount|company\.burn\.\d+\.annual|discounting\.rate|fx\.[A-Z]{3}"
    r"|programs\.\w+\.(sales\.peak|royalty\.tiers\.\d+\.rate|milestones\.schedule\.\d+\.amount"
    r"|stages\.\w+\.(probability|cost)))$")
"""Inputs the engine reads per row; uncertainty on any other path is refused, not ignored."""


def generators(seed: int | np.random.SeedSequence | None, blocks: int | Iterable[int]
               ) -> list[np.random.Generator]:
    """Independent Generators for blocks of paths, from one seed.

    ``blocks`` is a count (blocks ``0..n-1``) or the block numbers wanted;
    block ``b`` gets the same Generator whichever others are asked for.
    """
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    numbers = range(blocks) if isinstance(blocks, int) else list(blocks)
    return [np.random.default_rng(np.random.SeedSequence(root.entropy,
                                                         spawn_key=(*root.spawn_key, b)))
            for b in numbers]


def inverse_cdf(dist, u: np.ndarray) -> np.ndarray:
    """Values of a scenario distribution at probabilities ``u`` (so any sampler can drive it)."""
    kind = dist.dist
    u = np.asarray(u, dtype=float)
    if kind == "uniform":
        return dist.low + (dist.high - dist.low) * u
    if kind == "pert":
        span = dist.high - dist.low
        a = 1 + 4 * (dist.mode - dist.low) / span
        b = 1 + 4 * (dist.high - dist.mode) / span
        return dist.low + span * beta_ppf(a, b, u)
    if kind == "triangular":
        return _triangular_ppf(dist.low, dist.mode, dist.high, u)
    if kind == "normal":
        return dist.mean + dist.sd * special.ndtri(u)
    if kind == "lognormal":
        return dist.median * np.exp(dist.sigma * special.ndtri(u))
    if kind == "beta":
        return dist.low + (dist.high - dist.low) * beta_ppf(dist.a, dist.b, u)
    if kind == "discrete":
        cumulative = np.cumsum(dist.probs)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(dist.values) - 1)
        return np.asarray(dist.values, dtype=float)[index]
    raise ValueError(f"unknown distribution {kind!r}")


_BETA_CELLS = 2**16
_BETA_TAIL = 2.0**-10


@lru_cache(maxsize=32)
def _beta_tables(a: float, b: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # The CDF on x spaced densely near both ends (where quantiles are steepest), and from it
    # the quantiles on an even grid of probabilities.
    x = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, _BETA_CELLS + 1))
    cdf = special.betainc(a, b, x)
    return cdf, x, np.interp(np.linspace(0.0, 1.0, _BETA_CELLS + 1), cdf, x)


def beta_ppf(a: float, b: float, u: np.ndarray) -> np.ndarray:
    """Quantiles of Beta(a, b) from tables built once per shape.

    ``special.betaincinv`` costs about a microsecond a value, more than the
    rest of a path. Inside ``[2**-10, 1 - 2**-10]`` the quantile is linear
    between points of an even probability grid (no search); in the tails it
    is interpolated in a CDF table dense near the ends. Quantiles agree with
    ``betaincinv`` to about 1e-6 of the range (tested), far below any
    input's uncertainty.
    """
    cdf, x, even = _beta_tables(float(a), float(b))
    u = np.asarray(u, dtype=float)
    scaled = u * _BETA_CELLS
    cell = np.clip(scaled.astype(np.intp), 0, _BETA_CELLS - 1)
    frac = scaled - cell
    out = even[cell] * (1.0 - frac) + even[cell + 1] * frac
    tail = (u < _BETA_TAIL) | (u > 1.0 - _BETA_TAIL)
    if tail.any():
        out[tail] = np.interp(u[tail], cdf, x)
    return out


def _triangular_ppf(low: float, mode: float, high: float, u: np.ndarray) -> np.ndarray:
    span = high - low
    split = (mode - low) / span
    left = low + np.sqrt(u * span * (mode - low))
    right = high - np.sqrt((1.0 - u) * span * (high - mode))
    return np.where(u < split, left, right)


def slip_from_history(extraction) -> Discrete:
    """A slip distribution (months, equally likely) from a guidance history.

    Parameters
    ----------
    extraction : finmodel.Extraction
        Releases whose guidance moved (``Extraction.slips()``).

    Raises
    ------
    InputError
        When no event was guided twice.
    """
    days = extraction.slips()["slip_days"].to_numpy(dtype=float)
    if days.size == 0:
        raise InputError("no event is guided in two releases: no slip to measure",
                         field="timing.slip")
    months = np.round(days / 30.4375, 1)
    return Discrete(dist="discrete", values=[float(m) for m in months],
                    probs=[1.0 / len(months)] * len(months))


# ---------------------------------------------------------------- the path model


class PathModel:
    """The engine as a function on the unit hypercube: one row of uniforms per path.

    ``factors`` names the columns: the uncertain inputs (in the scenario's
    order), ``outcome.<program>`` for each program whose outcome can change
    a number (it moves cash, or holds the key event), and, when the scenario
    has ``timing``, ``timing.<program>.<event>`` for each guided event of those
    programs and ``slip.<program>`` for each of them.
    Any sampler or sensitivity method drives :meth:`evaluate` with its own points.
    """

    def __init__(self, scenario: Scenario):
        for path in scenario.uncertainty:
            if not _READ_PER_ROW.match(path):
                raise InputError("the engine does not read this input per path, so uncertainty "
                                 "on it would be ignored", field=f"uncertainty.{path}")
        self.scenario = scenario
        self.engine = Engine(scenario)
        keep_freed_memory()  # blocks of paths reuse their temporaries' pages
        self.timeline = self.engine.timeline
        self.models = self.engine.models
        key = scenario.key_event.program if scenario.key_event else None
        self.random_outcomes = [pid for pid, m in self.models.items()
                                if m.has_flows or pid == key]
        self.guided = {pid: m.guided(self.timeline, scenario) for pid, m in self.models.items()}
        self._midpoints = guided_midpoints(scenario, self.models, self.timeline)
        self._flat = dict(_leaves(scenario.to_dict()))
        # Dates are drawn only where they can move a number: programs with flows, key event.
        timing = scenario.timing
        timed = [pid for pid in self.random_outcomes if self.guided[pid]]
        self.drawn_events = [(pid, e) for pid in timed for e in self.guided[pid]] \
            if timing is not None and timing.within == "uniform" else []
        self.slipping = timed if timing is not None and timing.slip is not None else []
        self.factors: tuple[str, ...] = (
            *scenario.uncertainty,
            *(f"outcome.{pid}" for pid in self.random_outcomes),
            *(f"timing.{pid}.{event}" for pid, event in self.drawn_events),
            *(f"slip.{pid}" for pid in self.slipping),
        )
        self.hints = self._hints()
        names, matrix = correlation_matrix(scenario) if scenario.correlation else ([], None)
        self._correlated = [self.factors.index(n) for n in names]
        self._cholesky = None if matrix is None else np.linalg.cholesky(matrix)

    @property
    def dimension(self) -> int:
        return len(self.factors)

    def _hints(self) -> Hints:
        """Ranges every path stays inside, so no path's numbers depend on its batch."""
        s, tails = self.scenario, np.array([1e-12, 1.0 - 1e-12])
        rate = s.uncertainty.get("discounting.rate")
        log_rate = None if rate is None else tuple(np.log1p(inverse_cdf(rate, tails)))
        spans = []
        slip = (inverse_cdf(s.timing.slip, tails) if s.timing is not None
                and s.timing.slip is not None else np.zeros(2))
        fed = set(s.rcu.feeds) if s.rcu is not None else set()
        for pid in fed:
            tables, model = self.engine.tables[pid], self.models[pid]
            if tables.royalty is None:
                continue
            drawn = {e for p, e in self.drawn_events if p == pid}
            shift = slip if pid in self.slipping else np.zeros(2)
            launches = []
            for end, move in ((0, shift[0]), (1, shift[1])):
                at = {e: (bounds[end] if e in drawn else self._midpoints[pid][e]) + move
                      for e, bounds in self.guided[pid].items()}
                launches.append(float(model.schedule(at)["launch"]))
            rows = tables.sales.row(np.array(launches))
            first, stop = tables.royalty_span
            spans.append((int(first[rows[0]:rows[1] + 1].min()),
                          int(stop[rows[0]:rows[1] + 1].max())))
        spans = [sp for sp in spans if sp[1] > sp[0]]
        window = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
        return Hints(log_rate, window)

    def correlate(self, u: np.ndarray) -> np.ndarray:
        """Impose the scenario's rank correlations on independent uniforms (Gaussian copula)."""
        if self._cholesky is None:
            return u
        u = u.copy()
        cols = self._correlated
        z = special.ndtri(np.clip(u[:, cols], 1e-16, 1 - 1e-16)) @ self._cholesky.T
        u[:, cols] = special.ndtr(z)
        return u

    def inputs(self, u: np.ndarray) -> tuple[dict, dict, dict, dict]:
        """Sampled inputs, outcomes, event positions, and the timing draws (``timing.*``:
        positions inside the guided periods, ``slip.*``: months added) of rows of
        (correlated) uniforms."""
        n, s = u.shape[0], self.scenario
        sampled = {path: inverse_cdf(dist, u[:, i])
                   for i, (path, dist) in enumerate(s.uncertainty.items())}
        values = scenario_values(s, sampled, self._flat)
        col = len(s.uncertainty)
        outcomes = {}
        for pid, model in self.models.items():
            if pid not in self.random_outcomes:
                outcomes[pid] = np.full(n, APPROVED)
                continue
            probs = model.outcome_probabilities(values)
            if all(np.ndim(p) == 0 for p in probs):     # one table for every row
                index = np.searchsorted(np.cumsum(probs), u[:, col], side="right")
            else:
                cumulative = np.cumsum(np.stack([np.broadcast_to(p, (n,)) for p in probs],
                                                axis=-1), axis=-1)
                index = (u[:, col, None] >= cumulative).sum(axis=-1)
            outcomes[pid] = np.minimum(model.current + index, APPROVED)
            col += 1
        events = {pid: dict(e) for pid, e in self._midpoints.items()}
        draws = {}
        for pid, event in self.drawn_events:
            lo, hi = self.guided[pid][event]
            events[pid][event] = draws[f"timing.{pid}.{event}"] = lo + (hi - lo) * u[:, col]
            col += 1
        for pid in self.slipping:
            slip = draws[f"slip.{pid}"] = inverse_cdf(s.timing.slip, u[:, col])
            events[pid] = {e: pos + slip for e, pos in events[pid].items()}
            col += 1
        return sampled, outcomes, events, draws

    def rows(self, u: np.ndarray, fan_months: int = 0) -> tuple[RowOutputs, dict, dict, dict]:
        """Engine outputs per row, with the sampled inputs, outcomes and event positions."""
        return self._rows(u, fan_months)[:4]

    def _rows(self, u: np.ndarray, fan_months: int = 0) -> tuple:
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.dimension:
            raise ValueError(f"expected uniforms of shape (n, {self.dimension}), found {u.shape}")
        sampled, outcomes, events, draws = self.inputs(self.correlate(u))
        n = u.shape[0]
        out = self.engine.evaluate(scenario_values(self.scenario, sampled, self._flat), outcomes,
                                   events, np.full(n, 1.0 / n), fan_months=fan_months,
                                   hints=self.hints)
        return out, sampled, outcomes, events, draws

    def evaluate(self, u: np.ndarray) -> pd.DataFrame:
        """Outputs (:data:`OUTPUTS`, ``cash_out``...) and sampled inputs per row of ``u``.

        Parameters
        ----------
        u : ndarray, shape (n, dimension), values in [0, 1)
        """
        return pd.DataFrame(self._columns(*self._rows(u)), copy=False)

    def _columns(self, out: RowOutputs, sampled: dict, outcomes: dict, events: dict, draws: dict
                 ) -> dict[str, np.ndarray]:
        ends = np.append(self.timeline.index, np.datetime64("NaT"))
        index = out.out_index
        cash_out = np.where(index < 0, np.datetime64(self.scenario.valuation_date, "D"),
                            ends[np.clip(index, 0, len(ends) - 1)])
        columns = {
            "company_npv": out.company_npv,
            "holder_npv": out.holder_npv,
            "holder_irr": out.holder_irr,
            "runway_months": out.runway_months,
            "cash_out": cash_out.astype("datetime64[ns]"),
            "per_share": out.per_share,
        }
        if self.scenario.key_event is not None:
            columns["readout_months"] = out.readout_months
        columns.update({f"outcome_{pid}": outcomes[pid].astype(np.int8)
                        for pid in self.random_outcomes})
        columns.update(sampled)
        columns.update(draws)
        rows = len(out.company_npv)
        return {name: np.broadcast_to(np.asarray(values), (rows,)) for name, values in columns.items()}


# ---------------------------------------------------------------- samplers


def block_uniforms(sampler: str, seed: int | None, block: int, n: int, dimension: int
                   ) -> np.ndarray:
    """The first ``n`` uniforms of block ``block`` (same whoever asks, whenever).

    ``random``: the block's own Generator. ``sobol``: one scrambled Sobol
    sequence for the whole run (scrambled by the seed), block ``b`` being its
    points ``b * BLOCK ...``. ``lhs``: an independent Latin hypercube per block.
    """
    if dimension == 0:
        return np.zeros((n, 0))
    rng = generators(seed, [block])[0]
    if sampler == "random":
        return rng.random((n, dimension))
    if sampler == "sobol":
        engine = qmc.Sobol(dimension, scramble=True, seed=generators(seed, [_SOBOL_KEY])[0])
        if block:
            engine.fast_forward(block * BLOCK)
        return engine.random(BLOCK)[:n]
    if sampler == "lhs":
        return qmc.LatinHypercube(dimension, seed=rng).random(BLOCK)[:n]
    raise InputError(f"expected one of {', '.join(SAMPLERS)}, found {sampler!r}",
                     field="sampler")


def _uniforms(sampler: str, seed: int | None, lo: int, hi: int, dimension: int) -> np.ndarray:
    """Uniforms of paths ``lo:hi``, assembled from the blocks they fall in."""
    parts = []
    for block in range(lo // BLOCK, (hi - 1) // BLOCK + 1):
        start = block * BLOCK
        u = block_uniforms(sampler, seed, block, min(BLOCK, hi - start), dimension)
        parts.append(u[max(lo - start, 0):hi - start])
    return np.concatenate(parts)


_MODELS: dict[str, PathModel] = {}


def _model(scenario: Scenario) -> PathModel:
    # A worker process builds the path model once per scenario.
    key = scenario.model_dump_json()
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = PathModel(scenario)
    return _MODELS[key]


def _run_chunk(task: tuple) -> tuple[dict[str, np.ndarray] | None, np.ndarray | None]:
    scenario, sampler, seed, lo, hi, fan_months, shared = task
    model = _model(scenario)
    rows = model._rows(_uniforms(sampler, seed, lo, hi, model.dimension), fan_months)
    columns = model._columns(*rows)
    if shared is None:
        return columns, rows[0].fan
    shared.write(lo, columns)
    return None, rows[0].fan


@dataclass(frozen=True)
class _SharedColumns:
    """Result columns in one file in shared memory, which local worker processes fill in
    place: the parent then neither unpickles nor copies them.

    ``layout`` holds ``(name, dtype, byte offset)`` per column of ``paths`` values.
    """

    path: str
    paths: int
    layout: tuple[tuple[str, str, int], ...]

    @classmethod
    def create(cls, paths: int, like: dict[str, np.ndarray]) -> _SharedColumns:
        layout, offset = [], 0
        for name, values in like.items():
            layout.append((name, values.dtype.str, offset))
            offset += -(-paths * values.dtype.itemsize // 64) * 64     # 64-byte aligned
        where = "/dev/shm" if os.path.isdir("/dev/shm") else None
        handle, path = tempfile.mkstemp(prefix="finmodel-", suffix=".samples", dir=where)
        with os.fdopen(handle, "wb") as file:
            file.truncate(max(offset, 1))
        return cls(path, paths, tuple(layout))

    def _arrays(self, mode: str) -> dict[str, np.ndarray]:
        buffer = np.memmap(self.path, dtype=np.uint8, mode=mode)
        return {name: np.ndarray((self.paths,), np.dtype(dtype), buffer=buffer, offset=offset)
                for name, dtype, offset in self.layout}

    def write(self, lo: int, columns: dict[str, np.ndarray]) -> None:
        # Mapped per chunk, so no worker keeps the file's memory alive after the run.
        arrays = self._arrays("r+")
        for name, values in columns.items():
            arrays[name][lo:lo + len(values)] = values

    def read(self) -> dict[str, np.ndarray]:
        """The columns, still backed by the mapping (which outlives the file's removal)."""
        return self._arrays("r+")

    def remove(self) -> None:
        # Where an open mapping blocks removal (Windows) the temporary file stays behind.
        with contextlib.suppress(OSError):
            os.unlink(self.path)


# ---------------------------------------------------------------- the result


@dataclass(frozen=True, eq=False)
class Simulation:
    """Monte Carlo result: one row per path in :attr:`samples`.

    Attributes
    ----------
    samples : DataFrame
        ``company_npv`` (rNPV net of the RCU claim), ``holder_npv``,
        ``holder_irr`` (-1: never paid), ``runway_months``, ``cash_out`` (date;
        NaT if never), ``per_share``, ``readout_months`` (key event on its
        success path), one ``outcome_<program>`` column (stage index reached;
        5 = approved), the sampled inputs and drawn event dates.
    seed, sampler : how the paths were drawn
    currency : reporting currency
    fan : DataFrame or None
        Cash balance percentiles (``p10, p50, p90, mean``) by month end, when
        asked for with ``fan_months``.
    """

    samples: pd.DataFrame
    seed: int | None
    currency: str
    sampler: str = "random"
    fan: pd.DataFrame | None = None
    scenario: str = ""

    def __len__(self) -> int:
        return len(self.samples)

    def _numeric(self) -> pd.DataFrame:
        return self.samples.select_dtypes("number")

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean, standard error, interval of the mean, and P10/P50/P90 per numeric column.

        The standard error treats paths as independent; with ``sobol`` or
        ``lhs`` the true error of the mean is smaller than shown.
        """
        data = self._numeric().replace([np.inf, -np.inf], np.nan)
        n = data.count()
        mean, sd = data.mean(), data.std(ddof=1)
        se = sd / np.sqrt(n)
        z = float(stats.norm.ppf(0.5 + confidence / 2))
        return pd.DataFrame({"mean": mean, "se": se, "ci_low": mean - z * se,
                             "ci_high": mean + z * se, "p10": data.quantile(0.1),
                             "p50": data.quantile(0.5), "p90": data.quantile(0.9)})

    def quantile(self, q: float | list[float]) -> pd.DataFrame | pd.Series:
        return self._numeric().quantile(q)

    def se(self, column: str) -> float:
        """Standard error of the mean of a column (independent paths)."""
        x = self.samples[column].replace([np.inf, -np.inf], np.nan).dropna()
        return float(x.std(ddof=1) / math.sqrt(len(x)))

    def prob(self, condition: str) -> float:
        """Share of paths meeting a pandas query, e.g. ``"company_npv < 0"``."""
        return float(len(self.samples.query(condition)) / len(self.samples))

    def __repr__(self) -> str:
        mean = self.samples["company_npv"].mean()
        return (f"Simulation(paths={len(self):,}, sampler={self.sampler!r}, seed={self.seed}, "
                f"mean company_npv={mean:,.0f} {self.currency})")

    def _repr_html_(self) -> str:
        cols = [c for c in OUTPUTS if c in self.samples]
        return (f"<p>{self!r}</p>"
                + self.summary().loc[cols].to_html(float_format=lambda x: f"{x:,.4g}"))


# ---------------------------------------------------------------- simulate


def simulate(scenario: Scenario, paths: int = 100_000, seed: int | None = None, *,
             sampler: str = "random", chunk: int | None = None,
             executor: Executor | None = None, fan_months: int = 0,
             progress: bool | Callable[[int, int], None] | None = None) -> Simulation:
    """Draw ``paths`` Monte Carlo paths of a scenario through the exact valuation's engine.

    Parameters
    ----------
    paths : int
    seed : int or None
    sampler : {"random", "sobol", "lhs"}
    chunk : int, optional
        Paths evaluated at once (memory is bounded by it); default :data:`CHUNK`.
        Results do not depend on it.
    executor : concurrent.futures.Executor, optional
        Runs the chunks (e.g. a ``ProcessPoolExecutor``, or a dask
        ``Client.get_executor()``); default in this process.
    fan_months : int
        Keep cash-balance percentiles for the first months (``Simulation.fan``).
    progress : bool or callable, optional
        A rich progress bar; default on when stderr is a terminal. A callable
        gets ``(paths_done, paths)``.

    Returns
    -------
    Simulation
    """
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or paths < 1:
        raise InputError(f"expected a whole number of paths >= 1, found {paths!r}",
                         field="paths")
    if sampler not in SAMPLERS:
        raise InputError(f"expected one of {', '.join(SAMPLERS)}, found {sampler!r}",
                         field="sampler")
    if chunk is not None and (isinstance(chunk, bool) or int(chunk) < 1):
        raise InputError(f"expected a chunk size >= 1, found {chunk!r}", field="chunk")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)  # recorded, so a run can be redone
    _model(scenario)  # validates the uncertainty before any work is sent out
    chunk = CHUNK if chunk is None else int(chunk)
    paths = int(paths)
    shared = None
    if isinstance(executor, ProcessPoolExecutor):  # local workers: results through shared memory
        model = _model(scenario)
        shared = _SharedColumns.create(paths, model._columns(*model._rows(
            np.full((1, model.dimension), 0.5))))
    tasks = [(scenario, sampler, seed, lo, min(lo + chunk, paths), fan_months, shared)
             for lo in range(0, paths, chunk)]
    report = _progress(progress, paths)
    columns: dict[str, np.ndarray] = {}
    fans: list[np.ndarray] = []
    try:
        mapper = map if executor is None else executor.map
        # Each chunk is copied into place as it arrives, while the others still run.
        for task, (chunk_columns, fan) in zip(tasks, mapper(_run_chunk, tasks)):
            lo, hi = task[3], task[4]
            for name, values in (chunk_columns or {}).items():
                if name not in columns:
                    columns[name] = np.empty(paths, dtype=values.dtype)
                columns[name][lo:hi] = values
            if fan_months:
                fans.append(fan)
            report(hi - lo)
        if shared is not None:
            columns = shared.read()
    finally:
        report(None)
        if shared is not None:
            shared.remove()
    samples = pd.DataFrame(columns, copy=False)
    fan = None
    if fan_months:
        cash = np.concatenate(fans)
        months = cash.shape[1]
        index = pd.DatetimeIndex(_model(scenario).timeline.index[:months], name="month_end")
        fan = pd.DataFrame({"p10": np.quantile(cash, 0.1, axis=0),
                            "p50": np.quantile(cash, 0.5, axis=0),
                            "p90": np.quantile(cash, 0.9, axis=0),
                            "mean": cash.mean(axis=0)}, index=index)
    return Simulation(samples, seed, scenario.company.currency, sampler, fan, scenario.name)


def _progress(progress, total: int) -> Callable[[int | None], None]:
    """A callback taking paths done (None: finished)."""
    if callable(progress):
        done = [0]

        def call(n):
            if n is not None:
                done[0] += n
                progress(done[0], total)
        return call
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return lambda n: None
    if os.environ.get("CI"):
        return lambda n: None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed:,}/"
                   "{task.total:,} paths"), TimeRemainingColumn(), transient=True)
    bar.start()
    task = bar.add_task("paths", total=total)

    def update(n):
        if n is None:
            bar.stop()
        else:
            bar.advance(task, n)
    return update
