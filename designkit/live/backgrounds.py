"""Drawing a live chart over saved backgrounds: only the artists that moved are drawn again.

The background is the frame (spines, ticks, grid) plus the leading artists (in drawing order:
tick labels, then the data by zorder) that look as they did at the last draw: the curves of a
chart whose dots move, the bars of one whose title changes.  It is saved (Agg's
``copy_from_bbox``) under the frame and those looks, so going back to a scale seen before
restores it (``restore_region``).  Without one, the bare frame is restored (or drawn once) and
every artist drawn over it: a whole matplotlib draw only for a frame never seen.
"""

from __future__ import annotations

from matplotlib.text import Text

from ..model.lru import LRU
from .canvas import TextLayouts


class Backgrounds:
    """The saved backgrounds of one figure's canvas, and the draw that uses them."""

    SIZE = 32    # saved backgrounds per chart (a class goes back and forth over a few scales)

    def __init__(self, canvas, fig):
        self.canvas, self._fig = canvas, fig
        self._saved = LRU(self.SIZE)    # (frame, looks of the artists in it) -> saved background
        self._layouts = TextLayouts()   # where each plain string lands from its anchor
        self.looks: list = []           # how each moving artist looked at the last draw
        self.blits = 0                  # draws that started from a saved background

    def forget(self) -> None:
        """Forget every background (a new layout moves everything)."""
        self._saved.clear()
        self.looks = []

    def draw(self, moving: list, looks: list, frame: tuple, labels: set[int]) -> None:
        """The background (saved, or drawn and saved), then the artists that moved, over it.

        ``moving`` are the artists drawn over the frame, ``looks`` how each looks, ``frame`` the
        frame's key and ``labels`` the ids of the tick-label texts among them."""
        still = 0
        while still < min(len(looks), len(self.looks)) and looks[still] is not None \
                and looks[still] == self.looks[still]:
            still += 1
        self.looks = looks
        prefix = (frame, tuple(looks[:still]))
        background = self._saved.get(prefix)
        start = still
        if background is None:
            start, background = 0, self._saved.get((frame, ()))
        if background is not None:
            self.canvas.restore_region(background)
            self.blits += 1
        else:
            self.canvas.draw()                  # every artist drawn here is animated: the frame alone
            self._save((frame, ()))
        renderer = self.canvas.get_renderer()
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
        """Keep what the canvas holds now as the background ``key`` (the oldest go past SIZE)."""
        self._saved.put(key, self.canvas.copy_from_bbox(self._fig.bbox))

    def _draw_artist(self, artist, renderer) -> None:
        """Draw one artist over the canvas (a text from its remembered layout)."""
        if isinstance(artist, Text):
            self._layouts.draw(artist, renderer)
        else:
            artist.draw(renderer)
