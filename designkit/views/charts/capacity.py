"""The Requirements chart: read/write QPS (average, peak) and storage over the retention period."""

from __future__ import annotations

from matplotlib.figure import Figure

from ...model import quantities as q
from .style import COLORS, bytes_axis, qps_axis, styled


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



