"""Charts: each ``chart(result, ax=None, **options) -> Axes``.

A chart only reads a result (a :class:`~finmodel.Valuation`, a
:class:`~finmodel.Simulation`, a sensitivity or guidance-history DataFrame);
it never runs a model. Without ``ax`` it draws on a new figure of its own
(matplotlib's object API, no pyplot, so nothing depends on a GUI backend)::

    from finmodel.report import charts
    ax = charts.cash_runway(fm.run(s), fan=fm.simulate(s, paths=2000, seed=1))
    ax.figure.savefig("runway.png")

matplotlib is imported inside the functions, never when this module is.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine.programs import APPROVED
from . import style
from .style import (
    ACCENT,
    FAN,
    GRID,
    INK,
    MUTED,
    NEGATIVE,
    POSITIVE,
    PRIMARY,
    TIERS,
    TOTAL,
    event_label,
    input_label,
    input_value,
    money,
    output_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CHARTS",
    "cash_runway",
    "day_label",
    "equity_bridge",
    "event_label",
    "guidance_history",
    "holder_irr",
    "new_axes",
    "npv_histogram",
    "rcu_per_unit",
    "rcu_shortcut",
    "rcu_tiers",
    "rnpv_bridge",
    "runway_window",
    "sobol",
    "spider",
    "stage_label",
    "tornado",
]


def new_axes(size: tuple[float, float] = style.CHART_SIZE) -> Axes:
    """One Axes on a new constrained-layout figure (no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained").add_subplot()


def _chart(draw: Callable[..., None]) -> Callable[..., Axes]:
    """Give ``draw(result, ax, **options)`` the house style and an Axes when none is passed."""

    @functools.wraps(draw)
    def chart(result: Any, ax: Axes | None = None, **options: Any) -> Axes:
        with style.context():
            if ax is None:
                ax = new_axes()
            draw(result, ax, **options)
        return ax

    return chart


# ---------------------------------------------------------------- helpers


def _to_num(day) -> float:
    """A date as a matplotlib date number."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(pd.Timestamp(day).to_pydatetime()))


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _legend_below(ax: Axes, handles=None, *, ncol: int = 2, fontsize: float = 8.5) -> None:
    """A legend under the x-axis label, a fixed distance below the axes whatever their size."""
    from matplotlib.transforms import offset_copy

    below = offset_copy(ax.transAxes, fig=ax.figure, y=-36, units="points")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=below, ncol=ncol, fontsize=fontsize)


def _empty(ax: Axes, message: str) -> None:
    """An Axes with nothing to plot says why instead of staying blank."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes,
            fontsize=11, color=MUTED, wrap=True)


def _scale(output: str) -> tuple[float, str]:
    """Divisor and unit word for an output's values."""
    if output == "runway_months":
        return 1.0, "months"
    if output == "holder_irr":
        return 0.01, "%"
    if output == "per_share":
        return 1.0, "per share"
    return 1e6, "millions"


def _fmt_output(value: float, output: str) -> str:
    divisor, _ = _scale(output)
    if output == "holder_irr":
        return f"{value / divisor:.1f}%"
    if output == "runway_months":
        return f"{value:.1f} months"
    if output == "per_share":
        return f"{value:.3f}"
    return f"{value / divisor:,.1f}"


def stage_label(stage: str) -> str:
    """``phase3`` -> ``Phase III``; ``nda`` -> ``NDA``; ``preclinical`` -> ``Preclinical``."""
    return event_label(stage)


# ---------------------------------------------------------------- cash runway


def runway_window(valuation, months: int | None = None) -> dt.date:
    """Last date the runway chart shows: past the funding target, the cash-out and every
    marker by six months, between one and five years after the valuation date."""
    from ..engine.timeline import add_months

    s = valuation.scenario
    start = s.valuation_date
    last = valuation.runway.timeline.end
    if months is not None:
        return min(add_months(start, int(months)), last)
    marks = [d for d in (valuation.funding_target, valuation.runway.cash_out) if d]
    marks += [w.expires for w in s.capital.warrants if w.expires > start]
    marks += [f.date for f in s.company.financings if f.date > start]
    marks += [p.end for _, _, p in _runway_events(s)]
    end = add_months(max(marks, default=start), 6)
    return min(max(end, add_months(start, 12)), add_months(start, 60), last)


def _runway_events(scenario) -> list[tuple[str, str, Any]]:
    """Read-outs and NDA events of every program: (program name, event, period)."""
    events = []
    for pid, program in scenario.programs.items():
        for event in program.events:
            if event.endswith("_results") or event.startswith("nda"):
                events.append((program.name, event, scenario.event_period(pid, event)))
    return sorted(events, key=lambda e: (e[2].start, e[0], e[1]))


@_chart
def cash_runway(valuation, ax: Axes, *, fan=None, months: int | None = None) -> None:
    """Cash balance over time: the exact expected balance, the Monte Carlo fan (P10–P90 and
    median) when given, the minimum cash, and markers for read-outs, NDA, cash-out, the
    funding target, warrant expiries and planned raises.

    Parameters
    ----------
    valuation : Valuation
    fan : Simulation or DataFrame, optional
        A simulation with a ``fan`` attribute, or its frame: month-end index, columns
        ``p10, p50, p90`` (cash balance).
    months : int, optional
        Months shown; default :func:`runway_window`.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    s = valuation.scenario
    cur = s.company.currency
    start = s.valuation_date
    end = runway_window(valuation, months)
    frame = valuation.runway.frame
    frame = frame[frame.index <= pd.Timestamp(end)]
    opening = float(valuation.runway.weights @ valuation.runway.opening)
    x = np.concatenate([[np.datetime64(start, "D")], frame.index.to_numpy(dtype="datetime64[D]")])
    y = np.concatenate([[opening], frame["cash"].to_numpy()]) / 1e6

    handles = []
    fan_frame = getattr(fan, "fan", None) if hasattr(fan, "samples") else fan
    if fan_frame is not None and len(fan_frame):
        f = fan_frame[fan_frame.index <= pd.Timestamp(end)]
        fx = f.index.to_numpy(dtype="datetime64[D]")
        band = ax.fill_between(fx, f["p10"] / 1e6, f["p90"] / 1e6, color=FAN, alpha=0.45,
                               linewidth=0, label="Monte Carlo P10–P90")
        (median,) = ax.plot(fx, f["p50"] / 1e6, color=PRIMARY, linewidth=1.2, linestyle="--",
                            label="Monte Carlo median")
        handles += [band, median]
    (expected,) = ax.plot(x, y, color=PRIMARY, linewidth=2.0, drawstyle="default",
                          label="Expected balance (exact)")
    handles.insert(0, expected)
    floor = ax.axhline(s.company.min_cash / 1e6, color=NEGATIVE, linewidth=1.2, linestyle=":",
                       label=f"Minimum cash {money(s.company.min_cash, cur)}")
    ax.axhline(0.0, color=MUTED, linewidth=0.8)
    handles.append(floor)

    def vline(day, colour, dash, label):
        ax.axvline(_to_num(day), color=colour, linewidth=1.2, linestyle=dash)
        handles.append(Line2D([], [], color=colour, linewidth=1.2, linestyle=dash, label=label))

    if valuation.runway.cash_out and valuation.runway.cash_out <= end:
        vline(valuation.runway.cash_out, NEGATIVE, "-",
              f"Cash-out, median outcome ({valuation.runway.cash_out:%b %Y})")
    if valuation.funding_target and valuation.funding_target <= end:
        vline(valuation.funding_target, TOTAL, "-.",
              f"Funding target: readout + margin ({valuation.funding_target:%b %Y})")
    for w in s.capital.warrants:
        if start < w.expires <= end:
            vline(w.expires, ACCENT, (0, (4, 2)),
                  f"Warrants expire ({day_label(w.expires)}; {w.count:,} at {cur} {w.strike:.2f})")
    for f in s.company.financings:
        if start < f.date <= end:
            vline(f.date, POSITIVE, (0, (1, 1)),
                  f"Planned raise {money(f.amount, f.currency or cur)} ({f.date:%b %Y})")

    # Read-outs and NDA events as lanes across the top of the plot.
    events = [(name, ev, p) for name, ev, p in _runway_events(s)
              if p.end >= start and p.start <= end]
    lo, hi = ax.get_ylim()
    lo, hi = min(lo, np.nanmin(y) - 0.5), max(hi, np.nanmax(y) + 0.5)
    lane, gap = 0.055, 0.012
    reserved = len(events) * (lane + gap) + 0.02
    ax.set_ylim(lo, lo + (hi - lo) / (1.0 - reserved))
    x0, x1 = _to_num(start), _to_num(end)
    ax.set_xlim(x0, x1)
    key = (s.key_event.program, s.key_event.event) if s.key_event else None
    for i, (name, event, period) in enumerate(events):
        left = max(_to_num(period.start), x0)
        right = min(_to_num(period.end), x1)
        bottom = 1.0 - 0.01 - (i + 1) * (lane + gap) + gap
        is_key = key is not None and s.programs[key[0]].name == name and key[1] == event
        colour = ACCENT if is_key else FAN
        ax.add_patch(Rectangle((left, bottom), right - left, lane,
                               transform=ax.get_xaxis_transform(), color=colour,
                               alpha=0.9 if is_key else 0.7, linewidth=0))
        label = f"{name}: {event_label(event)} ({period.start:%b %Y}–{period.end:%b %Y})"
        if is_key:
            label += ", key readout"
        # Labels sit on a white box so the marker lines pass behind them.
        box = {"facecolor": "white", "edgecolor": "none", "pad": 1.5}
        if right < x0 + 0.55 * (x1 - x0):
            ax.text(right + 0.008 * (x1 - x0), bottom + lane / 2, label, va="center",
                    ha="left", fontsize=8.5, transform=ax.get_xaxis_transform(), bbox=box,
                    zorder=5)
        else:
            ax.text(left - 0.008 * (x1 - x0), bottom + lane / 2, label, va="center",
                    ha="right", fontsize=8.5, transform=ax.get_xaxis_transform(), bbox=box,
                    zorder=5)
        if is_key:
            ax.axvspan(left, right, color=ACCENT, alpha=0.07, linewidth=0)

    _date_axis(ax)
    ax.set_ylabel(f"Cash balance ({cur} millions)")
    ax.set_xlabel("Month end")
    ax.set_title(f"Cash runway from {day_label(start)}")
    _legend_below(ax, handles, ncol=3)


# ---------------------------------------------------------------- rNPV


def _bridge(ax: Axes, steps: list[tuple[str, float, str]], unit: str) -> None:
    """Waterfall bars: each step ``(label, amount, kind)`` with kind 'step' or 'total'."""
    running = 0.0
    labels = []
    span = max(abs(v) for _, v, _ in steps) or 1.0
    for i, (label, value, kind) in enumerate(steps):
        if kind == "total":
            bottom, height, colour = 0.0, value, TOTAL
            running = value
        else:
            bottom, height = running, value
            colour = POSITIVE if value >= 0 else NEGATIVE
            running += value
        ax.bar(i, height / 1e6, bottom=bottom / 1e6, color=colour, width=0.62, linewidth=0)
        top = max(bottom, bottom + height) / 1e6
        ax.text(i, top + 0.015 * span / 1e6, f"{value / 1e6:+,.1f}" if kind != "total"
                else f"{value / 1e6:,.1f}", ha="center", va="bottom", fontsize=8.5,
                color=NEGATIVE if value < 0 and kind != "total" else INK)
        if i + 1 < len(steps):
            ax.plot([i + 0.31, i + 0.69], [running / 1e6] * 2, color=MUTED, linewidth=0.8)
        labels.append(label)
    ax.set_xticks(range(len(steps)), labels)
    ax.axhline(0.0, color=MUTED, linewidth=0.8)
    ax.set_ylabel(unit)
    ax.grid(axis="x", visible=False)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.06 * (hi - lo))


@_chart
def rnpv_bridge(valuation, ax: Axes) -> None:
    """Risk-adjusted NPV program by program, less the RCU holders' claim, to the total."""
    cur = valuation.scenario.company.currency
    table = valuation.rnpv.by_program
    gross = (table["pv_milestones"] + table["pv_royalties"] + table["pv_sales_margin"]
             - table["pv_costs"])
    steps = [(f"{row['name']}\n{stage_label(row['stage'])}\nPoS {row['pos']:.0%}",
              float(gross[pid]), "step") for pid, row in table.iterrows()]
    steps.append(("RCU holders'\nclaim", -float(table["pv_rcu"].sum()), "step"))
    steps.append(("rNPV total\n(net of RCU)", float(valuation.rnpv.total), "total"))
    _bridge(ax, steps, f"Present value ({cur} millions)")
    ax.set_title("Risk-adjusted NPV by program (PoS: probability of reaching the market)",
                 fontsize=10.5)


@_chart
def equity_bridge(valuation, ax: Axes) -> None:
    """Sum of the parts: rNPV, cash, committed funding and corporate burn to equity value."""
    s = valuation.scenario
    cur = s.company.currency
    c = valuation.capital
    steps = [
        ("rNPV net\nof RCU", c.rnpv, "total"),
        ("Cash", c.cash, "step"),
        ("Committed\nfunding\n(PV)", c.pv_funding, "step"),
        (f"Corporate\nburn, {s.capital.overhead_years:g} yrs\n(PV)", -c.pv_overhead, "step"),
        ("Equity\nvalue", c.equity, "total"),
    ]
    _bridge(ax, steps, f"Present value ({cur} millions)")
    ax.set_title(f"Sum of the parts: {cur} {c.per_share:.3f} a diluted share", fontsize=10.5)


# ---------------------------------------------------------------- distributions


@_chart
def npv_histogram(simulation, ax: Axes, *, column: str = "company_npv",
                  exact: float | None = None, bins: int = 70) -> None:
    """Distribution of a money output over the paths, with P10/P50/P90, the mean and the
    probability of a negative value.

    Parameters
    ----------
    simulation : Simulation
    column : str
        Output column of ``simulation.samples``.
    exact : float, optional
        The exact valuation's figure, marked for comparison.
    """
    from matplotlib.lines import Line2D

    cur = simulation.currency
    values = simulation.samples[column].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        _empty(ax, "no finite values")
        return
    weights = np.full(values.size, 100.0 / values.size)
    ax.hist(values / 1e6, bins=bins, weights=weights, color=PRIMARY, alpha=0.85, linewidth=0)
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    for q, v, dash, colour in (("P10", p10, "--", ACCENT), ("P50", p50, "-", INK),
                               ("P90", p90, "--", ACCENT)):
        ax.axvline(v / 1e6, color=colour, linestyle=dash, linewidth=1.3,
                   label=f"{q} {cur} {v / 1e6:,.1f}M")
    mean = float(values.mean())
    ax.axvline(mean / 1e6, color=POSITIVE, linestyle=":", linewidth=1.5,
               label=f"Mean {cur} {mean / 1e6:,.1f}M")
    if exact is not None:
        ax.axvline(exact / 1e6, color=NEGATIVE, linestyle="-.", linewidth=1.3,
                   label=f"Exact valuation {cur} {exact / 1e6:,.1f}M")
    negative = float(np.mean(values < 0))
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], linestyle="none",
                       label=f"P({_short_output(column)} < 0) = {negative:.1%}"),
                Line2D([], [], linestyle="none", label=f"{values.size:,} paths")]
    ax.set_xlabel(output_label(column, cur))
    ax.set_ylabel("Share of paths (%)")
    ax.set_title(f"Distribution of {_short_output(column)}")
    ax.legend(handles=handles, loc="upper right", frameon=True, facecolor="white",
              edgecolor=GRID, framealpha=0.95)


def _short_output(column: str) -> str:
    return {"company_npv": "company NPV", "holder_npv": "holders' NPV",
            "holder_irr": "holders' IRR", "runway_months": "runway",
            "per_share": "value per share"}.get(column, column.replace("_", " "))


def _title_output(column: str) -> str:
    text = _short_output(column)
    return text[:1].upper() + text[1:]


def day_label(day) -> str:
    """``2008-07-08`` -> ``8 Jul 2008``."""
    return f"{day.day} {day:%b %Y}"


# ---------------------------------------------------------------- sensitivity


def _for_output(frame: pd.DataFrame, output: str) -> pd.DataFrame:
    return frame[frame["output"] == output] if "output" in frame.columns else frame


@_chart
def tornado(frame: pd.DataFrame, ax: Axes, *, output: str = "company_npv", top: int = 10,
            currency: str = "", names: dict[str, str] | None = None) -> None:
    """Swing of one output as each input moves from its low to its high value.

    Parameters
    ----------
    frame : DataFrame
        ``finmodel.sensitivity.tornado`` result: ``input, output, base, low_input,
        high_input, low, high, swing``.
    output : str
    top : int
        Inputs shown, largest swing first.
    """
    from matplotlib.patches import Patch

    data = _for_output(frame, output)
    data = data[data["swing"].abs() > 0].sort_values("swing", key=np.abs, ascending=False,
                                                      kind="stable").head(top)
    if data.empty:
        _empty(ax, f"no input moves {_short_output(output)}")
        return
    divisor, _ = _scale(output)
    base = float(data["base"].iloc[0])
    rows = list(data.itertuples(index=False))[::-1]
    for i, r in enumerate(rows):
        for value, given, colour in ((r.low, r.low_input, FAN), (r.high, r.high_input, PRIMARY)):
            ax.barh(i, (value - base) / divisor, left=base / divisor, color=colour, height=0.6,
                    linewidth=0)
        # The input values at the bar ends, outside the bar.
        for value, given in ((r.low, r.low_input), (r.high, r.high_input)):
            right = value >= base
            ax.text(value / divisor, i, f" {input_value(r.input, given)} " , va="center",
                    ha="left" if right else "right", fontsize=7.5, color=MUTED)
    ax.axvline(base / divisor, color=INK, linewidth=1.0)
    ax.set_ylim(-1.5, len(rows) - 0.5)  # an empty slot below the bars holds the legend
    ax.set_yticks(range(len(rows)), [input_label(r.input, names) for r in rows])
    ax.grid(axis="y", visible=False)
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))
    ax.set_xlabel(output_label(output, currency))
    ax.set_title(f"{_title_output(output)}: base {_fmt_output(base, output)}")
    ax.legend(handles=[Patch(color=FAN, label="input at its low value"),
                       Patch(color=PRIMARY, label="input at its high value")],
              loc="lower center", fontsize=8, ncol=2, frameon=True, facecolor="white",
              edgecolor="none", framealpha=1.0)


@_chart
def spider(frame: pd.DataFrame, ax: Axes, *, output: str = "company_npv", top: int = 8,
           currency: str = "", names: dict[str, str] | None = None) -> None:
    """One output against each input's quantile, the others at their base values.

    Parameters
    ----------
    frame : DataFrame
        ``finmodel.sensitivity.spider`` result: ``input, output, quantile, input_value,
        value``.
    """
    data = _for_output(frame, output)
    if data.empty:
        _empty(ax, f"no spider data for {_short_output(output)}")
        return
    divisor, _ = _scale(output)
    spread = data.groupby("input", sort=False)["value"].agg(lambda v: v.max() - v.min())
    keep = [i for i in spread.sort_values(ascending=False, kind="stable").index
            if spread[i] > 0][:top]
    if not keep:
        _empty(ax, f"no input moves {_short_output(output)}")
        return
    colour = {name: style.colour_for(j) for j, name in enumerate(dict.fromkeys(frame["input"]))}
    for name in keep:
        rows = data[data["input"] == name].sort_values("quantile")
        ax.plot(rows["quantile"] * 100, rows["value"] / divisor, marker="o", markersize=3,
                linewidth=1.6, color=colour[name], label=input_label(name, names))
    ax.set_xlim(0, 100)
    ax.set_xlabel("Input at this percentile of its distribution (%)")
    ax.set_ylabel(output_label(output, currency))
    ax.set_title(_title_output(output))
    ax.legend(loc="best", fontsize=7.5)


@_chart
def sobol(frame: pd.DataFrame, ax: Axes, *, output: str = "company_npv", top: int = 12,
          names: dict[str, str] | None = None, threshold: float = 0.001) -> None:
    """First-order and total Sobol indices of one output with their confidence intervals.

    Parameters
    ----------
    frame : DataFrame
        ``finmodel.sensitivity.sobol`` result: ``factor, output, first, first_low,
        first_high, total, total_low, total_high``.
    threshold : float
        Factors whose indices are all below it are left out (and counted in the legend).
    """
    data = _for_output(frame, output).sort_values("total", ascending=False, kind="stable")
    if data.empty:
        _empty(ax, f"no Sobol indices for {_short_output(output)}")
        return
    effect = np.maximum(data["total"].abs(), data["first"].abs()) >= threshold
    hidden = int((~effect).sum()) + max(int(effect.sum()) - top, 0)
    data = data[effect].head(top)
    if data.empty:
        _empty(ax, f"no factor explains {threshold:.1%} of the variance of "
                   f"{_short_output(output)}")
        return
    from matplotlib.lines import Line2D

    rows = data.iloc[::-1]
    y = np.arange(len(rows))
    h = 0.38
    for offset, column, colour, label in ((h / 2, "total", FAN, "total effect"),
                                          (-h / 2, "first", PRIMARY, "first order")):
        value = rows[column].to_numpy(dtype=float)
        err = np.vstack([np.clip(value - rows[f"{column}_low"].to_numpy(dtype=float), 0, None),
                         np.clip(rows[f"{column}_high"].to_numpy(dtype=float) - value, 0, None)])
        ax.barh(y + offset, value, height=h, color=colour, label=label, linewidth=0,
                xerr=err, error_kw={"ecolor": INK, "elinewidth": 0.8, "capsize": 2})
    ax.set_yticks(y, [input_label(f, names) for f in rows["factor"]])
    ax.axvline(0.0, color=MUTED, linewidth=0.8)
    ax.set_xlabel("Share of the output's variance")
    ax.grid(axis="y", visible=False)
    ax.set_title(_title_output(output))
    handles, _ = ax.get_legend_handles_labels()
    if hidden:
        handles.append(Line2D([], [], linestyle="none",
                              label=f"{hidden} factor{'s' if hidden > 1 else ''} below "
                                    f"{threshold:.1%} not shown"))
    ax.legend(handles=handles, loc="lower right", fontsize=8)


# ---------------------------------------------------------------- RCU


def _tier_names(scenario) -> list[str]:
    cur = scenario.company.currency
    names, upto = [], 0.0
    tiers = scenario.rcu.tiers
    for i, t in enumerate(tiers):
        upto += t.amount
        cap = " (cap)" if i == len(tiers) - 1 else ""
        names.append(f"Tier {i + 1}: {t.share:.0%} of royalties to {cur} {upto:,.0f} a unit{cap}")
    return names


@_chart
def rcu_tiers(valuation, ax: Axes) -> None:
    """Expected payments to RCU holders by tier, per calendar year."""
    if valuation.rcu is None:
        _empty(ax, "no Royalty Conversion Units in this scenario")
        return
    cur = valuation.scenario.company.currency
    by_tier = valuation.rcu.by_tier()
    yearly = by_tier.groupby(by_tier.index.year).sum()
    paid = yearly.sum(axis=1) > 1e-6 * max(float(yearly.to_numpy().sum()), 1.0)
    if not paid.any():
        _empty(ax, "no payments expected within the horizon")
        return
    first, last = yearly.index[paid][0], yearly.index[paid][-1]
    yearly = yearly.loc[first:last]
    bottom = np.zeros(len(yearly))
    for i, (column, name) in enumerate(zip(yearly.columns, _tier_names(valuation.scenario))):
        values = yearly[column].to_numpy() / 1e6
        ax.bar(yearly.index, values, bottom=bottom, color=TIERS[i % len(TIERS)], label=name,
               width=0.75, linewidth=0)
        bottom += values
    ax.set_xlabel("Calendar year")
    ax.set_ylabel(f"Expected payments ({cur} millions a year)")
    ax.set_title("Payments to holders by tier")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right", fontsize=7.5)


def _outcome_groups(valuation) -> list[tuple[str, float, np.ndarray]]:
    """Rows grouped by which fed programs reach the market: (label, probability, cumulative
    paid per unit by month), most probable first."""
    s = valuation.scenario
    paths = valuation.paths
    feeds = list(s.rcu.feeds)
    approved = np.stack([valuation.outcomes[pid] == APPROVED for pid in feeds], axis=-1)
    cumulative = s.rcu.paid_to_date / s.rcu.units + np.cumsum(paths.holders, axis=-1) / s.rcu.units
    groups = []
    for key in sorted({tuple(row) for row in approved.tolist()}, reverse=True):
        rows = (approved == np.array(key)).all(axis=-1)
        weight = float(paths.weights[rows].sum())
        if weight <= 0:
            continue
        mean = paths.weights[rows] @ cumulative[rows] / weight
        names = [s.programs[pid].name for pid, hit in zip(feeds, key) if hit]
        label = (" + ".join(names) + " approved") if names else "no fed program approved"
        groups.append((label, weight, mean))
    return sorted(groups, key=lambda g: -g[1])


@_chart
def rcu_per_unit(valuation, ax: Axes) -> None:
    """Cumulative paid per unit against the tier marks: expected, and by which fed programs
    reach the market."""
    if valuation.rcu is None:
        _empty(ax, "no Royalty Conversion Units in this scenario")
        return
    s = valuation.scenario
    cur = s.company.currency
    paid = valuation.rcu.conversion_frame()["paid_per_unit"]
    groups = _outcome_groups(valuation)
    index = paid.index.to_numpy(dtype="datetime64[D]")
    top = max(float(paid.max()), *(float(g[2].max()) for g in groups))
    moving = np.flatnonzero(np.diff(np.concatenate([[paid.iloc[0]], paid.to_numpy()])) > 1e-9)
    last = index[min(int(moving[-1]) + 24, len(index) - 1)] if moving.size else index[-1]
    for j, (label, weight, mean) in enumerate(groups):
        ax.plot(index, mean, color=style.colour_for(j + 1), linewidth=1.2,
                label=f"{label} ({weight:.1%})")
    ax.plot(index, paid.to_numpy(), color=PRIMARY, linewidth=2.4, label="Expected")
    marks, tags, upto = [], [], 0.0
    for i, tier in enumerate(s.rcu.tiers):
        upto += tier.amount
        ax.axhline(upto, color=MUTED, linewidth=0.9, linestyle="--")
        marks.append(upto)
        tags.append("unit price" if math.isclose(upto, s.rcu.price) else
                    "cap" if i == len(s.rcu.tiers) - 1 else f"tier {i + 1} full")
    # The marks are named on a right-hand axis, clear of the lines.
    right = ax.secondary_yaxis("right")
    right.set_yticks(marks, [f"{cur} {m:,.0f}\n{tag}" for m, tag in zip(marks, tags)])
    right.tick_params(labelsize=7.5, colors=MUTED, length=0)
    right.spines["right"].set_visible(False)
    ax.set_xlim(_to_num(s.valuation_date), _to_num(last))
    ax.set_ylim(0, max(top, s.rcu.cap_per_unit) * 1.08)
    _date_axis(ax)
    ax.set_xlabel("Month end")
    ax.set_ylabel(f"Cumulative paid per unit ({cur})")
    ax.set_title("Paid per unit against the tier marks")
    _legend_below(ax, ncol=2, fontsize=7.5)


@_chart
def holder_irr(result, ax: Axes, *, expected: float | None = None, bins: int = 50) -> None:
    """Distribution of the RCU holders' IRR on the unit price.

    ``result`` is a Simulation with a ``holder_irr`` column (one IRR per path) or a
    Valuation (one IRR per outcome combination, weighted by its probability). An IRR of
    -100% means nothing is ever paid; it is shown as a probability, not as a bar.
    ``expected`` marks the IRR of the expected payments (a Valuation gives its own).
    """
    from matplotlib.lines import Line2D

    samples = getattr(result, "samples", None)
    if samples is not None and "holder_irr" in samples.columns:
        irr = samples["holder_irr"].to_numpy(dtype=float)
        weights = np.full(irr.size, 1.0 / max(irr.size, 1))
        source = f"{irr.size:,} Monte Carlo paths"
    elif getattr(result, "rcu", None) is not None:
        irr = np.asarray(result.rcu.irr_by_row, dtype=float)
        weights = np.asarray(result.paths.weights, dtype=float)
        source = f"{irr.size} outcome combinations"
        expected = result.rcu.irr_expected if expected is None else expected
    else:
        _empty(ax, "no holders' IRR in this result")
        return
    finite = np.isfinite(irr)
    nothing = finite & (irr <= -1 + 1e-9)
    keep = finite & ~nothing
    if not keep.any():
        _empty(ax, "holders are never paid")
        return
    ax.hist(irr[keep] * 100, bins=bins, weights=weights[keep] * 100, color=PRIMARY,
            alpha=0.85, linewidth=0)
    order = np.argsort(irr[finite], kind="stable")
    cum = np.cumsum(weights[finite][order]) / weights[finite].sum()
    median = float(irr[finite][order][min(np.searchsorted(cum, 0.5), order.size - 1)])
    if median > -1:
        ax.axvline(median * 100, color=INK, linewidth=1.3, label=f"Median {median:.1%}")
    if expected is not None and math.isfinite(expected):
        ax.axvline(expected * 100, color=ACCENT, linewidth=1.3, linestyle="--",
                   label=f"IRR of expected payments {expected:.1%}")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
    ax.set_xlabel("Holders' IRR on the unit price (% a year)")
    ax.set_ylabel("Probability (%)")
    ax.set_title("Holders' IRR")
    nothing_paid = weights[nothing].sum() / weights[finite].sum()
    handles, _ = ax.get_legend_handles_labels()
    handles += [Line2D([], [], linestyle="none", label=f"P(nothing paid) {nothing_paid:.1%}"),
                Line2D([], [], linestyle="none", label=source)]
    ax.legend(handles=handles, loc="best", fontsize=8)


@_chart
def rcu_shortcut(valuation, ax: Axes) -> None:
    """Holders' value exactly (waterfall outcome by outcome) against the common shortcut
    (waterfall on expected royalties), and the shortcut's error."""
    if valuation.rcu is None:
        _empty(ax, "no Royalty Conversion Units in this scenario")
        return
    cur = valuation.scenario.company.currency
    r = valuation.rcu
    exact, shortcut = r.holder_value, r.shortcut_value
    labels = ["Shortcut:\nwaterfall on\nexpected royalties", "Exact:\nwaterfall outcome\nby outcome"]
    values = [shortcut / 1e6, exact / 1e6]
    ax.barh([1, 0], values, color=[FAN, PRIMARY], height=0.55, linewidth=0)
    for y, v in zip((1, 0), values):
        ax.text(v, y, f" {cur} {v:,.2f}M", va="center", ha="left", fontsize=9)
    ax.set_yticks([1, 0], labels)
    ax.set_xlim(0, max(values) * 1.35)
    share = r.shortcut_error / exact if exact else math.nan
    verb = "overstates" if r.shortcut_error > 0 else "understates"
    ax.set_title(f"The shortcut {verb} the claim by {cur} {abs(r.shortcut_error) / 1e6:,.2f}M"
                 f" ({abs(share):.1%})", fontsize=10)
    ax.set_xlabel(f"Holders' value, present value ({cur} millions)")
    ax.grid(axis="y", visible=False)


# ---------------------------------------------------------------- guidance


@_chart
def guidance_history(history: pd.DataFrame, ax: Axes, *, min_releases: int = 2) -> None:
    """Each event's guided period by release: one column per release, a bar from the start to
    the end of the period the company gave, midpoints joined per event.

    Parameters
    ----------
    history : DataFrame
        ``Extraction.guidance_history()``: ``program, event, published, period_start,
        period_end, ...``.
    min_releases : int
        Events guided in fewer releases are left out (they cannot move).
    """
    if history is None or history.empty:
        _empty(ax, "no guided events found in the releases")
        return
    counts = history.groupby(["program", "event"])["published"].transform("nunique")
    data = history[counts >= min_releases]
    if data.empty:
        _empty(ax, f"no event is guided in {min_releases} or more releases")
        return
    releases = sorted(pd.to_datetime(history["published"]).dt.date.unique())
    column = {day: i for i, day in enumerate(releases)}
    series = list(data.groupby(["program", "event"], sort=False).groups)
    series = sorted(series, key=lambda k: (k[0].lower(), k[1]))
    group = 0.56
    width = group / max(len(series), 1)
    for j, (program, event) in enumerate(series):
        rows = data[(data["program"] == program) & (data["event"] == event)]
        rows = rows.sort_values("published", kind="stable")
        x = np.array([column[pd.Timestamp(d).date()] for d in rows["published"]], dtype=float)
        x = x - group / 2 + width * (j + 0.5)
        lo = np.array([_to_num(d) for d in rows["period_start"]])
        hi = np.array([_to_num(d) for d in rows["period_end"]])
        colour = style.colour_for(j)
        ax.vlines(x, lo, hi, color=colour, linewidth=max(2.0, min(7.0, 50 * width)), alpha=0.75)
        ax.plot(x, (lo + hi) / 2, color=colour, marker="o", markersize=4, linewidth=1.0,
                label=f"{program}: {event_label(event)}")
    said = np.array([_to_num(d) for d in releases])
    at = np.arange(len(releases))
    ax.hlines(said, at - group / 2 - 0.04, at + group / 2 + 0.04, color=MUTED, linewidth=1.5,
              label="release date", zorder=3)
    ax.set_xticks(range(len(releases)), [day_label(d) for d in releases])
    ax.set_xlim(-0.6, len(releases) - 0.4)
    ax.yaxis_date()
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=5, maxticks=10)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlabel("Release (publication date)")
    ax.set_ylabel("Guided period (calendar date)")
    ax.grid(axis="x", visible=False)
    ax.set_title("Guided timing, release by release")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


CHARTS = {
    "cash_runway": cash_runway,
    "rnpv_bridge": rnpv_bridge,
    "equity_bridge": equity_bridge,
    "npv_histogram": npv_histogram,
    "tornado": tornado,
    "spider": spider,
    "sobol": sobol,
    "rcu_tiers": rcu_tiers,
    "rcu_per_unit": rcu_per_unit,
    "holder_irr": holder_irr,
    "rcu_shortcut": rcu_shortcut,
    "guidance_history": guidance_history,
}
"""Every chart by name."""
