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
    return parser


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

    from .extract import dump_terms, extract_file, render_table

    terms = []
    for path in args.files:  # read every file first: a bad one stops before anything is written
        terms.extend(extract_file(path, published=args.published, currency=args.currency))
    Console().print(render_table(terms))
    if args.out is not None:
        dump_terms(terms, args.out)
        print(f"{len(terms)} terms written to {args.out}")
    return 0


def _jsonable(data: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in data.items()}


_COMMANDS = {"run": _run, "extract": _extract}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
