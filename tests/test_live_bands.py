"""The live panel with a spec that gives ranges: each ranged figure's P10–P90 band, moving with the sliders.

Band values are checked against ``Uncertainty``'s own percentiles at several slider positions,
by a hand-worked case, and a spec without ranges keeps its images byte for byte.
"""

from __future__ import annotations

import math

import pytest

from designkit.live.bands import CapacityBands, ScalingBands
from designkit.live.panel import readout
from designkit.live.render import ChartView
from designkit.live.scheduling import ManualScheduler
from designkit.live.state import live_ranges
from designkit.live.views import live
from designkit.model.sensitivity import CAPACITY_FIGURES, Uncertainty
from designkit.views.charts.capacity import CapacityChart

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
