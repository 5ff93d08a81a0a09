"""Key figures: the numbers of the summary page and the workbook's Summary sheet.

One list feeds both, read from the results with the same rounding as
``finmodel run``, so the report and the terminal never disagree.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import money, percent

if TYPE_CHECKING:
    from .build import ReportData

__all__ = ["KeyFigure", "key_figures"]


@dataclass(frozen=True)
class KeyFigure:
    """One figure: its section, label, raw value and kind (how to show it).

    ``kind`` is one of ``money``, ``price``, ``percent``, ``months``, ``date``,
    ``integer``, ``text``.
    """

    section: str
    label: str
    value: Any
    kind: str = "text"

    def text(self, currency: str) -> str:
        """The value as ``finmodel run`` prints it."""
        v = self.value
        if v is None:
            return "n/a"
        if self.kind == "money":
            return money(v, currency)
        if self.kind == "price":
            return "not reachable" if math.isinf(v) else f"{currency} {v:.3f}"
        if self.kind == "percent":
            return percent(v)
        if self.kind == "months":
            return "beyond the horizon" if math.isinf(v) else f"{v:.1f}"
        if self.kind == "integer":
            return f"{v:,}"
        if self.kind == "date":
            return v.isoformat() if isinstance(v, dt.date) else str(v)
        return str(v)


def key_figures(data: ReportData) -> list[KeyFigure]:
    """Every key figure of a report, in page order."""
    v, m, s = data.valuation, data.simulation, data.scenario
    fig = v.summary()
    out: list[KeyFigure] = []

    def add(section: str, label: str, value: Any, kind: str = "text") -> None:
        out.append(KeyFigure(section, label, value, kind))

    sec = "Scenario"
    add(sec, "Scenario", s.name)
    add(sec, "Valuation date", s.valuation_date, "date")
    add(sec, "Scenario file", data.source or "(given as an object)")
    add(sec, "Reporting currency", s.company.currency)
    add(sec, "Outcome combinations (exact)", v.rows, "integer")
    add(sec, "Monte Carlo paths", len(m), "integer")
    add(sec, "Seed", "none (not reproducible)" if data.seed is None else data.seed)

    sec = "Cash runway"
    add(sec, "Opening cash", fig["opening_cash"], "money")
    add(sec, "Burn this month", fig["monthly_burn_now"], "money")
    add(sec, "Minimum cash", fig["min_cash"], "money")
    add(sec, "Cash-out month (median outcome)",
        dt.date.fromisoformat(fig["cash_out"]) if fig["cash_out"] else "beyond the horizon",
        "date" if fig["cash_out"] else "text")
    add(sec, "Months of runway", v.runway.months, "months")
    months = m.samples["runway_months"].to_numpy(dtype=float)
    p10, p90 = np.percentile(months, [10, 90])
    add(sec, "Months of runway, Monte Carlo P10", float(p10), "months")
    add(sec, "Months of runway, Monte Carlo P90", float(p90), "months")
    if "key_event" in fig:
        readout = _event_name(data)
        add(sec, f"{readout} (expected)", v.readout, "date")
        add(sec, f"P(cash-out before {readout})", fig["prob_cash_out_before_readout"], "percent")
        add(sec, "Funding target (readout + margin)", v.funding_target, "date")
        add(sec, "Raise needed now to reach it", fig["funding_gap"], "money")

    sec = "Risk-adjusted NPV"
    for pid, row in v.rnpv.by_program.iterrows():
        add(sec, f"{row['name']} ({_stage(row['stage'])}, PoS {row['pos']:.1%})",
            float(row["rnpv"]), "money")
    add(sec, "Total, net of the RCU claim", v.rnpv.total, "money")

    sec = "Monte Carlo"
    npv = m.samples["company_npv"].to_numpy(dtype=float)
    add(sec, "Company NPV, mean", float(npv.mean()), "money")
    for q in (10, 50, 90):
        add(sec, f"Company NPV, P{q}", float(np.percentile(npv, q)), "money")
    add(sec, "P(company NPV < 0)", float(np.mean(npv < 0)), "percent")
    if "holder_irr" in m.samples.columns:
        irr = m.samples["holder_irr"].to_numpy(dtype=float)
        add(sec, "Holders' IRR, median path", float(np.nanmedian(irr)), "percent")

    if v.rcu is not None:
        r = v.rcu
        sec = "Royalty Conversion Units"
        add(sec, "Holders' value (PV)", r.holder_value, "money")
        add(sec, "Holders' value a unit", r.holder_value_per_unit, "money")
        add(sec, "Holders' IRR on expected payments", r.irr_expected, "percent")
        add(sec, "Holders' IRR, median outcome", r.irr_median, "percent")
        add(sec, "P(recover the unit price)", r.p_recover, "percent")
        add(sec, "P(reach the cap)", r.p_cap, "percent")
        ttc = r.time_to_cap
        add(sec, "Months to the cap (median, if reached)",
            "never" if math.isinf(ttc) else f"{ttc:.0f}")
        add(sec, "Company's cost of the financing (a year)", r.company_cost, "percent")
        add(sec, "Shortcut value (on expected royalties)", r.shortcut_value, "money")
        add(sec, "Shortcut error (shortcut - exact)", r.shortcut_error, "money")
        add(sec, "Converting beats the claim above (share)", r.break_even_price, "money")

    c = v.capital
    sec = "Sum of the parts"
    add(sec, "Cash", c.cash, "money")
    add(sec, "rNPV net of the RCU claim", c.rnpv, "money")
    add(sec, "Committed funding (PV)", c.pv_funding, "money")
    add(sec, f"Corporate burn, {s.capital.overhead_years:g} years (PV)", -c.pv_overhead, "money")
    add(sec, "Equity value", c.equity, "money")
    add(sec, "Value per fully diluted share", c.per_share, "price")
    add(sec, "... if every RCU converted now", c.per_share_if_converted, "price")
    return out


def _stage(stage: str) -> str:
    from .charts import stage_label

    return stage_label(stage)


def _event_name(data: ReportData) -> str:
    from .charts import event_label

    ke = data.scenario.key_event
    return f"{data.scenario.programs[ke.program].name} {event_label(ke.event)}"
