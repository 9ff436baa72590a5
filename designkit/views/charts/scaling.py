"""The scaling-threshold chart: each component's limits against users (or traffic), today marked."""

from __future__ import annotations

import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ...model import quantities as q
from ..rows.scaling import breaks_title
from .style import COLORS, styled


def _users_axis(ax, analysis) -> str:
    """Label the x axis in users (per-user form) or in multiples of today's traffic (totals form)."""
    if analysis.capacity.users is not None:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_count(v, approx=False)))
        return "users"
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    return "traffic (x today)"


class ScalingChart:
    """Utilization of each component's first-to-fill limit as users grow (log-log), thresholds marked.

    The x axis runs from a tenth of today's scale to a thousand times it, widened (never re-centred
    away) so that today's line and every component's "must scale" dot stay in view at any scale;
    the legend sits beside the plot, clear of the lines.
    """

    SPAN = (0.1, 1000.0)  # from a tenth of today's scale to a thousand times it
    HELD = ("span",)      # what an update keeps for the next one (without a users range, only ever widened)

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.8), users: tuple[float, float] | None = None):
        """``users``: the range of users the chart will be shown at (a live slider's), so its axis
        holds all of it from the start and only today's line moves as users do."""
        self.fig = Figure(figsize=size, layout="constrained")
        self.ax = self.fig.subplots()
        self.ax.set_xscale("log")
        self.ax.set_yscale("log")
        self.ax.axhline(70, color=COLORS["warn"], linestyle="--", linewidth=1)
        self.ax.axhline(100, color=COLORS["bad"], linestyle="-", linewidth=1)
        self.ax.set_ylabel("utilization at peak (% of today's nodes)")
        self.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        self.lines, self.marks = {}, {}
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, load in enumerate(analysis.loads):
            (self.lines[load.name],) = self.ax.plot([], [], color=cycle[i % len(cycle)], label=load.name)
            (self.marks[load.name],) = self.ax.plot([], [], "o", color=cycle[i % len(cycle)], markersize=5)
        self.today = self.ax.axvline(1, color=COLORS["mark"], linewidth=1)
        self.tenx = self.ax.axvline(10, color=COLORS["mark"], linewidth=1, linestyle=":")
        self.ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7, ncols=1)
        self.span = None
        self.users = users if analysis.capacity.users is not None else None
        self.update(analysis)

    def _span(self, base: float, marks: list[float]) -> tuple[float, float]:
        """Whole decades holding today x SPAN (or the whole ``users`` range), today's line, 10x and
        every dot; without a range, only ever widened."""
        lo, hi = self.SPAN
        points = [base * lo, base * hi, base, base * 10, *marks]
        if self.users is not None:
            points = [self.users[0] * lo, self.users[1] * 10, base, base * 10, *marks]
        low = 10 ** math.floor(math.log10(min(points)) + 1e-9)
        high = 10 ** math.ceil(math.log10(max(points)) - 1e-9)
        if self.users is None and self.span is not None and self.span[0] <= low and high <= self.span[1] and \
                self.span[1] / self.span[0] <= 100 * high / low:
            return self.span      # still holds everything, and is not too wide to read: keep it
        return low, high

    @styled
    def update(self, analysis) -> None:
        """Redraw the lines for another analysis of the same components."""
        base = analysis.capacity.users if analysis.capacity.users is not None else 1.0
        self.ax.set_xlabel(_users_axis(self.ax, analysis) + "  (solid: today, dotted: 10x; "
                           "dots: when each must scale)")
        marks = {}
        for load in analysis.loads:
            limit = load.breaking_limit
            if limit is not None and math.isfinite(limit.step_multiplier) and limit.step_multiplier > 0:
                marks[load.name] = base * limit.step_multiplier
        self.span = self._span(base, list(marks.values()))
        lo, hi = self.span
        xs = [lo * (hi / lo) ** (i / 40) for i in range(41)]
        for load in analysis.loads:
            line, mark = self.lines[load.name], self.marks[load.name]
            limit = load.breaking_limit
            if limit is None:
                line.set_data([], [])
                mark.set_data([], [])
                continue
            per_multiple = 100 / limit.break_multiplier   # % utilization at today's traffic
            line.set_data(xs, [per_multiple * x / base for x in xs])
            if load.name in marks:
                mark.set_data([marks[load.name]], [per_multiple * limit.step_multiplier])
            else:
                mark.set_data([], [])
        self.today.set_xdata([base, base])
        self.tenx.set_xdata([base * 10, base * 10])
        self.ax.set_xlim(lo, hi)
        self.ax.set_ylim(1, 10_000)
        self.ax.set_title(breaks_title(analysis))
        self.fig.canvas.draw_idle()



