"""Work done ahead while the kernel is idle: the states of the users stops around the current one.

A class moves the users slider a stop or a decade at a time and talks in between.  Validating a
spec and analysing it is about a third of a first visit to a scale; done ahead, the next move
only draws.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import DesignkitError

log = logging.getLogger(__name__)

AFTER = 0.05    # idle seconds after an update before the first state is worked out


class Ahead:
    """Works out, one per turn of the kernel's loop, the states of the panel's users stops, nearest first.

    Each state gets what the views asked of the last one (its analysis, its phrases).  A slider
    event waits at most for one state (~10 ms); a pending update stops the work, and the update
    starts it again.
    """

    def __init__(self, panel, schedule: Callable, enabled: bool):
        self.panel, self._schedule, self.enabled = panel, schedule, enabled
        self._handle = None
        self._refused: set[tuple] = set()   # slider values whose spec is invalid
        self.prepared = 0

    def soon(self) -> None:
        """Start once the kernel is idle (after each update), unless already started."""
        if self.enabled and self._handle is None and "users" in self.panel.controls:
            self._handle = self._schedule(AFTER, self.step)

    def step(self) -> None:
        """Work out the nearest state not known yet, then give the loop back and go on."""
        self._handle = None
        panel = self.panel
        if panel._dirty or panel._handle is not None:
            return                          # an update is due: it comes first
        control = panel.controls["users"]
        stops = control.stops
        here = min(range(len(stops)), key=lambda i: abs(stops[i] - control.slider.value))
        asked = [name for name in ("analysis", "prose") if name in vars(panel.state)]
        for index in sorted(range(len(stops)), key=lambda i: (abs(i - here), i)):
            overrides = panel.overrides({"users": stops[index]})
            key = tuple(sorted(overrides.items()))
            if panel.known(key) or key in self._refused:
                continue
            try:
                state = panel.compute(overrides)
                for name in asked:
                    getattr(state, name)
            except DesignkitError:
                self._refused.add(key)
            except Exception:  # work ahead is optional: an update reports real errors
                log.exception("designkit widgets: working ahead failed; stopped")
                self.enabled = False
                return
            self.prepared += 1
            self._handle = self._schedule(0, self.step)
            return
