"""The cost chart: each component's month today and at 10x, on a log scale, total in the title."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..model import quantities as q
from .charts import COLORS, styled

FLOOR = 1.0   # dollars: a free line (a CDN with no nodes) still shows a sliver on the log axis


class CostChart:
    """Horizontal bars: dollars a month per component and egress, today and at 10x today's traffic."""

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.6)):
        self.rows = [line.component for line in analysis.cost.lines] + ["Egress"]
        self.fig = Figure(figsize=(size[0], max(size[1], 1.2 + 0.35 * len(self.rows))), layout="constrained")
        self.ax = self.fig.subplots()
        ys = range(len(self.rows))
        self.today = self.ax.barh([y - 0.2 for y in ys], [FLOOR] * len(self.rows), 0.4,
                                  color=COLORS["read"], label="today")
        self.tenx = self.ax.barh([y + 0.2 for y in ys], [FLOOR] * len(self.rows), 0.4,
                                 color=COLORS["write"], label="at 10x traffic")
        self.ax.set_yticks(list(ys), self.rows)
        self.ax.invert_yaxis()
        self.ax.grid(axis="y", visible=False)
        self.ax.set_xscale("log")
        self.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_dollars(v)))
        self.ax.set_xlabel("dollars a month (log scale)")
        self.ax.legend(loc="lower right", frameon=False, fontsize=7)
        self.labels = []
        self.update(analysis)

    @styled
    def update(self, analysis) -> None:
        """Resize the bars for another analysis of the same components."""
        today = [line.total for line in analysis.cost.lines] + [analysis.cost.egress]
        tenx = [line.total for line in analysis.cost_10x.lines] + [analysis.cost_10x.egress]
        for label in self.labels:
            label.remove()
        self.labels = []
        for bar, value in zip(self.today, today):
            bar.set_width(max(value, FLOOR))
            self.labels.append(self.ax.text(max(value, FLOOR), bar.get_y() + bar.get_height() / 2,
                                            f" {q.say_dollars(value)}", va="center", fontsize=7))
        for bar, value in zip(self.tenx, tenx):
            bar.set_width(max(value, FLOOR))
        widest = max(today + tenx + [FLOOR * 10])
        self.ax.set_xlim(FLOOR, widest * 8)
        self.ax.set_title(f"Cost: {q.say_dollars(analysis.cost.total)} a month today, "
                          f"{q.say_dollars(analysis.cost_10x.total)} at 10x "
                          f"({q.say_dollars(analysis.cost.per_million_requests)} per million requests)")
        self.fig.canvas.draw_idle()
