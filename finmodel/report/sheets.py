"""The tables of the workbook, read from a report's results (one :class:`Sheet` each)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .figures import key_figures
from .xlsx import Sheet

if TYPE_CHECKING:
    from .build import ReportData

__all__ = ["report_sheets"]

PERCENTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)

_FIGURE_KINDS = {"money": "money2", "price": "price", "percent": "percent", "months": "months",
                 "integer": "integer", "date": "date", "text": "text"}


def report_sheets(data: ReportData) -> list[Sheet]:
    """Every schedule of the report, in workbook order."""
    v, m, s = data.valuation, data.simulation, data.scenario
    cur = data.currency
    sheets = [_summary(data), _runway(data)]

    flows = v.cashflows
    sheets.append(Sheet("Cash flows", flows, {"amount": "money", "expected": "money"},
                        f"Company cash flows by month, program and kind ({cur}). amount: if the "
                        "program reaches the market; expected: probability-weighted. rcu is the "
                        "holders' part, costs are negative."))
    if len(flows):
        by_year = flows.assign(year=pd.DatetimeIndex(flows["month_end"]).year).pivot_table(
            index="year", columns=["program", "kind"], values="expected", aggfunc="sum",
            fill_value=0.0, sort=True)
        by_year.columns = [f"{p} {k}" for p, k in by_year.columns]
        by_year["total"] = by_year.sum(axis=1)
        sheets.append(Sheet("Cash flows by year", by_year,
                            {c: "money" for c in by_year.columns},
                            f"Expected company cash flows by calendar year, program and kind "
                            f"({cur})", index=True))

    table = v.rnpv.by_program
    sheets.append(Sheet("rNPV", table,
                        {"pos": "percent", **{c: "money" for c in table.columns
                                              if c.startswith("pv_") or c in ("rnpv",
                                                                              "peak_sales")}},
                        f"Risk-adjusted NPV by program ({cur}, present value at "
                        f"{s.valuation_date}); total {v.rnpv.total:,.0f}", index=True))

    if v.rcu is not None:
        by_tier = v.rcu.by_tier()
        monthly = by_tier.assign(total=by_tier.sum(axis=1)).join(v.rcu.conversion_frame())
        kinds = {c: "money" for c in by_tier.columns} | {
            "total": "money", "paid_per_unit": "money2", "shares_per_unit": "number",
            "claim_per_unit": "money2", "break_even_price": "price"}
        sheets.append(Sheet("Waterfall", monthly, kinds,
                            f"Expected payments to RCU holders by tier and month ({cur}); per "
                            "unit: paid so far, conversion shares, value of the remaining claim "
                            "and the share price at which converting breaks even",
                            index=True))
        yearly = by_tier.groupby(by_tier.index.year).sum()
        yearly.index.name = "year"
        yearly["total"] = yearly.sum(axis=1)
        sheets.append(Sheet("Waterfall by year", yearly, {c: "money" for c in yearly.columns},
                            f"Expected payments to RCU holders by tier and calendar year ({cur})",
                            index=True))

    summary = m.summary()
    summary.index.name = "variable"
    sheets.append(Sheet("Simulation", summary, {},
                        f"Monte Carlo: {len(m):,} paths, seed {data.seed}. Mean, its standard "
                        "error and 95% interval, and percentiles of every numeric column "
                        f"(money in {cur})", index=True))
    quantiles = m.quantile(list(PERCENTILES)).T
    quantiles.columns = [f"P{round(q * 100)}" for q in PERCENTILES]
    quantiles.index.name = "variable"
    sheets.append(Sheet("Percentiles", quantiles, {},
                        "Percentiles of every Monte Carlo output and sampled input", index=True))

    for name, frame, title in (
            ("Tornado", data.tornado, "One input at a time at its P10 and P90 (exact valuation)"),
            ("Spider", data.spider, "One input at a time through its quantiles (exact valuation)"),
            ("Sobol", data.sobol, "First-order and total Sobol indices with bootstrap intervals")):
        if frame is not None:
            sheets.append(Sheet(name, frame.reset_index(drop=True), {}, title))

    if data.history is not None:
        history = data.history.drop(columns=["quote"], errors="ignore").copy()
        if "source" in history.columns:
            history["source"] = history["source"].map(
                lambda p: str(p).replace("\\", "/").rsplit("/", 1)[-1])
        sheets.append(Sheet("Guidance", history, {c: "date" for c in
                                                  ("published", "period_start", "period_end")},
                            "Each event's guided period, release by release; slip_days moves "
                            "the midpoint against the first guidance"))

    register = data.register.reset_index()
    sheets.append(Sheet("Assumptions", register, {"value": "text"},
                        "Every input: sourced from a release (file:line) or an assumption "
                        "with its reason"))
    return sheets


def _summary(data: ReportData) -> Sheet:
    figures = key_figures(data)
    cur = data.currency
    frame = pd.DataFrame({
        "section": [f.section for f in figures],
        "figure": [f.label for f in figures],
        "value": [f.value if f.kind != "text" else str(f.value) for f in figures],
        "as shown": [f.text(cur) for f in figures],
    })
    sheet = Sheet("Summary", frame, {"value": "number"},
                  f"{data.scenario.name}: key figures ({cur}; probabilities and rates as "
                  "fractions)")
    return _with_cell_kinds(sheet, "value", [_FIGURE_KINDS[f.kind] for f in figures])


def _with_cell_kinds(sheet: Sheet, column: str, kinds: list[str]) -> Sheet:
    return Sheet(sheet.name, sheet.frame, {**sheet.kinds, column: tuple(kinds)}, sheet.title,
                 sheet.index)


def _runway(data: ReportData) -> Sheet:
    v, m = data.valuation, data.simulation
    frame = v.runway.frame.copy()
    fan = getattr(m, "fan", None)
    if fan is not None and len(fan):
        frame = frame.join(fan.add_prefix("mc_"), how="left")
    kinds = {c: "money" for c in frame.columns}
    kinds["p_out"] = "percent"
    return Sheet("Runway", frame, kinds,
                 f"Monthly cash runway ({data.currency}): expected closing balance, burn and "
                 "inflows over the outcome tree; p_out is the probability of having gone below "
                 "the minimum cash; mc_ columns are the Monte Carlo percentiles of the balance",
                 index=True)
