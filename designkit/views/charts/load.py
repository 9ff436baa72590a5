"""The live load chart: each component's fullest limit at peak, green/amber/red by utilization."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..rows.scaling import METRIC_WORDS
from ..rows.wording import say_load
from .style import COLORS, styled


class LoadChart:
    """Live widgets: each component's fullest limit at peak as a bar, green/amber/red by utilization."""

    CUT = 3.0  # bars stop at 300%; the label still says the real share

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
            label.set_text(f" {say_load(lim.utilization)} {METRIC_WORDS[lim.metric]}"
                           + (" (cut)" if lim.utilization > self.CUT else ""))
        self.target.set_xdata([target * 100] * 2)
        self.ax.set_xlim(0, 150 if widest <= 1.15 else 400)   # two fixed scales: live redraws stay cheap
        self.ax.set_title(f"Load at peak: {over} of {len(self.names)} components over capacity" if over
                          else f"Load at peak: every component under 100% (target {target * 100:g}%)")
        self.fig.canvas.draw_idle()


