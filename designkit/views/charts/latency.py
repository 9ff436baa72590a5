"""The queueing chart (M/M/c): mean and p99 response time against utilization, past the knee."""

from __future__ import annotations

import functools

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .style import COLORS, styled


@functools.lru_cache(maxsize=64)
def _p99_curve(servers: int, utilizations: tuple[float, ...]) -> list[float]:
    """p99 response time in multiples of the service time: it depends only on servers and utilization."""
    from ...model.queueing import response_percentile
    return [response_percentile(servers, 1.0, u, LatencyChart.P99) for u in utilizations]


class LatencyChart:
    """M/M/c response time, in multiples of the service time, against utilization: the mean and the p99.

    A pool at or past 100% has no steady state: its dot is a cross in the shaded "over capacity"
    band at the right, and the title names it, so no component silently leaves the chart.
    """

    P99 = 0.99
    TOP = 100         # response time / service time at the top of the chart
    OVER = 110        # the x axis ends here: 100-110% is the band for pools past capacity

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.4), top: int = 5):
        self.fig = Figure(figsize=size, layout="constrained")
        self.ax = self.fig.subplots()
        points = sorted(analysis.queueing, key=lambda qp: -qp.point.utilization)[:top]
        self.names = [qp.component for qp in points]
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        self.curves, self.dots, self.crosses, self.tails, self.tail_dots = {}, {}, {}, {}, {}
        for i, name in enumerate(self.names):
            color = cycle[i % len(cycle)]
            # Curves under the points: the points move with the traffic, the curves only with the servers.
            (self.curves[name],) = self.ax.plot([], [], color=color, label=name)
            (self.dots[name],) = self.ax.plot([], [], "o", color=color, markersize=6, zorder=3)
            (self.crosses[name],) = self.ax.plot([], [], "X", color=color, markersize=9,
                                                 markeredgecolor=COLORS["bad"], clip_on=False, zorder=3)
            (self.tails[name],) = self.ax.plot([], [], color=color, linestyle="--", linewidth=1)
            (self.tail_dots[name],) = self.ax.plot([], [], "o", color=color, markersize=5,
                                                   markerfacecolor="white", zorder=3)
        self.ax.axvline(70, color=COLORS["warn"], linestyle="--", linewidth=1)
        self.ax.axvspan(100, self.OVER, color=COLORS["bad"], alpha=0.12, linewidth=0)
        self.ax.set_xlim(0, self.OVER)
        self.ax.set_ylim(0.9, self.TOP)
        self.ax.set_yscale("log")
        self.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
        self.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%" if v <= 100 else ""))
        self.ax.set_xlabel("utilization (dots: today's peak; crosses in the shaded band: past 100%)")
        self.ax.set_ylabel("response time / service time")
        if self.names:
            self.ax.legend(loc="upper left", frameon=False, fontsize=7)
        self.update(analysis)

    @styled
    def update(self, analysis) -> None:
        """Move the mean and p99 curves and today's operating points; flag the pools past 100%."""
        from ...model.queueing import response_percentile
        points = {qp.component: qp.point for qp in analysis.queueing}
        over = []
        for i, name in enumerate(self.names):
            point = points[name]
            utils, times = analysis.queue_curve(name, points=40, max_utilization=0.99)
            self.curves[name].set_data([u * 100 for u in utils], [t / point.service_seconds for t in times])
            self.tails[name].set_data([u * 100 for u in utils], _p99_curve(point.servers, tuple(utils)))
            if point.stable:
                self.dots[name].set_data([point.utilization * 100], [min(point.slowdown, self.TOP)])
                tail = response_percentile(point.servers, 1.0, point.utilization, self.P99)
                self.tail_dots[name].set_data([point.utilization * 100], [min(tail, self.TOP)])
                self.crosses[name].set_data([], [])
            else:
                over.append(f"{name} ({point.utilization * 100:.0f}%)")
                self.dots[name].set_data([], [])
                self.tail_dots[name].set_data([], [])
                self.crosses[name].set_data([105], [self.TOP / 1.6 ** (i + 1)])
        if over:
            more = f" and {len(over) - 1} more" if len(over) > 1 else ""
            self.ax.set_title(f"Past 100%, queues grow without bound: {over[0]}{more}")
        else:
            self.ax.set_title("Queueing (M/M/c): mean (solid) and p99 (dashed) explode past the knee")
        self.fig.canvas.draw_idle()



