"""A live chart: built once, moved to each state, redrawn in place into one PNG image, images kept.

The drawing itself is in ``ticks`` (tick labels drawn with the data), ``layout`` (laid out once,
then pinned), ``backgrounds`` (only what moved drawn again) and ``canvas`` (strings rendered once);
tables and lines are ``live.cells``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.text import Text

from ..views.charts.style import styled
from ..model.lru import LRU
from .backgrounds import Backgrounds
from .canvas import QuietCanvas, encode, look, png_rgba
from .layout import folded_if_wide, lay_over, legend_overlay, moving_artists, pin_labels, spills
from .state import State
from .style import present_figure
from .ticks import TickLabels, lighten

log = logging.getLogger(__name__)

DPI = 90                 # live chart resolution: 8-inch charts become 720 px wide images


class ChartView:
    """A chart built once; ``update`` moves its artists and re-renders PNG into one persistent Image.

    Rendering is the slow part (text), so the view keeps what does not move: strings are rendered
    once (``canvas``) and laid out once (``backgrounds``), the layout is fixed after the first draw
    (and made again when a label would leave the figure), legends are drawn once and laid over
    every frame, and only the artists that moved are drawn over a saved background of the frame and
    the rest (Agg's copy_from_bbox / restore_region).  Tick labels are drawn with the data, so one
    frame serves every decade of a linear axis.  The PNG is encoded on a thread while the next view
    draws, and kept: a scene drawn before (every artist as it was, on the same frame) is not drawn
    again.  ``present(True)`` renders at twice the pixel density and lets the image fill its output.
    """

    IMAGES = 64         # finished PNGs per chart, by everything their pixels depend on

    @styled      # ticks are made at draw time: draw under the charts' house style too
    def __init__(self, chart, css: str, args: Callable[[State], tuple], key: Callable[[State], Any], state: State):
        self._chart, self._fig, self.args, self.key = chart, chart.fig, args, key
        self._stale = False             # the artists show another state than the image (see update)
        self._made = LRU(self.IMAGES)   # (state, memo) -> (PNG, held values after): a move made before
        self._making: tuple | None = None   # what the encoding PNG is kept by in _made
        self.canvas = QuietCanvas(self._fig)
        self._fig.set_dpi(DPI)
        self.presenting = False
        lighten(self._fig)
        self.renders = self.blits = self.layouts = self.reused = 0
        self.ticks = TickLabels(self._fig)
        self._backgrounds = Backgrounds(self.canvas, self._fig)
        self._encoding: Future | None = None
        self._encoded: tuple | None = None  # the scene the encoding PNG shows, to keep it by
        self._ahead: list[tuple] = []       # images made ahead, encoding: (future, scene, state, memo, layouts)
        self._images = LRU(self.IMAGES)  # (frame, looks of every artist) -> PNG
        self._overlay = None
        self._folds: dict = {}             # text -> (as the chart says it, as shown on two lines)
        self._fits: dict = {}              # (text, as the chart says it) -> as shown: measured once a layout
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
            self._refold()

    def _size(self) -> dict:
        """The image's CSS size: its pixel width (at most the output's), or the output's width when presenting."""
        if self.presenting:
            return {"width": "100%", "max_width": "100%", "height": "auto"}
        return {"width": f"{self.canvas.get_width_height()[0]}px", "max_width": "100%", "height": "auto"}

    @styled
    def present(self, on: bool) -> None:
        """Presentation mode: twice the pixel density, as wide as the output; off: back to normal."""
        if on == self.presenting:
            return
        self.settle()
        self.collect(wait=True)
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
        for text, (said, folded) in self._folds.items():   # each layout folds afresh, for its size
            if text.get_text() == folded:
                text.set_text(said)
        self._folds, self._fits = {}, {}
        self.ticks.drawn_by_axes(True)      # the layout makes room for them
        self._fig.set_layout_engine("constrained")
        legends = [ax.get_legend() for ax in self._fig.axes if ax.get_legend() is not None]
        legends += list(self._fig.legends)
        for legend in legends:
            legend.set_visible(True)
        for artist in moving_artists(self._fig):       # value labels take part in the layout too; lines
            artist.set_animated(False)                 # and patches stay inside their axes (an empty
            artist.set_in_layout(isinstance(artist, Text))   # line's marker would measure at the origin)
        self.canvas.draw()
        if self._refold():                   # a title wider than its place
            self.canvas.draw()
        pin_labels(self._fig, self.canvas.get_renderer())                  # beside today's tick labels (they may be wider than last time)
        self.canvas.draw()
        pin_labels(self._fig, self.canvas.get_renderer())
        self._fig.set_layout_engine("none")
        self._tight = spills(self.canvas)        # a figure too small to hold its labels: no use laying out again
        self.ticks.drawn_by_axes(False)
        self._overlay = legend_overlay(self.canvas.get_renderer(), legends)   # the legends moved with their axes
        self._backgrounds.forget()
        self._images.clear()
        self._made.clear()
        self.ticks.forget()                 # locators count ticks by the room an axis has
        self.layouts += 1

    def _refold(self) -> bool:
        """Each title and x label the chart says now, on two lines where one would pass the figure's
        sides (measured once per text and layout: a new title is folded, not laid out again on
        every move).  True when one was folded."""
        renderer, folded = None, False
        for ax in self._fig.axes:
            for text in (ax.title, ax.xaxis.label):
                said = text.get_text()
                if text in self._folds and said == self._folds[text][1]:
                    continue                                # still shown folded
                if (text, said) not in self._fits:
                    renderer = renderer or self.canvas.get_renderer()
                    self._fits[(text, said)] = folded_if_wide(text, self._fig, renderer) or said
                shown = self._fits[(text, said)]
                if shown != said:
                    text.set_text(shown)
                    self._folds[text] = (said, shown)
                    folded = True
        return folded

    @styled
    def render(self) -> bytes:
        """The figure as PNG: the moved artists over a saved background (a full draw for a new one)."""
        self._fresh()
        return png_rgba(self._pixels())

    def _pixels(self, scene: tuple | None = None) -> np.ndarray:
        """The figure drawn, legends laid over: the canvas's own buffer (valid until the next draw)."""
        self._draw(scene)
        if not self._tight and spills(self.canvas):   # a label wider than at the last layout: make room once
            self._relayout()
            self._draw()
        lay_over(self.canvas.get_renderer(), self._overlay)
        pixels = np.asarray(self.canvas.buffer_rgba())
        self.renders += 1
        return pixels

    def _scene(self) -> tuple[list, list, tuple]:
        """The artists drawn over a frame (tick labels, then the data by zorder), how each looks,
        and the frame's key: together, everything the chart's pixels depend on."""
        moving = self.ticks.texts() + moving_artists(self._fig)
        return moving, [look(artist) for artist in moving], self.ticks.frame_key()

    @staticmethod
    def _seen(scene: tuple) -> tuple | None:
        """The key an image of ``scene`` is kept by: its frame and every artist's look (None when
        an artist's look is not described, so the image cannot be told apart from another)."""
        _, looks, frame = scene
        return (frame, tuple(looks)) if None not in looks else None

    def _draw(self, scene: tuple | None = None) -> None:
        """The moved artists over a saved background (see ``backgrounds``)."""
        moving, looks, frame = scene or self._scene()
        blits = self._backgrounds.blits
        self._backgrounds.draw(moving, looks, frame, {id(proxy) for proxy in self.ticks.proxies})
        self.blits += self._backgrounds.blits - blits

    @styled
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
        self.collect(wait=True)             # an image made ahead may be this move's
        memo = self.memo()
        made = self._made_before(state, memo)
        if made is not None:
            image, held = made
            for name, value in held.items():
                setattr(self._chart, name, value)
            self._stale = True
            self.reused += 1
            self.widget.value = image
            return
        self._stale = False
        self._chart.update(*self.args(state))
        self._refold()
        scene = self._scene()
        looks, seen = scene[1], self._seen(scene)
        layouts = self.layouts
        image = self._images.get(seen)
        if image is not None:               # drawn before, and nothing about it differs: its PNG again
            self._backgrounds.looks = looks
            self.reused += 1
            self.widget.value = image
            self._make(state, memo, image)
            return
        self._encoding = encode(self._pixels(scene))     # scanlines copied: the next draw reuses the buffer
        same = self.layouts == layouts      # a new layout: another scene
        self._encoded = seen if same else None
        self._making = (state, memo) if same else None

    def _made_before(self, state: State, memo: tuple) -> tuple | None:
        """(PNG, held values after) of the move to ``state`` from ``memo``, if made (kept with its state: ids stay unique)."""
        made = self._made.get((id(state), memo))
        return made[1:] if made is not None and made[0] is state else None

    def _make(self, state: State, memo: tuple, image: bytes) -> None:
        """Keep ``image`` as what a move to ``state`` from ``memo`` shows, with the held values it leaves."""
        self._made.put((id(state), memo), (state, image, self._held()))

    def _held(self) -> dict:
        """What the chart keeps from one update to the next (its ``HELD`` attributes), by name."""
        return {name: getattr(self._chart, name) for name in getattr(self._chart, "HELD", ())}

    def memo(self) -> tuple:
        """What an image made ahead depends on besides its state: the layout, and what the chart holds."""
        return (self.layouts, self.presenting, *self._held().values())

    @styled
    def prepare(self, state: State) -> bool:
        """Draw and keep the image ``state`` would show, showing nothing (work done ahead while the
        kernel is idle); True if it drew.  The chart is put back as it was, what it holds from one
        update to the next (``HELD``, a widened axis) included, so the image is the one a move
        to ``state`` from here would draw."""
        if self.key(state) == self._key:
            return False
        self.settle()
        self.collect()
        memo = self.memo()
        if self._made_before(state, memo) is not None:
            return False
        held = self._held()
        try:
            self._chart.update(*self.args(state))
            self._refold()
            scene = self._scene()
            seen = self._seen(scene)
            if seen is None:
                return False
            if seen in self._images:
                self._make(state, memo, self._images.get(seen))
                return False
            layouts = self.layouts
            pixels = self._pixels(scene)
            if self.layouts == layouts:     # encoded on a thread: the kernel's loop is free meanwhile
                self._ahead.append((encode(pixels), seen, state, memo, layouts))
            return True
        finally:
            for name, value in held.items():
                setattr(self._chart, name, value)
            self._stale = True              # the artists follow the shown state when next read or moved

    def encoding(self) -> bool:
        """True while an image made ahead is still being encoded (kept once done: ``collect``)."""
        self.collect()
        return bool(self._ahead)

    def collect(self, wait: bool = False) -> None:
        """Keep the images made ahead whose encoding is done (with ``wait``, every one): by their
        scene and by the move they are for, unless the chart was laid out again since."""
        pending = []
        for entry in self._ahead:
            future, seen, state, memo, layouts = entry
            if not (wait or future.done()):
                pending.append(entry)
                continue
            image = future.result()
            if layouts == self.layouts:
                self._keep(seen, image)
                self._make(state, memo, image)
        self._ahead = pending

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
        self._images.put(scene, image)
