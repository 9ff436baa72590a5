"""P10–P90 bands on the live charts when the spec gives ranges: each ranged figure shaded, moving with the sliders.

Live only (the article's figures are the sections' own); a spec without ranges never builds one,
so its images stay byte for byte what they were.
"""

from __future__ import annotations

import math

from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from ..model import quantities as q
from ..views.charts.capacity import CapacityChart
from ..views.charts.cost import FLOOR, NARROW, CostChart
from ..views.charts.latency import LatencyChart
from ..views.charts.scaling import ScalingChart
from ..views.charts.style import COLORS, styled
from ..views.rows.spread import say, spread_words

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


class CostBands:
    """The cost chart, with the P10–P90 band of the month's total today shaded across its bars (an
    entry of the legend) and a line at the total here; the cost text beside it says the band.  Only the total is sampled:
    the components' bars and the bill at 10x carry no band."""

    HELD = CostChart.HELD
    KEY = "monthly_cost_total"

    @styled
    def __init__(self, analysis, spreads: dict | None):
        self.chart = chart = CostChart(analysis)
        self.fig, ax = chart.fig, chart.ax
        across = ax.get_xaxis_transform()       # x in dollars, y the axes' whole height
        self.band = ax.add_patch(Rectangle((FLOOR, 0), 0, 1, transform=across, facecolor=COLORS["mark"],
                                           alpha=SHADE, edgecolor="none", zorder=0.5))
        self.total = ax.axvline(FLOOR, color=COLORS["mark"], linewidth=1, zorder=0.6)
        # The band's meaning joins the bars' legend; its numbers are said in the cost text beside the
        # chart (words drawn inside the axes would run into the bars' dollar labels).
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles=[*handles, Patch(facecolor=COLORS["mark"], alpha=SHADE, edgecolor="none")],
                  labels=[*labels, "total's P10–P90"], **CostChart.LEGEND)
        self.update(analysis, spreads)

    top = property(lambda self: self.chart.top, lambda self, value: setattr(self.chart, "top", value),
                   doc="The chart's held axis end (``CostChart.HELD``).")

    @styled
    def update(self, analysis, spreads: dict | None) -> None:
        """Show another analysis and the total's spread on the same artists (None: no band)."""
        self.chart.update(analysis)
        self.total.set_xdata([max(analysis.cost.total, FLOOR)] * 2)
        spread = None if spreads is None else spreads.get(self.KEY)
        self.band.set_visible(spread is not None)
        if spread is not None:
            low, high = max(spread.p10, FLOOR), max(spread.p90, FLOOR)
            self.band.set_x(low)
            self.band.set_width(high - low)


class LatencyBands:
    """The queueing chart, with a strip under it: each path's p99 at peak here (a dot) over its
    P10–P90 band, in seconds.  Only the paths' p99 is sampled: the pools' curves carry no band."""

    PATHS = (("Read path", "read_p99_peak_seconds", "read"), ("Write path", "write_p99_peak_seconds", "write"))
    HELD = ("span",)        # the strip's axis, whole decades: widened at once, narrowed when far too wide
    STRIP = 1.4             # inches under the queueing chart (and half an inch more for its title and ticks)

    @styled
    def __init__(self, analysis, spreads: dict | None, *, size=(8.0, 3.4)):
        self.chart = chart = LatencyChart(analysis, size=(size[0], size[1] + self.STRIP + 0.5))
        self.fig = chart.fig
        for cross in chart.crosses.values():    # unclipped, empty until a pool is past 100%: its box is at
            cross.set_in_layout(False)          # the figure's corner, and the layout would squash both axes
        grid = self.fig.add_gridspec(2, 1, height_ratios=[size[1], self.STRIP])
        chart.ax.set_subplotspec(grid[0])
        self.ax = ax = self.fig.add_subplot(grid[1])
        self.rows = [(name, key, color) for name, key, color in self.PATHS if getattr(analysis, key) is not None]
        words = blended_transform_factory(ax.transAxes, ax.transData)
        self.bands, self.dots, self.said = {}, {}, {}
        for y, (_, key, color) in enumerate(self.rows):
            self.bands[key] = ax.add_patch(Rectangle((1, y - 0.05), 0, 0.4, facecolor=COLORS["mark"], alpha=SHADE,
                                                     edgecolor="none", zorder=1.5))
            (self.dots[key],) = ax.plot([], [], "o", color=COLORS[color], markersize=6, zorder=3)
            self.said[key] = ax.text(0.01, y - 0.3, "", ha="left", va="center", fontsize=7, transform=words)
        ax.set_yticks(range(len(self.rows)), [name for name, _, _ in self.rows])
        ax.set_ylim(len(self.rows) - 0.5, -0.6)
        ax.grid(axis="y", visible=False)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_duration(v)))
        ax.set_title("Each path's p99 at peak: here (dot), P10–P90 (grey)", fontsize=9)
        self.span = None
        self.update(analysis, spreads)

    @styled
    def update(self, analysis, spreads: dict | None) -> None:
        """Show another analysis and the paths' spreads on the same artists (None: no band)."""
        self.chart.update(analysis)
        shown = {key: None if spreads is None else spreads.get(key) for _, key, _ in self.rows}
        values = [v for key, s in shown.items()
                  for v in (getattr(analysis, key) or math.inf, *((s.p10, s.p90) if s else ()))]
        self._axis([v for v in values if math.isfinite(v) and v > 0])
        for y, (_, key, _) in enumerate(self.rows):
            likely, s = getattr(analysis, key), shown[key]
            here = likely is not None and math.isfinite(likely)     # else past capacity: the words say so
            self.dots[key].set_data([likely] if here else [], [y + 0.15] if here else [])
            band = self.bands[key]
            band.set_visible(s is not None and math.isfinite(s.p10))
            if band.get_visible():
                high = s.p90 if math.isfinite(s.p90) else self.span[1]
                band.set_x(s.p10)
                band.set_width(high - s.p10)
            self.said[key].set_text(spread_words(s) if s is not None else
                                    say(math.nan if likely is None else likely, "seconds"))

    def _axis(self, values: list[float]) -> None:
        """Whole decades around ``values``; held while they fit and the axis is not ``NARROW`` times too wide."""
        low = 10 ** math.floor(math.log10(min(values, default=1e-3)))
        high = max(10 ** math.ceil(math.log10(max(values, default=1.0))), low * 10)
        span = self.span
        if span is None or low < span[0] or high > span[1] or (span[1] / span[0]) > NARROW * (high / low):
            self.span = (low, high)
        self.ax.set_xlim(*self.span)
