"""Rendering for the live views: charts redrawn in place into PNG images, HTML tables and text lines."""

from __future__ import annotations

import logging
import math
import struct
import zlib
from typing import Any, Callable

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.ticker import AutoLocator, LogFormatter, LogFormatterMathtext, LogLocator

from ..views import charts
from ..model import quantities as q


from .panel import DPI, State, esc

log = logging.getLogger(__name__)


# --- view building blocks --------------------------------------------------------------------

class _SpriteRenderer(RendererAgg):
    """An Agg renderer that keeps the pixels of texts it draws again and again and stamps them.

    Text is most of a live chart's draw time and the same strings ("100K", axis labels, legend
    entries) come back on every frame; a string's second appearance caches it, positions are
    rounded to whole pixels (as older matplotlib did).  Anything unexpected falls back to
    matplotlib's own drawing.
    """

    LIMIT = 2048   # cached strings per chart

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.sprites: dict = {}     # text key -> (coverage, dx, dy), for strings seen twice
        self.seen: dict = {}        # text keys drawn once the ordinary way
        self.hits = self.misses = 0

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        try:
            key = (s, hash(prop), round(angle, 3), ismath, gc.get_antialiased(),
                   str(getattr(mtext, "get_fontfeatures", lambda: None)()),
                   getattr(mtext, "get_language", lambda: None)())
            sprite = self.sprites.get(key)
            if sprite is None:
                if key not in self.seen:          # a string seen once (a value label) is just drawn
                    self.seen[key] = True
                    if len(self.seen) > self.LIMIT:
                        self.seen.pop(next(iter(self.seen)))
                    super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
                    return
                sprite = self.sprites[key] = self._sprite(s, prop, angle, ismath, gc)
                self.misses += 1
                if len(self.sprites) > self.LIMIT:
                    self.sprites.pop(next(iter(self.sprites)))
            else:
                self.hits += 1
            coverage, dx, dy = sprite
            if coverage is not None:
                self._renderer.draw_text_image(coverage, round(x + dx), round(y + dy), 0, gc)  # y: down
        except Exception:  # a matplotlib we do not know: draw it the ordinary way
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def _sprite(self, s, prop, angle, ismath, gc):
        """Render ``s`` alone (white on transparent) and keep its coverage and offset from (x, y)."""
        w, h, d = self.get_text_width_height_descent(s, prop, ismath)
        size = int(math.ceil(w + h + d)) + 8
        scratch = RendererAgg(2 * size, 2 * size, self.dpi)
        scratch.clear()
        ink = scratch.new_gc()
        ink.set_foreground((1.0, 1.0, 1.0))
        ink.set_antialiased(gc.get_antialiased())
        RendererAgg.draw_text(scratch, ink, size, size, s, prop, angle, ismath=ismath)
        alpha = np.asarray(scratch.buffer_rgba())[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if not len(rows):
            return None, 0, 0
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        # draw_text gets (x, y) with y counted downwards; draw_text_image wants the left column and
        # the bottom row of the image: keep both as offsets from the anchor (size, size).
        return np.ascontiguousarray(alpha[top:bottom, left:right]), left - size, bottom - size


class _QuietCanvas(FigureCanvasAgg):
    """An Agg canvas whose draw_idle does nothing (the view draws once per update, itself) and
    whose renderer caches text."""

    def draw_idle(self, *args, **kwargs):
        pass

    def get_renderer(self):
        key = (*self.figure.bbox.size, self.figure.dpi)
        if getattr(self, "_sprite_key", None) != key:
            self.renderer = _SpriteRenderer(*self.figure.bbox.size, self.figure.dpi)
            self._sprite_key = key
        return self.renderer


class _PlainLogFormatter(LogFormatter):
    """Log-axis labels as plain text ('0.001', '10', '1K'): the first draw of each new mathtext
    label ('10^5') costs ~70 ms of parsing, too slow for a live chart."""

    def _num_to_string(self, x, vmin, vmax):
        return q.say_count(x, approx=False) if x >= 1 else f"{x:g}"


def png_rgb(pixels: np.ndarray) -> bytes:
    """An RGB PNG of an RGBA pixel array: no row filters, fastest zlib (twice as fast as Pillow's
    adaptive filtering on chart images, and smaller)."""
    height, width = pixels.shape[:2]
    rows = np.empty((height, width * 3 + 1), np.uint8)
    rows[:, 0] = 0                                      # filter type "none" for every row
    rows[:, 1:] = pixels[..., :3].reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


def _keep_in_place(*args, **kwargs) -> None:
    """Stands in for matplotlib's title and axis-label placement once a chart's layout is frozen."""


class ChartView:
    """A chart built once; ``update`` moves its artists and re-renders PNG into one persistent Image.

    Rendering is the slow part (text), so the view keeps what does not move: the layout is fixed
    after the first draw, legends are drawn once and laid over every frame, and while the axes'
    limits and titles stay the same only the data artists are redrawn over a saved background.
    """

    @charts.styled      # ticks are made at draw time: draw under the charts' house style too
    def __init__(self, chart, css: str, args: Callable[[State], tuple], key: Callable[[State], Any], state: State):
        self.chart, self.fig, self.args, self.key = chart, chart.fig, args, key
        self.canvas = _QuietCanvas(self.fig)
        self.fig.set_dpi(DPI)
        for ax in self.fig.axes:                # lighter ticks: each tick label costs a text draw
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
                    for formatter, setter in ((axis.get_major_formatter(), axis.set_major_formatter),
                                              (axis.get_minor_formatter(), axis.set_minor_formatter)):
                        if isinstance(formatter, LogFormatterMathtext):   # "10^5" means parsing mathtext
                            setter(_PlainLogFormatter(labelOnlyBase=formatter.labelOnlyBase,
                                                      minor_thresholds=formatter.minor_thresholds))
                elif isinstance(axis.get_major_locator(), AutoLocator):
                    axis.get_major_locator().set_params(nbins=5)
        self.renders = self.blits = self.layouts = 0
        self._background, self._frame, self._overlay = None, None, None
        self._shape = self._tick_shape()
        self._relayout()
        width = self.canvas.get_width_height()[0]
        self.widget = w.Image(format="png", value=self.render(),
                              layout=w.Layout(width=f"{width}px", max_width="100%", height="auto"))
        self.widget.add_class("dk-chart")
        self.widget.add_class(css)
        self._key = key(state)

    def _tick_shape(self) -> tuple:
        """The longest tick label of each axis, in characters: when it changes, lay out again."""
        shape = []
        for ax in self.fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                lo, hi = sorted(axis.get_view_interval())
                locs = [loc for loc in axis.get_majorticklocs() if lo <= loc <= hi]
                shape.append(max(map(len, axis.get_major_formatter().format_ticks(locs)), default=0))
        return tuple(shape)

    def _relayout(self) -> None:
        """Lay the figure out (constrained), then freeze axes, titles and axis labels where they are.

        Frozen, a draw no longer measures every tick label to place things: about half the time.
        """
        self.fig.set_layout_engine("constrained")
        placers = [(ax, "_update_title_position") for ax in self.fig.axes]
        placers += [(axis, "_update_label_position") for ax in self.fig.axes for axis in (ax.xaxis, ax.yaxis)]
        for owner, name in placers:
            owner.__dict__.pop(name, None)         # matplotlib's own placement for this one draw
        legends = [ax.get_legend() for ax in self.fig.axes if ax.get_legend() is not None]
        for legend in legends:
            legend.set_visible(True)
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        for owner, name in placers:
            if hasattr(type(owner), name):
                setattr(owner, name, _keep_in_place)
        self._overlay = self._legend_overlay(legends)   # the legends moved with their axes
        self._frame = None
        self.layouts += 1

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
        """What a saved background depends on: the axes' limits, scales and labels."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_title(),
                      ax.get_title("left"), ax.get_xlabel(), ax.get_ylabel()) for ax in self.fig.axes)

    def _moving(self) -> list:
        """The data artists (lines, bars, texts, collections), marked animated, in drawing order."""
        found = []
        for ax in self.fig.axes:
            found += [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images]
        for artist in found:
            artist.set_animated(True)
        return sorted(found, key=lambda artist: artist.get_zorder())

    @charts.styled
    def render(self) -> bytes:
        """The figure as PNG: a full draw when the axes changed, else data over the saved background."""
        shape = self._tick_shape()
        if any(new > old for new, old in zip(shape, self._shape)):   # wider labels: make room once
            self._shape = tuple(map(max, shape, self._shape))
            self._relayout()
        moving = self._moving()
        frame = self._frame_key()
        if frame == self._frame and self._background is not None:
            self.canvas.restore_region(self._background)
            self.blits += 1
        else:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._frame = frame
        renderer = self.canvas.get_renderer()
        for artist in moving:
            if artist.get_visible():
                artist.draw(renderer)
        pixels = np.asarray(self.canvas.buffer_rgba())
        if self._overlay is not None:
            where, ink, keep = self._overlay
            region = pixels[where]
            region[..., :3] = (region[..., :3] * keep + ink).astype(np.uint8)
        self.renders += 1
        return png_rgb(pixels)

    def update(self, state: State) -> None:
        key = self.key(state)
        if key == self._key:
            return
        self._key = key
        self.chart.update(*self.args(state))
        self.widget.value = self.render()


class CellTable:
    """A grid of HTML cells; ``set`` changes only cells whose text changed, rows beyond the data hide."""

    def __init__(self, header: list[str], rows: int, css: str, numeric: tuple[int, ...] = ()):
        self.header = [w.HTML(f"<b>{esc(h)}</b>") for h in header]
        self.cells = [[w.HTML() for _ in header] for _ in range(rows)]
        for row in self.cells:
            for j in numeric:
                row[j].add_class("dk-num")
        for j in numeric:
            self.header[j].add_class("dk-num")
        self.widget = w.GridBox(self.header + [c for row in self.cells for c in row],
                                layout=w.Layout(grid_template_columns=f"repeat({len(header)}, auto)"))
        self.widget.add_class("dk-table")
        self.widget.add_class(css)

    def set(self, rows: list[list[str]]) -> None:
        for i, cells in enumerate(self.cells):
            values = rows[i] if i < len(rows) else None
            for j, cell in enumerate(cells):
                cell.layout.display = None if values is not None else "none"
                if values is not None:
                    cell.value = values[j]

    def text(self) -> list[list[str]]:
        """The visible cells' HTML, row by row (for tests)."""
        return [[c.value for c in row] for row in self.cells if row[0].layout.display != "none"]


class TableView:
    """A CellTable filled by ``rows(state)``."""

    def __init__(self, header, rows: Callable[[State], list[list[str]]], css: str, state: State, *,
                 capacity: int | None = None, numeric: tuple[int, ...] = (), title: str | None = None):
        first = rows(state)
        self.rows = rows
        self.table = CellTable(header, capacity or len(first), css, numeric)
        self.table.set(first)
        parts = ([title_html(title)] if title else []) + [self.table.widget]
        self.widget = w.VBox(parts)

    def update(self, state: State) -> None:
        self.table.set(self.rows(state))


class TextView:
    """Lines of HTML, one widget each, changed in place: headlines and phrases with live numbers."""

    def __init__(self, lines: Callable[[State], list[str]], css: str, state: State, *, capacity: int | None = None,
                 title: str | None = None):
        first = lines(state)
        self.lines = lines
        self.items = [w.HTML() for _ in range(capacity or len(first))]
        box = w.VBox(self.items)
        box.add_class(css)
        self.widget = w.VBox(([title_html(title)] if title else []) + [box])
        self.update(state)

    def update(self, state: State) -> None:
        values = self.lines(state)
        for i, item in enumerate(self.items):
            item.layout.display = None if i < len(values) else "none"
            item.value = values[i] if i < len(values) else ""

    def text(self) -> list[str]:
        return [item.value for item in self.items if item.layout.display != "none"]


def title_html(text: str) -> w.HTML:
    title = w.HTML(esc(text))
    title.add_class("dk-title")
    return title
