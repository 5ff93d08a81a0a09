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


def _pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.1%}"


def _two_columns(title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    return table


def print_valuation(valuation: Valuation, console: Console | None = None) -> None:
    """Print every key figure of an exact valuation."""
    console = console or Console()
    s = valuation.scenario
    cur = s.company.currency
    fig = valuation.summary()

    runway = _two_columns(f"{s.name}: cash runway from {s.valuation_date}")
    runway.add_row("Opening cash", money(fig["opening_cash"], cur))
    runway.add_row("Burn this month", money(fig["monthly_burn_now"], cur))
    runway.add_row("Minimum cash", money(fig["min_cash"], cur))
    runway.add_row("Cash-out month (median outcome)", fig["cash_out"] or "beyond the horizon")
    months = fig["runway_months"]
    runway.add_row("Months of runway", "beyond the horizon" if months is None else f"{months:.1f}")
    if "key_event" in fig:
        runway.add_row(f"Readout {fig['key_event']} (expected)", fig["readout_expected"])
        runway.add_row("P(cash-out before readout)", _pct(fig["prob_cash_out_before_readout"]))
        runway.add_row(f"Raise needed now to {fig['funding_target']}",
                       money(fig["funding_gap"], cur))
    console.print(runway)

    programs = Table(title=f"Risk-adjusted NPV by program ({cur})", title_justify="left")
    for column in ("program", "stage", "partner", "P(approval)", "milestones", "royalties",
                   "RCU share", "rNPV"):
        programs.add_column(column, justify="left" if column in ("program", "stage", "partner")
                            else "right")
    for pid, row in valuation.rnpv.by_program.iterrows():
        programs.add_row(row["name"], row["stage"], row["partner"], _pct(row["pos"]),
                         money(row["pv_milestones"]), money(row["pv_royalties"]),
                         money(-row["pv_rcu"] or 0.0), money(row["rnpv"]))
    programs.add_row("[b]total[/b]", "", "", "", "", "", "", f"[b]{money(valuation.rnpv.total)}[/b]")
    console.print(programs)

    if valuation.rcu is not None:
        r = valuation.rcu
        rcu = _two_columns("Royalty Conversion Units")
        rcu.add_row("Holders' value (PV)", f"{money(r.holder_value, cur)} "
                    f"({money(r.holder_value_per_unit, cur)} a unit)")
        rcu.add_row("Holders' IRR on expected payments", _pct(r.irr_expected))
        rcu.add_row("Holders' IRR, median outcome", _pct(r.irr_median))
        rcu.add_row("P(recover the unit price)", _pct(r.p_recover))
        rcu.add_row("P(reach the cap)", _pct(r.p_cap))
        ttc = r.time_to_cap
        rcu.add_row("Months to the cap (median, if reached)",
                    "never" if math.isinf(ttc) else f"{ttc:.0f}")
        rcu.add_row("Company's cost of the financing", f"{_pct(r.company_cost)} a year")
        rcu.add_row("Shortcut (waterfall on expected royalties)",
                    f"{money(r.shortcut_value, cur)}, error {money(r.shortcut_error, cur)}")
        rcu.add_row("Converting now beats the claim above", f"{money(r.break_even_price, cur)} "
                    "a share")
        console.print(rcu)

    c = valuation.capital
    cap = _two_columns("Sum of the parts")
    cap.add_row("Cash", money(c.cash, cur))
    cap.add_row("rNPV net of the RCU claim", money(c.rnpv, cur))
    cap.add_row("Committed funding (PV)", money(c.pv_funding, cur))
    cap.add_row(f"Corporate burn, {s.capital.overhead_years:g} years (PV)",
                money(-c.pv_overhead, cur))
    cap.add_row("Equity value", money(c.equity, cur))
    cap.add_row("Value per fully diluted share", f"{cur} {c.per_share:.3f}")
    cap.add_row("... if every RCU converted now", f"{cur} {c.per_share_if_converted:.3f}")
    console.print(cap)
    console.print(f"[dim]{valuation.rows} outcome combinations evaluated in "
                  f"{valuation.seconds * 1e3:.1f} ms[/dim]")


_LABELS = {
    "company_npv": ("Company rNPV (net of RCU)", "money"),
    "holder_npv": ("RCU holders' value", "money"),
    "holder_irr": ("RCU holders' IRR", "pct"),
    "runway_months": ("Runway, months", "num"),
    "per_share": ("Value per share", "share"),
}


def _cell(value: float, kind: str, currency: str) -> str:
    if not math.isfinite(value):
        return "never" if kind == "num" else "n/a"
    if kind == "money":
        return money(value, currency)
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "share":
        return f"{value:,.3f}"
    return f"{value:,.2f}"


def print_simulation(simulation, console: Console | None = None) -> None:
    """Mean with its standard error and the P10/P50/P90 of each output of a Monte Carlo run."""
    console = console or Console()
    summary = simulation.summary()
    table = Table(title=f"{simulation.scenario}: {len(simulation):,} paths, "
                        f"{simulation.sampler} sampler, seed {simulation.seed}")
    for column in ("output", "mean", "± s.e.", "P10", "P50", "P90"):
        table.add_column(column, justify="left" if column == "output" else "right")
    currency = simulation.currency
    for name, (label, kind) in _LABELS.items():
        if name not in summary.index:
            continue
        row = summary.loc[name]
        table.add_row(label, *(_cell(row[k], kind, currency)
                               for k in ("mean", "se", "p10", "p50", "p90")))
    console.print(table)
    samples = simulation.samples
    if "readout_months" in samples:
        before = float((samples["runway_months"] < samples["readout_months"]).mean())
        console.print(f"P(cash runs out before the key read-out): {before:.1%}")
    console.print(f"P(company rNPV < 0): {simulation.prob('company_npv < 0'):.1%}")


def print_sensitivity(scenario, tornado, sobol, console: Console | None = None) -> None:
    """Tornado swings and Sobol indices, one table per output."""
    console = console or Console()
    currency = scenario.company.currency
    for output, rows in tornado.groupby("output", sort=False):
        label, kind = _LABELS.get(output, (output, "num"))
        table = Table(title=f"Tornado: {label} (P10 / P90 of each input, exact value)")
        for column in ("input", "low", "high", "swing"):
            table.add_column(column, justify="left" if column == "input" else "right")
        for _, r in rows.iterrows():
            table.add_row(r["input"], _cell(r["low"], kind, currency),
                          _cell(r["high"], kind, currency), _cell(r["swing"], kind, currency))
        console.print(table)
    for output, rows in sobol.groupby("output", sort=False):
        label = _LABELS.get(output, (output, ""))[0]
        table = Table(title=f"Sobol indices: {label}")
        for column in ("factor", "first", "95% interval", "total", "95% interval "):
            table.add_column(column, justify="left" if column == "factor" else "right")
        for _, r in rows.sort_values("total", ascending=False).iterrows():
            table.add_row(r["factor"], f"{r['first']:.3f}",
                          f"{r['first_low']:.3f} – {r['first_high']:.3f}", f"{r['total']:.3f}",
                          f"{r['total_low']:.3f} – {r['total_high']:.3f}")
        console.print(table)
