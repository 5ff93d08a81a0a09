"""The ``finmodel`` command.

Bad input never produces a traceback: the command prints one line naming the
file and the field to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .errors import FinmodelError, InputError

DEFAULT_SCENARIO = Path("inputs/migenix.yaml")
DEFAULT_RELEASES = Path("../shared/seeds")

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a single line instead of the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="finmodel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="exact valuation of a scenario: runway and key figures")
    run.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO,
                     help=f"scenario YAML (default {DEFAULT_SCENARIO})")
    run.add_argument("--json", action="store_true", help="print the key figures as JSON")
    ext = sub.add_parser("extract", help="pull deal terms out of press releases, with sources")
    ext.add_argument("files", nargs="+", type=Path, help="release text files")
    ext.add_argument("-o", "--out", type=Path,
                     help="write the terms with file, line and span (.json, else YAML)")
    ext.add_argument("--published", type=_iso_date,
                     help="release date (YYYY-MM-DD) when the dateline lacks one")
    ext.add_argument("--currency", help="issuer's reporting currency for a bare '$'")

    draft = sub.add_parser("draft", help="a scenario skeleton from extracted terms, with sources")
    draft.add_argument("terms", type=Path, help="terms file written by 'finmodel extract -o'")
    draft.add_argument("-o", "--out", type=Path, required=True, help="scenario YAML to write")

    sim = sub.add_parser("simulate", help="Monte Carlo paths of a scenario: summary and samples")
    _scenario_arg(sim)
    sim.add_argument("--paths", type=_positive, default=100_000, help="paths (default 100000)")
    sim.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    sim.add_argument("--sampler", choices=("random", "sobol", "lhs"), default="random")
    sim.add_argument("--workers", type=_positive, default=1,
                     help="processes (default 1: this one)")
    sim.add_argument("--chunk", type=_positive, help="paths evaluated at once (memory)")
    sim.add_argument("--out", type=Path, help="write every path's sample (.parquet or .csv)")

    sens = sub.add_parser("sensitivity", help="tornado and Sobol indices of a scenario")
    _scenario_arg(sens)
    sens.add_argument("--n", type=_positive, default=4096,
                      help="Sobol base sample size (default 4096)")
    sens.add_argument("--seed", type=int, default=1, help="seed (default 1)")

    rep = sub.add_parser("report", help="PDF, PNG charts and xlsx schedules of a scenario")
    _scenario_arg(rep)
    rep.add_argument("--out", type=Path, default=Path("reports"), help="directory (default reports)")
    rep.add_argument("--paths", type=_positive, help="Monte Carlo paths")
    rep.add_argument("--seed", type=int, help="seed")
    rep.add_argument("--releases", type=Path,
                     help=f"press releases for the guidance history (default {DEFAULT_RELEASES} "
                          "when it exists)")
    return parser


def _scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO,
                        help=f"scenario YAML (default {DEFAULT_SCENARIO})")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return value


def _iso_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except InputError as exc:
        print(f"finmodel: {exc}", file=sys.stderr)
        return 2
    except FinmodelError as exc:
        print(f"finmodel: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from . import load_scenario, run
    from .console import print_valuation

    valuation = run(load_scenario(args.scenario))
    if args.json:
        print(json.dumps(_jsonable(valuation.summary()), indent=2))
    else:
        print_valuation(valuation)
    return 0


def _extract(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .extract import dump_terms, extract_file, extract_many, render_table

    terms = []
    for path in args.files:  # read every file first: a bad one stops before anything is written
        terms.extend(extract_file(path, published=args.published, currency=args.currency))
    Console().print(render_table(terms))
    if args.out is not None:
        # With the releases' dates, issuers and the aliases, so 'finmodel draft' needs no rereading.
        dump_terms(extract_many(args.files, currency=args.currency, published=args.published),
                   args.out)
        print(f"{len(terms)} terms written to {args.out}")
    return 0


def _draft(args: argparse.Namespace) -> int:
    from .extract.draft import write_draft

    path = write_draft(args.terms, args.out)
    print(f"scenario drafted to {path}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor

    from . import load_scenario, simulate
    from .console import print_simulation
    from ._yaml import write_atomic

    out = args.out
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(f"expected a .parquet or .csv file, found {out.name!r}",
                         file=str(out), field="--out")
    scenario = load_scenario(args.scenario)
    run = dict(paths=args.paths, seed=args.seed, sampler=args.sampler, chunk=args.chunk)
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as executor:
            result = simulate(scenario, executor=executor, **run)
    else:
        result = simulate(scenario, **run)
    print_simulation(result)
    if out is not None:
        def write(path: Path) -> None:
            if out.suffix.lower() == ".csv":
                result.samples.to_csv(path, index=False)
            else:
                result.samples.to_parquet(path, index=False)
        write_atomic(out, write)
        print(f"{len(result.samples):,} paths written to {out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from . import load_scenario
    from .console import print_sensitivity
    from .sensitivity import sobol, tornado

    scenario = load_scenario(args.scenario)
    print_sensitivity(scenario, tornado(scenario), sobol(scenario, n=args.n, seed=args.seed))
    return 0


def _report(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .report import report

    console = Console(stderr=True)
    releases = args.releases
    if releases is None and DEFAULT_RELEASES.is_dir():
        releases = DEFAULT_RELEASES
    options = {k: v for k, v in (("paths", args.paths), ("seed", args.seed)) if v is not None}
    progress = (lambda line: console.print(f"[dim]{line}[/dim]")) if console.is_terminal \
        else None
    files = report(args.scenario, out=args.out, releases=releases, progress=progress, **options)
    for path in files.paths:
        print(path)
    return 0


def _jsonable(data: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in data.items()}


_COMMANDS = {"run": _run, "extract": _extract, "draft": _draft, "simulate": _simulate,
             "sensitivity": _sensitivity, "report": _report}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
