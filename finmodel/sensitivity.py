"""Which inputs drive the answer: tornado, spider and Sobol indices.

Three views of the same question, each returning a long-format DataFrame:

* :func:`tornado` moves one input at a time to a low and a high value (P10 and
  P90 of its declared distribution, or explicit swings) and records the exact
  valuation, :func:`finmodel.run`, at each end.
* :func:`spider` moves one input at a time through a list of quantiles of its
  distribution (exact valuation again).
* :func:`sobol` apportions the variance of the Monte Carlo outputs among the
  uncertain inputs and the programs' stage outcomes (first and total order,
  with bootstrap intervals), on the engine as a function of the unit
  hypercube (:class:`finmodel.simulate.PathModel`).

:func:`sobol_indices_of` is the estimator behind :func:`sobol`, for any
vectorised function on the unit hypercube; the tests check it on functions
whose indices are known in closed form.

Outputs are named as in Monte Carlo samples: ``company_npv``, ``holder_npv``,
``holder_irr``, ``runway_months``, ``per_share``. A runway that never ends
(``inf``) is capped at the scenario's horizon, ``horizon_years * 12`` months,
so that swings and variances stay finite.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from .errors import FinmodelError, InputError
from .scenario import Scenario
from .simulate import BLOCK, PathModel, generators, inverse_cdf
from .valuation import Valuation, run

__all__ = [
    "DEFAULT_OUTPUTS",
    "OUTPUT_NAMES",
    "SOBOL_COLUMNS",
    "SPIDER_COLUMNS",
    "TORNADO_COLUMNS",
    "read_output",
    "sobol",
    "sobol_indices_of",
    "spider",
    "tornado",
]

DEFAULT_OUTPUTS = ("company_npv", "holder_irr", "runway_months")
"""Outputs every sensitivity reports unless told otherwise."""

OUTPUT_NAMES = ("company_npv", "holder_npv", "holder_irr", "runway_months", "per_share")
"""Outputs a sensitivity can report (on the exact valuation; Monte Carlo has what the engine
computes per path)."""

TORNADO_COLUMNS = ("input", "output", "base", "low_input", "high_input", "low", "high", "swing")
SPIDER_COLUMNS = ("input", "output", "quantile", "input_value", "value")
SOBOL_COLUMNS = ("factor", "output", "first", "first_low", "first_high",
                 "total", "total_low", "total_high")


# ---------------------------------------------------------------- outputs


def _horizon_months(scenario: Scenario) -> float:
    return float(scenario.horizon_years * 12)


def read_output(valuation: Valuation, output: str) -> float:
    """One output of an exact valuation as a float.

    ``company_npv`` is ``rnpv.total``; ``holder_npv`` and ``holder_irr`` are the
    RCU holders' expected value and the IRR of their expected payments (NaN
    without an RCU); ``runway_months`` is ``runway.months`` capped at the
    horizon; ``per_share`` is the fully diluted value per share.
    """
    rcu = valuation.rcu
    if output == "company_npv":
        return float(valuation.rnpv.total)
    if output == "holder_npv":
        return math.nan if rcu is None else float(rcu.holder_value)
    if output == "holder_irr":
        return math.nan if rcu is None else float(rcu.irr_expected)
    if output == "runway_months":
        return min(float(valuation.runway.months), _horizon_months(valuation.scenario))
    if output == "per_share":
        return float(valuation.capital.per_share)
    raise InputError(_unknown_output(output), field="outputs")


def _unknown_output(output: Any) -> str:
    return f"unknown output {output!r}; expected one of {', '.join(OUTPUT_NAMES)}"


def _check_outputs(outputs: Sequence[str] | str) -> tuple[str, ...]:
    names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    if not names:
        raise InputError("expected at least one output", field="outputs")
    for name in names:
        if name not in OUTPUT_NAMES:
            raise InputError(_unknown_output(name), field="outputs")
    if len(set(names)) != len(names):
        raise InputError(f"outputs repeat a name: {list(names)}", field="outputs")
    return names


# ---------------------------------------------------------------- one input at a time


def _input_value(scenario: Scenario, path: str, x: float, field: str) -> float | int:
    """``x`` as a value of the input at ``path``: a float, or a rounded int for count inputs."""
    base = scenario.get(path)  # raises InputError naming the path when it does not exist
    if isinstance(base, bool) or not isinstance(base, (int, float)):
        raise InputError(f"input '{path}' is {type(base).__name__}, not a number", field=field)
    if not math.isfinite(x):
        raise InputError(f"value {x} for '{path}' is not finite", field=field)
    if isinstance(base, int):
        return round(x)
    return float(x)


class _Runner:
    """Exact valuations of one-input overrides, each computed once."""

    def __init__(self, scenario: Scenario, outputs: tuple[str, ...]):
        self.scenario = scenario
        self.outputs = outputs
        self._cache: dict[tuple[str, float], dict[str, float]] = {}

    def base(self) -> dict[str, float]:
        v = run(self.scenario)
        return {o: read_output(v, o) for o in self.outputs}

    def at(self, path: str, value: float) -> dict[str, float]:
        key = (path, value)
        if key not in self._cache:
            v = run(self.scenario.with_overrides({path: value}))
            self._cache[key] = {o: read_output(v, o) for o in self.outputs}
        return self._cache[key]


def _quantile(q: Any, field: str) -> float:
    try:
        value = float(q)
    except (TypeError, ValueError):
        raise InputError(f"expected a probability in [0, 1], found {q!r}", field=field) from None
    if not 0.0 <= value <= 1.0:
        raise InputError(f"expected a probability in [0, 1], found {q!r}", field=field)
    return value


def _at_quantile(scenario: Scenario, path: str, q: float, field: str) -> float | int:
    x = float(inverse_cdf(scenario.uncertainty[path], np.array([q]))[0])
    if not math.isfinite(x):
        raise InputError(f"quantile {q} of the distribution of '{path}' is not finite "
                         "(an unbounded distribution at 0 or 1)", field=field)
    return _input_value(scenario, path, x, f"uncertainty.{path}")


def tornado(scenario: Scenario, outputs: Sequence[str] = DEFAULT_OUTPUTS,
            swings: Mapping[str, tuple[float, float]] | None = None,
            low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Swing each input to a low and a high value, one at a time, on the exact valuation.

    Every input under ``scenario.uncertainty`` goes to the ``low`` and ``high``
    quantiles of its distribution (P10 and P90 by default); ``swings`` gives
    explicit ``(low, high)`` values instead, for those inputs or for inputs
    without a distribution. All other inputs keep their values, and each end
    is valued by ``run(scenario.with_overrides({path: value}))``.

    Parameters
    ----------
    scenario : Scenario
    outputs : sequence of str
        Any of :data:`OUTPUT_NAMES`. ``runway_months`` is capped at the
        horizon (``horizon_years * 12``) when the cash never runs out;
        ``holder_irr`` and ``holder_npv`` are NaN without an RCU.
    swings : mapping of dotted path to (low, high), optional
    low, high : float
        Quantiles of the declared distributions, ``0 <= low < high <= 1``.

    Returns
    -------
    DataFrame
        One row per input and output, columns :data:`TORNADO_COLUMNS`:
        ``base`` (output at the scenario's own values), ``low_input`` and
        ``high_input`` (input values used), ``low`` and ``high`` (output at
        them) and ``swing = |high - low|``. Sorted by output, in the order of
        ``outputs``, then by swing, largest first (NaN last).

    Raises
    ------
    InputError
        An unknown output or path (naming it), a swing that is not two
        finite numbers, quantiles out of order, or an override the scenario
        refuses.
    """
    outputs = _check_outputs(outputs)
    low, high = _quantile(low, "low"), _quantile(high, "high")
    if not low < high:
        raise InputError(f"expected low < high, found {low} and {high}", field="low")
    ends: dict[str, tuple[float, float]] = {}
    for path in scenario.uncertainty:
        ends[path] = (_at_quantile(scenario, path, low, "low"),
                      _at_quantile(scenario, path, high, "high"))
    for path, pair in (swings or {}).items():
        field = f"swings.{path}"
        try:
            a, b = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InputError(f"expected a (low, high) pair of numbers, found {pair!r}",
                             field=field) from None
        scenario.get(path)  # an unknown path is named in the error
        ends[path] = (_input_value(scenario, path, a, field), _input_value(scenario, path, b, field))

    runner = _Runner(scenario, outputs)
    base = runner.base()
    rows = []
    for path, (x_low, x_high) in ends.items():
        at_low, at_high = runner.at(path, x_low), runner.at(path, x_high)
        for output in outputs:
            rows.append({"input": path, "output": output, "base": base[output],
                         "low_input": x_low, "high_input": x_high,
                         "low": at_low[output], "high": at_high[output],
                         "swing": abs(at_high[output] - at_low[output])})
    frame = pd.DataFrame(rows, columns=list(TORNADO_COLUMNS))
    order = {o: i for i, o in enumerate(outputs)}
    frame = (frame.assign(_order=frame["output"].map(order))
             .sort_values(["_order", "swing"], ascending=[True, False], na_position="last",
                          kind="stable")
             .drop(columns="_order").reset_index(drop=True))
    frame.attrs.update({"low": low, "high": high, "runway_cap_months": _horizon_months(scenario)})
    return frame


def spider(scenario: Scenario,
           quantiles: Sequence[float] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95),
           outputs: Sequence[str] = DEFAULT_OUTPUTS) -> pd.DataFrame:
    """Each output against the quantiles of each uncertain input, one input at a time.

    Every input under ``scenario.uncertainty`` is set to each quantile of its
    distribution in turn, others keeping their values, and the scenario is
    valued exactly (:func:`finmodel.run`).

    Parameters
    ----------
    scenario : Scenario
    quantiles : sequence of float in [0, 1]
        Unbounded distributions (normal, lognormal) need quantiles inside (0, 1).
    outputs : sequence of str
        As for :func:`tornado` (``runway_months`` capped at the horizon).

    Returns
    -------
    DataFrame
        Columns :data:`SPIDER_COLUMNS`; rows by output (in the order of
        ``outputs``), input (scenario order) and quantile (as given).
        Count inputs take the nearest whole number.

    Raises
    ------
    InputError
        An unknown output, a quantile outside [0, 1], or one where the
        distribution is unbounded.
    """
    outputs = _check_outputs(outputs)
    qs = [_quantile(q, f"quantiles.{i}") for i, q in enumerate(quantiles)]
    runner = _Runner(scenario, outputs)
    points = {path: [(q, _at_quantile(scenario, path, q, f"quantiles.{i}"))
                     for i, q in enumerate(qs)] for path in scenario.uncertainty}
    rows = []
    for output in outputs:
        for path, pairs in points.items():
            for q, x in pairs:
                rows.append({"input": path, "output": output, "quantile": q,
                             "input_value": x, "value": runner.at(path, x)[output]})
    frame = pd.DataFrame(rows, columns=list(SPIDER_COLUMNS))
    frame.attrs.update({"runway_cap_months": _horizon_months(scenario)})
    return frame


# ---------------------------------------------------------------- Sobol indices


def sobol(scenario: Scenario, n: int = 4096, seed: int | np.random.SeedSequence | None = 0,
          outputs: Sequence[str] = DEFAULT_OUTPUTS, confidence: float = 0.95, *,
          n_resamples: int = 999, chunk: int | None = None) -> pd.DataFrame:
    """First- and total-order Sobol indices of the Monte Carlo outputs, with intervals.

    The factors are the columns of :class:`~finmodel.simulate.PathModel`: the
    uncertain inputs, then the stage outcome of each program (as a uniform
    that the stage probabilities turn into the stage reached), then any
    further factor the engine declares (event timing, slips).

    Sobol indices need independent factors. With ``correlation:`` in the
    scenario the engine imposes it on the factors through a Gaussian copula
    in Cholesky order: the factor of the first correlated input also moves
    the inputs correlated with it, and each later one stands only for the
    part of its input that the earlier ones do not explain.

    Parameters
    ----------
    scenario : Scenario
    n : int
        Base sample size, a power of 2; the engine evaluates
        ``n * (factors + 2)`` paths.
    seed : int, SeedSequence or None
        Same seed, same numbers (indices and intervals).
    outputs : sequence of str
        Columns of :meth:`PathModel.evaluate`. A runway that never ends is
        capped at the horizon (``horizon_years * 12`` months); an output
        undefined on every path (``holder_irr`` without an RCU) gets NaN rows.
    confidence : float
        Level of the bootstrap intervals.
    n_resamples : int
        Bootstrap resamples.
    chunk : int, optional
        Paths evaluated at once (memory); defaults to
        :data:`finmodel.simulate.BLOCK`. Results depend on it only through
        the engine's rounding.

    Returns
    -------
    DataFrame
        Columns :data:`SOBOL_COLUMNS`, one row per output and factor (outputs
        in the order given, factors in the engine's order). ``attrs`` holds
        ``n``, ``seed``, ``evaluations`` and ``seconds``.

    Raises
    ------
    InputError
        An output the engine does not compute per path, or bad ``n`` or
        ``confidence``.
    """
    outputs = _check_outputs(outputs)
    started = time.perf_counter()
    model = PathModel(scenario)
    available = list(model.evaluate(np.full((1, model.dimension), 0.5)).columns)
    for output in outputs:
        if output not in available:
            raise InputError(f"output '{output}' is not computed per path by the engine; "
                             f"available: {', '.join(c for c in available if c in OUTPUT_NAMES)}",
                             field="outputs")
    cap = _horizon_months(scenario)

    def engine(u: np.ndarray) -> np.ndarray:
        y = np.array(model.evaluate(u)[list(outputs)], dtype=float)
        if "runway_months" in outputs:
            k = outputs.index("runway_months")
            y[:, k] = np.minimum(y[:, k], cap)  # never out of cash: the horizon
        return y

    frame = sobol_indices_of(engine, model.factors, outputs, n=n, seed=seed,
                             confidence=confidence, n_resamples=n_resamples, chunk=chunk)
    frame.attrs["seconds"] = time.perf_counter() - started
    frame.attrs["runway_cap_months"] = cap
    return frame


def sobol_indices_of(func: Callable[[np.ndarray], np.ndarray], factors: Sequence[str],
                     outputs: Sequence[str], *, n: int = 4096,
                     seed: int | np.random.SeedSequence | None = 0, confidence: float = 0.95,
                     n_resamples: int = 999, chunk: int | None = None) -> pd.DataFrame:
    """Sobol indices of any vectorised function of independent uniforms on [0, 1).

    Design: a scrambled Sobol' sequence in ``2 d`` dimensions gives the base
    matrices A and B (``n`` rows each); matrix ``AB_i`` is A with column ``i``
    from B. The point estimates are those of :func:`scipy.stats.sobol_indices`
    (Saltelli 2010 for first order, Jansen for total order) on these
    evaluations; the intervals are BCa bootstrap intervals over the ``n``
    rows, from a Generator derived from ``seed`` (so they are reproducible).

    Parameters
    ----------
    func : callable
        ``func(u)`` with ``u`` of shape ``(rows, d)`` returns ``(rows, s)``
        (or ``(rows,)`` for one output), finite.
    factors : sequence of str
        Names of the ``d`` columns of ``u``.
    outputs : sequence of str
        Names of the ``s`` outputs.
    n : int
        Rows of A and B, a power of 2 (at least 16).
    seed : int, SeedSequence or None
    confidence : float
        In (0, 1).
    n_resamples : int
    chunk : int, optional
        Rows per call of ``func``; defaults to :data:`finmodel.simulate.BLOCK`.
        The estimate does not depend on it when ``func`` treats rows
        independently.

    Returns
    -------
    DataFrame
        Columns :data:`SOBOL_COLUMNS`. An output that does not vary (beyond
        a relative spread of 1e-12, i.e. rounding) gets indices 0, as SciPy
        reports a constant output, and zero-width intervals; one that
        is NaN on every row (undefined, e.g. the holders' IRR without an RCU)
        gets NaN.

    Raises
    ------
    FinmodelError
        ``func`` returned non-finite values for an output defined elsewhere.
    """
    factors, outputs = list(factors), list(outputs)
    d, s = len(factors), len(outputs)
    if d < 1:
        raise InputError("no factors to apportion the variance to", field="factors")
    if not (isinstance(n, (int, np.integer)) and n >= 16 and n & (n - 1) == 0):
        raise InputError(f"expected a power of 2 of at least 16, found {n!r}", field="n")
    if not 0.0 < confidence < 1.0:
        raise InputError(f"expected a level in (0, 1), found {confidence!r}", field="confidence")
    if n_resamples < 1:
        raise InputError(f"expected at least 1 resample, found {n_resamples}",
                         field="n_resamples")
    n = int(n)
    chunk = BLOCK if chunk is None else max(1, int(chunk))
    sample_rng, boot_rng = generators(seed, 2)

    base = qmc.Sobol(d=2 * d, scramble=True, bits=64, rng=sample_rng).random(n)
    a_rows, b_rows = base[:, :d], base[:, d:]
    design = np.empty(((d + 2) * n, d))
    design[:n], design[n:2 * n] = a_rows, b_rows
    for i in range(d):
        block = design[(2 + i) * n:(3 + i) * n]
        block[:] = a_rows
        block[:, i] = b_rows[:, i]

    y = np.concatenate([_evaluated(func, design[lo:lo + chunk], s)
                        for lo in range(0, len(design), chunk)])
    undefined = np.isnan(y).all(axis=0)  # e.g. holders' IRR of a scenario without an RCU
    y[:, undefined] = 0.0
    bad = ~np.isfinite(y)
    if bad.any():
        k = int(bad.any(axis=0).argmax())
        raise FinmodelError(f"output '{outputs[k]}' is not finite on {int(bad[:, k].sum())} "
                            f"of {len(y)} evaluations; Sobol indices need finite values")
    # An output constant up to rounding has no variance to apportion: make it exactly flat.
    spread = np.ptp(y[:2 * n], axis=0)
    flat = spread <= 1e-12 * np.max(np.abs(y[:2 * n]), axis=0)
    y[:, flat] = y[0, flat]
    f_a, f_b = y[:n].T, y[n:2 * n].T                                  # (s, n)
    f_ab = y[2 * n:].reshape(d, n, s).transpose(0, 2, 1)               # (d, s, n)

    result = stats.sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    first = np.array(result.first_order, dtype=float).reshape(s, d)
    total = np.array(result.total_order, dtype=float).reshape(s, d)
    intervals = _bootstrap(f_a, f_b, f_ab, boot_rng, confidence, n_resamples)
    first[undefined], total[undefined] = np.nan, np.nan
    intervals[0][:, :, undefined], intervals[1][:, :, undefined] = np.nan, np.nan

    rows = []
    for k, output in enumerate(outputs):
        for i, factor in enumerate(factors):
            (f_lo, f_hi), (t_lo, t_hi) = intervals[0][:, i, k], intervals[1][:, i, k]
            rows.append({"factor": factor, "output": output,
                         "first": float(first[k, i]), "first_low": float(f_lo),
                         "first_high": float(f_hi), "total": float(total[k, i]),
                         "total_low": float(t_lo), "total_high": float(t_hi)})
    frame = pd.DataFrame(rows, columns=list(SOBOL_COLUMNS))
    frame.attrs.update({"n": n, "seed": seed, "evaluations": len(design), "confidence": confidence,
                        "n_resamples": n_resamples})
    return frame


def _evaluated(func: Callable[[np.ndarray], np.ndarray], u: np.ndarray, s: int) -> np.ndarray:
    y = np.asarray(func(u), dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != (len(u), s):
        raise ValueError(f"func returned shape {y.shape} for {len(u)} rows; "
                         f"expected ({len(u)}, {s})")
    return y


def _row_sums(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """Per-row terms (n, 4 s + 2 d s) whose weighted means give every index.

    Means of these columns over any resample of rows give the output
    variance and both estimators, so a resample costs one matrix product.
    """
    first_terms = f_b * (f_ab - f_a)              # (d, s, n)
    total_terms = 0.5 * (f_a - f_ab) ** 2         # (d, s, n)
    return np.concatenate([f_a, f_a ** 2, f_b, f_b ** 2,
                           first_terms.reshape(-1, f_a.shape[1]),
                           total_terms.reshape(-1, f_a.shape[1])]).T


def _bootstrap(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray, rng: np.random.Generator,
               confidence: float, n_resamples: int) -> tuple[np.ndarray, np.ndarray]:
    """BCa intervals of first and total indices: two arrays (2 [low, high], d, s)."""
    d, s, n = f_ab.shape
    # Centre as scipy.stats.sobol_indices does, so the statistic on all rows is its estimate.
    mean = 0.5 * (f_a.mean(axis=-1) + f_b.mean(axis=-1))[:, None]
    f_a, f_b, f_ab = f_a - mean, f_b - mean, f_ab - mean
    live = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1) > 0   # (s,)
    first = np.zeros((2, d, s))
    total = np.zeros((2, d, s))
    if not live.any():
        return first, total
    f_a, f_b, f_ab = f_a[live], f_b[live], f_ab[:, live]
    s_live = int(live.sum())
    terms = _row_sums(f_a, f_b, f_ab)                                    # (n, k)

    def statistic(index: np.ndarray, axis: int = -1) -> np.ndarray:
        # Resampled rows as counts per row, so that the means are one matrix product.
        single = np.ndim(index) == 1
        index = np.atleast_2d(index)
        batch, size = index.shape
        offsets = index + n * np.arange(batch)[:, None]
        counts = np.bincount(offsets.ravel(), minlength=batch * n).reshape(batch, n)
        m = counts @ terms / size                                         # (batch, k)
        ma, ma2, mb, mb2 = (m[:, j * s_live:(j + 1) * s_live] for j in range(4))
        var = 0.5 * (ma2 + mb2) - (0.5 * (ma + mb)) ** 2                  # (batch, s)
        est = m[:, 4 * s_live:].reshape(batch, 2, d, s_live) / var[:, None, None, :]
        out = est.reshape(batch, -1).T                                    # (2 d s, batch)
        return out[:, 0] if single else out

    batch = max(1, min(n_resamples, 4_000_000 // max(n, 1)))
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # degenerate factors: repaired below
        res = stats.bootstrap((np.arange(n),), statistic, vectorized=True,
                              n_resamples=n_resamples, batch=batch, method="BCa",
                              confidence_level=confidence, rng=rng)
    low = np.asarray(res.confidence_interval.low, dtype=float)
    high = np.asarray(res.confidence_interval.high, dtype=float)
    dist = np.asarray(res.bootstrap_distribution, dtype=float)            # (2 d s, R)
    point = statistic(np.arange(n))
    broken = ~(np.isfinite(low) & np.isfinite(high))
    if broken.any():
        # BCa fails where the resampled index does not vary (a factor with no effect):
        # the interval is then the point itself; elsewhere fall back to percentiles.
        flat = np.ptp(dist, axis=-1) == 0
        alpha = 1.0 - confidence
        q_low, q_high = np.quantile(dist, [alpha / 2, 1 - alpha / 2], axis=-1)
        low = np.where(broken, np.where(flat, point, q_low), low)
        high = np.where(broken, np.where(flat, point, q_high), high)
    bounds = np.stack([low, high]).reshape(2, 2, d, s_live)              # (end, kind, d, s)
    first[:, :, live] = bounds[:, 0]
    total[:, :, live] = bounds[:, 1]
    return first, total
