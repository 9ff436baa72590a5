"""The live canvas's blends: laid over their inked pixels only, they give the bytes the whole-box blend gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from designkit.live.canvas import TextCachingRenderer, _Ink
from designkit.live.layout import lay_over


def dense_lay(pixels: np.ndarray, ink: _Ink, x: int, y: int) -> None:
    """The blend over the ink's whole box, clipped to the canvas (how ``_lay`` always blended)."""
    height, width = pixels.shape[:2]
    x0, y0 = x + ink.dx, y + ink.dy
    h, w = ink.keep.shape[:2]
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x0 + w, width), min(y0 + h, height)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    src = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    region = pixels[cy0:cy1, cx0:cx1]
    keep = ink.keep[src]
    region[..., :3] = region[..., :3] * keep + ink.ink[src] + 0.5
    region[..., 3] = region[..., 3] * keep[..., 0] + ink.alpha[src] + 0.5


def rgba(data, shape) -> np.ndarray:
    """An RGBA array of ``shape`` with some transparent pixels (a glyph's box is mostly empty)."""
    pixels = np.frombuffer(data, np.uint8).reshape(shape).copy()
    pixels[pixels[..., 3] < 128, 3] = 0
    return pixels


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(-15, 30), st.integers(-15, 30), st.data())
def test_an_ink_laid_over_its_inked_pixels_is_the_whole_box_blend(h, w, x, y, data):
    ink = _Ink(data.draw(st.integers(-3, 3)), data.draw(st.integers(-3, 3)),
               rgba(data.draw(st.binary(min_size=h * w * 4, max_size=h * w * 4)), (h, w, 4)))
    renderer = TextCachingRenderer(24, 20, 72)
    canvas = np.asarray(renderer.buffer_rgba())
    canvas[...] = np.frombuffer(data.draw(st.binary(min_size=24 * 20 * 4, max_size=24 * 20 * 4)),
                                np.uint8).reshape(20, 24, 4)
    expected = canvas.copy()
    dense_lay(expected, ink, x, y)
    renderer._lay(ink, x, y)
    assert np.array_equal(np.asarray(renderer.buffer_rgba()), expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10), st.integers(1, 10), st.data())
def test_a_legend_laid_over_its_inked_pixels_is_the_whole_box_blend(h, w, data):
    legend = rgba(data.draw(st.binary(min_size=h * w * 4, max_size=h * w * 4)), (h, w, 4))
    pixels = np.frombuffer(data.draw(st.binary(min_size=16 * 16 * 4, max_size=16 * 16 * 4)),
                           np.uint8).reshape(16, 16, 4).copy()
    expected = pixels.copy()
    alpha = legend[..., 3:4].astype(np.float32) / 255.0
    region = expected[3:3 + h, 2:2 + w]
    region[..., :3] = (region[..., :3] * (1.0 - alpha) + legend[..., :3].astype(np.float32) * alpha).astype(np.uint8)
    rows, columns = np.nonzero(legend[..., 3])
    inked = legend[rows, columns].astype(np.float32)
    a = inked[:, 3:4] / 255.0
    lay_over(pixels, (rows + 3, columns + 2, inked[:, :3] * a, 1.0 - a))
    assert np.array_equal(pixels, expected)
