"""When a panel's update runs: on the kernel's asyncio loop, or when a test says so; and where (``at_home``)."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable


def loop_scheduler(delay: float, callback: Callable[[], None]):
    """Run ``callback`` on the running asyncio loop after ``delay`` s; None when no loop runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.call_later(delay, callback) if delay > 0 else loop.call_soon(callback)


def at_home(callback: Callable) -> Callable:
    """``callback`` as a widget event handler that runs on the thread and asyncio loop it was made
    on (where the panel lives): called from another thread, it is handed to that loop
    (``call_soon_threadsafe``) and returns None.  JupyterLab 4.6 sends widget messages over a
    kernel subshell, whose thread handles them with a loop of its own; without this, a slider's
    update and the work done ahead would run on two threads at once, over the same figures.
    With no running loop where it is made (plain Python, tests), ``callback`` itself."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return callback
    home = threading.get_ident()

    @functools.wraps(callback)
    def handler(*args, **kwargs):
        if threading.get_ident() == home:
            return callback(*args, **kwargs)
        try:
            loop.call_soon_threadsafe(functools.partial(callback, *args, **kwargs))
        except RuntimeError:        # the loop is closed: the kernel is going away
            pass
        return None

    return handler


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
