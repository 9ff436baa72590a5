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

log = logging.getLogger(__name__)

AFTER = 0.05    # idle seconds after an update before the first state is worked out
ENCODING = 0.005    # seconds between two looks at an image made ahead still encoding on its thread
REACH = 3       # stops each way worked out at once: one move (a stop, or x10 / ÷10 on the 1-2-5 grid)
FAR_AFTER = 2.0     # idle seconds before the stops further away are worked out (the class pauses)
_FAR = "far"    # what _next says when only stops beyond REACH are left and not yet due


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
    then each chart's image there (``ChartView.prepare``), kept for when the class moves there.

    A slider event waits at most for one piece (a state ~10 ms, an image ~30 ms: its PNG is
    encoded on a thread, and the loop stays free until it is done); a pending update stops the
    work, and the update starts it again.  The stops one move away (``REACH``: a stop, or a
    decade) are worked out at once; the ones further away only once the kernel has been idle for
    ``FAR_AFTER`` (the class pauses): while a class moves stop by stop, a piece of far work would
    only be in a move's way.  When no work is left, the young garbage is collected (``tidy``),
    once per update; all of it once the panel is built.
    """

    DRAWN = 4096    # (view, state) pairs remembered as done

    def __init__(self, panel, schedule: Callable, enabled: bool):
        self.panel, self._schedule, self.enabled = panel, schedule, enabled
        self._handle = None
        self._refused: set[tuple] = set()   # slider values whose spec is invalid
        self._drawn: set[tuple] = set()     # (view, its memo, state key) whose image was made, or was there
        self.prepared = self.drawn = self.tidied = self.tidied_fully = 0
        self._tidy = False                  # the garbage is due for collection when the work runs out
        self._far = False                   # the stops beyond REACH are due (the kernel was idle FAR_AFTER)

    def soon(self) -> None:
        """Start once the kernel is idle (after each update), unless already started; the stops
        beyond REACH wait again until the kernel has been idle for FAR_AFTER."""
        self._tidy = True
        if self._far and self._handle is not None:      # waiting for the far stops, or at them
            self._handle.cancel()
            self._handle = None
        self._far = False
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
            work = self._next()
            if work is True:
                self._handle = self._schedule(0, self.step)
                return
            if self._tidy and not self.panel.pending:
                self._tidy = False
                self._tidied()
            if work == _FAR and not self.panel.pending:    # the rest once the class pauses
                self._far = True
                self._handle = self._schedule(FAR_AFTER, self.step)
        except Exception:  # work ahead is optional: an update reports real errors
            log.exception("designkit widgets: working ahead failed; stopped")
            self.enabled = False

    def _next(self) -> bool | str:
        """One piece of work: a state, or one view's image; False when nothing is left (or a move is
        due), ``_FAR`` when what is left lies beyond REACH and is not due yet."""
        panel = self.panel
        if panel.pending:
            return False                    # an update is due: it comes first
        control = panel.controls["users"]
        stops = control.stops
        here = min(range(len(stops)), key=lambda i: abs(stops[i] - control.slider.value))
        asked = [name for name in ("analysis", "prose") if name in vars(panel.state)]
        views = [view for view in panel.views if hasattr(view, "prepare") and hasattr(view, "memo")]
        if len(self._drawn) > self.DRAWN:
            self._drawn.clear()
        for index in sorted(range(len(stops)), key=lambda i: (abs(i - here), i)):
            overrides = panel.overrides({"users": stops[index]})
            key = tuple(sorted(overrides.items()))
            if key in self._refused:
                continue
            wait = abs(index - here) > REACH and not self._far
            if not panel.known(key):
                if wait:
                    return _FAR
                try:
                    state = panel.compute(overrides)
                    for name in asked:
                        getattr(state, name)
                except DesignkitError:
                    self._refused.add(key)
                self.prepared += 1
                return True
            state = panel.compute(overrides)    # kept: no work
            for view in views:
                done = (id(view), view.memo(), key)     # a new layout or axis: every image again
                if done not in self._drawn:
                    if wait:
                        return _FAR
                    self._drawn.add(done)
                    if view.prepare(state):
                        self.drawn += 1
                        return True
        return False
