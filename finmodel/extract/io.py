"""Terms as reviewable records: YAML / JSON files and a terminal table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.table import Table

from finmodel._yaml import dump_yaml, write_text_atomic

from .terms import Term

__all__ = ["dump_terms", "render_table", "term_to_record", "terms_to_records"]


def _plain(value: Any) -> Any:
    """Numbers that are whole become ints (29465, not 29465.0); others unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def term_to_record(term: Term) -> dict[str, Any]:
    """One term as plain data: every field, the period as ISO dates, the source location.

    Examples
    --------
    >>> term_to_record(Term("cash", 17e6, currency="CAD", quote="$17 million", span=(5, 16)))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'kind': 'cash', 'value': 17000000, 'value_high': None, 'currency': 'CAD', 'unit': None,
     'period': None, 'program': None, 'counterparty': None, 'attrs': {},
     'source': {'file': None, 'line': 1, 'span': [5, 16], 'quote': '$17 million',
                'boilerplate': False}}
    """
    period = None if term.period is None else [term.period.start.isoformat(),
                                                term.period.end.isoformat()]
    return {
        "kind": term.kind, "value": _plain(term.value), "value_high": _plain(term.value_high),
        "currency": term.currency, "unit": term.unit, "period": period,
        "program": term.program, "counterparty": term.counterparty,
        "attrs": {k: _plain(v) for k, v in term.attrs.items()},
        "source": {"file": term.source, "line": term.line, "span": list(term.span),
                   "quote": term.quote, "boilerplate": term.boilerplate},
    }


def terms_to_records(terms: Iterable[Term]) -> list[dict[str, Any]]:
    """Terms as a list of plain dicts (see :func:`term_to_record`)."""
    return [term_to_record(t) for t in terms]


def dump_terms(terms: Iterable[Term], path: str | Path) -> None:
    """Write terms to ``path``: JSON if it ends in ``.json``, else YAML; atomically."""
    records = {"terms": terms_to_records(terms)}
    if str(path).lower().endswith(".json"):
        text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    else:
        text = dump_yaml(records)
    write_text_atomic(path, text)


def _amount(term: Term) -> str:
    if term.value is None:
        low, high = term.attrs.get("low"), term.attrs.get("high")
        return f"{low:.0%}–{high:.0%}" if low is not None and high is not None else ""
    if term.unit == "percent" or term.kind in ("royalty_rate",):
        text = f"{term.value:.1%}"
        return text + (f"–{term.value_high:.1%}" if term.value_high is not None else "")
    text = f"{term.value:,.2f}".rstrip("0").rstrip(".")
    if term.value_high is not None:
        text += f"–{term.value_high:,.2f}".rstrip("0").rstrip(".")
    return f"{term.currency} {text}" if term.currency else text


def render_table(terms: Iterable[Term], title: str | None = None) -> Table:
    """A :class:`rich.table.Table` of terms, one row each, boilerplate rows dimmed."""
    table = Table(title=title, show_lines=False)
    for column in ("kind", "amount", "unit", "period", "program", "counterparty", "where",
                   "quote"):
        table.add_column(column, overflow="fold")
    for t in terms:
        where = f"{Path(t.source).name if t.source else ''}:{t.line}"
        detail = t.attrs.get("event") or t.attrs.get("phase") or t.unit or ""
        table.add_row(
            t.kind, _amount(t), str(detail), "" if t.period is None else str(t.period),
            t.program or "", t.counterparty or "", where, t.quote[:80],
            style="dim" if t.boilerplate else None,
        )
    return table
