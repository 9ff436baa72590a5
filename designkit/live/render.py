"""Rendering for the live views: charts redrawn in place into PNG images, HTML tables and text lines."""

from __future__ import annotations

import logging
from typing import Any, Callable

import ipywidgets as w
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import AutoLocator, FuncFormatter, LogFormatter, LogLocator, NullFormatter

from ..views import charts
from ..model import quantities as q


from .canvas import QuietCanvas, png_rgba
from .panel import DPI, State, esc

log = logging.getLogger(__name__)


# --- view building blocks --------------------------------------------------------------------

def _plain_log_label(value, _pos=None) -> str:
    """Log-axis labels as plain text ('0.001', '10', '1K'): a new mathtext label ('10^5') costs
    ~70 ms of parsing on its first draw, too slow for a live chart."""
    return q.say_count(value, approx=False) if value >= 1 else f"{value:g}"


def _look(artist) -> tuple | None:
    """What an artist's pixels depend on, to float32 precision (a set_data with the same numbers
    changes nothing); None for a kind not described here: it is drawn every time."""
    common = (type(artist).__name__, artist.get_visible(), artist.get_alpha(), artist.get_zorder())
    if isinstance(artist, Line2D):
        return common + (np.asarray(artist.get_xydata(), np.float32).tobytes(), artist.get_color(),
                         artist.get_linestyle(), artist.get_linewidth(), str(artist.get_marker()),
                         artist.get_markersize(), str(artist.get_markerfacecolor()),
                         str(artist.get_markeredgecolor()), artist.get_clip_on())
    if isinstance(artist, Rectangle):
        return common + (np.asarray(artist.get_bbox().bounds, np.float32).tobytes(),
                         tuple(artist.get_facecolor()), tuple(artist.get_edgecolor()), artist.get_linewidth(),
                         artist.get_hatch())
    if isinstance(artist, Text):
        return common + (artist.get_text(), np.asarray(artist.get_position(), np.float32).tobytes(),
                         str(artist.get_color()), artist.get_fontsize(), artist.get_fontweight(),
                         artist.get_rotation(), artist.get_ha(), artist.get_va())
    return None


class ChartView:
    """A chart built once; ``update`` moves its artists and re-renders PNG into one persistent Image.

    Rendering is the slow part (text), so the view keeps what does not move: strings are rendered
    once (``canvas``), the layout is fixed after the first draw (and made again when a label would
    leave the figure), legends are drawn once and laid over every frame, and only the artists that
    moved are drawn over a saved background of the frame and the rest (Agg's copy_from_bbox /
    restore_region).  ``present(True)`` renders at twice the pixel density and lets the image fill
    its output.
    """

    BACKGROUNDS = 32    # saved backgrounds per chart (a class goes back and forth over a few scales)

    @charts.styled      # ticks are made at draw time: draw under the charts' house style too
    def __init__(self, chart, css: str, args: Callable[[State], tuple], key: Callable[[State], Any], state: State):
        self.chart, self.fig, self.args, self.key = chart, chart.fig, args, key
        self.canvas = QuietCanvas(self.fig)
        self.fig.set_dpi(DPI)
        self.presenting = False
        for ax in self.fig.axes:                # lighter ticks: each tick label costs a text draw
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
                    axis.set_minor_formatter(NullFormatter())
                    if isinstance(axis.get_major_formatter(), LogFormatter):   # "10^5" means parsing mathtext
                        axis.set_major_formatter(FuncFormatter(_plain_log_label))
                elif isinstance(axis.get_major_locator(), AutoLocator):
                    axis.get_major_locator().set_params(nbins=5)
        self.renders = self.blits = self.layouts = 0
        self._overlay = None
        self._looks: list = []          # how each moving artist looked at the last render
        self._backgrounds: dict = {}    # (frame, looks of the artists in it) -> saved background, newest last
        self._relayout()
        self.widget = w.Image(format="png", value=self.render(), layout=w.Layout(**self._size()))
        self.widget.add_class("dk-chart")
        self.widget.add_class(css)
        self._key = key(state)

    def _size(self) -> dict:
        """The image's CSS size: its pixel width (at most the output's), or the output's width when presenting."""
        if self.presenting:
            return {"width": "100%", "max_width": "100%", "height": "auto"}
        return {"width": f"{self.canvas.get_width_height()[0]}px", "max_width": "100%", "height": "auto"}

    @charts.styled
    def present(self, on: bool) -> None:
        """Presentation mode: twice the pixel density, as wide as the output; off: back to normal."""
        if on == self.presenting:
            return
        self.presenting = on
        self.fig.set_dpi(DPI * (2 if on else 1))
        self._relayout()
        self.widget.value = self.render()
        self.widget.layout.width = self._size()["width"]

    def _relayout(self) -> None:
        """Lay the figure out (constrained) once, then pin axes, titles and axis labels where they are.

        Pinned (``set_title(y=...)``, ``set_label_coords``), a draw no longer measures every tick
        label to place them: about half the time of a full draw.
        """
        self.fig.set_layout_engine("constrained")
        legends = [ax.get_legend() for ax in self.fig.axes if ax.get_legend() is not None]
        legends += list(self.fig.legends)
        for legend in legends:
            legend.set_visible(True)
        for artist in self._moving():       # data takes part in the layout too (value labels)
            artist.set_animated(False)
        self.canvas.draw()
        self._pin_labels()                  # beside today's tick labels (they may be wider than last time)
        self.canvas.draw()
        self._pin_labels()
        self.fig.set_layout_engine("none")
        self._tight = self._spills()        # a figure too small to hold its labels: no use laying out again
        self._overlay = self._legend_overlay(legends)   # the legends moved with their axes
        self._looks = []
        self._backgrounds.clear()
        self.layouts += 1

    def _pin_labels(self) -> None:
        """Put each axis label just outside its tick labels, and each title on top, and keep them there."""
        renderer = self.canvas.get_renderer()
        for ax in self.fig.axes:
            for loc in ("center", "left", "right"):
                if ax.get_title(loc):
                    ax.set_title(ax.get_title(loc), loc=loc, y=1.0)
            to_axes = ax.transAxes.inverted()
            for axis, index in ((ax.xaxis, 1), (ax.yaxis, 0)):
                if not axis.label.get_text() or not axis.label.get_visible():
                    continue
                boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                         if t.get_visible() and t.get_text()]
                pad = axis.labelpad * self.fig.dpi / 72
                frame = ax.get_window_extent(renderer)
                if index == 1:          # x label below the lowest tick label
                    edge = min([b.y0 for b in boxes] + [frame.y0]) - pad
                    axis.set_label_coords(0.5, to_axes.transform((0, edge))[1])
                else:                   # y label left of the widest tick label
                    edge = min([b.x0 for b in boxes] + [frame.x0]) - pad
                    axis.set_label_coords(to_axes.transform((edge, 0))[0], 0.5)

    def _legend_overlay(self, legends: list):
        """Draw the legends alone onto a transparent buffer once; hide them from later draws."""
        if not legends:
            return None
        renderer = self.canvas.get_renderer()
        renderer.clear()
        boxes = []
        for legend in legends:
            legend.draw(renderer)
            boxes.append(legend.get_window_extent(renderer))
            legend.set_visible(False)
        height = int(renderer.height)
        x0 = max(0, int(min(b.x0 for b in boxes)) - 2)
        x1 = min(int(renderer.width), int(max(b.x1 for b in boxes)) + 2)
        y0 = max(0, height - int(max(b.y1 for b in boxes)) - 2)
        y1 = min(height, height - int(min(b.y0 for b in boxes)) + 2)
        pixels = np.asarray(renderer.buffer_rgba())[y0:y1, x0:x1].astype(np.float32)
        alpha = pixels[..., 3:4] / 255.0
        return (slice(y0, y1), slice(x0, x1)), pixels[..., :3] * alpha, 1.0 - alpha

    def _frame_key(self) -> tuple:
        """What a saved background depends on: the axes' limits, scales and axis labels (titles are
        drawn with the data: a title with a number in it would otherwise make every frame new)."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(),
                      ax.get_ylabel()) for ax in self.fig.axes)

    def _moving(self) -> list:
        """The data artists (lines, bars, texts, collections) and titles, marked animated, in drawing order."""
        found = []
        for ax in self.fig.axes:
            found += [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images, ax.title]
        for artist in found:
            artist.set_animated(True)
        return sorted(found, key=lambda artist: artist.get_zorder())

    def _spills(self) -> bool:
        """True when ink touches the figure's edge: a tick label or title cut off there ('00K')."""
        pixels = np.asarray(self.canvas.buffer_rgba())
        edges = (pixels[0, :, :3], pixels[-1, :, :3], pixels[:, 0, :3], pixels[:, -1, :3])
        return any(bool((edge < 250).any()) for edge in edges)

    @charts.styled
    def render(self) -> bytes:
        """The figure as PNG: the moved artists over a saved background (a full draw for a new one)."""
        self._draw()
        if not self._tight and self._spills():   # a label wider than at the last layout: make room once
            self._relayout()
            self._draw()
        pixels = np.asarray(self.canvas.buffer_rgba())
        if self._overlay is not None:
            where, ink, keep = self._overlay
            region = pixels[where]
            region[..., :3] = (region[..., :3] * keep + ink).astype(np.uint8)
        self.renders += 1
        return png_rgba(pixels)

    def _draw(self) -> None:
        """The background (saved, or drawn and saved), then the artists that moved, over it.

        The background is the frame plus the leading artists (in drawing order) that look as they
        did at the last render: the curves of a chart whose dots move, the bars of one whose title
        changes.  It is saved under the frame and those looks, so going back to a scale seen before
        restores it.
        """
        moving = self._moving()
        looks = [_look(artist) for artist in moving]
        still = 0
        while still < min(len(looks), len(self._looks)) and looks[still] is not None \
                and looks[still] == self._looks[still]:
            still += 1
        self._looks = looks
        key = (self._frame_key(), tuple(looks[:still]))
        background = self._backgrounds.get(key)
        if background is not None:
            self._backgrounds[key] = self._backgrounds.pop(key)        # newest last
            self.canvas.restore_region(background)
            self.blits += 1
        else:
            for artist in moving[:still]:
                artist.set_animated(False)
            self.canvas.draw()
            self._backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
            while len(self._backgrounds) > self.BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
        for artist in moving[still:]:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    @charts.styled
    def update(self, state: State) -> None:
        key = self.key(state)
        if key == self._key:
            return
        self._key = key
        self.chart.update(*self.args(state))
        self.widget.value = self.render()


class CellTable:
    """A table as one HTML widget (a CSS grid of cells): a slider move that changes any of its cells
    sends one message, not one per cell (a section's tables change some 60 cells a move, and each
    message costs the kernel, the server and the browser a little)."""

    def __init__(self, header: list[str], css: str, numeric: tuple[int, ...] = ()):
        self.header, self.numeric = [esc(h) for h in header], numeric
        self.rows: list[list[str]] = []
        self.widget = w.HTML()
        self.widget.add_class("dk-table")
        self.widget.add_class(css)

    def _cell(self, j: int, markup: str, head: bool = False) -> str:
        kind = "dk-cell dk-head" if head else "dk-cell"
        return f'<div class="{kind}{" dk-num" if j in self.numeric else ""}">{markup}</div>'

    def set(self, rows: list[list[str]]) -> None:
        self.rows = [list(row) for row in rows]
        cells = [self._cell(j, f"<b>{h}</b>", head=True) for j, h in enumerate(self.header)]
        cells += [self._cell(j, cell) for row in self.rows for j, cell in enumerate(row)]
        self.widget.value = (f'<div class="dk-grid" style="grid-template-columns: repeat({len(self.header)}, auto)">'
                             + "".join(cells) + "</div>")

    def text(self) -> list[list[str]]:
        """The cells' HTML, row by row (for tests)."""
        return [list(row) for row in self.rows]


class TableView:
    """A CellTable filled by ``rows(state)``."""

    def __init__(self, header, rows: Callable[[State], list[list[str]]], css: str, state: State, *,
                 numeric: tuple[int, ...] = (), title: str | None = None):
        self.rows = rows
        self.table = CellTable(header, css, numeric)
        self.table.set(rows(state))
        parts = ([title_html(title)] if title else []) + [self.table.widget]
        self.widget = w.VBox(parts)

    def update(self, state: State) -> None:
        self.table.set(self.rows(state))


class TextView:
    """Lines of HTML in one widget, changed in place: headlines and phrases with live numbers."""

    def __init__(self, lines: Callable[[State], list[str]], css: str, state: State, *, title: str | None = None):
        self.lines = lines
        self.values: list[str] = []
        self.box = w.HTML()
        self.box.add_class("dk-lines")
        self.box.add_class(css)
        self.widget = w.VBox(([title_html(title)] if title else []) + [self.box])
        self.update(state)

    def update(self, state: State) -> None:
        self.values = list(self.lines(state))
        self.box.value = "".join(f'<div class="dk-line">{line}</div>' for line in self.values)

    def text(self) -> list[str]:
        return list(self.values)


def title_html(text: str) -> w.HTML:
    title = w.HTML(esc(text))
    title.add_class("dk-title")
    return title
