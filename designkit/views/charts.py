"""Charts of the numbers: built once, updated in place, saved as byte-stable SVG.

Each chart is a small class: the constructor draws a ``matplotlib.figure.Figure`` (no pyplot,
so nothing global and nothing displayed behind your back; importing this module leaves the
process's backend alone) and ``update(...)`` changes its artists in place, which is what the
classroom sliders call.  ``svg(fig)`` gives the same bytes for the same numbers, so articles
are reproducible.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import threading

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..model import quantities as q
from .rows import breaks_title

STYLE = {
    "svg.hashsalt": "designkit",     # stable ids inside SVG files
    "svg.fonttype": "none",          # text stays text: small, crisp, deterministic
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "text.parse_math": False,        # spec text is drawn as written: '$5 / $10 tier' is not math
}
COLORS = {"read": "#4C72B0", "write": "#DD8452", "raw": "#55A868", "replicated": "#8172B3",
          "ok": "#55A868", "warn": "#E1A33A", "bad": "#C44E52", "mark": "#333333"}


@contextlib.contextmanager
def house_style(extra: dict | None = None):
    """The house style's rcParams (and ``extra``) for the block, the process's own back afterwards.

    rcParams are global, so one thread at a time holds the style (a re-entrant lock: matplotlib
    cannot draw in two threads at once anyway, the GIL sees to that); a thread's other charts and
    builds wait rather than draw in the wrong font.  Only STYLE's keys are saved and restored
    (``rc_context`` copies all ~300: a millisecond a call, too slow for live charts), and a nested
    block costs nothing.
    """
    global _depth
    style = {**STYLE, **(extra or {})}
    with _style_lock:
        keys = style if _depth == 0 else (extra or {})
        saved = {key: matplotlib.rcParams[key] for key in keys}
        matplotlib.rcParams.update({key: style[key] for key in keys})
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            matplotlib.rcParams.update(saved)


_depth = 0
_style_lock = threading.RLock()


def styled(method):
    """Run a chart method under the house style, whatever the kernel's global rcParams are."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with house_style():
            return method(*args, **kwargs)
    return wrapper


def svg(fig: Figure) -> str:
    """The figure as SVG text, byte-identical for identical figures.

    Saved through the figure's own canvas (a ``FigureCanvasBase``, which hands ``savefig`` to the SVG
    backend's canvas): the layout is solved with the SVG renderer's text metrics.  An Agg canvas would
    move lines by a thousandth of a point, and articles would no longer match earlier builds."""
    with house_style():
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": "designkit", "Format": None, "Type": None})
    return buffer.getvalue()


def png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes, with no timestamp in the metadata."""
    buffer = io.BytesIO()
    with house_style():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def qps_axis(ax) -> None:
    """Label an axis in spoken QPS: '12K', '1.2M'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_qps(v, approx=False)))


def bytes_axis(ax) -> None:
    """Label an axis in spoken sizes: '500 GB', '1 PB'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_bytes(v, approx=False) if v else "0"))


class CapacityChart:
    """Left: read/write QPS, average and peak.  Right: storage growing over the retention period."""

    @styled
    def __init__(self, cap, *, size=(8.0, 3.2)):
        self.fig = Figure(figsize=size, layout="constrained")
        self.ax_qps, self.ax_storage = self.fig.subplots(1, 2)
        labels = ["Average", "Peak"]
        x = [0, 1]
        self.read_bars = self.ax_qps.bar([i - 0.2 for i in x], [0, 0], 0.4, label="reads/s",
                                         color=COLORS["read"])
        self.write_bars = self.ax_qps.bar([i + 0.2 for i in x], [0, 0], 0.4, label="writes/s",
                                          color=COLORS["write"])
        self.ax_qps.set_xticks(x, labels)
        self.ax_qps.set_title("Requests per second")
        self.ax_qps.legend(loc="upper left", frameon=False, ncols=2)
        qps_axis(self.ax_qps)
        (self.raw_line,) = self.ax_storage.plot([], [], color=COLORS["raw"], label="one copy")
        (self.replicated_line,) = self.ax_storage.plot([], [], color=COLORS["replicated"], linestyle="--",
                                                       label="all replicas")
        self.ax_storage.set_xlabel("years")
        self.ax_storage.legend(loc="upper left", frameon=False)
        bytes_axis(self.ax_storage)
        self.labels = []
        self.update(cap)

    @styled
    def update(self, cap) -> None:
        """Show another estimate on the same artists."""
        reads = [cap.read_qps_average, cap.read_qps_peak]
        writes = [cap.write_qps_average, cap.write_qps_peak]
        for bar, value in zip(self.read_bars, reads):
            bar.set_height(value)
        for bar, value in zip(self.write_bars, writes):
            bar.set_height(value)
        for label in self.labels:
            label.remove()
        self.labels = [self.ax_qps.text(i, max(r, w), q.say_qps(r + w), ha="center", va="bottom", fontsize=8)
                       for i, (r, w) in enumerate(zip(reads, writes))]
        self.ax_qps.set_ylim(0, max(reads + writes + [1]) * 1.4)   # room for the legend above the bars
        years = cap.retention_days / q.YEAR_DAYS
        steps = [years * i / 20 for i in range(21)]
        per_year = cap.storage_per_day_bytes * q.YEAR_DAYS
        self.raw_line.set_data(steps, [per_year * t for t in steps])
        self.replicated_line.set_data(steps, [per_year * t * cap.replication_factor for t in steps])
        self.ax_storage.set_xlim(0, max(years, 1e-9))
        self.ax_storage.set_ylim(0, max(cap.storage_replicated_bytes, 1) * 1.05)
        self.ax_storage.set_title(f"Storage over {q.say_days(cap.retention_days)}: "
                                  f"{q.say_bytes(cap.storage_total_bytes)}")
        self.fig.canvas.draw_idle()


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


@functools.lru_cache(maxsize=64)
def _p99_curve(servers: int, utilizations: tuple[float, ...]) -> list[float]:
    """p99 response time in multiples of the service time: it depends only on servers and utilization."""
    from ..model.queueing import response_percentile
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
        from ..model.queueing import response_percentile
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


class AvailabilityChart:
    """Expected downtime a year per component (k of n replicas up) and per path, log scale."""

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.4)):
        self.fig = Figure(figsize=size, layout="constrained")
        self.ax = self.fig.subplots()
        self.rows = [c.component for c in analysis.components]
        self.rows += [label for label, path in (("READ PATH", analysis.read_path),
                                                ("WRITE PATH", analysis.write_path)) if path]
        self.bars = self.ax.barh(range(len(self.rows)), [1] * len(self.rows), color=COLORS["read"])
        self.ax.set_yticks(range(len(self.rows)), self.rows)
        self.ax.invert_yaxis()
        self.ax.set_xscale("log")
        self.ax.set_xlabel("expected downtime per year (minutes, log scale)")
        self.labels = []
        self.update(analysis)

    @styled
    def update(self, analysis) -> None:
        """Resize the bars for another analysis of the same components."""
        from ..model.reliability import downtime
        values = {c.component: c.availability for c in analysis.components}
        if analysis.read_path:
            values["READ PATH"] = analysis.read_path.availability
        if analysis.write_path:
            values["WRITE PATH"] = analysis.write_path.availability
        for label in self.labels:
            label.remove()
        self.labels = []
        minutes = [max(downtime(values[row]).year, 1e-3) for row in self.rows]
        for bar, row, value in zip(self.bars, self.rows, minutes):
            bar.set_width(value)
            bar.set_color(COLORS["write"] if row.endswith("PATH") else COLORS["read"])
            seconds = downtime(values[row]).year * 60
            self.labels.append(self.ax.text(value, bar.get_y() + bar.get_height() / 2,
                                            f" {q.say_seconds(seconds) if seconds >= 1 else '< 1 s'} a year",
                                            va="center", fontsize=7))
        self.ax.set_xlim(1e-3, max(minutes + [1]) * 30)
        slo = analysis.settings.slo
        self.ax.set_title(f"Availability: SLO {q.say_percent(slo)} allows "
                          f"{downtime(slo).year:,.0f} minutes a year")
        self.fig.canvas.draw_idle()


class LoadChart:
    """Live widgets: each component's fullest limit at peak as a bar, green/amber/red by utilization."""

    CUT = 3.0  # bars stop at 300%; the label still says the real share
    WORDS = {"qps": "requests", "read_qps": "reads", "write_qps": "writes", "storage_bytes": "disk",
             "memory_bytes": "memory"}

    @styled
    def __init__(self, analysis, *, width: float = 8.0):
        self.names = [load.name for load in analysis.loads]
        rows = max(len(self.names), 1)
        self.fig = Figure(figsize=(width, 1.0 + 0.3 * rows), layout="constrained")
        self.ax = self.fig.subplots()
        self.bars = self.ax.barh(range(len(self.names)), [0] * len(self.names), 0.6, color=COLORS["ok"])
        self.ax.set_yticks(range(len(self.names)), self.names)
        self.ax.invert_yaxis()
        self.ax.grid(axis="y", visible=False)
        self.target = self.ax.axvline(70, color=COLORS["warn"], linestyle="--", linewidth=1)
        self.full = self.ax.axvline(100, color=COLORS["bad"], linewidth=1)
        self.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
        self.ax.set_xlabel("busiest limit at peak, % of what today's nodes sustain or hold")
        self.labels = [self.ax.text(0, i, "", va="center", fontsize=8) for i in range(len(self.names))]
        self.update(analysis)

    @styled
    def update(self, analysis) -> None:
        """Resize and recolour the bars for another analysis of the same components."""
        target = analysis.settings.target_utilization
        widest, over = 1.0, 0
        for bar, label, load in zip(self.bars, self.labels, analysis.loads):
            lim = max(load.limits, key=lambda lim: lim.utilization)
            shown = min(lim.utilization, self.CUT)
            widest = max(widest, shown)
            over += lim.utilization >= 1
            bar.set_width(shown * 100)
            bar.set_color(COLORS["ok"] if lim.utilization < target else
                          COLORS["warn"] if lim.utilization < 1 else COLORS["bad"])
            label.set_x(shown * 100)
            label.set_text(f" {lim.utilization * 100:.3g}% {self.WORDS.get(lim.metric, lim.metric)}"
                           + (" (cut)" if lim.utilization > self.CUT else ""))
        self.target.set_xdata([target * 100] * 2)
        self.ax.set_xlim(0, 150 if widest <= 1.15 else 400)   # two fixed scales: live redraws stay cheap
        self.ax.set_title(f"Load at peak: {over} of {len(self.names)} components over capacity" if over
                          else f"Load at peak: every component under 100% (target {target * 100:g}%)")
        self.fig.canvas.draw_idle()
