"""The cost chart: each component's month today and at 10x on a log scale, the total written on it,
and below it where the month's dollars go (compute, storage by class, requests, messages, egress).

Live redraws stay cheap: the title is fixed, the axis limits move in whole decades and hold
still until three decades stand empty, and the numbers that change (bar labels, the total) are
text artists redrawn with the bars.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import offset_copy

from ...model import quantities as q
from .style import COLORS, styled

FLOOR = 1.0   # dollars: a free line (a CDN with no nodes) still shows a sliver on the log axis
NARROW = 1000  # the axis narrows when it is this many times wider than it needs to be
PITCH = 1.2    # the total's lines apart, in multiples of its font size (DejaVu Sans's own line height)
PART_COLORS = ("#4C72B0", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD",
               "#55A868", "#C44E52", "#DD8452", "#E1A33A", "#333333")


class CostChart:
    """Horizontal bars: dollars a month per component and egress, today and at 10x today's traffic."""

    LEGEND = {"loc": "lower right", "frameon": False, "fontsize": 7}
    """The bars' legend (the live band adds its entry to the same)."""
    HELD = ("top",)     # what an update keeps for the next one (the axis narrows only when far too wide)

    @styled
    def __init__(self, analysis, *, size=(8.0, 3.6)):
        self.rows = [line.component for line in analysis.cost.lines] + ["Egress"]
        height = max(size[1], 1.2 + 0.35 * len(self.rows))
        self.fig = Figure(figsize=(size[0], height + 1.5), layout="constrained")
        self.ax, self.share_ax = self.fig.subplots(2, 1, height_ratios=[height, 1.5])
        ys = range(len(self.rows))
        self.today = self.ax.barh([y - 0.2 for y in ys], [FLOOR] * len(self.rows), 0.4,
                                  color=COLORS["read"], label="today")
        self.tenx = self.ax.barh([y + 0.2 for y in ys], [FLOOR] * len(self.rows), 0.4,
                                 color=COLORS["write"], label="at 10x traffic")
        self.ax.set_yticks(list(ys), self.rows)
        self.ax.invert_yaxis()
        self.ax.grid(axis="y", visible=False)
        self.ax.set_xscale("log")
        # The axis's end (room for the total) goes unlabelled: a label there would hang off the figure's
        # edge, and a longer one at a wider scale would force a new layout.
        self.ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _: "" if v >= self.ax.get_xlim()[1] * 0.999 else q.say_dollars(v)))
        self.ax.set_xlabel("dollars a month (log scale)")
        self.ax.legend(**self.LEGEND)
        self.ax.set_title("Cost a month, today and at 10x today's traffic")
        # The total is three one-line texts, not one of three lines: a live chart draws a one-line
        # string from a remembered layout, a many-line one only through matplotlib's.
        self.total = [self.ax.text(0.99, 0.6, "", ha="right", va="center", fontsize=8, fontweight="bold",
                                   transform=offset_copy(self.ax.transAxes, self.fig, y=(1 - i) * PITCH * 8,
                                                         units="points"))
                      for i in range(3)]
        self.labels = [self.ax.text(FLOOR, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=7)
                       for bar in self.today]
        self.top = None
        self._parts_init(analysis)
        self.update(analysis)

    def _parts_init(self, analysis) -> None:
        """The share panel: one 100% bar today and one at 10x, a segment per part of the bill."""
        today, tenx = analysis.cost.by_part(), analysis.cost_10x.by_part()
        self.parts = list(dict.fromkeys([*today, *tenx]))
        ax = self.share_ax
        self.segments = []
        for i, name in enumerate(self.parts):
            bars = ax.barh([0, 1], [0, 0], 0.6, color=PART_COLORS[i % len(PART_COLORS)],
                           label=name if today.get(name) or tenx.get(name) else None)
            self.segments.append(bars)
        ax.set_yticks([0, 1], ["today", "at 10x"])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.02)   # room on the right: ink at the figure edge makes a live view lay out again
        # No axis and no numbers on the segments (the sentence under the table says the shares): new
        # numbers at new places would cost a live view a glyph rendering each, a lighter SVG besides.
        ax.set_xticks([])                # no ticks (not a hidden axis: a live view draws tick labels itself)
        ax.minorticks_off()
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title("Where a month's dollars go", fontsize=9)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False, fontsize=7)

    def _parts_update(self, analysis) -> None:
        for y, bill in enumerate((analysis.cost, analysis.cost_10x)):
            values = bill.by_part()
            total = bill.total or 1.0
            left = 0.0
            for name, bars in zip(self.parts, self.segments):
                share = values.get(name, 0.0) / total
                bars[y].set_x(left)
                bars[y].set_width(share)
                left += share

    @styled
    def update(self, analysis) -> None:
        """Resize the bars for another analysis of the same components."""
        today = [line.total for line in analysis.cost.lines] + [analysis.cost.egress]
        tenx = [line.total for line in analysis.cost_10x.lines] + [analysis.cost_10x.egress]
        for bar, label, value in zip(self.today, self.labels, today):
            bar.set_width(max(value, FLOOR))
            label.set_x(max(value, FLOOR))
            label.set_text(f" {q.say_dollars(value)}")
        for bar, value in zip(self.tenx, tenx):
            bar.set_width(max(value, FLOOR))
        widest = max(today + tenx + [FLOOR * 10])
        # Whole decades, two of them free on the right for the total; widened at once, narrowed only
        # when three more stand empty: a frame that holds still while a slider moves.
        top = 10 ** math.ceil(math.log10(widest * 100))
        if self.top is None or top > self.top or top * NARROW < self.top:
            self.top = top
        self.ax.set_xlim(FLOOR, self.top)
        lines = (f"{q.say_dollars(analysis.cost.total)} a month today", f"{q.say_dollars(analysis.cost_10x.total)} at 10x",
                 f"{q.say_dollars(analysis.cost.per_million_requests)} per million requests")
        for text, line in zip(self.total, lines):
            text.set_text(line)
        self._parts_update(analysis)
        self.fig.canvas.draw_idle()
