"""The :class:`Term` record: one fact pulled out of a release, with where it was said."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["KINDS", "Term"]

#: Every kind a term can have (DESIGN.md, Term table).
KINDS: tuple[str, ...] = (
    "cash", "burn_rate", "cost_reduction", "financing", "warrant", "conversion",
    "license_deal", "milestone_total", "royalty_rate", "royalty_tier", "royalty_cap",
    "program_phase", "expected_event", "runway_guidance", "shares", "headcount",
    "sales_forecast", "funding_commitment", "equity_stake", "enrollment",
)


def _frozen_mapping(attrs: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(attrs or {}))


@dataclass(frozen=True)
class Term:
    """One deal term found in a release.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    value : float, optional
        The number in full units (``27e6`` for "US$27MM"); percentages as
        fractions; ``None`` when the term is qualitative ("double-digit royalty").
    value_high : float, optional
        Upper end of a stated range, else ``None``.
    currency : str, optional
        ISO 4217 code of a money value.
    unit : str, optional
        ``annual``, ``quarterly``, ``monthly``, ``per_unit``, ``per_share``,
        ``patients``, ``people``, ``common_shares``, ``percent``, ...
    period : finmodel.periods.Period, optional
        The time phrase of the term, resolved against the release date.
    program, counterparty : str, optional
        Program id as named in the release, and partner / investor / agent.
    quote : str
        Exact text the term came from: ``text[span[0]:span[1]] == quote``.
    span : tuple of int
        Character offsets of ``quote`` in the release text.
    source : str, optional
        File name (or any label) of the release.
    line : int
        1-based line of ``span[0]`` in the release.
    boilerplate : bool
        True when found inside legal boilerplate (forward-looking statements,
        "About the company"); such terms repeat the body and are not counted twice.
    attrs : Mapping
        Kind-specific fields: ``share`` (royalty tier), ``count`` (units,
        shares), ``low``/``high``/``descriptor`` (qualitative royalty),
        ``phase``, ``event``, ``instrument``, ``percent``, ``amount_before``,
        ``qualifier`` (``approximately``, ``up_to``, ``or_less``), ``period_text``;
        ``scope="existing"`` (a cash balance before the money the release
        raises), ``level="previous"`` (a burn level being left behind),
        ``total`` (shares: the count outstanding), ``term_months``,
        ``starts_after_months`` and ``expiry_from`` (``closing``/``release``:
        a warrant whose expiry comes from a stated term).

    Notes
    -----
    ``period`` of a ``cash`` term is the single day the balance was measured
    ("as at March 31, 2008"); of a ``warrant`` term, its expiry day.
    """

    kind: str
    value: float | None = None
    value_high: float | None = None
    currency: str | None = None
    unit: str | None = None
    period: Any = None
    program: str | None = None
    counterparty: str | None = None
    quote: str = ""
    span: tuple[int, int] = (0, 0)
    source: str | None = None
    line: int = 1
    boilerplate: bool = False
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attrs", _frozen_mapping(self.attrs))

    def replace(self, **changes: Any) -> Term:
        """Return a copy with ``changes`` applied (``attrs`` are merged, not replaced)."""
        if "attrs" in changes:
            changes["attrs"] = {**self.attrs, **changes["attrs"]}
        return dataclasses.replace(self, **changes)
