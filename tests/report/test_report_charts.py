"""Chart functions on small results: each returns an Axes with something drawn and labelled,
and reads its result without changing it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finmodel.report import charts, style


def _drawn(ax) -> int:
    """Artists that carry data: lines, patches, collections."""
    return len(ax.lines) + len(ax.patches) + len(ax.collections)


def _render(ax) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _check(ax, *, xlabel=True, ylabel=True):
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    assert _drawn(ax) > 0
    assert ax.get_title(loc="left")
    if xlabel:
        assert ax.get_xlabel()
    if ylabel:
        assert ax.get_ylabel() or ax.get_yticklabels()
    pixels = _render(ax)[..., :3]
    assert pixels.std() > 5, "the chart rendered blank"


def test_cash_runway_with_and_without_fan(valuation, simulation, fan):
    before = valuation.runway.frame.copy()
    plain = charts.cash_runway(valuation)
    _check(plain)
    with_fan = charts.cash_runway(valuation, fan=fan)
    _check(with_fan)
    # The fan adds a band and a median line to the exact balance.
    assert len(with_fan.collections) > len(plain.collections)
    labels = [t.get_text() for t in with_fan.get_legend().get_texts()]
    assert any("P10" in label for label in labels)
    assert any("Minimum cash" in label for label in labels)
    # A simulation without a fan falls back to the exact balance alone.
    fallback = charts.cash_runway(valuation, fan=simulation)
    _check(fallback)
    pd.testing.assert_frame_equal(valuation.runway.frame, before)


def test_cash_runway_marks_readouts_and_warrants(valuation):
    ax = charts.cash_runway(valuation)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "Phase III results" in texts and "key readout" in texts
    assert "NDA submission" in texts
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "Warrants expire" in legend and "Cash-out" in legend


def test_runway_window_reaches_past_the_funding_target(valuation):
    end = charts.runway_window(valuation)
    assert end > valuation.funding_target
    assert charts.runway_window(valuation, months=6) < end


def test_bridges_end_at_the_totals(valuation):
    ax = charts.rnpv_bridge(valuation)
    _check(ax, xlabel=False)
    labels = [t.get_text() for t in ax.texts]
    assert f"{valuation.rnpv.total / 1e6:,.1f}" in labels
    assert f"{-valuation.rnpv.by_program['pv_rcu'].sum() / 1e6:+,.1f}" in labels
    ax = charts.equity_bridge(valuation)
    _check(ax, xlabel=False)
    assert f"{valuation.capital.equity / 1e6:,.1f}" in [t.get_text() for t in ax.texts]


def test_npv_histogram(simulation, valuation):
    ax = charts.npv_histogram(simulation, exact=valuation.rnpv.total)
    _check(ax)
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    for word in ("P10", "P50", "P90", "P(company NPV < 0)", "Exact valuation"):
        assert word in legend


def test_sensitivity_charts_on_hand_made_frames(tornado_frame, spider_frame, sobol_frame):
    for output in ("company_npv", "holder_irr", "runway_months"):
        _check(charts.tornado(tornado_frame, output=output, currency="CAD"), ylabel=False)
    _check(charts.spider(spider_frame, output="runway_months"))
    ax = charts.sobol(sobol_frame, output="company_npv")
    _check(ax, ylabel=False)
    # A factor with no effect is left out and counted in the legend.
    assert len(ax.get_yticks()) == 2
    assert "1 factor below" in " ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_sensitivity_charts_say_when_there_is_nothing(tornado_frame):
    flat = tornado_frame.assign(swing=0.0)
    ax = charts.tornado(flat, output="company_npv")
    assert not ax.axison and "no input moves" in ax.texts[0].get_text()


def test_rcu_charts(valuation, simulation):
    for chart in (charts.rcu_tiers, charts.rcu_per_unit, charts.rcu_shortcut):
        _check(chart(valuation), ylabel=chart is not charts.rcu_shortcut)
    # Holders' IRR: per Monte Carlo path when the simulation has it, else per outcome row.
    _check(charts.holder_irr(valuation))
    _check(charts.holder_irr(simulation, expected=valuation.rcu.irr_expected))


def test_rcu_per_unit_marks_the_tiers(valuation):
    ax = charts.rcu_per_unit(valuation)
    marks = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert marks == [300.0, 600.0, 1000.0]


def test_guidance_history(history_frame):
    ax = charts.guidance_history(history_frame)
    _check(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # Only events guided in two or more releases are drawn.
    assert "Omigard: Phase III results" in legend
    assert not any("NDA" in label for label in legend)
    empty = charts.guidance_history(history_frame.iloc[:0])
    assert not empty.axison


def test_charts_draw_on_a_given_axes(valuation):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert charts.rcu_tiers(valuation, ax) is ax


def test_every_chart_is_registered():
    assert set(charts.CHARTS) == {
        "cash_runway", "rnpv_bridge", "equity_bridge", "npv_histogram", "tornado", "spider",
        "sobol", "rcu_tiers", "rcu_per_unit", "holder_irr", "rcu_shortcut", "guidance_history"}


@pytest.mark.parametrize("path, label", [
    ("programs.omigard.royalty.tiers.0.rate", "Omigard royalty rate"),
    ("programs.omigard.sales.peak", "Omigard peak sales"),
    ("company.burn.1.annual", "Annual burn (step 2)"),
    ("outcome.cls001", "CLS001 outcome"),
    ("fx.USD", "FX rate USD"),
    ("discounting.rate", "Discount rate"),
])
def test_input_labels(path, label):
    names = {"omigard": "Omigard", "cls001": "CLS001"}
    assert style.input_label(path, names) == label


def test_event_and_value_labels():
    assert charts.event_label("phase3_results") == "Phase III results"
    assert charts.event_label("nda_submission") == "NDA submission"
    assert style.input_value("discounting.rate", 0.12) == "12.0%"
    assert style.input_value("company.cash.amount", 5e6) == "5.0M"
    assert style.money(float("inf")) == "not reachable"
