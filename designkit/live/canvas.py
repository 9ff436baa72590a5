"""The live charts' canvas: Agg that renders each distinct string once and lays it out once; a fast PNG encoder.

A live chart redraws the same few strings on every slider move (tick labels, bar labels, titles),
and Agg shapes and rasterizes every glyph of every string on every draw: since matplotlib 3.11
that is ~0.1 ms a glyph in Python, most of a live update.  ``TextCachingRenderer`` renders a
string once per quarter-pixel position onto a scratch buffer and lays that ink over later draws
(a live PNG, never an article figure: those are SVG text).
"""

from __future__ import annotations

import math
import struct
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from types import MappingProxyType

import numpy as np
from matplotlib.backends.backend_agg import (
    FigureCanvasAgg,
    RendererAgg,
    get_hinting_flag,
)
from matplotlib.font_manager import findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from ..model.lru import LRU

TEXTS = 4096        # rendered strings kept, shared by every live chart of the kernel
PHASES = 4          # sub-pixel positions a string is rendered at, per axis


class _Ink:
    """A rendered string: where it sits from the anchor's whole pixel, its premultiplied colour and what it leaves."""

    __slots__ = ("alpha", "dx", "dy", "ink", "keep")

    def __init__(self, dx: int, dy: int, rgba: np.ndarray):
        self.dx, self.dy = dx, dy
        coverage = rgba[..., 3:4].astype(np.float32) / 255.0
        self.ink = rgba[..., :3].astype(np.float32) * coverage
        self.alpha = coverage[..., 0] * 255.0
        self.keep = 1.0 - coverage

    @classmethod
    def over(cls, parts: list[tuple[_Ink, int, int]]) -> _Ink:
        """The inks laid one over the next, each (ink, dx, dy) moved by (dx, dy): one ink, as if laid in turn."""
        x0 = min(dx + ink.dx for ink, dx, _ in parts)
        y0 = min(dy + ink.dy for ink, _, dy in parts)
        x1 = max(dx + ink.dx + ink.keep.shape[1] for ink, dx, _ in parts)
        y1 = max(dy + ink.dy + ink.keep.shape[0] for ink, _, dy in parts)
        whole = cls.__new__(cls)
        whole.dx, whole.dy = x0, y0
        whole.ink = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
        whole.keep = np.ones((y1 - y0, x1 - x0, 1), np.float32)
        whole.alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
        for ink, dx, dy in parts:
            top, left = dy + ink.dy - y0, dx + ink.dx - x0
            where = (slice(top, top + ink.keep.shape[0]), slice(left, left + ink.keep.shape[1]))
            whole.ink[where] = whole.ink[where] * ink.keep + ink.ink
            whole.alpha[where] = whole.alpha[where] * ink.keep[..., 0] + ink.alpha
            whole.keep[where] *= ink.keep
        return whole


_cache = LRU(TEXTS)             # one string's ink, by everything its pixels depend on
_glyphs = LRU(TEXTS * 2)        # one character's ink, by sub-pixel position
_shapes = LRU(TEXTS)            # one string's layout in one font
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


class Shape:
    """A one-line string as Agg lays it out in one font: each glyph's place (FreeType's 26.6 units)
    and the string's width, height and descent in pixels (what ``get_text_width_height_descent``
    measures), or ``places`` None when the font lacks one of its characters."""

    __slots__ = ("descent", "height", "places", "width")

    def __init__(self, places, width: float, height: float, descent: float):
        self.places, self.width, self.height, self.descent = places, width, height, descent


def shape(s: str, prop, dpi: float) -> Shape:
    """``s`` laid out in ``prop``'s font at ``dpi``, once: the text's layout and its ink both need it,
    and laying a string out costs ~0.3 ms (``FT2Font.set_text``)."""
    key = (s, *_font(prop), float(dpi))
    found = _shapes.get(key)
    if found is not None:
        return found
    font = get_font(findfont(prop))
    font.clear()
    font.set_size(prop.get_size_in_points(), dpi)
    places = font.set_text(s, 0.0, flags=get_hinting_flag())
    width, height = font.get_width_height()
    found = Shape(None if any(font.get_char_index(ord(c)) == 0 for c in s) else places,
                  width / 64, height / 64, font.get_descent() / 64)
    _shapes.put(key, found)
    return found


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
            ink = self._render(gc, x, y, s, prop, angle, mtext, key)
            _cache.put(cell, ink)
            TextCachingRenderer.misses += 1
        else:
            TextCachingRenderer.hits += 1
        if ink is _OVERSIZE:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        elif ink is not None:
            self._lay(ink, math.floor(x), math.floor(y))

    def _render(self, gc, x, y, s, prop, angle, mtext, key: tuple):
        """A new string's ink (``key`` from ``_key``): put together from its characters' inks when it
        can be (plain ASCII, upright, one font, default features and language), else drawn whole."""
        if angle == 0 and len(s) > 1 and s.isascii() and s.isprintable() and len(prop.get_family()) == 1 \
                and key[-2:] == (None, None):
            ink = self._compose(gc, x, y, s, prop, key[1:-2])
            if ink is not False:
                return ink
        return self._alone(gc, x, y, s, prop, angle, mtext)

    def _compose(self, gc, x, y, s, prop, look: tuple):
        """``s``'s ink from its characters' inks, each where Agg puts that glyph: at the anchor plus the
        glyph's place in the string's layout (kerning included), rendered there alone.  Agg renders
        a string glyph by glyph this way, so the pixels are its own; a character is rendered once per
        sub-pixel position (``look``: the string's key but the string), and a new string costs its
        layout (~0.5 ms) instead of ~2-5 ms.  False when the font lacks a character or the layout is
        not one glyph per character (a ligature: "fi" is one glyph)."""
        places = shape(s, prop, self.dpi).places
        if places is None or len(places) != len(s):
            return False
        parts = []
        for c, (gx, gy) in zip(s, places):
            if c == " ":
                continue
            px = round((x + gx / 64) * PHASES) / PHASES           # y grows downwards, FreeType's upwards
            py = round((y - gy / 64) * PHASES) / PHASES
            key = (c, *look, px % 1, py % 1)
            glyph = _glyphs.get(key, False)
            if glyph is False:
                glyph = self._alone(gc, px, py, c, prop, 0.0, None)
                _glyphs.put(key, glyph)
            if glyph is _OVERSIZE:
                return False
            if glyph is not None:
                parts.append((glyph, math.floor(px) - math.floor(x), math.floor(py) - math.floor(y)))
        return _Ink.over(parts) if parts else None

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
        """Blend the ink over this renderer's pixels with its top-left at (x + dx, y + dy), clipped to the canvas."""
        pixels = np.asarray(self.buffer_rgba())
        height, width = pixels.shape[:2]
        x0, y0 = x + ink.dx, y + ink.dy
        h, w = ink.keep.shape[:2]
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x0 + w, width), min(y0 + h, height)
        if cx0 >= cx1 or cy0 >= cy1:
            return
        src = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
        region = pixels[cy0:cy1, cx0:cx1]
        keep = ink.keep[src]
        region[..., :3] = region[..., :3] * keep + ink.ink[src] + 0.5
        region[..., 3] = region[..., 3] * keep[..., 0] + ink.alpha[src] + 0.5


def plain_text(text: Text) -> bool:
    """A one-line, unclipped, unboxed text without math: one that ``TextLayouts`` may draw."""
    s = text.get_text()
    dollars = s.count("$")              # an even number of them is math (matplotlib's rule); "\\$" is a "$"
    special = "\\" in s or (dollars > 0 and dollars % 2 == 0 and text.get_parse_math())
    return (bool(s.strip()) and "\n" not in s and not special and not text.get_usetex() and not text.get_wrap()
            and text.get_bbox_patch() is None and not text.get_path_effects()
            and not text.get_transform_rotates_text()
            and not (text.get_clip_on() and (text.get_clip_box() is not None or text.get_clip_path() is not None)))


SHARE = MappingProxyType({"left": 0.0, "center": 0.5, "right": 1.0})   # of a string's width left of its anchor


class TextLayouts:
    """Where Agg draws each plain string from its anchor, remembered, and drawn from there again.

    ``Text.draw`` lays its string out on every call (~0.3 ms; a live move draws some thirty
    texts), but where a string lands from its anchor depends only on the look kept here.  An
    upright string never seen lands where one of the same look, height and descent did, moved by
    its alignment's share of the difference in width (its vertical place depends only on those
    two): a new bar label costs one layout of its string, not matplotlib's whole text layout.
    """

    SIZE = 4096         # looks remembered (string, font, alignment, rotation, dpi -> offset)

    def __init__(self):
        self._offsets = LRU(self.SIZE)  # a look -> where its string lands from its anchor
        self._rows = LRU(self.SIZE)     # a row of looks but their width -> the offset at zero width

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
            row = self._row(text, look, prop, dpi)
            known = self._rows.get(row[0]) if row is not None else None
            if known is not None:
                zero_x, offset_y = known
                offset = self._remember(look, (zero_x - row[1], offset_y))
        if offset is None:
            renderer.last_text = None
            text.draw(renderer)
            if renderer.last_text is not None:
                drawn_x, drawn_y = renderer.last_text
                if renderer.flipy():                    # Agg places text from the top
                    drawn_y = renderer.get_canvas_width_height()[1] - drawn_y
                offset = self._remember(look, (drawn_x - x, drawn_y - y))
                if row is not None:
                    self._rows.put(row[0], (offset[0] + row[1], offset[1]))
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

    def _row(self, text: Text, look: tuple, prop, dpi: float) -> tuple[tuple, float] | None:
        """For an upright string in one font: (its look but the string, with its height and descent;
        the share of its width left of the anchor); None for any other (rotated, or a font
        lacking one of its characters)."""
        if text.get_rotation() != 0 or text.get_rotation_mode() not in ("default", "anchor") \
                or len(prop.get_family()) != 1 or look[2] not in SHARE:
            return None
        laid = shape(look[0], prop, dpi)
        if laid.places is None:
            return None
        return (look[1:], laid.height, laid.descent), SHARE[look[2]] * laid.width


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
    height, width = pixels.shape[:2]
    rows = np.empty((height, width * 4 + 1), np.uint8)
    rows[:, 0] = 0                                      # filter type "none" for every row
    rows[:, 1:] = pixels.reshape(height, width * 4)

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
    if isinstance(artist, Text):
        return common + (artist.get_text(), np.asarray(artist.get_position(), np.float32).tobytes(),
                         str(artist.get_color()), artist.get_fontsize(), artist.get_fontweight(),
                         artist.get_rotation(), artist.get_ha(), artist.get_va())
    return None


_encoder: ThreadPoolExecutor | None = None


def encode(pixels: np.ndarray) -> Future:
    """PNG-encode on a thread: zlib lets go of the GIL, so the next chart is drawn meanwhile (2 cores)."""
    global _encoder
    if _encoder is None:
        _encoder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="designkit-png")
    return _encoder.submit(png_rgba, pixels)
