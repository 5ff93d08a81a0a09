"""Terms as reviewable records: YAML / JSON files and a terminal table.

A terms file is a mapping with ``terms:`` (one record per term, see
:func:`term_to_record`) and, when it was written from :func:`extract_many`,
``documents:`` (each release's file, date and issuer) and ``aliases:`` (program
name -> canonical id).  :func:`read_terms` reads it back, checking every field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table

from finmodel._yaml import dump_yaml, read_yaml, write_text_atomic
from finmodel.errors import InputError
from finmodel.periods import Period

from .history import Document, Extraction
from .terms import KINDS, Term

__all__ = ["TermsFile", "dump_terms", "read_terms", "record_to_term", "render_table",
           "term_to_record", "terms_to_records"]


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


def document_to_record(doc: Document) -> dict[str, Any]:
    """One release of an extraction as plain data (the date as an ISO string)."""
    return {"file": doc.source, "published": doc.published and doc.published.isoformat(),
            "how": doc.how, "evidence": doc.evidence, "issuer": doc.issuer, "line": doc.line}


def dump_terms(terms: Iterable[Term] | Extraction, path: str | Path) -> None:
    """Write terms to ``path``: JSON if it ends in ``.json``, else YAML; atomically.

    Given an :class:`~finmodel.extract.Extraction` (from ``extract_many``), the
    file also lists the releases (``documents``: file, date, issuer) and the
    program aliases, and ``terms`` holds every mention with canonical program
    ids: what ``finmodel draft`` needs to date and cite each fact.
    """
    if isinstance(terms, Extraction):
        records: dict[str, Any] = {
            "documents": [document_to_record(d) for d in terms.documents],
            "aliases": dict(sorted(terms.aliases.items())),
            "terms": terms_to_records(terms.all_terms),
        }
    else:
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


# --------------------------------------------------------------------------- reading back

#: Kinds whose record must carry a number in ``value`` (a draft cannot use them without).
NUMERIC_KINDS = frozenset({
    "cash", "burn_rate", "cost_reduction", "financing", "warrant", "conversion",
    "milestone_total", "royalty_tier", "royalty_cap", "shares", "sales_forecast",
    "funding_commitment", "headcount", "equity_stake",
})


_NUMERIC_ATTRS = frozenset({"count", "share", "percent", "low", "high", "amount_before",
                            "term_months", "starts_after_months"})
_TEXT_ATTRS = frozenset({"phase", "event", "descriptor", "period_text", "qualifier",
                         "instrument", "component", "bound", "level", "scope", "expiry_from"})


@dataclass(frozen=True)
class TermsFile:
    """A terms file read back: terms, the releases they came from, program aliases."""

    terms: list[Term]
    documents: list[Document] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _number(value: Any, where: str, *, required: bool = False) -> float | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"expected a number, found {_kind_of(value)} {value!r}", field=where)
    return float(value)


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise InputError(f"expected text, found {_kind_of(value)} {value!r}", field=where)
    return value


def _day(value: Any, where: str) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"expected a date YYYY-MM-DD, found {value!r}", field=where)


def record_to_term(record: Any, where: str = "term") -> Term:
    """A term from its record (the inverse of :func:`term_to_record`).

    Required: ``kind`` (one of :data:`~finmodel.extract.KINDS`), ``source`` with
    ``file`` and ``line``, and ``value`` for the kinds in :data:`NUMERIC_KINDS`.
    Other fields default to empty.

    Raises
    ------
    InputError
        Naming the field (``terms.3.source.line``) and what was wrong.
    """
    if not isinstance(record, Mapping):
        raise InputError(f"expected a mapping of term fields, found {_kind_of(record)}",
                         field=where)
    unknown = sorted(set(record) - {"kind", "value", "value_high", "currency", "unit", "period",
                                    "program", "counterparty", "attrs", "source"})
    if unknown:
        raise InputError(f"unknown field '{unknown[0]}'", field=f"{where}.{unknown[0]}")
    if "kind" not in record:
        raise InputError("required field is missing", field=f"{where}.kind")
    kind = record["kind"]
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}",
                         field=f"{where}.kind")
    if kind in NUMERIC_KINDS and record.get("value") is None:
        raise InputError(f"a {kind} term needs a number"
                         + ("" if "value" in record else "; required field is missing"),
                         field=f"{where}.value")
    value = _number(record.get("value"), f"{where}.value")
    value_high = _number(record.get("value_high"), f"{where}.value_high")
    currency = _text(record.get("currency"), f"{where}.currency")
    if currency is not None and not (len(currency) == 3 and currency.isalpha()
                                     and currency.isupper()):
        raise InputError(f"expected an ISO currency code such as USD, found {currency!r}",
                         field=f"{where}.currency")
    period = record.get("period")
    if period is not None:
        if not isinstance(period, (list, tuple)) or len(period) != 2:
            raise InputError(f"expected [start, end] dates, found {period!r}",
                             field=f"{where}.period")
        start, end = (_day(d, f"{where}.period.{i}") for i, d in enumerate(period))
        if start is None or end is None or start > end:
            raise InputError(f"expected [start, end] with start <= end, found {period!r}",
                             field=f"{where}.period")
        period = Period(start, end)
    attrs = record.get("attrs") or {}
    if not isinstance(attrs, Mapping):
        raise InputError(f"expected a mapping, found {_kind_of(attrs)}", field=f"{where}.attrs")
    for key, item in attrs.items():
        if key in _NUMERIC_ATTRS:
            _number(item, f"{where}.attrs.{key}")
        elif key in _TEXT_ATTRS:
            _text(item, f"{where}.attrs.{key}")
    source = record.get("source")
    if not isinstance(source, Mapping):
        raise InputError("required field is missing" if source is None else
                         f"expected a mapping with file and line, found {_kind_of(source)}",
                         field=f"{where}.source")
    for key in ("file", "line"):
        if key not in source:
            raise InputError("required field is missing", field=f"{where}.source.{key}")
    file = _text(source["file"], f"{where}.source.file", required=True)
    line = source["line"]
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise InputError(f"expected a line number >= 1, found {line!r}",
                         field=f"{where}.source.line")
    span = source.get("span") or [0, 0]
    if (not isinstance(span, (list, tuple)) or len(span) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in span)
            or span[0] > span[1]):
        raise InputError(f"expected [start, end] offsets, found {span!r}",
                         field=f"{where}.source.span")
    boilerplate = source.get("boilerplate", False)
    if not isinstance(boilerplate, bool):
        raise InputError(f"expected true or false, found {boilerplate!r}",
                         field=f"{where}.source.boilerplate")
    return Term(
        kind=kind, value=value, value_high=value_high, currency=currency,
        unit=_text(record.get("unit"), f"{where}.unit"), period=period,
        program=_text(record.get("program"), f"{where}.program"),
        counterparty=_text(record.get("counterparty"), f"{where}.counterparty"),
        quote=_text(source.get("quote"), f"{where}.source.quote") or "",
        span=(span[0], span[1]), source=file, line=line, boilerplate=boilerplate,
        attrs=dict(attrs),
    )


def _document(record: Any, where: str) -> Document:
    if not isinstance(record, Mapping):
        raise InputError(f"expected a mapping with file and published, found "
                         f"{_kind_of(record)}", field=where)
    if "file" not in record:
        raise InputError("required field is missing", field=f"{where}.file")
    published = _day(record.get("published"), f"{where}.published")
    line = record.get("line")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        raise InputError(f"expected a line number >= 1, found {line!r}", field=f"{where}.line")
    return Document(_text(record["file"], f"{where}.file"), published,
                    _text(record.get("how"), f"{where}.how") or
                    ("given" if published else "unknown"),
                    _text(record.get("evidence"), f"{where}.evidence"),
                    _text(record.get("issuer"), f"{where}.issuer"), line)


def read_terms(path: str | Path) -> TermsFile:
    """Read a terms file written by :func:`dump_terms` (YAML or JSON), checking every field.

    Raises
    ------
    InputError
        Naming the file and the field: unreadable or malformed file, no
        ``terms`` list, an unknown kind, a missing or ill-typed field.
    """
    name = str(path)
    data = read_yaml(path)  # JSON is YAML 1.2
    try:
        if isinstance(data, list):
            data = {"terms": data}
        if not isinstance(data, Mapping):
            raise InputError(f"expected a mapping with a 'terms' list, found {_kind_of(data)}")
        unknown = sorted(set(data) - {"terms", "documents", "aliases"})
        if unknown:
            raise InputError(f"unknown key '{unknown[0]}'; expected terms, documents, aliases",
                             field=unknown[0])
        records = data.get("terms")
        if not isinstance(records, list):
            raise InputError("required field is missing" if records is None else
                             f"expected a list of terms, found {_kind_of(records)}", field="terms")
        terms = [record_to_term(r, f"terms.{i}") for i, r in enumerate(records)]
        docs = data.get("documents") or []
        if not isinstance(docs, list):
            raise InputError(f"expected a list, found {_kind_of(docs)}", field="documents")
        documents = [_document(d, f"documents.{i}") for i, d in enumerate(docs)]
        aliases = data.get("aliases") or {}
        if not isinstance(aliases, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
            raise InputError("expected a mapping of program name to id", field="aliases")
    except InputError as exc:
        raise exc.located(file=name) from None
    return TermsFile(terms, documents, {k.lower(): v for k, v in aliases.items()})
