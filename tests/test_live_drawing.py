"""The live canvas draws a cached string with documented matplotlib only, and gets Agg's own pixels.

A string is rendered once with ``RendererAgg.draw_text`` on a scratch renderer and laid over later
draws with ``draw_image``: over any background, anywhere (partly off the canvas too), the pixels
are those Agg gives when it draws the string there itself.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from designkit.live.canvas import TextCachingRenderer

WIDTH, HEIGHT = 60, 40


def background(seed: int) -> np.ndarray:
    """An opaque RGBA background of any colours (a chart's canvas: bars, lines, white)."""
    pixels = np.full((HEIGHT, WIDTH, 4), 255, np.uint8)
    pixels[..., :3] = np.random.default_rng(seed).integers(0, 256, (HEIGHT, WIDTH, 3), np.uint8)
    return pixels


@settings(max_examples=50, deadline=None)
@given(text=st.sampled_from(["$12.3K a month", "10K", "Load Balancer", "~140K", "Ünïcödé", "x"]),
       x=st.integers(-40, 70).map(lambda v: v / 4 + 0.25), y=st.integers(-20, 60).map(lambda v: v / 4),
       angle=st.sampled_from([0.0, 90.0]), colour=st.sampled_from(["#333333", "#C44E52", "white"]),
       seed=st.integers(0, 2**32 - 1))
def test_a_cached_string_laid_over_is_what_agg_draws(text, x, y, angle, colour, seed):
    pixels = background(seed)
    prop = FontProperties(size=9)
    agg = RendererAgg(WIDTH, HEIGHT, 90)
    np.asarray(agg.buffer_rgba())[...] = pixels
    gc = agg.new_gc()
    gc.set_foreground(colour)
    agg.draw_text(gc, x, y, text, prop, angle)
    for _ in range(2):              # rendered on a scratch renderer, then laid from the cache
        ours = TextCachingRenderer(WIDTH, HEIGHT, 90)
        np.asarray(ours.buffer_rgba())[...] = pixels
        ours.draw_text(gc, x, y, text, prop, angle)
        difference = np.abs(np.asarray(ours.buffer_rgba()).astype(int) - np.asarray(agg.buffer_rgba()))
        assert difference.max() <= 1
