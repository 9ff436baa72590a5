"""P10–P90 bands on the live charts when the spec gives ranges: each ranged figure shaded, moving with the sliders.

Live only (the article's figures are the sections' own); a spec without ranges never builds one,
so its images stay byte for byte what they were.
"""

from __future__ import annotations

import math

from matplotlib.patches import Polygon, Rectangle

from ..model import quantities as q
from ..views.charts.capacity import CapacityChart
from ..views.charts.scaling import ScalingChart
from ..views.charts.style import COLORS, styled

SHADE = 0.22            # the band's opacity over a bar or under a line


class CapacityBands:
    """The capacity chart, with the P10–P90 band of peak reads/s and writes/s over their bars and of
    storage under its two lines (one copy, all replicas)."""

    @styled
    def __init__(self, cap, spreads: dict):
        self.chart = CapacityChart(cap)
        self.fig = self.chart.fig
        ax_qps, ax_storage = self.chart.ax_qps, self.chart.ax_storage
        self.bars = {}
        for key, bars in (("read_qps_peak", self.chart.read_bars), ("write_qps_peak", self.chart.write_bars)):
            peak = bars[1]                # [average, peak]: the peak carries the spread
            self.bars[key] = ax_qps.add_patch(Rectangle(
                (peak.get_x() + peak.get_width() * 0.2, 0), peak.get_width() * 0.6, 0, facecolor=COLORS["mark"],
                alpha=SHADE, edgecolor="none", zorder=2.5))
        self.storage = [ax_storage.add_patch(Polygon([(0, 0)] * 3, closed=True, facecolor=COLORS[name],
                                                     alpha=SHADE, edgecolor="none", zorder=1.5))
                        for name in ("raw", "replicated")]
        self.update(cap, spreads)

    @styled
    def update(self, cap, spreads: dict | None) -> None:
        """Show another estimate and its spreads on the same artists (None: sliders set every ranged
        input to one value, no band)."""
        self.chart.update(cap)
        for patch in [*self.bars.values(), *self.storage]:
            patch.set_visible(spreads is not None)
        if spreads is None:
            return
        for key, patch in self.bars.items():
            s = spreads[key]
            patch.set_y(s.p10)
            patch.set_height(s.p90 - s.p10)
        top = max(cap.read_qps_average, cap.write_qps_average, cap.read_qps_peak, cap.write_qps_peak,
                  spreads["read_qps_peak"].p90, spreads["write_qps_peak"].p90, 1)
        self.chart.ax_qps.set_ylim(0, top * 1.4)
        years = max(cap.retention_days / q.YEAR_DAYS, 1e-9)
        total = spreads["storage_total_bytes"]
        for patch, copies in zip(self.storage, (1, cap.replication_factor)):
            patch.set_xy([(0, 0), (years, total.p10 * copies), (years, total.p90 * copies)])
        self.chart.ax_storage.set_ylim(0, max(cap.storage_replicated_bytes, total.p90 * cap.replication_factor,
                                              1) * 1.05)


class ScalingBands:
    """The scaling chart, with the P10–P90 span of the users at which the first component is full
    shaded behind its lines (the ranges' "when does it break")."""

    HELD = ScalingChart.HELD

    @styled
    def __init__(self, chart: ScalingChart, spread):
        self.chart, self.fig = chart, chart.fig
        self.span_patch = chart.ax.add_patch(Rectangle((1, 0), 1, 1, transform=chart.ax.get_xaxis_transform(),
                                                       facecolor=COLORS["bad"], alpha=SHADE / 2,
                                                       edgecolor="none", zorder=0.5))
        self._spread(spread)

    span = property(lambda self: self.chart.span, lambda self, value: setattr(self.chart, "span", value),
                    doc="The chart's held x span (``ScalingChart.HELD``).")

    @styled
    def update(self, analysis, spread) -> None:
        """Show another analysis and the first break's spread on the same artists."""
        self.chart.update(analysis)
        self._spread(spread)

    def _spread(self, spread) -> None:
        shown = spread is not None and math.isfinite(spread.p10)
        self.span_patch.set_visible(shown)
        if shown:
            high = spread.p90 if math.isfinite(spread.p90) else self.chart.ax.get_xlim()[1]
            self.span_patch.set_x(spread.p10)
            self.span_patch.set_width(high - spread.p10)
