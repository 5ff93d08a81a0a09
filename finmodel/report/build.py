"""``report()``: value a scenario, draw every chart and page, write PDF, PNG and xlsx.

Three steps, in this order:

1. check the arguments and gather the results (:func:`finmodel.run`,
   :func:`finmodel.simulate`, the sensitivities, the guidance history);
   bad input raises :class:`~finmodel.errors.InputError` here;
2. render every file into memory (PDF pages, one PNG per chart, the workbook);
3. write each file to a temporary file beside its target, and only when all
   are written rename them into place (``os.replace``).

A failure in steps 1 and 2 leaves the output directory untouched; one in step
3 removes the temporary files it made, so an earlier report stays intact.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..scenario import Scenario, load_scenario

__all__ = [
    "DEFAULT_PATHS",
    "DEFAULT_SEED",
    "SOBOL_N",
    "ReportData",
    "ReportFiles",
    "gather",
    "release_files",
    "render",
    "report",
    "report_name",
]

DEFAULT_PATHS = 100_000
"""Monte Carlo paths of a report unless told otherwise."""
DEFAULT_SEED = 1
"""Seed of a report unless told otherwise: the same inputs give the same bytes."""
SOBOL_N = 4096
"""Base sample of the Sobol indices (the engine evaluates ``n * (factors + 2)`` paths)."""

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReportFiles:
    """The files a report wrote.

    Attributes
    ----------
    pdf, xlsx : Path
    png : tuple of Path
        One per chart, in page order.
    seconds : float
        Wall time of the whole report.
    """

    pdf: Path
    xlsx: Path
    png: tuple[Path, ...]
    seconds: float = 0.0

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written: the PDF, the workbook, then the PNGs."""
        return (self.pdf, self.xlsx, *self.png)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


@dataclass(frozen=True, eq=False)
class ReportData:
    """Every result a report shows; the renderers only read it.

    Attributes
    ----------
    scenario : Scenario
    source : str or None
        The scenario file, when the report was given one.
    valuation : Valuation
    simulation : Simulation
    seed : int or None
    tornado, spider, sobol : DataFrame
        :mod:`finmodel.sensitivity` results for its default outputs.
    history : DataFrame or None
        Guidance history of the releases; None when no releases were given.
    releases : tuple of Path
    register : DataFrame
        :meth:`Scenario.register`: every input, sourced or assumed.
    missing : dict
        Part -> why it is absent (shown on its page).
    """

    scenario: Scenario
    source: str | None
    valuation: object
    simulation: object
    seed: int | None
    tornado: pd.DataFrame
    spider: pd.DataFrame
    sobol: pd.DataFrame
    history: pd.DataFrame | None
    releases: tuple[Path, ...]
    register: pd.DataFrame
    missing: Mapping[str, str]

    @property
    def currency(self) -> str:
        return self.scenario.company.currency

    @property
    def program_names(self) -> dict[str, str]:
        return {pid: p.name for pid, p in self.scenario.programs.items()}


# ---------------------------------------------------------------- the entry point


def report(scenario: Scenario | str | os.PathLike, out: str | os.PathLike = "reports",
           paths: int = DEFAULT_PATHS, seed: int | None = DEFAULT_SEED,
           releases: str | os.PathLike | Iterable[str | os.PathLike] | None = None,
           progress: Progress | None = None) -> ReportFiles:
    """Write the report of a scenario: ``<out>/<name>.pdf``, ``<out>/<name>.xlsx`` and one
    ``<out>/<name>-<chart>.png`` per chart.

    Parameters
    ----------
    scenario : Scenario, str or path
        A scenario, or its YAML file. ``<name>`` is the file's stem, else the
        scenario's name in lower case with hyphens (:func:`report_name`).
    out : str or path
        Output directory, created if missing.
    paths : int
        Monte Carlo paths (default :data:`DEFAULT_PATHS`).
    seed : int or None
        Seed of the Monte Carlo and the Sobol indices; None draws fresh numbers
        (the files then differ run to run).
    releases : directory, file, or iterable of files, optional
        Press releases (``.txt``) for the guidance-history page; a directory
        means every ``*.txt`` in it. None: the page says none were given.
    progress : callable(str), optional
        Called with a short line as each step starts.

    Returns
    -------
    ReportFiles

    Raises
    ------
    InputError
        Bad scenario, argument or release path; raised before anything is written.
    """
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    scenario, source = _scenario(scenario)
    paths = _positive_int(paths, "paths")
    seed = _seed(seed)
    files = release_files(releases)
    out = _out_dir(out)
    name = report_name(scenario, source)

    data = gather(scenario, paths=paths, seed=seed, releases=files, source=source, progress=say)
    rendered = render(data, name, progress=say)
    say(f"writing {len(rendered)} files to {out}")
    written = _write_all(out, rendered)
    pdf = written[f"{name}.pdf"]
    xlsx = written[f"{name}.xlsx"]
    png = tuple(p for f, p in written.items() if f.endswith(".png"))
    return ReportFiles(pdf, xlsx, png, seconds=time.perf_counter() - started)


# ---------------------------------------------------------------- arguments


def report_name(scenario: Scenario, source: str | None = None) -> str:
    """File stem of a report: the scenario file's stem, else its name slugified
    (``"MIGENIX Inc. (July 2008)"`` -> ``"migenix-inc-july-2008"``)."""
    if source:
        return Path(source).stem
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")
    return slug or "report"


def _scenario(scenario) -> tuple[Scenario, str | None]:
    if isinstance(scenario, Scenario):
        return scenario, None
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario), str(scenario)
    raise InputError(f"expected a Scenario or a scenario file, found {type(scenario).__name__}",
                     field="scenario")


def _positive_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"expected a whole number >= 1, found {value!r}", field=field)
    return value


def _seed(seed) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"expected a whole number >= 0 or None, found {seed!r}", field="seed")
    return seed


def _out_dir(out) -> Path:
    if not isinstance(out, (str, os.PathLike)):
        raise InputError(f"expected a directory path, found {type(out).__name__}", field="out")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError("exists and is not a directory", file=str(path))
    return path


def release_files(releases) -> tuple[Path, ...]:
    """The release files to read: every ``*.txt`` of a directory (sorted), a file, or each
    of several. Raises InputError for a path that does not exist."""
    if releases is None:
        return ()
    items = [releases] if isinstance(releases, (str, os.PathLike)) else list(releases)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(path.glob("*.txt"))
            if not found:
                raise InputError("no release files (*.txt) in this directory", file=str(path))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such release file or directory", file=str(path))
    return tuple(files)


# ---------------------------------------------------------------- gathering results


def gather(scenario: Scenario, *, paths: int = DEFAULT_PATHS, seed: int | None = DEFAULT_SEED,
           releases: tuple[Path, ...] = (), source: str | None = None,
           progress: Progress | None = None) -> ReportData:
    """Run every model a report shows (exact valuation, Monte Carlo, sensitivities) and read
    the guidance history of the releases."""
    from .. import extract_many, run, sensitivity, simulate
    from ..engine.timeline import months_between
    from .charts import runway_window

    say = progress or (lambda _line: None)
    say("exact valuation over the outcome tree")
    valuation = run(scenario)
    # The Monte Carlo cash fan covers the months the runway chart shows.
    fan_months = round(months_between(scenario.valuation_date, runway_window(valuation)))
    say(f"Monte Carlo: {paths:,} paths")
    simulation = simulate(scenario, paths=paths, seed=seed, fan_months=fan_months)

    missing: dict[str, str] = {}
    outputs = tuple(sensitivity.DEFAULT_OUTPUTS)
    say("sensitivity: tornado")
    tornado = sensitivity.tornado(scenario, outputs=outputs)
    say("sensitivity: spider")
    spider = sensitivity.spider(scenario, outputs=outputs)
    # Sobol indices need the output per path: only what the simulation computes.
    per_path = [o for o in outputs if o in simulation.samples.columns]
    for output in sorted(set(outputs) - set(per_path)):
        missing[f"sobol.{output}"] = f"{output} is not computed per Monte Carlo path"
    say(f"sensitivity: Sobol indices (n = {SOBOL_N:,})")
    sobol = sensitivity.sobol(scenario, n=SOBOL_N, seed=seed, outputs=per_path)

    history = None
    if releases:
        say(f"guidance history of {len(releases)} releases")
        history = extract_many(releases).guidance_history()
    else:
        missing["history"] = ("no press releases were given, so there is no guidance "
                              "history to show (pass releases=DIR)")
    return ReportData(scenario, source, valuation, simulation, seed, tornado, spider, sobol,
                      history, tuple(releases), scenario.register(), missing)


# ---------------------------------------------------------------- rendering


def render(data: ReportData, name: str, progress: Progress | None = None) -> dict[str, bytes]:
    """Every file of a report in memory: file name -> bytes (PDF, workbook, then PNGs)."""
    from .pdf import chart_specs, pdf_bytes, png_bytes
    from .sheets import report_sheets
    from .xlsx import workbook_bytes

    say = progress or (lambda _line: None)
    specs = chart_specs(data)
    say("PDF pages")
    files = {f"{name}.pdf": pdf_bytes(data, specs)}
    say("workbook")
    created = dt.datetime.combine(data.scenario.valuation_date, dt.time())
    files[f"{name}.xlsx"] = workbook_bytes(report_sheets(data), created=created,
                                           title=f"{data.scenario.name}: finmodel report")
    say(f"{len(specs)} charts as PNG")
    for spec in specs:
        files[f"{name}-{spec.key}.png"] = png_bytes(spec)
    return files


# ---------------------------------------------------------------- writing


def _write_all(out: Path, files: Mapping[str, bytes]) -> dict[str, Path]:
    """Write every file beside its target first, then rename them all into place."""
    out.mkdir(parents=True, exist_ok=True)
    temporary: dict[str, Path] = {}
    try:
        for name, payload in files.items():
            temporary[name] = _write_temporary(out, name, payload)
    except BaseException:
        for path in temporary.values():
            path.unlink(missing_ok=True)
        raise
    written = {}
    for name, path in temporary.items():
        target = out / name
        os.replace(path, target)
        written[name] = target
    return written


def _write_temporary(out: Path, name: str, payload: bytes) -> Path:
    """``payload`` in a new hidden file beside ``out / name`` (mode as the umask allows)."""
    path = out / f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
