"""A live chart's tick labels: fewer and plainer ticks, and the major tick labels drawn as moving text.

Drawn with the data (on texts of our own, one pool reused), the tick labels leave the saved frame
(spines, ticks, grid) the same at every decade: bars at 10x the users on an axis ten times as
long are the same pixels but for the labels' words.  ``frame_key`` says what a frame depends on.
"""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text
from matplotlib.ticker import AutoLocator, FuncFormatter, LogFormatter, LogLocator, NullFormatter

from ..model import quantities as q
from ..model.lru import LRU


def _plain_log_label(value, _pos=None) -> str:
    """Log-axis labels as plain text ('0.001', '10', '1K'): a new mathtext label ('10^5') costs
    ~70 ms of parsing on its first draw, too slow for a live chart."""
    return q.say_count(value, approx=False) if value >= 1 else f"{value:g}"


def _label_sides(axis) -> tuple[str, ...]:
    """The ``set_tick_params`` switches of the sides where an axis shows its major tick labels."""
    ticks = axis.get_major_ticks(1)
    names = ("labelbottom", "labeltop") if axis.axis_name == "x" else ("labelleft", "labelright")
    return tuple(name for name, label in zip(names, (ticks[0].label1, ticks[0].label2)) if label.get_visible())


def lighten(fig) -> None:
    """Lighter ticks: each tick label costs a text draw.  Log axes get 2-5 minor ticks without
    labels and plain major labels; linear axes at most five major ticks."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
                axis.set_minor_formatter(NullFormatter())
                if isinstance(axis.get_major_formatter(), LogFormatter):   # "10^5" means parsing mathtext
                    axis.set_major_formatter(FuncFormatter(_plain_log_label))
            elif isinstance(axis.get_major_locator(), AutoLocator):
                axis.get_major_locator().set_params(nbins=5)


class TickLabels:
    """The major tick labels of a figure's axes, as the axes would draw them, on texts of our own."""

    LOCATED = 4096      # remembered tick locations per chart (axis and limits -> ticks)

    def __init__(self, fig):
        self._fig = fig
        self.labelled = [(axis, sides) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                         if (sides := _label_sides(axis))]
        self.proxies: list[Text] = []   # the tick labels, drawn as moving text (one pool, reused)
        self._located = LRU(self.LOCATED)   # (axis, its locators, limits) -> its tick locations, for this layout

    def forget(self) -> None:
        """Forget the tick locations: locators count ticks by the room an axis has (a new layout)."""
        self._located.clear()

    def drawn_by_axes(self, on: bool) -> None:
        """Let the axes draw their own tick labels (for a layout) or leave them to ``texts``."""
        for axis, sides in self.labelled:
            axis.set_tick_params(which="major", **{side: on for side in sides})

    def texts(self) -> list[Text]:
        """Each axis's major tick labels, as the axis would draw them, on texts of our own."""
        texts: list[Text] = []
        for axis, sides in self.labelled:
            locs = self.locs(axis)[0]
            words = axis.get_major_formatter().format_ticks(locs)
            scale = axis.get_transform()
            low, high = sorted(scale.transform(np.asarray(axis.get_view_interval(), float)))
            slack = 1e-10 * (high - low)                    # as Axis keeps a tick on the edge
            where = scale.transform(np.asarray(locs, float)) if len(locs) else []
            for tick, loc, word, at in zip(axis.get_major_ticks(len(locs)), locs, words, where):
                if not low - slack <= at <= high + slack:
                    continue
                tick.update_position(loc)
                for side in sides:
                    label = tick.label1 if side in ("labelbottom", "labelleft") else tick.label2
                    if len(texts) == len(self.proxies):
                        proxy = Text()
                        proxy.set_figure(self._fig)
                        self.proxies.append(proxy)
                    proxy = self.proxies[len(texts)]
                    proxy.update_from(label)
                    proxy.set_text(word)
                    proxy.set_position(label.get_position())
                    proxy.set_visible(True)
                    proxy.set_animated(True)
                    texts.append(proxy)
        return texts

    def locs(self, axis) -> tuple:
        """An axis's (major, minor) tick locations, kept by its limits (locating costs ~0.3 ms an
        axis, and a move usually changes one axis of a chart or none)."""
        key = (id(axis), id(axis.get_major_locator()), id(axis.get_minor_locator()), *axis.get_view_interval())
        locs = self._located.get(key)
        if locs is None:
            locs = (axis.get_majorticklocs(), axis.get_minorticklocs())
            self._located.put(key, locs)
        return locs

    def frame_key(self) -> tuple:
        """What a saved background depends on: where each axis's ticks and grid lines fall, in
        pixels, its scale and its label; not its limits, nor the tick labels' words, nor the titles
        (all drawn with the data: a title with a number in it would otherwise make every frame new)."""
        key = []
        for ax in self._fig.axes:
            for axis, column, transform in ((ax.xaxis, 0, ax.get_xaxis_transform()),
                                            (ax.yaxis, 1, ax.get_yaxis_transform())):
                major, minor = self.locs(axis)
                formatter = axis.get_minor_formatter()
                words = () if isinstance(formatter, NullFormatter) else tuple(formatter.format_ticks(minor))
                places = []
                for locs in (major, minor):
                    points = np.zeros((len(locs), 2))
                    points[:, column] = locs
                    places.append(np.round(transform.transform(points)[:, column], 2).tobytes() if len(locs) else b"")
                key.append((axis.get_scale(), axis.label.get_text(), *places, words))
        return tuple(key)
