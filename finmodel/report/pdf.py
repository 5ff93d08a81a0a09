"""Pages of the PDF and the PNG of each chart.

Every chart the report shows is a :class:`ChartSpec`: the same spec draws its
panel on a page and its own PNG. Pages are A4 landscape with a header (what
the page answers) and a footer (scenario, date, paths, seed, page number).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import charts, style
from .figures import KeyFigure, key_figures
from .style import ACCENT, INK, MUTED, POSITIVE, PRIMARY

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .build import ReportData

__all__ = ["ChartSpec", "chart_specs", "page_count", "pdf_bytes", "png_bytes"]

OUTPUT_ORDER = ("company_npv", "holder_irr", "runway_months", "holder_npv", "per_share")


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the report: ``draw(ax)`` draws it on any Axes.

    ``key`` names its PNG (``<report>-<key>.png``); ``page`` groups the charts
    sharing a PDF page.
    """

    key: str
    page: str
    draw: Callable[[Any], Any]
    size: tuple[float, float] = style.CHART_SIZE


def _outputs(frame: pd.DataFrame | None) -> list[str]:
    if frame is None or frame.empty:
        return []
    present = list(dict.fromkeys(frame["output"]))
    return sorted(present, key=lambda o: OUTPUT_ORDER.index(o) if o in OUTPUT_ORDER else 99)


def chart_specs(data: ReportData) -> list[ChartSpec]:
    """Every chart of the report, in page order."""
    v, m = data.valuation, data.simulation
    cur, names = data.currency, data.program_names
    specs = [
        ChartSpec("cash-runway", "runway", lambda ax: charts.cash_runway(v, ax, fan=m)),
        ChartSpec("rnpv-bridge", "rnpv", lambda ax: charts.rnpv_bridge(v, ax)),
        ChartSpec("equity-bridge", "rnpv", lambda ax: charts.equity_bridge(v, ax)),
        ChartSpec("npv-distribution", "distribution",
                  lambda ax: charts.npv_histogram(m, ax, exact=v.rnpv.total)),
    ]
    for kind, frame, chart in (("tornado", data.tornado, charts.tornado),
                               ("spider", data.spider, charts.spider),
                               ("sobol", data.sobol, charts.sobol)):
        for output in _outputs(frame):
            options = {"output": output, "names": names}
            if kind != "sobol":
                options["currency"] = cur
            specs.append(ChartSpec(f"{kind}-{output.replace('_', '-')}", kind,
                                   _bind(chart, frame, options)))
    if v.rcu is not None:
        irr_source = m if "holder_irr" in m.samples.columns else v
        specs += [
            ChartSpec("rcu-tiers", "rcu", lambda ax: charts.rcu_tiers(v, ax)),
            ChartSpec("rcu-per-unit", "rcu", lambda ax: charts.rcu_per_unit(v, ax)),
            ChartSpec("holder-irr", "rcu", lambda ax: charts.holder_irr(
                irr_source, ax, expected=v.rcu.irr_expected)),
            ChartSpec("rcu-shortcut", "rcu", lambda ax: charts.rcu_shortcut(v, ax)),
        ]
    if data.history is not None:
        specs.append(ChartSpec("guidance-history", "guidance",
                               lambda ax: charts.guidance_history(data.history, ax)))
    return specs


def _bind(chart, frame, options):
    return lambda ax: chart(frame, ax, **options)


# ---------------------------------------------------------------- files


def png_bytes(spec: ChartSpec) -> bytes:
    """The chart alone as PNG (fixed size and dpi, no software stamp)."""
    with style.context():
        ax = charts.new_axes(spec.size)
        spec.draw(ax)
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=style.PNG_DPI, metadata=style.PNG_METADATA)
    return buffer.getvalue()


def pdf_bytes(data: ReportData, specs: Sequence[ChartSpec]) -> bytes:
    """Every page in one PDF with fixed metadata (no dates)."""
    from matplotlib.backends.backend_pdf import PdfPages

    plan = _plan(data, specs)
    buffer = io.BytesIO()
    with style.context(), PdfPages(buffer, metadata=style.PDF_METADATA) as pdf:
        for number, page in enumerate(plan, start=1):
            fig = _page(data, page.title, page.subtitle, number, len(plan))
            page.draw(fig)
            pdf.savefig(fig)
    return buffer.getvalue()


def page_count(data: ReportData, specs: Sequence[ChartSpec]) -> int:
    return len(_plan(data, specs))


# ---------------------------------------------------------------- page plan

@dataclass(frozen=True)
class Page:
    """One PDF page: its heading, a sentence on what it answers, and how to draw its body."""

    title: str
    subtitle: str
    draw: Callable[[Figure], None]


SUBTITLES = {
    "runway": ("Closing balance month by month: the exact expectation over the program "
               "outcomes and the Monte Carlo spread, against the minimum cash and the guided "
               "events."),
    "rnpv": ("Each program's probability-weighted present value, less the RCU holders' claim; "
             "then the sum of the parts per share."),
    "tornado": ("Each uncertain input at its P10 and P90, the others at their base values "
                "(exact valuation)."),
    "spider": ("Each uncertain input through the quantiles of its distribution, the others at "
               "their base values (exact valuation)."),
    "sobol": ("Share of each output's Monte Carlo variance explained by each input or program "
              "outcome alone (first order) and with its interactions (total), 95% bootstrap "
              "intervals."),
    "rcu": ("What the holders receive by tier and over time, their return, and what the "
            "common shortcut gets wrong."),
    "guidance": "When the company said each event would happen, release by release.",
}
SENSITIVITY_TITLES = {"tornado": "Tornado: one input at a time",
                      "spider": "Spider: outputs across each input's range",
                      "sobol": "Sobol indices"}


def _plan(data: ReportData, specs: Sequence[ChartSpec]) -> list[Page]:
    """Every page in order (the register takes as many pages as its rows need)."""
    by_page: dict[str, list[ChartSpec]] = {}
    for spec in specs:
        by_page.setdefault(spec.page, []).append(spec)
    s = data.scenario
    day = s.valuation_date
    plan = [
        Page(s.name, (f"Valuation report as of {day.day} {day:%B %Y}. All amounts in "
                      f"{data.currency} unless stated."),
             lambda fig: _summary_page(fig, data)),
        Page("Cash runway", SUBTITLES["runway"],
             lambda fig: _grid(fig, by_page.get("runway", []), [[0]])),
        Page("Risk-adjusted NPV", SUBTITLES["rnpv"],
             lambda fig: _grid(fig, by_page.get("rnpv", []), [[0, 1]], widths=[1.45, 1])),
        Page("Distribution of company NPV",
             (f"Monte Carlo over program outcomes and uncertain inputs: "
              f"{len(data.simulation):,} paths, seed {data.seed}."),
             lambda fig: _distribution_page(fig, data, by_page["distribution"])),
    ]
    for kind, title in SENSITIVITY_TITLES.items():
        subtitle = SUBTITLES[kind] + "".join(
            f" Not shown: {why}." for part, why in data.missing.items()
            if part.startswith(f"{kind}."))
        plan.append(Page(title, subtitle, _sensitivity_drawer(by_page.get(kind, []), kind)))
    if data.valuation.rcu is not None:
        plan.append(Page("Royalty Conversion Units", SUBTITLES["rcu"],
                         lambda fig: _grid(fig, by_page.get("rcu", []), [[0, 1], [2, 3]])))
    plan.append(Page("Guidance history", SUBTITLES["guidance"],
                     lambda fig: _guidance_page(fig, data, by_page.get("guidance", []))))
    chunks = _register_chunks(data.register)
    counts = data.register["status"].value_counts()
    for i, chunk in enumerate(chunks, start=1):
        subtitle = (f"Every input of the scenario: {len(data.register)} in all, "
                    f"{counts.get('sourced', 0)} sourced from a release (file:line), "
                    f"{counts.get('assumption', 0)} assumed (with the reason where given). "
                    f"Part {i} of {len(chunks)}.")
        plan.append(Page("Assumption register", subtitle,
                         lambda fig, chunk=chunk: _register_page(fig, chunk)))
    return plan


def _sensitivity_drawer(specs: list[ChartSpec], kind: str):
    def draw(fig):
        if not specs:
            _message(fig, f"no {kind} results")
        elif len(specs) <= 2:
            _grid(fig, specs, [list(range(len(specs)))])
        else:
            # The first output across the top, the others in pairs below.
            layout = [[0, 0]] + [[i, i + 1 if i + 1 < len(specs) else -1]
                                 for i in range(1, len(specs), 2)]
            _grid(fig, specs, layout, heights=[1.25] + [1] * (len(layout) - 1))
    return draw


# ---------------------------------------------------------------- page scaffolding


def _page(data: ReportData, title: str, subtitle: str, number: int, total: int) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=style.PAGE_SIZE, layout="constrained")
    fig.get_layout_engine().set(rect=(0.025, 0.05, 0.95, 0.80), w_pad=0.08, h_pad=0.08)
    fig.text(0.035, 0.94, title, fontsize=18, weight="bold", color=INK, va="baseline")
    fig.text(0.035, 0.922, textwrap.fill(subtitle, 165), fontsize=9.5, color=MUTED, va="top",
             linespacing=1.3)
    s = data.scenario
    source = f" ({data.source})" if data.source else ""
    fig.text(0.035, 0.022, f"{s.name}{source} · as of {s.valuation_date.isoformat()} · "
             f"Monte Carlo {len(data.simulation):,} paths, seed {data.seed} · finmodel",
             fontsize=7.5, color=MUTED)
    fig.text(0.965, 0.022, f"page {number} of {total}", fontsize=7.5, color=MUTED, ha="right")
    fig.add_artist(_rule(fig, 0.868))
    return fig


def _rule(fig, y: float):
    from matplotlib.lines import Line2D

    return Line2D([0.035, 0.965], [y, y], transform=fig.transFigure, color=style.GRID,
                  linewidth=1.0)


def _grid(fig, specs: list[ChartSpec], layout: list[list[int]], *,
          widths: list[float] | None = None, heights: list[float] | None = None) -> None:
    """Draw ``specs`` in a grid: ``layout[r][c]`` is the index of the chart in that cell
    (a chart spanning cells repeats its index; -1 leaves a cell empty)."""
    if not specs:
        _message(fig, "nothing to show")
        return
    rows, cols = len(layout), len(layout[0])
    grid = fig.add_gridspec(rows, cols, width_ratios=widths, height_ratios=heights)
    done = set()
    for index, spec in enumerate(specs):
        cells = [(r, c) for r in range(rows) for c in range(cols) if layout[r][c] == index]
        if not cells or index in done:
            continue
        r0, r1 = min(r for r, _ in cells), max(r for r, _ in cells)
        c0, c1 = min(c for _, c in cells), max(c for _, c in cells)
        spec.draw(fig.add_subplot(grid[r0:r1 + 1, c0:c1 + 1]))
        done.add(index)


def _text_axes(fig, rect: tuple[float, float, float, float] | None = None, *,
               cell=None):
    """An Axes for text only: at a fixed ``rect`` (figure fraction) or in a grid ``cell``.

    Call :func:`_out_of_layout` once it is filled, so the layout engine skips measuring
    every text (the slow part of a text-heavy page).
    """
    ax = fig.add_axes(rect) if rect is not None else fig.add_subplot(cell)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return ax


def _out_of_layout(ax) -> None:
    for artist in (*ax.texts, *ax.lines):
        artist.set_in_layout(False)


def _message(fig, text: str) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.55, textwrap.fill(text[:1].upper() + text[1:], 90), ha="center",
            va="center", fontsize=12, color=MUTED, transform=ax.transAxes)


# ---------------------------------------------------------------- summary


_TILES = ("Cash-out month (median outcome)", "Raise needed now to reach it",
          "Total, net of the RCU claim", "Value per fully diluted share")
_COLUMNS = (("Cash runway", "Risk-adjusted NPV"),
            ("Royalty Conversion Units", "Sum of the parts"),
            ("Monte Carlo", "Scenario"))


def _summary_page(fig, data: ReportData) -> None:
    figures = key_figures(data)
    cur = data.currency
    by_label = {f.label: f for f in figures}
    fig.set_layout_engine("none")  # text only: fixed positions, nothing to lay out
    tiles = _text_axes(fig, (0.035, 0.70, 0.93, 0.14))
    captions = {
        _TILES[0]: "Cash-out, median outcome",
        _TILES[1]: f"Raise needed now ({data.valuation.funding_target:%b %Y} target)"
        if data.valuation.funding_target else "Raise needed now",
        _TILES[2]: "rNPV, net of the RCU claim",
        _TILES[3]: "Value per fully diluted share",
    }
    shown = [by_label[t] for t in _TILES if t in by_label]
    for i, fig_ in enumerate(shown):
        x = (i + 0.5) / len(shown)
        tiles.text(x, 0.62, _tile_text(fig_, cur), ha="center", va="center", fontsize=19,
                   weight="bold", color=PRIMARY, transform=tiles.transAxes)
        tiles.text(x, 0.12, captions[fig_.label], ha="center", va="center", fontsize=9,
                   color=MUTED, transform=tiles.transAxes)
    _out_of_layout(tiles)
    for c, sections in enumerate(_COLUMNS):
        ax = _text_axes(fig, (0.035 + c * 0.315, 0.06, 0.30, 0.62))
        rows: list[tuple[str, KeyFigure | None]] = []
        for section in sections:
            items = [f for f in figures if f.section == section]
            if items:
                rows.append((section, None))
                rows += [(f.label, f) for f in items]
        _key_value_column(ax, rows, cur, notes=_summary_notes(data) if c == 2 else ())
        _out_of_layout(ax)


def _summary_notes(data: ReportData) -> list[str]:
    v = data.valuation
    return [
        (f"Exact figures are the expectation over every combination of program outcomes "
         f"({v.rows} here) at the base inputs, each program stopping at one of its stages "
         "with the benchmark or scenario probability."),
        ("Monte Carlo figures also draw the uncertain inputs, so their mean can differ from "
         "the exact value where a distribution is not centred on the base input. PoS: "
         "probability of reaching the market."),
    ]


def _tile_text(figure: KeyFigure, currency: str) -> str:
    if figure.kind == "date":
        return f"{figure.value:%b %Y}"
    return figure.text(currency)


def _key_value_column(ax, rows: list[tuple[str, KeyFigure | None]], currency: str,
                      notes: Sequence[str] = ()) -> None:
    step = 1.0 / max(len(rows) + 1, 24)
    right = 0.94  # a gutter before the next column
    y = 1.0
    for label, figure in rows:
        if figure is None:
            y -= step * 0.4 if y < 1.0 else 0.0
            ax.text(0.0, y - step * 0.5, label, fontsize=10.5, weight="bold", color=PRIMARY,
                    transform=ax.transAxes, va="center")
            ax.plot([0, right], [y - step, y - step], color=PRIMARY, linewidth=0.8,
                    transform=ax.transAxes)
        else:
            value = figure.text(currency)
            total = label.startswith("Total")
            label_text = textwrap.shorten(label, 44, placeholder="…")
            ax.text(0.0, y - step * 0.5, label_text, fontsize=8.6, color=INK,
                    weight="bold" if total else "normal", transform=ax.transAxes, va="center")
            ax.text(right, y - step * 0.5, textwrap.shorten(value, 26, placeholder="…"),
                    fontsize=8.6, weight="bold", color=INK, ha="right",
                    transform=ax.transAxes, va="center")
        y -= step
    y -= step * 0.6
    for note in notes:
        wrapped = textwrap.fill(note, 62)
        ax.text(0.0, y, wrapped, fontsize=7.8, color=MUTED, transform=ax.transAxes, va="top",
                linespacing=1.3)
        y -= step * (0.25 + 0.85 * (wrapped.count("\n") + 1))


# ---------------------------------------------------------------- distribution page


def _distribution_page(fig, data: ReportData, specs: list[ChartSpec]) -> None:
    grid = fig.add_gridspec(1, 2, width_ratios=[1.9, 1])
    specs[0].draw(fig.add_subplot(grid[0, 0]))
    ax = _text_axes(fig, cell=grid[0, 1])
    samples = data.simulation.samples
    columns = [c for c in ("company_npv", "holder_npv", "holder_irr", "runway_months",
                           "per_share") if c in samples.columns]
    cur = data.currency
    header = ["", "P10", "P50", "P90", "mean"]
    rows = []
    for column in columns:
        values = samples[column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        p10, p50, p90 = np.percentile(values, [10, 50, 90])
        fmt = _stat_format(column)
        rows.append([_stat_label(column, cur), *(fmt(x) for x in (p10, p50, p90,
                                                                     values.mean()))])
    _text_table(ax, header, rows, [0.0, 0.6, 0.73, 0.87, 1.0],
                ["left", "right", "right", "right", "right"], top=0.93, step=0.045,
                fontsize=8.4)
    ax.text(0.0, 0.99, "Monte Carlo percentiles", fontsize=10.5, weight="bold", color=PRIMARY,
            transform=ax.transAxes, va="top")
    never = float(np.mean(~np.isfinite(samples["runway_months"].to_numpy(dtype=float))))
    notes = [f"{len(samples):,} paths, seed {data.seed}.",
             (f"Exact rNPV (expectation over {data.valuation.rows} outcome combinations at "
              f"the base inputs): {style.money(data.valuation.rnpv.total, cur)}."),
             ("The Monte Carlo mean differs from it where the input distributions are not "
              "centred on the base values.")]
    if never > 0:
        notes.append(f"{never:.1%} of paths never run out of cash within the horizon.")
    y = 0.93 - 0.045 * (len(rows) + 1) - 0.04
    for line in filter(None, notes):
        wrapped = textwrap.fill(line, 56)
        ax.text(0.0, y, wrapped, fontsize=8.3, color=MUTED, transform=ax.transAxes, va="top")
        y -= 0.04 * (wrapped.count("\n") + 1) + 0.02
    _out_of_layout(ax)


def _stat_label(column: str, currency: str) -> str:
    return {"company_npv": f"Company NPV ({currency} M)",
            "holder_npv": f"Holders' NPV ({currency} M)",
            "holder_irr": "Holders' IRR", "runway_months": "Runway (months)",
            "per_share": f"Per share ({currency})"}.get(column, column)


def _stat_format(column: str) -> Callable[[float], str]:
    if column == "holder_irr":
        return lambda x: f"{x:.1%}"
    if column == "runway_months":
        return lambda x: f"{x:.1f}"
    if column == "per_share":
        return lambda x: f"{x:.3f}"
    return lambda x: f"{x / 1e6:,.1f}"


def _text_table(ax, header: list[str], rows: list[list[str]], xs: list[float],
                aligns: list[str], *, top: float = 1.0, step: float = 0.055,
                fontsize: float = 8.6) -> float:
    """A plain table drawn with text; returns the y below it (axes fraction)."""
    y = top
    for x, text, align in zip(xs, header, aligns):
        ax.text(x, y, text, ha=align, va="top", fontsize=fontsize, weight="bold",
                transform=ax.transAxes)
    y -= step
    ax.plot([0, 1], [y + step * 0.15] * 2, color=MUTED, linewidth=0.6, transform=ax.transAxes)
    for row in rows:
        for x, text, align in zip(xs, row, aligns):
            ax.text(x, y, text, ha=align, va="top", fontsize=fontsize, transform=ax.transAxes)
        y -= step
    return y


# ---------------------------------------------------------------- guidance page


def _guidance_page(fig, data: ReportData, specs: list[ChartSpec]) -> None:
    if data.history is None:
        _message(fig, data.missing.get("history", "no releases given"))
        return
    history = data.history
    grid = fig.add_gridspec(2, 1, height_ratios=[1.1, 1])
    specs[0].draw(fig.add_subplot(grid[0, 0]))
    ax = _text_axes(fig, cell=grid[1, 0])
    header = ["Program", "Event", "Said on", "Guided period", "Slip (days)", "Release file"]
    rows = []
    for r in history.itertuples(index=False):
        period = (f"{pd.Timestamp(r.period_start):%Y-%m-%d} to "
                  f"{pd.Timestamp(r.period_end):%Y-%m-%d}")
        rows.append([str(r.program), charts.event_label(str(r.event)),
                     f"{pd.Timestamp(r.published):%Y-%m-%d}", period,
                     f"{int(r.slip_days):+d}", _file_name(r.source)])
    xs = [0.0, 0.12, 0.28, 0.39, 0.66, 0.71]
    aligns = ["left", "left", "left", "left", "right", "left"]
    limit = 24
    step = min(0.06, 0.98 / (min(len(rows), limit) + 1.5))
    y = _text_table(ax, header, rows[:limit], xs, aligns, top=1.0, step=step, fontsize=7.4)
    if len(rows) > limit:
        ax.text(0.0, y, (f"... and {len(rows) - limit} more rows in the workbook "
                         "(sheet Guidance)."), fontsize=7.6, color=MUTED, transform=ax.transAxes,
                va="top")
    _out_of_layout(ax)


def _file_name(source: Any) -> str:
    text = str(source or "")
    return text.replace("\\", "/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------- register pages

_REGISTER_FONT = 7.2
_REGISTER_LINE = 1.32  # line height in font sizes
_REGISTER_COLUMNS = ((0.0, 0.285), (0.29, 0.15), (0.445, 0.075), (0.525, 0.475))
"""(x, width) of path, value, status, and source or reason, as fractions of the page body."""
_REGISTER_RECT = (0.035, 0.06, 0.93, 0.79)
_BODY_INCHES = (style.PAGE_SIZE[0] * _REGISTER_RECT[2], style.PAGE_SIZE[1] * _REGISTER_RECT[3])


def _chars(width: float) -> int:
    # DejaVu Sans averages about 0.56 em per character.
    return max(8, int(width * _BODY_INCHES[0] * 72 / (_REGISTER_FONT * 0.6)))


def _register_cells(path: str, row: pd.Series, previous: str | None) -> list[list[str]]:
    """The wrapped lines of one register row; a reason equal to the row above's is not
    repeated."""
    value = _register_value(path, row["value"])
    where = _register_where(row)
    if where == previous and where != "—":
        where = "(as above)"
    widths = [_chars(w) for _, w in _REGISTER_COLUMNS]
    return [_wrap_path(path, widths[0]), textwrap.wrap(value, widths[1]) or [""],
            [row["status"]], textwrap.wrap(where, widths[3]) or [""]]


def _register_where(row: pd.Series) -> str:
    if row["status"] == "sourced":
        return row["ref"] + (f": {row['note']}" if row["note"] else "")
    return row["note"] or "—"


def _wrap_path(path: str, width: int) -> list[str]:
    """A dotted path in lines of at most ``width`` characters, broken after dots."""
    lines = [""]
    for i, part in enumerate(path.split(".")):
        piece = part if i == 0 else "." + part
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    return lines


def _register_value(path: str, value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "none"
    return str(value)


def _register_chunks(register: pd.DataFrame) -> list[list[tuple[str, list[list[str]]]]]:
    """Rows of the register split into pages by the lines they take once wrapped."""
    line = _REGISTER_FONT * _REGISTER_LINE / 72
    capacity = int(_BODY_INCHES[1] / line) - 2  # the header row and its rule
    pages: list[list[tuple[str, list[list[str]]]]] = [[]]
    used = 0
    previous = None
    for path, row in register.iterrows():
        cells = _register_cells(str(path), row, previous)
        previous = _register_where(row)
        height = max(len(c) for c in cells)
        if used + height > capacity and pages[-1]:
            pages.append([])
            used = 0
            cells = _register_cells(str(path), row, None)  # a page starts in full
            height = max(len(c) for c in cells)
        pages[-1].append((row["status"], cells))
        used += height
    return pages


def _register_page(fig, chunk: list[tuple[str, list[list[str]]]]) -> None:
    fig.set_layout_engine("none")  # text only: fixed positions, nothing to lay out
    ax = _text_axes(fig, _REGISTER_RECT)
    line = _REGISTER_FONT * _REGISTER_LINE / 72 / _BODY_INCHES[1]
    y = 1.0
    for (x, _), title in zip(_REGISTER_COLUMNS, ("Input (dotted path)", "Value", "Status",
                                                 "Source (release:line) or reason")):
        ax.text(x, y, title, fontsize=_REGISTER_FONT + 0.6, weight="bold", va="top")
    y -= line * 1.25
    ax.plot([0, 1], [y + line * 0.1] * 2, color=MUTED, linewidth=0.6)
    for status, cells in chunk:
        height = max(len(c) for c in cells)
        colour = POSITIVE if status == "sourced" else ACCENT
        for (x, _), lines, j in zip(_REGISTER_COLUMNS, cells, range(4)):
            ax.text(x, y, "\n".join(lines), fontsize=_REGISTER_FONT, va="top",
                    linespacing=_REGISTER_LINE - 0.1,
                    color=colour if j == 2 else INK, weight="bold" if j == 2 else "normal")
        y -= line * height
        ax.plot([0, 1], [y + line * 0.05] * 2, color=style.GRID, linewidth=0.4)
    _out_of_layout(ax)
