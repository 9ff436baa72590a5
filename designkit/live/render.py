"""Rendering for the live charts: redrawn in place into PNG images (tables and lines: ``live.cells``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.text import Text
from matplotlib.ticker import (
    AutoLocator,
    FuncFormatter,
    LogFormatter,
    LogLocator,
    NullFormatter,
)

from ..model import quantities as q
from ..views import charts
from .canvas import QuietCanvas, TextLayouts, encode, look, png_rgba
from .panel import DPI, State
from .style import present_figure

log = logging.getLogger(__name__)


# --- view building blocks --------------------------------------------------------------------

def _plain_log_label(value, _pos=None) -> str:
    """Log-axis labels as plain text ('0.001', '10', '1K'): a new mathtext label ('10^5') costs
    ~70 ms of parsing on its first draw, too slow for a live chart."""
    return q.say_count(value, approx=False) if value >= 1 else f"{value:g}"


def _label_sides(axis) -> tuple[str, ...]:
    """The ``set_tick_params`` switches of the sides where an axis shows its major tick labels."""
    ticks = axis.get_major_ticks(1)
    names = ("labelbottom", "labeltop") if axis.axis_name == "x" else ("labelleft", "labelright")
    return tuple(name for name, label in zip(names, (ticks[0].label1, ticks[0].label2)) if label.get_visible())


class ChartView:
    """A chart built once; ``update`` moves its artists and re-renders PNG into one persistent Image.

    Rendering is the slow part (text), so the view keeps what does not move: strings are rendered
    once (``canvas``) and laid out once (``_draw_artist``), the layout is fixed after the first draw
    (and made again when a label would leave the figure), legends are drawn once and laid over
    every frame, and only the artists that moved are drawn over a saved background of the frame and
    the rest (Agg's copy_from_bbox / restore_region).  Tick labels are drawn with the data, so one
    frame serves every decade of a linear axis.  The PNG is encoded on a thread while the next view
    draws, and kept: a scene drawn before (every artist as it was, on the same frame) is not drawn
    again.  ``present(True)`` renders at twice the pixel density and lets the image fill its output.
    """

    BACKGROUNDS = 32    # saved backgrounds per chart (a class goes back and forth over a few scales)
    IMAGES = 64         # finished PNGs per chart, by everything their pixels depend on
    LOCATED = 4096      # remembered tick locations per chart (axis and limits -> ticks)

    @charts.styled      # ticks are made at draw time: draw under the charts' house style too
    def __init__(self, chart, css: str, args: Callable[[State], tuple], key: Callable[[State], Any], state: State):
        self._chart, self._fig, self.args, self.key = chart, chart.fig, args, key
        self._stale = False             # the artists show another state than the image (see update)
        self._made: dict = {}           # (state, memo) -> (PNG, held values after): a move made before
        self._making: tuple | None = None   # what the encoding PNG is kept by in _made
        self.canvas = QuietCanvas(self._fig)
        self._fig.set_dpi(DPI)
        self.presenting = False
        for ax in self._fig.axes:                # lighter ticks: each tick label costs a text draw
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
                    axis.set_minor_formatter(NullFormatter())
                    if isinstance(axis.get_major_formatter(), LogFormatter):   # "10^5" means parsing mathtext
                        axis.set_major_formatter(FuncFormatter(_plain_log_label))
                elif isinstance(axis.get_major_locator(), AutoLocator):
                    axis.get_major_locator().set_params(nbins=5)
        self.renders = self.blits = self.layouts = self.reused = 0
        self._labelled = [(axis, sides) for ax in self._fig.axes for axis in (ax.xaxis, ax.yaxis)
                          if (sides := _label_sides(axis))]
        self._proxies: list[Text] = []  # the tick labels, drawn as moving text (one pool, reused)
        self._layouts = TextLayouts()   # where each plain string lands from its anchor
        self._located: dict = {}        # (axis, its locators, limits) -> its tick locations, for this layout
        self._encoding: Future | None = None
        self._encoded: tuple | None = None  # the scene the encoding PNG shows, to keep it by
        self._images: dict = {}         # (frame, looks of every artist) -> PNG, newest last
        self._overlay = None
        self._looks: list = []          # how each moving artist looked at the last render
        self._backgrounds: dict = {}    # (frame, looks of the artists in it) -> saved background, newest last
        self._relayout()
        self.widget = w.Image(format="png", value=self.render(), layout=w.Layout(**self._size()))
        self.widget.add_class("dk-chart")
        self.widget.add_class(css)
        self._key, self._state = key(state), state

    @property
    def chart(self):
        """The chart (``views.charts``), its artists at the shown state."""
        self._fresh()
        return self._chart

    fig = property(lambda self: self.chart.fig, doc="The chart's figure, its artists at the shown state.")

    def _fresh(self) -> None:
        """Put the artists at the shown state when a move reused its image without moving them."""
        if self._stale:
            self._stale = False
            self._chart.update(*self.args(self._state))

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
        self.settle()
        self._fresh()
        self.presenting = on
        present_figure(self._fig, on, DPI)   # twice the pixels, text 18 px+ on a projector
        self._relayout()
        self.widget.value = self.render()
        self.widget.layout.width = self._size()["width"]

    def _relayout(self) -> None:
        """Lay the figure out (constrained) once, then pin axes, titles and axis labels where they are.

        Pinned (``set_title(y=...)``, ``set_label_coords``), a draw no longer measures every tick
        label to place them: about half the time of a full draw.
        """
        self._tick_labels_drawn_by_axes(True)      # the layout makes room for them
        self._fig.set_layout_engine("constrained")
        legends = [ax.get_legend() for ax in self._fig.axes if ax.get_legend() is not None]
        legends += list(self._fig.legends)
        for legend in legends:
            legend.set_visible(True)
        for artist in self._moving():       # data takes part in the layout too (value labels)
            artist.set_animated(False)
        self.canvas.draw()
        self._pin_labels()                  # beside today's tick labels (they may be wider than last time)
        self.canvas.draw()
        self._pin_labels()
        self._fig.set_layout_engine("none")
        self._tight = self._spills()        # a figure too small to hold its labels: no use laying out again
        self._tick_labels_drawn_by_axes(False)
        self._overlay = self._legend_overlay(legends)   # the legends moved with their axes
        self._looks = []
        self._backgrounds.clear()
        self._images.clear()
        self._made.clear()
        self._located.clear()               # locators count ticks by the room an axis has
        self.layouts += 1

    def _pin_labels(self) -> None:
        """Put each axis label just outside its tick labels, and each title on top, and keep them there."""
        renderer = self.canvas.get_renderer()
        for ax in self._fig.axes:
            for loc in ("center", "left", "right"):
                if ax.get_title(loc):
                    ax.set_title(ax.get_title(loc), loc=loc, y=1.0)
            to_axes = ax.transAxes.inverted()
            for axis, index in ((ax.xaxis, 1), (ax.yaxis, 0)):
                if not axis.label.get_text() or not axis.label.get_visible():
                    continue
                boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                         if t.get_visible() and t.get_text()]
                pad = axis.labelpad * self._fig.dpi / 72
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

    def _tick_labels_drawn_by_axes(self, on: bool) -> None:
        """Let the axes draw their own tick labels (for a layout) or leave them to ``_tick_texts``."""
        for axis, sides in self._labelled:
            axis.set_tick_params(which="major", **{side: on for side in sides})

    def _tick_texts(self) -> list[Text]:
        """Each axis's major tick labels, as the axis would draw them, on texts of our own.

        Drawn with the data, they leave the saved frame (spines, ticks, grid) the same at every
        decade: bars at 10x the users on an axis ten times as long are the same pixels but for the
        labels' words.
        """
        texts: list[Text] = []
        for axis, sides in self._labelled:
            locs = self._locs(axis)[0]
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
                    if len(texts) == len(self._proxies):
                        proxy = Text()
                        proxy.set_figure(self._fig)
                        self._proxies.append(proxy)
                    proxy = self._proxies[len(texts)]
                    proxy.update_from(label)
                    proxy.set_text(word)
                    proxy.set_position(label.get_position())
                    proxy.set_visible(True)
                    proxy.set_animated(True)
                    texts.append(proxy)
        return texts

    def _locs(self, axis) -> tuple:
        """An axis's (major, minor) tick locations, kept by its limits (locating costs ~0.3 ms an
        axis, and a move usually changes one axis of a chart or none)."""
        key = (id(axis), id(axis.get_major_locator()), id(axis.get_minor_locator()), *axis.get_view_interval())
        locs = self._located.get(key)
        if locs is None:
            locs = self._located[key] = (axis.get_majorticklocs(), axis.get_minorticklocs())
            while len(self._located) > self.LOCATED:
                self._located.pop(next(iter(self._located)))
        return locs

    def _frame_key(self) -> tuple:
        """What a saved background depends on: where each axis's ticks and grid lines fall, in
        pixels, its scale and its label; not its limits, nor the tick labels' words, nor the titles
        (all drawn with the data: a title with a number in it would otherwise make every frame new)."""
        key = []
        for ax in self._fig.axes:
            for axis, column, transform in ((ax.xaxis, 0, ax.get_xaxis_transform()),
                                            (ax.yaxis, 1, ax.get_yaxis_transform())):
                major, minor = self._locs(axis)
                formatter = axis.get_minor_formatter()
                words = () if isinstance(formatter, NullFormatter) else tuple(formatter.format_ticks(minor))
                places = []
                for locs in (major, minor):
                    points = np.zeros((len(locs), 2))
                    points[:, column] = locs
                    places.append(np.round(transform.transform(points)[:, column], 2).tobytes() if len(locs) else b"")
                key.append((axis.get_scale(), axis.label.get_text(), *places, words))
        return tuple(key)

    def _moving(self) -> list:
        """The data artists (lines, bars, texts, collections) and titles, marked animated, in drawing order."""
        found = []
        for ax in self._fig.axes:
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
        self._fresh()
        return png_rgba(self._pixels())

    def _pixels(self, scene: tuple | None = None) -> np.ndarray:
        """The figure drawn, legends laid over: the canvas's own buffer (valid until the next draw)."""
        self._draw(scene)
        if not self._tight and self._spills():   # a label wider than at the last layout: make room once
            self._relayout()
            self._draw()
        pixels = np.asarray(self.canvas.buffer_rgba())
        if self._overlay is not None:
            where, ink, keep = self._overlay
            region = pixels[where]
            region[..., :3] = (region[..., :3] * keep + ink).astype(np.uint8)
        self.renders += 1
        return pixels

    def _scene(self) -> tuple[list, list, tuple]:
        """The artists drawn over a frame (tick labels, then the data by zorder), how each looks,
        and the frame's key: together, everything the chart's pixels depend on."""
        moving = self._tick_texts() + self._moving()
        return moving, [look(artist) for artist in moving], self._frame_key()

    @staticmethod
    def _seen(scene: tuple) -> tuple | None:
        """The key an image of ``scene`` is kept by: its frame and every artist's look (None when
        an artist's look is not described, so the image cannot be told apart from another)."""
        _, looks, frame = scene
        return (frame, tuple(looks)) if None not in looks else None

    def _draw(self, scene: tuple | None = None) -> None:
        """The background (saved, or drawn and saved), then the artists that moved, over it.

        The background is the frame plus the leading artists (in drawing order: tick labels, then
        the data by zorder) that look as they did at the last render: the curves of a chart whose
        dots move, the bars of one whose title changes.  It is saved under the frame and those
        looks, so going back to a scale seen before restores it.  Without one, the bare frame is
        restored (or drawn once) and every artist drawn over it: a whole matplotlib draw only
        for a frame never seen.
        """
        moving, looks, frame = scene or self._scene()
        still = 0
        while still < min(len(looks), len(self._looks)) and looks[still] is not None \
                and looks[still] == self._looks[still]:
            still += 1
        self._looks = looks
        prefix = (frame, tuple(looks[:still]))
        background = self._backgrounds.get(prefix)
        start = still
        if background is None:
            start, background = 0, self._backgrounds.get((frame, ()))
        if background is not None:
            used = prefix if start else (frame, ())
            self._backgrounds[used] = self._backgrounds.pop(used)        # newest last
            self.canvas.restore_region(background)
            self.blits += 1
        else:
            self.canvas.draw()                  # every artist drawn here is animated: the frame alone
            self._save((frame, ()))
        renderer = self.canvas.get_renderer()
        labels = {id(proxy) for proxy in self._proxies}
        # The axes' lines (in the frame) go over data below them again, as in a whole draw.
        spines = [spine for ax in self._fig.axes for spine in ax.spines.values() if spine.get_visible()]
        level = min((spine.get_zorder() for spine in spines), default=0)

        def below(artists) -> bool:
            return any(id(artist) not in labels and artist.get_zorder() < level for artist in artists)

        under = below(moving[start:])
        for i in range(start, len(moving) + 1):
            if i == still and start < still:    # the leading artists drawn: save them as a background
                if under and below(moving[start:still]):
                    for spine in spines:
                        spine.draw(renderer)
                    under = below(moving[still:])
                self._save(prefix)
            if i == len(moving):
                break
            artist = moving[i]
            if under and id(artist) not in labels and artist.get_zorder() > level:
                for spine in spines:
                    spine.draw(renderer)
                under = False
            if artist.get_visible():
                self._draw_artist(artist, renderer)
        if under:
            for spine in spines:
                spine.draw(renderer)

    def _save(self, key: tuple) -> None:
        """Keep what the canvas holds now as the background ``key`` (the oldest go past BACKGROUNDS)."""
        self._backgrounds[key] = self.canvas.copy_from_bbox(self._fig.bbox)
        while len(self._backgrounds) > self.BACKGROUNDS:
            self._backgrounds.pop(next(iter(self._backgrounds)))

    def _draw_artist(self, artist, renderer) -> None:
        """Draw one artist over the canvas (a text from its remembered layout)."""
        if isinstance(artist, Text):
            self._layouts.draw(artist, renderer)
        else:
            artist.draw(renderer)

    @charts.styled
    def update(self, state: State) -> None:
        """Move the artists to ``state`` and draw; the PNG is encoded on a thread until ``settle``.

        A move to a state this chart moved to before, from the same memo (layout, held values), shows
        that move's PNG and held values again without moving an artist (they follow when read).
        """
        key = self.key(state)
        self._state = state
        if key == self._key:
            return
        self._key = key
        self.settle()
        memo = self.memo()
        made = self._made_before(state, memo)
        if made is not None:
            self._made[(id(state), memo)] = self._made.pop((id(state), memo))      # newest last
            image, held = made
            for name, value in held.items():
                setattr(self._chart, name, value)
            self._stale = True
            self.reused += 1
            self.widget.value = image
            return
        self._stale = False
        self._chart.update(*self.args(state))
        scene = self._scene()
        looks, seen = scene[1], self._seen(scene)
        layouts = self.layouts
        if seen in self._images:            # drawn before, and nothing about it differs: its PNG again
            self._images[seen] = self._images.pop(seen)
            self._looks = looks
            self.reused += 1
            self.widget.value = self._images[seen]
            self._make(state, memo, self._images[seen])
            return
        self._encoding = encode(np.array(self._pixels(scene)))    # a copy: the next draw reuses the buffer
        same = self.layouts == layouts      # a new layout: another scene
        self._encoded = seen if same else None
        self._making = (state, memo) if same else None

    def _made_before(self, state: State, memo: tuple) -> tuple | None:
        """(PNG, held values after) of the move to ``state`` from ``memo``, if made (kept with its state: ids stay unique)."""
        made = self._made.get((id(state), memo))
        return made[1:] if made is not None and made[0] is state else None

    def _make(self, state: State, memo: tuple, image: bytes) -> None:
        """Keep ``image`` as what a move to ``state`` from ``memo`` shows, with the held values it leaves."""
        self._made[(id(state), memo)] = (state, image, self._held())
        while len(self._made) > self.IMAGES:
            self._made.pop(next(iter(self._made)))

    def _held(self) -> dict:
        """What the chart keeps from one update to the next (its ``HELD`` attributes), by name."""
        return {name: getattr(self._chart, name) for name in getattr(self._chart, "HELD", ())}

    def memo(self) -> tuple:
        """What an image made ahead depends on besides its state: the layout, and what the chart holds."""
        return (self.layouts, self.presenting, *self._held().values())

    @charts.styled
    def prepare(self, state: State) -> bool:
        """Draw and keep the image ``state`` would show, showing nothing (work done ahead while the
        kernel is idle); True if it drew.  The chart is put back as it was, what it holds from one
        update to the next (``HELD``, a widened axis) included, so the image is the one a move
        to ``state`` from here would draw."""
        if self.key(state) == self._key:
            return False
        self.settle()
        memo = self.memo()
        if self._made_before(state, memo) is not None:
            return False
        held = self._held()
        try:
            self._chart.update(*self.args(state))
            scene = self._scene()
            seen = self._seen(scene)
            if seen is None:
                return False
            if seen in self._images:
                self._make(state, memo, self._images[seen])
                return False
            layouts = self.layouts
            image = png_rgba(self._pixels(scene))
            if self.layouts == layouts:
                self._keep(seen, image)
                self._make(state, memo, image)
            return True
        finally:
            for name, value in held.items():
                setattr(self._chart, name, value)
            self._stale = True              # the artists follow the shown state when next read or moved

    def settle(self) -> None:
        """Show the image the last ``update`` drew (the panel calls this after every view's update)."""
        if self._encoding is not None:
            encoding, self._encoding = self._encoding, None
            image = encoding.result()
            if self._encoded is not None:
                self._keep(self._encoded, image)
            if self._making is not None:
                self._make(*self._making, image)
                self._making = None
            self.widget.value = image

    def _keep(self, scene: tuple, image: bytes) -> None:
        """Keep ``image`` as the PNG of ``scene`` (frame, looks); the oldest go past IMAGES."""
        self._images[scene] = image
        while len(self._images) > self.IMAGES:
            self._images.pop(next(iter(self._images)))
