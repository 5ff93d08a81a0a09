"""Benchmark of the Monte Carlo engine against the slow per-path reference.

``python -m finmodel.bench [--paths N] [--workers K] [--reference-paths M]``
prints one JSON line, then a readable table:

- wall time and paths per second of ``simulate(scenario, N, seed)`` with a
  ``ProcessPoolExecutor(K)`` and in-process, each run in a fresh child
  process so its peak memory is its own;
- peak memory of that child's process tree: the sum of the resident set
  sizes of the child and its workers, sampled every 20 ms with psutil when
  it is installed (the in-process run also reports its exact ``ru_maxrss``); otherwise from ``getrusage``: the child's peak plus K times
  its largest worker's peak (an upper bound);
- the reference's paths per second on the first M paths of the same run,
  the speed ratio per path, and the largest relative difference between the
  engine and the reference on those paths;
- Sobol indices (``finmodel.sensitivity.sobol``, N = 4096) and the exact
  ``finmodel.run``, when available.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["OUTPUTS", "compare_reference", "main"]

OUTPUTS = ("company_npv", "holder_npv", "holder_irr", "runway_months", "per_share")
"""Per-path outputs compared between the engine and the reference."""

ATOL_MONEY = 1e-6
"""Absolute difference accepted for amounts near zero (currency units), as the tests do."""

RTOL = 1e-12
"""The relative difference the engine must stay within."""

_SAMPLE_SECONDS = 0.02
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def _default_scenario() -> Path:
    local = Path("inputs/migenix.yaml")
    return local if local.exists() else _PACKAGE_ROOT / "inputs" / "migenix.yaml"


def _mib(kib: float) -> float:
    """``ru_maxrss`` (KiB on Linux) in MiB."""
    return kib / 1024.0


# ---------------------------------------------------------------- the timed child


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one timed simulation in this process (a child of the benchmark).

    The pool is started and warmed up (workers import the package and build
    the path model) before the clock starts; its start-up is reported apart.
    """
    import finmodel as fm
    from finmodel.simulate import BLOCK

    scenario = fm.load_scenario(spec["scenario"])
    paths, seed, workers = spec["paths"], spec["seed"], spec["workers"]
    pool = None
    started = time.perf_counter()
    if workers:
        pool = ProcessPoolExecutor(workers)
    warm = min(paths, max(1, workers) * BLOCK)
    fm.simulate(scenario, paths=warm, seed=seed, executor=pool, progress=False)
    warm_s = time.perf_counter() - started
    started = time.perf_counter()
    sim = fm.simulate(scenario, paths=paths, seed=seed, executor=pool, progress=False)
    wall = time.perf_counter() - started
    if pool is not None:
        pool.shutdown(wait=True)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "wall_s": wall,
        "paths_per_s": paths / wall,
        "warm_up_s": warm_s,
        "rows": len(sim.samples),
        "mean_company_npv": float(sim.samples["company_npv"].mean()),
        "maxrss_self_mib": _mib(own),
        "maxrss_worker_mib": _mib(children) if workers else 0.0,
    }


def _tree_rss(process) -> int:
    """Resident bytes of a process and all its descendants (psutil)."""
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def _timed_in_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`_child` in a fresh interpreter, sampling its tree's memory meanwhile."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT),
                                                      env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, "-m", "finmodel.bench", "--child", json.dumps(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak, method = 0, "ru_maxrss"
    try:
        import psutil

        watched = psutil.Process(proc.pid)
        method = "psutil"
        while proc.poll() is None:
            try:
                peak = max(peak, _tree_rss(watched))
            except psutil.NoSuchProcess:
                break
            time.sleep(_SAMPLE_SECONDS)
    except ImportError:
        pass
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed (exit {proc.returncode}):\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    if method == "psutil":
        result["peak_rss_mib"] = peak / 2**20
    else:
        result["peak_rss_mib"] = (result["maxrss_self_mib"]
                                  + spec["workers"] * result["maxrss_worker_mib"])
    result["memory_method"] = method
    return result


# ---------------------------------------------------------------- the reference


def _relative(key: str, engine: float, reference: float, shares: float) -> float:
    """Difference relative to the reference, measured as the tests judge it.

    The tests accept ``|engine - reference| <= max(RTOL * |reference|, atol)``;
    this returns the difference over ``max(|reference|, atol / RTOL)``, so a
    value within ``RTOL`` passes both. The floor matters where a value is a
    small difference of large terms: equity per share can be a few millionths
    of a dollar left from cash and NPVs of millions.
    """
    if engine == reference:
        return 0.0
    if not (math.isfinite(engine) and math.isfinite(reference)):
        return math.inf
    atol = {"holder_irr": 1e-12, "per_share": ATOL_MONEY / shares,
            "runway_months": 0.0}.get(key, ATOL_MONEY)
    return abs(engine - reference) / max(abs(reference), atol / RTOL)


def compare_reference(scenario, paths: int, seed: int) -> dict[str, Any]:
    """Time the reference on the first ``paths`` paths of a run and compare it with the engine.

    Parameters
    ----------
    scenario : Scenario
    paths : int
        Paths to value with the reference (the first ones of ``simulate(scenario, ..., seed)``).
    seed : int

    Returns
    -------
    dict
        ``reference_paths``, ``reference_s``, ``reference_paths_per_s``,
        ``max_rel_diff`` and where it occurred (``max_rel_diff_output``, ``max_rel_diff_path``).
    """
    from .engine.reference import Reference
    from .simulate import BLOCK, PathModel, block_uniforms

    model = PathModel(scenario)
    blocks = [block_uniforms("random", seed, b, min(BLOCK, paths - b * BLOCK), model.dimension)
              for b in range(-(-paths // BLOCK))]
    u = np.concatenate(blocks)
    out, sampled, outcomes, events = model.rows(u)
    rows = [({k: float(v[r]) for k, v in sampled.items()},
             {pid: int(o[r]) for pid, o in outcomes.items()},
             {pid: {e: float(np.broadcast_to(x, (paths,))[r]) for e, x in ev.items()}
              for pid, ev in events.items()}) for r in range(paths)]
    reference = Reference(scenario)
    started = time.perf_counter()
    results = [reference.path(*row) for row in rows]
    seconds = time.perf_counter() - started
    shares = float(scenario.capital.shares_outstanding)
    worst, where = 0.0, (None, None)
    for r, got in enumerate(results):
        for key in OUTPUTS:
            d = _relative(key, float(getattr(out, key)[r]), float(got[key]), shares)
            if d > worst:
                worst, where = d, (key, r)
    return {
        "reference_paths": paths,
        "reference_s": seconds,
        "reference_paths_per_s": paths / seconds,
        "max_rel_diff": worst,
        "max_rel_diff_output": where[0],
        "max_rel_diff_path": where[1],
    }


# ---------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m finmodel.bench", description=__doc__.splitlines()[0])
    p.add_argument("--paths", type=int, default=1_000_000, help="Monte Carlo paths (1,000,000)")
    p.add_argument("--workers", type=int, default=2,
                   help="processes of the pool (2; 0 runs only in-process)")
    p.add_argument("--reference-paths", type=int, default=300,
                   help="paths valued by the slow reference (300)")
    p.add_argument("--seed", type=int, default=20080708)
    p.add_argument("--scenario", type=Path, default=None, help="scenario YAML (the default one)")
    p.add_argument("--sobol-n", type=int, default=4096, help="Sobol base sample (0: skip)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p


def _table(r: dict[str, Any]) -> str:
    def f(x: Any, spec: str) -> str:
        return "n/a" if x is None else format(x, spec)

    lines = [
        (f"finmodel benchmark: {r['scenario']}, {r['paths']:,} paths, seed {r['seed']}, "
         f"{r['cpus']} CPUs, load {r['load_avg_1m']:.1f} before the run"),
        "",
        f"{'':34s}{'wall s':>10s}{'paths/s':>14s}{'peak MiB':>11s}",
    ]
    for label, key in ((f"simulate, {r['workers']} worker process(es)", "pool"),
                       ("simulate, in-process", "inprocess")):
        if r.get(f"{key}_wall_s") is None:
            continue
        lines.append(f"{label:34s}{r[f'{key}_wall_s']:>10.3f}{r[f'{key}_paths_per_s']:>14,.0f}"
                     f"{r[f'{key}_peak_rss_mib']:>11.0f}")
    lines.append(f"{'reference, one path at a time':34s}{r['reference_s']:>10.3f}"
                 f"{r['reference_paths_per_s']:>14,.0f}{'':>11s}")
    lines += [
        "",
        (f"speed per path vs reference      : {f(r['speedup_per_path'], ',.0f')}x in-process"
         + ("" if r["speedup_per_path_pool"] is None
            else f", {r['speedup_per_path_pool']:,.0f}x with the pool")),
        (f"max relative difference          : {r['max_rel_diff']:.2e} "
         f"({r['max_rel_diff_output']}, path {r['max_rel_diff_path']}) on "
         f"{r['reference_paths']} paths"),
        f"Sobol indices, N = {r['sobol_n']:<13}: {f(r['sobol_s'], '.2f')} s",
        f"exact run()                      : {f(r['run_s'], '.3f')} s",
        f"memory                           : {r['memory_method']} (process tree of the run)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child is not None:
        print(json.dumps(_child(json.loads(args.child))), flush=True)
        return 0
    import finmodel as fm

    path = args.scenario or _default_scenario()
    scenario = fm.load_scenario(path)
    spec = {"scenario": str(path), "paths": args.paths, "seed": args.seed}
    result: dict[str, Any] = {
        "scenario": str(path), "paths": args.paths, "workers": args.workers, "seed": args.seed,
        "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
        "load_avg_1m": os.getloadavg()[0],      # other work on the machine skews the times
    }
    pool = _timed_in_child({**spec, "workers": args.workers}) if args.workers else None
    solo = _timed_in_child({**spec, "workers": 0})
    for key, run in (("pool", pool), ("inprocess", solo)):
        run = run or {}
        result[f"{key}_wall_s"] = run.get("wall_s")
        result[f"{key}_paths_per_s"] = run.get("paths_per_s")
        result[f"{key}_peak_rss_mib"] = run.get("peak_rss_mib")
        result[f"{key}_warm_up_s"] = run.get("warm_up_s")
    result["inprocess_maxrss_mib"] = solo["maxrss_self_mib"]
    result["memory_method"] = solo["memory_method"]
    result["mean_company_npv"] = solo["mean_company_npv"]

    result.update(compare_reference(scenario, args.reference_paths, args.seed))
    per_ref = result["reference_s"] / args.reference_paths
    result["speedup_per_path"] = per_ref * solo["paths_per_s"]
    result["speedup_per_path_pool"] = per_ref * pool["paths_per_s"] if pool else None

    from . import sensitivity

    result["sobol_n"] = args.sobol_n
    result["sobol_s"] = None
    if args.sobol_n and hasattr(sensitivity, "sobol"):
        started = time.perf_counter()
        sensitivity.sobol(scenario, n=args.sobol_n)
        result["sobol_s"] = time.perf_counter() - started
    fm.run(scenario)                                   # warm caches and imports
    times = []
    for _ in range(3):
        started = time.perf_counter()
        fm.run(scenario)
        times.append(time.perf_counter() - started)
    result["run_s"] = min(times)

    print(json.dumps(result), flush=True)
    print(_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
