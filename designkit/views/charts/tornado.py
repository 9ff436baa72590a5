"""The tornado chart: one bar per ranged input, from the figure at its low end to its high end.

Widest on top, the likely value a vertical line: the input whose bar is longest is the
assumption that matters most.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..rows import spread as spread_rows
from .style import COLORS, styled


class TornadoChart:
    """Horizontal bars for the figures of ``uncertainty.tornadoes``, one panel per figure."""

    @styled
    def __init__(self, uncertainty, *, size=(8.0, 1.0)):
        tornadoes = [t for t in uncertainty.tornadoes if any(s.width > 0 for s in t.swings)] or \
            list(uncertainty.tornadoes[:1])
        rows = len(uncertainty.ranges)
        self.fig = Figure(figsize=(size[0], sum(0.9 + 0.32 * rows for _ in tornadoes) + size[1]),
                          layout="constrained")
        axes = self.fig.subplots(len(tornadoes), 1, squeeze=False)[:, 0]
        for ax, tornado in zip(axes, tornadoes):
            swings = [s for s in tornado.swings if math.isfinite(s.at_low) and math.isfinite(s.at_high)]
            ys = range(len(swings))
            for y, s in zip(ys, swings):
                low, high = sorted((s.at_low, s.at_high))
                ax.barh(y, high - low, left=low, height=0.6,
                        color=COLORS["write"] if s.at_high >= s.at_low else COLORS["read"])
            ax.axvline(tornado.likely, color="black", linewidth=1)
            ax.set_yticks(list(ys), [spread_rows.INPUT_NAMES[s.field] for s in swings])
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.xaxis.set_major_formatter(lambda v, _, unit=tornado.unit: spread_rows.say(v, unit))
            ax.set_title(f"{tornado.label}: each input from its low end to its high end", fontsize=9, pad=6)
