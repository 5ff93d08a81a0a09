"""``extract(text) -> list[Term]`` and ``extract_file(path)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from finmodel.errors import ExtractionError
from finmodel.periods import find_periods

from . import events, rules
from .context import Context
from .dateline import Dateline, find_issuer, read_dateline
from .money import infer_currency
from .programs import find_orgs, find_programs
from .terms import Term
from .text import layout

__all__ = ["Analysis", "analyse", "extract", "extract_file", "read_release"]

_MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Analysis:
    """Everything learned from one release.

    ``aliases`` maps each program id to the names it goes by in the release;
    ``name_sorts`` tells, per lower-case name, whether it is a trade name, an
    INN, a code... (see :data:`.programs.NAME_SORTS`).
    """

    source: str | None
    terms: list[Term]
    dateline: Dateline
    aliases: dict[str, frozenset[str]]
    name_sorts: dict[str, str]


def analyse(text: str, published: date | None = None, source: str | None = None,
            currency: str | None = None) -> Analysis:
    """Extract the terms of one release, with its date and its program names.

    Parameters are those of :func:`extract`.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the release text as str, found {type(text).__name__}")
    issuer = find_issuer(text)
    lay = layout(text, issuer)
    dateline = read_dateline(text, lay, published)
    programs = find_programs(text, [s.start for s in lay.sentences])
    ctx = Context(
        text=text, lay=lay, programs=programs,
        orgs=find_orgs(text, issuer), periods=find_periods(text, dateline.date),
        currency=(currency or infer_currency(text)).upper(), published=dateline.date,
        source=source, body_start=dateline.start,
    )
    terms = [
        *rules.money_terms(ctx), *rules.count_terms(ctx), *events.phase_terms(ctx),
        *events.runway_terms(ctx), *events.event_terms(ctx), *events.royalty_rate_terms(ctx),
        *events.license_terms(ctx),
    ]
    return Analysis(source, _tidy(terms, ctx.body_start), dateline,
                    {k: frozenset(v) for k, v in programs.aliases.items()}, dict(programs.sorts))


def extract(text: str, published: date | None = None, source: str | None = None,
            currency: str | None = None) -> list[Term]:
    """Pull every deal term out of a press release.

    Parameters
    ----------
    text : str
        The release, as text (offsets in the result index it).
    published : datetime.date, optional
        Release date; overrides the dateline. Time phrases are resolved against it.
    source : str, optional
        Label stored on every term (usually the file name).
    currency : str, optional
        ISO code a bare ``$`` stands for; inferred from the listing / home city
        when not given (TSX, Vancouver → CAD; NASDAQ, NYSE → USD; else USD).

    Returns
    -------
    list of Term
        In text order. Terms inside legal boilerplate are kept with
        ``boilerplate=True``; a headline term repeated in the body is dropped.

    Examples
    --------
    >>> t = extract("BOSTON, March 3, 2011 -- Acme Inc. (NASDAQ: ACME) raised "
    ...             "$12.5 million in a private placement.")
    >>> [(x.kind, x.value, x.currency) for x in t]
    [('financing', 12500000.0, 'USD')]
    """
    return analyse(text, published, source, currency).terms


def _headline_key(term: Term) -> tuple:
    return term.kind, term.value, term.currency


def _tidy(terms: list[Term], body_start: int) -> list[Term]:
    """Sort, drop exact duplicates and headline terms the body repeats."""
    unique = {(t.kind, t.span): t for t in terms}
    ordered = sorted(unique.values(), key=lambda t: (t.span, t.kind))
    body = {_headline_key(t) for t in ordered if t.span[0] >= body_start}
    return [t for t in ordered if t.span[0] >= body_start or _headline_key(t) not in body]


def read_release(path: str | Path) -> str:
    """Read a release file as text.

    Raises
    ------
    ExtractionError
        One line naming the file: missing, unreadable, a directory, too large,
        or not UTF-8 text.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise ExtractionError(f"{name}: expected a file, found a directory") from None
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read file ({exc.strerror})") from None
    if len(raw) > _MAX_BYTES:
        raise ExtractionError(f"{name}: file too large ({len(raw)} bytes)")
    if b"\x00" in raw:
        raise ExtractionError(f"{name}: expected text, found binary data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: expected UTF-8 text, found an undecodable byte at {exc.start}") from None


def extract_file(path: str | Path, published: date | None = None,
                 currency: str | None = None) -> list[Term]:
    """:func:`extract` on a file; ``source`` is the file's name as given.

    Raises
    ------
    ExtractionError
        If the file cannot be read or decoded (one line naming the file).
    """
    return extract(read_release(path), published, str(path), currency)
