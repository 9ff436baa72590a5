"""The live charts' canvas: Agg that renders each distinct string once and lays it out once; a fast PNG encoder.

A live chart redraws the same few strings on every slider move (tick labels, bar labels, titles),
and Agg shapes and rasterizes every glyph of every string on every draw: since matplotlib 3.11
that is ~0.1 ms a glyph in Python, most of a live update.  ``TextCachingRenderer`` renders a
string once per quarter-pixel position onto a scratch buffer and lays that ink over later draws
(a live PNG, never an article figure: those are SVG text).

Documented matplotlib only: a string is drawn with ``RendererAgg.draw_text`` on a scratch
renderer, read back with ``buffer_rgba`` and laid over with ``draw_image`` (the renderer
interface's own image drawing), and backgrounds are Agg's ``copy_from_bbox`` / ``restore_region``
(the blitting tutorial's).  Nothing here reads or writes a private attribute, and nothing
reproduces how a matplotlib release lays text out or rasterizes it.
"""

from __future__ import annotations

import math
import struct
import zlib
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text

from ..model.lru import LRU

TEXTS = 4096        # rendered strings kept, shared by every live chart of the kernel
PHASES = 4          # sub-pixel positions a string is rendered at, per axis


class _Ink:
    """A rendered string: where its box sits from the anchor's whole pixel, and its RGBA pixels,
    rows bottom first (as ``draw_image`` takes an image, matplotlib's images included)."""

    __slots__ = ("dx", "dy", "rgba")

    def __init__(self, dx: int, dy: int, rgba: np.ndarray):
        self.dx, self.dy = dx, dy
        self.rgba = np.ascontiguousarray(rgba[::-1])


_cache = LRU(TEXTS)             # one string's ink, by everything its pixels depend on
_OVERSIZE = object()   # a string drawn straight through Agg every time (its ink overflowed the scratch)


def _font(prop) -> tuple:
    """What of a font's properties a string's shape depends on."""
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file())


def _key(gc, s: str, prop, angle: float, dpi: float, mtext) -> tuple | None:
    """What a string's pixels depend on, the string first; None when it cannot be reused (clipped,
    hatched, math).  Its last two are the text's font features and language (None: the default)."""
    if gc.get_clip_rectangle() is not None or gc.get_clip_path()[0] is not None or gc.get_hatch():
        return None
    features = getattr(mtext, "get_fontfeatures", lambda: None)() if mtext is not None else None
    language = getattr(mtext, "get_language", lambda: None)() if mtext is not None else None
    return (s, *_font(prop), float(angle), float(dpi), tuple(gc.get_rgb()), gc.get_alpha(),
            gc.get_forced_alpha(), gc.get_antialiased(), None if features is None else tuple(features), language)


class TextCachingRenderer(RendererAgg):
    """RendererAgg whose plain text is rendered once per string and laid over from then on."""

    hits = misses = 0
    last_text = None    # where the last string was drawn from (x, y): a text's layout, for TextLayouts

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        self.last_text = (x, y)
        key = None if ismath else _key(gc, s, prop, angle, self.dpi, mtext)
        if key is None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        x, y = round(x * PHASES) / PHASES, round(y * PHASES) / PHASES
        cell = (*key, x % 1, y % 1)     # where the text falls inside a pixel: at most 1/8 px off
        ink = _cache.get(cell, False)
        if ink is False:
            ink = self._alone(gc, x, y, s, prop, angle, mtext)
            _cache.put(cell, ink)
            TextCachingRenderer.misses += 1
        else:
            TextCachingRenderer.hits += 1
        if ink is _OVERSIZE:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        elif ink is not None:
            self._lay(ink, math.floor(x), math.floor(y))

    def _alone(self, gc, x, y, s, prop, angle, mtext):
        """Draw ``s`` alone on a transparent scratch buffer at (x, y)'s sub-pixel offset, cropped to its
        ink: an ``_Ink``, None when it leaves none, ``_OVERSIZE`` when it does not fit the scratch."""
        # A box surely holding the ink (no measuring: that is another shaping pass), cropped after.
        size = prop.get_size_in_points() * self.dpi / 72.0
        width, above, below = len(s) * size * 1.3, size * 1.5, size * 0.6
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        xs, ys = [], []                              # the box, rotated about the anchor; y grows downwards
        for u, v in ((-size, -below), (width, -below), (width, above), (-size, above)):
            xs.append(u * cos - v * sin)
            ys.append(-(u * sin + v * cos))
        pad = 2
        left, top = math.floor(min(xs)) - pad, math.floor(min(ys)) - pad
        scratch = RendererAgg(math.ceil(max(xs)) - left + pad + 1, math.ceil(max(ys)) - top + pad + 1, self.dpi)
        fx, fy = x - math.floor(x), y - math.floor(y)
        RendererAgg.draw_text(scratch, gc, -left + fx, -top + fy, s, prop, angle, ismath=False, mtext=mtext)
        rgba = np.asarray(scratch.buffer_rgba())
        rows = np.flatnonzero(rgba[..., 3].any(axis=1))
        if not len(rows):
            return None
        cols = np.flatnonzero(rgba[..., 3].any(axis=0))
        if rows[0] == 0 or cols[0] == 0 or rows[-1] == rgba.shape[0] - 1 or cols[-1] == rgba.shape[1] - 1:
            return _OVERSIZE                         # ink reaches the scratch's edge: a glyph wider than guessed
        crop = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
        return _Ink(left + int(cols[0]), top + int(rows[0]), crop)

    def _lay(self, ink: _Ink, x: int, y: int) -> None:
        """Draw the ink with its box's top-left at (x + dx, y + dy) from the canvas's top-left
        (``draw_image`` counts from the bottom, and clips to the canvas)."""
        gc = self.new_gc()
        self.draw_image(gc, x + ink.dx, self.height - (y + ink.dy + ink.rgba.shape[0]), ink.rgba)
        gc.restore()


def plain_text(text: Text) -> bool:
    """A one-line, unclipped, unboxed text without math: one that ``TextLayouts`` may draw."""
    s = text.get_text()
    dollars = s.count("$")              # an even number of them is math (matplotlib's rule); "\\$" is a "$"
    special = "\\" in s or (dollars > 0 and dollars % 2 == 0 and text.get_parse_math())
    return (bool(s.strip()) and "\n" not in s and not special and not text.get_usetex() and not text.get_wrap()
            and text.get_bbox_patch() is None and not text.get_path_effects()
            and not text.get_transform_rotates_text()
            and not (text.get_clip_on() and (text.get_clip_box() is not None or text.get_clip_path() is not None)))


class TextLayouts:
    """Where Agg draws each plain string from its anchor, remembered, and drawn from there again.

    ``Text.draw`` lays its string out on every call (~0.3 ms; a live move draws some thirty
    texts), but where a string lands from its anchor depends only on the look kept here.  The
    place is what ``Text.draw`` itself handed the renderer (``draw_text``'s x and y, the
    renderer interface), recorded the first time a look is drawn: nothing of matplotlib's text
    layout is worked out here.
    """

    SIZE = 4096         # looks remembered (string, font, alignment, rotation, dpi -> offset)

    def __init__(self):
        self._offsets = LRU(self.SIZE)  # a look -> where its string lands from its anchor

    def draw(self, text: Text, renderer) -> None:
        """Draw ``text`` on ``renderer`` (a ``TextCachingRenderer``) as ``text.draw`` would."""
        if not text.get_visible() or not plain_text(text):
            text.draw(renderer)
            return
        x, y = text.get_transform().transform(text.get_unitless_position())
        if not (math.isfinite(x) and math.isfinite(y)):     # matplotlib's to warn about
            text.draw(renderer)
            return
        prop = text.get_fontproperties()
        dpi = text.figure.dpi                   # a subfigure says its root's dpi: every matplotlib release
        look = (text.get_text(), text.get_rotation(), text.get_ha(), text.get_va(), text.get_rotation_mode(),
                text.get_linespacing(), *_font(prop), dpi)
        offset = self._offsets.get(look)
        if offset is None:
            renderer.last_text = None
            text.draw(renderer)
            if renderer.last_text is not None:
                drawn_x, drawn_y = renderer.last_text
                if renderer.flipy():                    # Agg places text from the top
                    drawn_y = renderer.get_canvas_width_height()[1] - drawn_y
                self._remember(look, (drawn_x - x, drawn_y - y))
            return
        gc = renderer.new_gc()
        gc.set_foreground(text.get_color())
        gc.set_alpha(text.get_alpha())
        gc.set_url(text.get_url())
        gc.set_antialiased(text.get_antialiased())
        x, y = x + offset[0], y + offset[1]
        if renderer.flipy():
            y = renderer.get_canvas_width_height()[1] - y
        renderer.draw_text(gc, x, y, text.get_text(), prop, text.get_rotation(), ismath=False, mtext=text)
        gc.restore()

    def _remember(self, look: tuple, offset: tuple[float, float]) -> tuple[float, float]:
        self._offsets.put(look, offset)
        return offset


class QuietCanvas(FigureCanvasAgg):
    """An Agg canvas that caches text (``TextCachingRenderer``) and whose draw_idle does nothing:
    the live view draws once per update, itself."""

    _size_key = None

    def get_renderer(self):
        size = (*self.get_width_height(physical=True), self.figure.dpi)
        if size != self._size_key:
            self.renderer = TextCachingRenderer(size[0], size[1], size[2])
            self._size_key = size
        return self.renderer

    def draw_idle(self, *args, **kwargs):
        pass


def png_rgba(pixels: np.ndarray) -> bytes:
    """A PNG of an RGBA pixel array, as fast as it can be made: no row filters, fastest zlib, the
    pixels as they are (dropping alpha would cost a strided copy slower than the bigger deflate)."""
    return _png(_rows(pixels))


def _rows(pixels: np.ndarray) -> np.ndarray:
    """PNG's scanlines of an RGBA pixel array: each row after its filter byte ("none"), a copy."""
    height, width = pixels.shape[:2]
    rows = np.empty((height, width * 4 + 1), np.uint8)
    rows[:, 0] = 0                                      # filter type "none" for every row
    rows[:, 1:] = pixels.reshape(height, width * 4)
    return rows


def _png(rows: np.ndarray) -> bytes:
    """The PNG file of RGBA scanlines (``_rows``)."""
    height, width = rows.shape[0], (rows.shape[1] - 1) // 4

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1))
            + chunk(b"IEND", b""))


def look(artist) -> tuple | None:
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
    if isinstance(artist, Polygon):
        return common + (np.asarray(artist.get_xy(), np.float32).tobytes(), tuple(artist.get_facecolor()),
                         tuple(artist.get_edgecolor()), artist.get_linewidth(), artist.get_hatch())
    if isinstance(artist, Text):
        return common + (artist.get_text(), np.asarray(artist.get_position(), np.float32).tobytes(),
                         str(artist.get_color()), artist.get_fontsize(), artist.get_fontweight(),
                         artist.get_rotation(), artist.get_ha(), artist.get_va())
    return None


_encoder: ThreadPoolExecutor | None = None


def encode(pixels: np.ndarray) -> Future:
    """PNG-encode on a thread: zlib lets go of the GIL, so the next chart is drawn meanwhile (2 cores).
    The scanlines are copied here, so ``pixels`` (the canvas's own buffer) may be drawn over at once."""
    global _encoder
    if _encoder is None:
        _encoder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="designkit-png")
    return _encoder.submit(_png, _rows(pixels))
