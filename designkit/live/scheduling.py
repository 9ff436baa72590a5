"""When a panel's update runs: on the kernel's asyncio loop, or when a test says so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_scheduler(delay: float, callback: Callable[[], None]):
    """Run ``callback`` on the running asyncio loop after ``delay`` s; None when no loop runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.call_later(delay, callback) if delay > 0 else loop.call_soon(callback)


class ManualScheduler:
    """A scheduler that only runs what is due when told (tests and benchmarks without a loop)."""

    class Handle:
        def __init__(self, delay: float, callback: Callable[[], None]):
            self.delay, self.callback, self.cancelled = delay, callback, False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self):
        self.handles: list[ManualScheduler.Handle] = []

    def __call__(self, delay: float, callback: Callable[[], None]) -> ManualScheduler.Handle:
        handle = self.Handle(delay, callback)
        self.handles.append(handle)
        return handle

    @property
    def pending(self) -> int:
        """Scheduled calls not yet run or cancelled."""
        return sum(not h.cancelled for h in self.handles)

    def run(self) -> int:
        """Run every pending call once; returns how many ran."""
        due, self.handles = self.handles, []
        ran = 0
        for handle in due:
            if not handle.cancelled:
                handle.callback()
                ran += 1
        return ran
