"""Work done ahead while the kernel is idle: the users stops around the current one, nearest first.

A class moves the users slider a stop or a decade at a time and talks in between.  A first
visit to a scale costs its state (validating and analysing the spec) and a first drawing of each
chart there; done ahead, the move only sends images already made.  The kernel's garbage is
collected then too (``tidy``): a full collection walks every object the kernel holds (~100 ms
with a chart section's figures), and left to Python alone it lands on some move.  Only
``gc.collect`` is called; the collector's settings stay as the kernel had them.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable

from ..errors import DesignkitError
from .state import State

log = logging.getLogger(__name__)

AFTER = 0.05    # idle seconds after an update before the first state is worked out
ENCODING = 0.005    # seconds between two looks at an image made ahead still encoding on its thread


GROWTH = 0.2    # a full collection once memory in use grew by a fifth (CPython's: a quarter more long-lived objects)

_after_full = [0]   # memory blocks in use after the last full collection this module made


def tidy(full: bool = False) -> bool:
    """Collect the garbage now, while the kernel is idle, so the collections Python starts by itself
    land less often on a move: the young generations always, everything when ``full`` or once the
    memory in use grew by ``GROWTH`` since the last full collection (before CPython's own rule calls
    one).  True if it was full.  Only ``gc.collect`` is called: the collector's settings (enabled,
    thresholds, frozen objects) stay the kernel's, and where it is off nothing happens."""
    if not gc.isenabled():
        return False
    full = full or sys.getallocatedblocks() > (1 + GROWTH) * _after_full[0]
    gc.collect(2 if full else 1)                # 2: every generation
    if full:
        _after_full[0] = sys.getallocatedblocks()
    return full


class Ahead:
    """Works out, one piece per turn of the kernel's loop, the panel's users stops, nearest first:
    each stop's state (with what the views asked of the last one: its analysis, its phrases),
    then, a piece each, the spreads of the spec's ranges the views asked of the last one
    (``State.RANGED``), then each chart's image there (``ChartView.prepare``), kept for when the
    class moves there.

    A slider event waits at most for one piece (a state ~10 ms, an image ~30 ms: its PNG is
    encoded on a thread, and the loop stays free until it is done); a pending update stops the
    work, and the update starts it again.  When no work is left, the young
    garbage is collected (``tidy``), once per update; all of it once the panel is built.
    """

    DRAWN = 4096    # (view, state) pairs remembered as done

    def __init__(self, panel, schedule: Callable, enabled: bool):
        self.panel, self._schedule, self.enabled = panel, schedule, enabled
        self._handle = None
        self._refused: set[tuple] = set()   # slider values whose spec is invalid
        self._drawn: set[tuple] = set()     # (view, its memo, state key) whose image was made, or was there
        self.prepared = self.drawn = self.tidied = self.tidied_fully = 0
        self.spread = 0                     # ranged spreads worked out ahead (``State.RANGED``), one a piece
        self._tidy = False                  # the garbage is due for collection when the work runs out

    def soon(self) -> None:
        """Start once the kernel is idle (after each update), unless already started."""
        self._tidy = True
        if self.enabled and self._handle is None and "users" in self.panel.controls:
            self._handle = self._schedule(AFTER, self.step)

    def stop(self) -> None:
        """No more work ahead (the panel is closed)."""
        self.enabled = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def built(self) -> None:
        """The panel and its views are built: collect the garbage of building them (when working ahead)."""
        if self.enabled:
            self._tidied(full=True)

    def _tidied(self, full: bool = False) -> None:
        """Collect (``tidy``), counting how often and how often fully (for tests and benchmarks)."""
        self.tidied += 1
        self.tidied_fully += tidy(full)

    def step(self) -> None:
        """Do the next piece of work, then give the loop back and go on; stop when none is left."""
        self._handle = None
        try:
            if not self.panel.pending and any(view.encoding() for view in self.panel.views
                                              if hasattr(view, "encoding")):
                self._handle = self._schedule(ENCODING, self.step)    # the loop stays free meanwhile
                return
            if self._next():
                self._handle = self._schedule(0, self.step)
            elif self._tidy and not self.panel.pending:
                self._tidy = False
                self._tidied()
        except Exception:  # work ahead is optional: an update reports real errors
            log.exception("designkit widgets: working ahead failed; stopped")
            self.enabled = False

    def _next(self) -> bool:
        """One piece of work: a state, or one view's image; False when nothing is left (or a move is due)."""
        panel = self.panel
        if panel.pending:
            return False                    # an update is due: it comes first
        control = panel.controls["users"]
        stops = control.stops
        here = min(range(len(stops)), key=lambda i: abs(stops[i] - control.slider.value))
        asked = [name for name in ("analysis", "prose") if name in vars(panel.state)]
        ranged = [name for name in State.RANGED if name in vars(panel.state)] if panel.base.scale.ranges else []
        views = [view for view in panel.views if hasattr(view, "prepare") and hasattr(view, "memo")]
        if len(self._drawn) > self.DRAWN:
            self._drawn.clear()
        for index in sorted(range(len(stops)), key=lambda i: (abs(i - here), i)):
            overrides = panel.overrides({"users": stops[index]})
            key = tuple(sorted(overrides.items()))
            if key in self._refused:
                continue
            if not panel.known(key):
                try:
                    state = panel.compute(overrides)
                    for name in asked:
                        getattr(state, name)
                except DesignkitError:
                    self._refused.add(key)
                self.prepared += 1
                return True
            state = panel.compute(overrides)    # kept: no work
            spread = [name for name in ranged if name not in vars(state)]
            if spread:                          # the ranges' spreads, apart: up to ~0.15 s each
                getattr(state, spread[0])
                self.spread += 1
                return True
            for view in views:
                done = (id(view), view.memo(), key)     # a new layout or axis: every image again
                if done not in self._drawn:
                    self._drawn.add(done)
                    if view.prepare(state):
                        self.drawn += 1
                        return True
        return False
