"""Laying a live chart out once: constrained layout solved, then axis labels, titles and legends pinned.

Pinned (``set_title(y=...)``, ``set_label_coords``), a draw no longer measures every tick label
to place them: about half the time of a full draw.  Legends are drawn once onto a transparent
overlay laid over every frame.
"""

from __future__ import annotations

import numpy as np


def moving_artists(fig) -> list:
    """The data artists (lines, bars, texts, collections) and titles, marked animated, in drawing order."""
    found = []
    for ax in fig.axes:
        found += [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images, ax.title]
    for artist in found:
        artist.set_animated(True)
    return sorted(found, key=lambda artist: artist.get_zorder())


def folded_if_wide(label, fig, renderer) -> str | None:
    """The title or x-axis label ``label`` on two lines (broken at the space nearest its middle) when,
    where the layout put it, it passes the figure's sides: centred on its axes, a long one can pass
    the figure's edge whatever room the layout gives.  None when it fits (or cannot be broken)."""
    text = label.get_text()
    if " " not in text or "\n" in text or not label.get_visible():
        return None
    box = label.get_window_extent(renderer)
    if box.x0 >= 0 and box.x1 <= fig.bbox.width:
        return None
    middle = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - len(text) / 2))
    return text[:middle] + "\n" + text[middle + 1:]


def pin_labels(fig, renderer) -> None:
    """Put each axis label just outside its tick labels, and each title on top, and keep them there."""
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            if ax.get_title(loc):
                ax.set_title(ax.get_title(loc), loc=loc, y=1.0)
        to_axes = ax.transAxes.inverted()
        for axis, index in ((ax.xaxis, 1), (ax.yaxis, 0)):
            if not axis.label.get_text() or not axis.label.get_visible():
                continue
            boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                     if t.get_visible() and t.get_text()]
            pad = axis.labelpad * fig.dpi / 72
            frame = ax.get_window_extent(renderer)
            if index == 1:          # x label below the lowest tick label
                edge = min([b.y0 for b in boxes] + [frame.y0]) - pad
                axis.set_label_coords(0.5, to_axes.transform((0, edge))[1])
            else:                   # y label left of the widest tick label
                edge = min([b.x0 for b in boxes] + [frame.x0]) - pad
                axis.set_label_coords(to_axes.transform((edge, 0))[0], 0.5)


def legend_overlay(renderer, legends: list):
    """Draw the legends alone onto a transparent buffer once; hide them from later draws.

    Returns (x, y, pixels) for ``lay_over``: the legends' box from the canvas's bottom left, and
    its RGBA pixels rows bottom first (as ``draw_image`` takes them); None without legends."""
    if not legends:
        return None
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
    pixels = np.asarray(renderer.buffer_rgba())[y0:y1, x0:x1]
    return x0, height - y1, np.ascontiguousarray(pixels[::-1])


def lay_over(renderer, overlay) -> None:
    """Draw a legend overlay (``legend_overlay``) over what the renderer holds (``draw_image``)."""
    if overlay is not None:
        x, y, pixels = overlay
        gc = renderer.new_gc()
        renderer.draw_image(gc, x, y, pixels)
        gc.restore()


def spills(canvas) -> bool:
    """True when ink touches the figure's edge: a tick label or title cut off there ('00K')."""
    pixels = np.asarray(canvas.buffer_rgba())
    edges = (pixels[0, :, :3], pixels[-1, :, :3], pixels[:, 0, :3], pixels[:, -1, :3])
    return any(bool((edge < 250).any()) for edge in edges)
