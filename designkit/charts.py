"""Charts of the numbers: built once, updated in place, saved as byte-stable SVG.

Each chart is a small class: the constructor draws a ``matplotlib.figure.Figure`` (no pyplot,
so nothing global and nothing displayed behind your back) and ``update(...)`` changes its
artists in place, which is what the classroom sliders call.  ``svg(fig)`` gives the same bytes
for the same numbers, so articles are reproducible.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import quantities as q  # noqa: E402

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
}
COLORS = {"read": "#4C72B0", "write": "#DD8452", "raw": "#55A868", "replicated": "#8172B3",
          "ok": "#55A868", "warn": "#E1A33A", "bad": "#C44E52", "mark": "#333333"}
matplotlib.rcParams.update(STYLE)


def svg(fig: Figure) -> str:
    """The figure as SVG text, byte-identical for identical figures."""
    with matplotlib.rc_context(STYLE):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": "designkit", "Format": None, "Type": None})
    return buffer.getvalue()


def png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (for live widgets), with no timestamp in the metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def qps_axis(ax) -> None:
    """Label an axis in spoken QPS: '12K', '1.2M'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_qps(v, approx=False)))


def bytes_axis(ax) -> None:
    """Label an axis in spoken sizes: '500 GB', '1 PB'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_bytes(v, approx=False) if v else "0"))


class CapacityChart:
    """Left: read/write QPS, average and peak.  Right: storage growing over the retention period."""

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
        self.ax_qps.legend(loc="upper left", frameon=False)
        qps_axis(self.ax_qps)
        (self.raw_line,) = self.ax_storage.plot([], [], color=COLORS["raw"], label="one copy")
        (self.replicated_line,) = self.ax_storage.plot([], [], color=COLORS["replicated"], linestyle="--",
                                                       label="all replicas")
        self.ax_storage.set_xlabel("years")
        self.ax_storage.legend(loc="upper left", frameon=False)
        bytes_axis(self.ax_storage)
        self.labels = []
        self.update(cap)

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
        self.ax_qps.set_ylim(0, max(reads + writes + [1]) * 1.25)
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
