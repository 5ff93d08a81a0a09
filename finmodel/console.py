"""Readable terminal output (rich tables) for results. Reads results only."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from .valuation import Valuation

__all__ = ["print_valuation", "money"]


def money(value: float | None, currency: str = "") -> str:
    """``1.25e6 -> '1.25M'`` with an optional currency code; inf and None spelled out."""
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "not reachable"
    prefix = f"{currency} " if currency else ""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{prefix}{value / scale:,.2f}{suffix}"
    return f"{prefix}{value:,.2f}"


def print_valuation(valuation: Valuation, console: Console | None = None) -> None:
    console = console or Console()
    s = valuation.scenario
    cur = s.company.currency
    fig = valuation.summary()
    table = Table(title=f"{s.name} — valued {s.valuation_date}", title_justify="left")
    table.add_column("Cash runway")
    table.add_column("", justify="right")
    table.add_row("Opening cash", money(fig["opening_cash"], cur))
    table.add_row("Burn this month", money(fig["monthly_burn_now"], cur))
    table.add_row("Minimum cash", money(fig["min_cash"], cur))
    table.add_row("Cash-out month", fig["cash_out"] or "beyond the horizon")
    months = fig["runway_months"]
    table.add_row("Months of runway", "beyond the horizon" if months is None else f"{months:.1f}")
    if "key_event" in fig:
        table.add_row(f"Readout ({fig['key_event']}), latest", fig["readout_latest"])
        table.add_row("P(cash-out before readout)", f"{fig['prob_cash_out_before_readout']:.0%}")
        table.add_row(f"Raise needed now to {fig['funding_target']}",
                      money(fig["funding_gap"], cur))
    console.print(table)
    console.print(f"[dim]{fig['rows_evaluated']} row(s) evaluated in "
                  f"{fig['seconds'] * 1e3:.1f} ms[/dim]")
