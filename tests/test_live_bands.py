"""The live panel with a spec that gives ranges: each ranged figure's P10–P90 band, moving with the sliders.

Band values are checked against ``Uncertainty``'s own percentiles at several slider positions,
by a hand-worked case, and a spec without ranges keeps its images byte for byte.
"""

from __future__ import annotations

import math

import pytest

from designkit.live.bands import CapacityBands, CostBands, LatencyBands, ScalingBands
from designkit.live.panel import readout
from designkit.live.render import ChartView
from designkit.live.scheduling import ManualScheduler
from designkit.live.state import live_ranges
from designkit.live.views import live
from designkit.model.analysis import analyze
from designkit.model.sensitivity import CAPACITY_FIGURES, Uncertainty
from designkit.model.spec import load_spec
from designkit.views.charts import registry
from designkit.views.charts.capacity import CapacityChart
from designkit.views.charts.cost import CostChart
from designkit.views.charts.latency import LatencyChart
from designkit.views.rows.spread import say, say_range, spread_words

from test_widgets import drawn_by_matplotlib_alone, png_pixels, view


def section_one(spec, overrides=None):
    box = live(spec, overrides, section=1, scheduler=ManualScheduler(), prepare=False)
    return box, box.panel, view(box, ChartView, "dk-chart-capacity")


def uncertainty_here(panel):
    """What ``Uncertainty`` itself says of the state the sliders show: the band's definition."""
    state = panel.state
    return {s.figure: s for s in Uncertainty(live_ranges(panel.base, state.spec), state.spec).capacity}


def band_on_chart(chart) -> dict:
    """(P10, P90) read back from the chart's own artists."""
    bands = chart.chart
    out = {key: (patch.get_y(), patch.get_y() + patch.get_height()) for key, patch in bands.bars.items()}
    xy = bands.storage[0].get_xy()
    out["storage_total_bytes"] = (xy[1][1], xy[2][1])
    return out


MOVES = ({"users": 3e9}, {"users": 2e6}, {"users": 5e8}, {"peak_factor": 6.5}, {"record_size": 2e3},
         {"users": 1e10, "retention": 30})


@pytest.mark.parametrize("spec", ["chat-system", "video-streaming"])
def test_bands_are_the_uncertaintys_percentiles_wherever_the_sliders_are(spec):
    box, panel, chart = section_one(spec)
    assert isinstance(chart.chart, CapacityBands)
    for move in ({}, *MOVES):
        panel.set(**move)
        panel.flush()
        assert not panel.error, (move, panel.error)
        expected = uncertainty_here(panel)
        shown = panel.state.spreads
        for key, _, _ in CAPACITY_FIGURES:
            for which in ("p10", "p50", "p90", "likely"):
                assert getattr(shown[key], which) == pytest.approx(getattr(expected[key], which), rel=1e-9), \
                    (move, key, which)
        for key, (low, high) in band_on_chart(chart).items():
            assert (low, high) == pytest.approx((expected[key].p10, expected[key].p90), rel=1e-9), (move, key)
        assert panel.qps_peak.value == readout(expected["qps_peak"])
        assert panel.storage.value == readout(expected["storage_total_bytes"])
        assert panel.servers.value == readout(expected["servers_needed"])
    box.close()


def test_one_ranged_input_worked_by_hand():
    # Daily actives 5-15 million, uniform, everything else the reference's (100 requests and 0.4
    # extra reads a user a day, 4x peak, 2K/s a server).  Of 2,000 Latin-hypercube points the P10
    # is the 200th smallest, at the quantile 199.5/2000; servers rise with daily actives, so the
    # P10 of servers is the servers at the P10 of daily actives.
    box, panel, chart = section_one("reference", {"daily_active_users": "5 million .. 15 million"})
    dau_p10, dau_p90 = 5e6 + 199.5 / 2000 * 10e6, 5e6 + 1799.5 / 2000 * 10e6
    assert (dau_p10, dau_p90) == (5_997_500, 13_997_500)

    def servers(dau):
        return math.ceil(dau * 100.4 / 86_400 * 4 / 2_000)
    assert (servers(dau_p10), servers(10e6), servers(dau_p90)) == (14, 24, 33)
    spreads = panel.state.spreads
    assert (spreads["servers_needed"].p10, spreads["servers_needed"].p90) == (14, 33)
    assert spreads["qps_peak"].p10 == pytest.approx(dau_p10 * 100.4 / 86_400 * 4, rel=1e-12)
    assert panel.servers.value == "14–33, most likely 24"
    panel.set(users=1e9)            # ten times the users: the daily actives' range ten times too
    panel.flush()
    spreads = panel.state.spreads
    assert (spreads["servers_needed"].p10, spreads["servers_needed"].p90) == (servers(10 * dau_p10),
                                                                              servers(10 * dau_p90))
    assert panel.servers.value == f"{servers(10 * dau_p10)}–{servers(10 * dau_p90)}, most likely {servers(100e6)}"
    box.close()


def test_a_slider_that_sets_a_ranged_input_makes_it_one_value():
    box, panel, _ = section_one("video-streaming")     # peak factor and requests per user are ranges
    panel.set(peak_factor=4)
    panel.flush()
    assert [r.field for r in live_ranges(panel.base, panel.state.spec)] == ["requests_per_user_per_day"]
    panel.set(requests=10)
    panel.flush()
    assert panel.state.spreads is None and "most likely" not in panel.qps_peak.value
    box.close()


def test_banded_images_are_what_matplotlib_draws():
    box, panel, chart = section_one("chat-system")
    for users in (3e9, 3e8, 2e4, 3e9):
        panel.set(users=users)
        panel.flush()
        live_pixels, whole = png_pixels(chart.widget.value), drawn_by_matplotlib_alone(chart)
        ink = (whole < 250).any(axis=2)
        assert abs(live_pixels - whole)[ink].mean() < 6, users
    box.close()


def test_without_ranges_the_images_are_the_plain_charts_byte_for_byte():
    # The live chart against the capacity chart driven by hand through the same moves, as the
    # panel drove it before ranges: the same PNG bytes at every stop.
    box, panel, chart = section_one("reference")
    assert panel.state.spreads is None and type(chart.chart) is CapacityChart
    assert len(chart.fig.axes[0].patches) == 4 and not chart.fig.axes[1].patches     # the bars, no band
    plain = ChartView(CapacityChart(panel.state.cap), "plain", lambda s: (s.cap,), lambda s: s.cap, panel.state)
    assert bytes(chart.widget.value) == bytes(plain.widget.value)
    for users in (3e9, 2e4, 3e9):
        panel.set(users=users)
        panel.flush()
        plain.update(panel.state)
        plain.settle()
        assert bytes(chart.widget.value) == bytes(plain.widget.value)
        assert "most likely" not in panel.qps_peak.value + panel.storage.value + panel.servers.value
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_the_first_break_band_is_the_uncertaintys_wherever_the_sliders_are():
    # k times the users fill every component k times sooner: the users slider leaves the spread
    # of "users when the first component is full" where it was; a replicas move samples again.
    box = live("chat-system", section=6, scheduler=ManualScheduler(), prepare=False)
    panel, chart = box.panel, view(box, ChartView, "dk-chart-scaling")
    assert isinstance(chart.chart, ScalingBands)
    for move in ({}, {"users": 3e9}, {"users": 2e7}, {"Message Store.replicas": 9}, {"users": 5e8}):
        panel.set(**move)
        panel.flush()
        state = panel.state
        expected = Uncertainty(live_ranges(panel.base, state.spec), state.spec).spread("first_break_users")
        patch = chart.chart.span_patch
        assert patch.get_visible()
        assert (patch.get_x(), patch.get_x() + patch.get_width()) == pytest.approx((expected.p10, expected.p90),
                                                                                   rel=1e-9), move
    live_pixels, whole = png_pixels(chart.widget.value), drawn_by_matplotlib_alone(chart)
    assert abs(live_pixels - whole)[(whole < 250).any(axis=2)].mean() < 6
    box.close()


# --- section 6: the month's total on the cost chart, each path's p99 on the latency chart ----------

BANDED = ("monthly_cost_total", "read_p99_peak_seconds", "write_p99_peak_seconds")


def section_six(spec, overrides=None, **options):
    box = live(spec, overrides, section=6, scheduler=options.pop("scheduler", ManualScheduler()),
               prepare=options.pop("prepare", False))
    return box, box.panel, view(box, ChartView, "dk-chart-cost"), view(box, ChartView, "dk-chart-latency")


def cost_text(box) -> list[str]:
    """The lines of section 6's cost text, as the page shows them."""
    import html

    from designkit.live.cells import TextView
    return [html.unescape(line) for line in view(box, TextView, "dk-cost").text()]


def analysis_here(panel) -> dict:
    """``Uncertainty``'s own spreads of the banded figures for the state the sliders show, by key."""
    state = panel.state
    found = Uncertainty(live_ranges(panel.base, state.spec), state.spec)
    return {key: found.spread(key) for key in BANDED if found.spread(key) is not None}


def cost_band(cost) -> tuple[float, float] | None:
    """(P10, P90) of the month's total read back from the cost chart's band (None: hidden)."""
    band = cost.chart.band
    return (band.get_x(), band.get_x() + band.get_width()) if band.get_visible() else None


def path_bands(latency) -> dict:
    """Each path's (P10, P90 or the axis's end) read back from the latency chart's strip (None: hidden)."""
    bands = latency.chart
    return {key: (patch.get_x(), patch.get_x() + patch.get_width()) if patch.get_visible() else None
            for key, patch in bands.bands.items()}


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
@pytest.mark.parametrize("spec", ["chat-system", "video-streaming"])
def test_cost_and_path_bands_are_the_uncertaintys_wherever_the_sliders_are(spec):
    box, panel, cost, latency = section_six(spec)
    assert isinstance(cost.chart, CostBands) and isinstance(latency.chart, LatencyBands)
    assert set(latency.chart.bands) == {"read_p99_peak_seconds", "write_p99_peak_seconds"}
    for move in ({}, {"users": 3e9}, {"users": 2e6}, {"record_size": 2e3}, {"users": 5e8}):
        panel.set(**move)
        panel.flush()
        assert not panel.error, (move, panel.error)
        expected, analysis = analysis_here(panel), analyze(panel.state.spec)
        total = expected["monthly_cost_total"]
        assert total.likely == analysis.cost.total
        assert cost_band(cost) == pytest.approx((total.p10, total.p90), rel=1e-12), move
        assert cost.chart.total.get_xdata()[0] == pytest.approx(analysis.cost.total, rel=1e-12)
        said = cost_text(box)
        assert said[-1] == (f"This month's total across the spec's ranges: "
                            f"{say_range(say(total.p10, 'dollars'), say(total.p90, 'dollars'))} (P10–P90), "
                            f"most likely {say(total.likely, 'dollars')}.") or total.p10 == total.p90, said
        assert "total's P10–P90" in [t.get_text() for t in cost.chart.chart.ax.get_legend().get_texts()]
        end = latency.chart.span[1]
        for key, shown in path_bands(latency).items():
            s = expected[key]
            if math.isfinite(s.p10):
                assert shown == pytest.approx((s.p10, s.p90 if math.isfinite(s.p90) else end), rel=1e-12), (move, key)
            else:                                           # past capacity in nine samples of ten or more
                assert shown is None and s.unbounded >= 0.9, (move, key)
            likely = getattr(analysis, key)
            dot = latency.chart.dots[key].get_xdata()
            assert list(dot) == ([pytest.approx(likely, rel=1e-12)] if math.isfinite(likely) else []), (move, key)
            assert latency.chart.said[key].get_text() == spread_words(s)
        assert (cost.layouts, latency.layouts) == (1, 1), move            # the words fit: never laid out again
    live_pixels, whole = png_pixels(latency.widget.value), drawn_by_matplotlib_alone(latency)
    assert abs(live_pixels - whole)[(whole < 250).any(axis=2)].mean() < 6
    live_pixels, whole = png_pixels(cost.widget.value), drawn_by_matplotlib_alone(cost)
    assert abs(live_pixels - whole)[(whole < 250).any(axis=2)].mean() < 6
    box.close()


def test_cost_and_path_bands_worked_by_hand():
    # Daily actives 5-15 million, uniform.  The analysis figures are sampled at 40 Latin-hypercube
    # points, the quantiles (i + 1/2)/40; P10 is the 4th smallest value (inverted CDF: the first
    # with at least 10% at or below it), P90 the 36th.  The bill and each path's p99 only rise with
    # the daily actives, so the band runs from the figure at 5.875 million to the figure at 13.875 million.
    box, panel, cost, latency = section_six("reference", {"daily_active_users": "5 million .. 15 million"})
    dau_p10, dau_p90 = 5e6 + 3.5 / 40 * 10e6, 5e6 + 35.5 / 40 * 10e6
    assert (dau_p10, dau_p90) == (5_875_000, 13_875_000)
    at = {dau: analyze(load_spec("reference", {"daily_active_users": dau})) for dau in (dau_p10, dau_p90)}
    assert cost_band(cost) == pytest.approx((at[dau_p10].cost.total, at[dau_p90].cost.total), rel=1e-12)
    assert at[dau_p10].cost.total < at[dau_p90].cost.total
    for key, shown in path_bands(latency).items():
        assert shown == pytest.approx((getattr(at[dau_p10], key), getattr(at[dau_p90], key)), rel=1e-12), key
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_cost_and_path_bands_hide_when_the_sliders_make_every_range_one_value():
    box, panel, cost, latency = section_six("video-streaming")    # peak factor and requests per user
    panel.set(peak_factor=4, requests=10)
    panel.flush()
    assert panel.state.analysis_spreads is None
    assert cost_band(cost) is None and len(cost_text(box)) == 1 and "ranges" not in cost_text(box)[0]
    assert set(path_bands(latency).values()) == {None}
    analysis = panel.state.analysis
    assert cost.chart.total.get_xdata()[0] == analysis.cost.total       # the total here is still drawn
    assert latency.chart.said["read_p99_peak_seconds"].get_text() == say(analysis.read_p99_peak_seconds, "seconds")
    panel.set(peak_factor=3)                                            # the range back where the spec has it
    panel.set(requests=5.1)
    panel.flush()
    assert cost_band(cost) is not None
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_without_ranges_section_six_computes_no_spread_and_draws_the_plain_charts_byte_for_byte(monkeypatch):
    import designkit.live.state as state_module

    def refuse(*args, **kwargs):
        raise AssertionError("a spec without ranges sampled something")
    monkeypatch.setattr(state_module, "Uncertainty", refuse)
    monkeypatch.setattr(state_module, "uncertainty", refuse)
    box, panel, cost, latency = section_six("reference")
    assert type(cost.chart) is CostChart and type(latency.chart) is LatencyChart
    assert panel.state.analysis_spreads is None and panel.state.first_break is None
    plain = {name: ChartView(registry.chart(name).make(panel.state), "plain", registry.chart(name).inputs,
                             registry.chart(name).changes_with, panel.state) for name in ("cost", "latency")}
    for move in ({}, {"users": 3e9}, {"peak_factor": 6.5}, {"users": 2e4}):
        panel.set(**move)
        panel.flush()
        for name, chart in (("cost", cost), ("latency", latency)):
            plain[name].update(panel.state)
            plain[name].settle()
            assert bytes(chart.widget.value) == bytes(plain[name].widget.value), (move, name)
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_working_ahead_works_out_the_next_stops_spreads_as_a_piece_of_its_own():
    # Idle time first validates the nearest users stop (one piece), then its spreads (a piece
    # each): a move there later finds the band ready, and a slider event never waits for both.
    scheduler = ManualScheduler()
    box, panel, cost, _ = section_six("chat-system", scheduler=scheduler, prepare=True)
    scheduler.run()
    assert panel.ahead.prepared == 1 and panel.ahead.spread == 0
    state = next(iter(reversed(panel._states.values())))
    assert "analysis" in vars(state) and "analysis_spreads" not in vars(state)
    for _ in range(3):                                  # the capacity spreads, the first break, the analysis's
        scheduler.run()
    assert (panel.ahead.prepared, panel.ahead.spread) == (1, 3)
    assert {"spreads", "first_break", "analysis_spreads"} <= set(vars(state))
    expected = Uncertainty(live_ranges(panel.base, state.spec), state.spec).spread("monthly_cost_total")
    assert state.analysis_spreads["monthly_cost_total"] == expected
    panel.set(users=state.overrides["users"])
    panel.flush()
    assert panel.state is state and cost_band(cost) == pytest.approx((expected.p10, expected.p90), rel=1e-12)
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_a_move_other_than_users_samples_the_ranges_once_for_every_band(monkeypatch):
    # The capacity spreads, the first break's span and the analysis figures' bands of a new state
    # all come from one ``Uncertainty``: its 2,000 capacity samples and its 40 analyses run once.
    import designkit.live.state as state_module
    made = []
    monkeypatch.setattr(state_module, "Uncertainty", lambda ranges, spec: made.append(spec) or Uncertainty(ranges, spec))
    box, panel, cost, _ = section_six("chat-system")
    box.panel.set(peak_factor=6.5)
    panel.flush()
    state = panel.state
    assert state.spreads is not None and state.first_break is not None and state.analysis_spreads is not None
    assert made == [state.spec]
    expected = Uncertainty(live_ranges(panel.base, state.spec), state.spec)
    assert state.spreads["qps_peak"] == expected.spread("qps_peak")
    assert state.first_break == expected.spread("first_break_users")
    assert cost_band(cost) == pytest.approx((expected.spread("monthly_cost_total").p10,
                                             expected.spread("monthly_cost_total").p90), rel=1e-12)
    box.close()


@pytest.mark.slow       # a section 6 panel or several: the full suite (docs/building.md, the fast loop)
def test_the_banded_charts_in_presentation_mode_are_what_matplotlib_draws():
    # Twice the pixels and larger text: the strip and the words still fit, and every band is where
    # the numbers put it.
    box, panel, cost, latency = section_six("video-streaming")
    panel.present(True)
    for move in ({}, {"users": 5e7}, {"peak_factor": 6}):
        panel.set(**move)
        panel.flush()
        expected = analysis_here(panel)
        total = expected["monthly_cost_total"]
        assert cost_band(cost) == pytest.approx((total.p10, total.p90), rel=1e-12), move
        for chart in (cost, latency):
            live_pixels, whole = png_pixels(chart.widget.value), drawn_by_matplotlib_alone(chart)
            assert abs(live_pixels - whole)[(whole < 250).any(axis=2)].mean() < 6, (move, type(chart.chart).__name__)
    assert latency.layouts == 2         # laid out once more for presenting, then held (the strip's words fit)
    box.close()
