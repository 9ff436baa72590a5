"""Live classroom widgets: one panel of scale controls driving each section's charts and tables in place.

``live(spec, overrides, section=N)`` is what a section notebook shows when ``interactive`` is
true: the shared control ``Panel`` (the same sliders in every section) above that section's
live views.  A slider event only marks the panel dirty; one scheduled update (on the kernel's
asyncio loop, at most one per update time) re-validates the spec, calls ``estimate`` and
``analyze``, and changes chart artists, PNG images and HTML table cells in place.  The math
lives in ``capacity`` and ``analysis``; this module only says numbers and moves artists.
Notebooks import it only when interactive, so the CLI and papermill never load ipywidgets.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Callable

import ipywidgets as w

from ..views.markdown import escape_html
from ..model import quantities as q
from ..views.rows.spread import say, say_range
from ..model.lru import LRU
from ..errors import DesignkitError
from ..model.spec import Spec, apply_overrides, read_raw, resolve, validate
from .ahead import Ahead
from .controls import Control, components_section, drawer, more_toggle
from .lifetime import close_tree
from . import sliders
from .scalebar import ScaleBar
from .state import State
from .scheduling import at_home, loop_scheduler
from .style import PRESENT_ENV, PRESENT_STYLE, STYLE

log = logging.getLogger(__name__)

MIN_INTERVAL = 0.02      # seconds between two updates at least (more when an update takes longer)
STATES = 64             # computed states kept, by the sliders' values

def readout(spread) -> str:
    """A ranged figure as the article says it: '~12K–48K, most likely ~23K' (P10–P90)."""
    low, high, likely = (say(value, spread.unit) for value in (spread.p10, spread.p90, spread.likely))
    return likely if low == high else f"{say_range(low, high)}, most likely {likely}"


# --- the panel --------------------------------------------------------------------------------

class Panel:
    """The shared controls, the current overrides -> validated spec -> Capacity + Analysis, and the
    views they drive.  Observers are registered once; updates are coalesced (see ``flush``)."""

    def __init__(self, spec: str = "reference", overrides: dict | None = None, *,
                 scheduler: Callable | None = None, clock: Callable[[], float] = time.perf_counter,
                 min_interval: float = MIN_INTERVAL, present: bool | None = None, prepare: bool | None = None):
        self.ref = str(spec)
        self.path = resolve(spec)
        self.raw = read_raw(self.path)
        self.base_overrides = dict(overrides or {})
        base = validate(apply_overrides(self.raw, self.base_overrides), self.ref)
        self.base = base
        self.state = self._state(self.base_overrides, base)
        self.error = ""
        self.views: list = []
        self.updates = 0
        self.last_seconds = 0.0
        self._schedule = scheduler or loop_scheduler
        self._clock = clock
        self._min_interval = min_interval
        self._dirty = False
        self._handle = None
        self._ready_at = 0.0
        self._waiters: list = []
        self._quiet = False
        self._states = LRU(STATES)      # computed states, by the sliders' values
        self._states.put(tuple(sorted(self.base_overrides.items())), self.state)
        self.ahead = Ahead(self, self._schedule, scheduler is None if prepare is None else prepare)
        self.controls: dict[str, Control] = sliders.build(base)
        self.scale_bar = ScaleBar(self)
        self.widget = self._layout(base)
        self.present_targets: list[w.DOMWidget] = [self.widget]    # what gets the dk-present class
        for control in self.controls.values():
            control.slider.observe(at_home(self._changed), names="value")
        self._show(self.state)
        if present is None:
            present = os.environ.get(PRESENT_ENV, "") not in ("", "0")
        if present:
            self.present_toggle.value = True
        self.ahead.soon()

    # -- building ---------------------------------------------------------------------------

    def _layout(self, spec: Spec) -> w.VBox:
        scale = [c.box for name, c in self.controls.items() if "." not in name]
        grid = w.GridBox(scale, layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(440px, 1fr))"))
        grid.add_class("dk-controls")
        components = components_section(spec.components, self.controls)
        self.reset_button = w.Button(description="Reset to spec", icon="undo",
                                     tooltip="Put every slider back to the spec's value")
        self.reset_button.add_class("dk-reset")
        self.reset_button.on_click(at_home(lambda _: self.reset()))
        self.qps_peak = w.HTML()
        self.qps_peak.add_class("dk-qps-peak")
        self.qps_average = w.HTML()
        self.qps_average.add_class("dk-qps-average")
        self.storage = w.HTML()
        self.storage.add_class("dk-storage-total")
        self.servers = w.HTML()
        self.servers.add_class("dk-servers")
        for big in (self.qps_peak, self.storage, self.servers):
            big.add_class("dk-big")
        self.retention_label = w.HTML()
        summary = w.HBox([w.HTML("Peak QPS"), self.qps_peak, w.HTML("average"), self.qps_average,
                          w.HTML("&nbsp;&nbsp;Storage"), self.retention_label, self.storage,
                          w.HTML("App servers at peak"), self.servers, self.reset_button])
        summary.add_class("dk-summary")
        self.present_toggle = w.ToggleButton(description="Presentation", icon="desktop", value=False,
                                             tooltip="Large controls and text, sharp charts as wide as the page")
        self.present_toggle.add_class("dk-present-toggle")
        self.present_toggle.observe(at_home(lambda change: self.present(change["new"])), names="value")
        box = w.VBox()
        box.add_class("dk-panel")
        bar = w.HBox([self.scale_bar.widget, self.present_toggle, more_toggle(box)])
        bar.add_class("dk-bar")
        self.error_box = w.HTML()
        self.error_box.add_class("dk-error")
        title = w.HTML(f"<b>Scale of {escape_html(spec.name)}</b>: move a slider and the live views below follow it.")
        title.add_class("dk-panel-title")
        box.children = [w.HTML(STYLE + PRESENT_STYLE), title, bar, drawer(grid, components), summary, self.error_box]
        return box

    # -- state --------------------------------------------------------------------------------

    def overrides(self, supposing: dict | None = None) -> dict:
        """The spec overrides the sliders stand for (see ``sliders.overrides``)."""
        return sliders.overrides(self.controls, self.base, self.base_overrides, supposing)

    def _state(self, overrides: dict, spec: Spec) -> State:
        return State.of(overrides, spec, self.base)

    def compute(self, overrides: dict | None = None) -> State:
        """Validate the sliders' spec (or ``overrides``'s) and compute its numbers (raises SpecError
        when invalid).

        The last ``STATES`` are kept by the sliders' values: a class goes back and forth over a few
        scales, and a state's analysis and phrases are computed once (they are immutable).
        """
        overrides = self.overrides() if overrides is None else overrides
        key = tuple(sorted(overrides.items()))
        state = self._states.get(key)
        if state is None:
            spec = validate(apply_overrides(self.raw, overrides), f"{self.ref} (sliders)")
            state = self._state(overrides, spec)
            self._states.put(key, state)
        return state

    @property
    def pending(self) -> bool:
        """True while a slider moved and its update has not run yet."""
        return self._dirty or self._handle is not None

    def known(self, key: tuple) -> bool:
        """True when the state of these overrides (sorted items) is kept."""
        return key in self._states

    # -- coalescing ---------------------------------------------------------------------------

    def _changed(self, change=None) -> None:
        """Observer of every slider: note that something changed and make sure one update is due."""
        self._dirty = True
        if self._quiet:
            return
        if self._handle is not None:
            return
        delay = max(0.0, self._ready_at - self._clock())
        handle = self._schedule(delay, self._scheduled)
        if handle is None:          # no event loop (plain Python): update now
            self.flush()
        else:
            self._handle = handle

    def _scheduled(self) -> None:
        self._handle = None
        try:
            self.flush()
        except Exception as exc:  # a callback on the kernel's loop must not die silently
            log.exception("designkit widgets: update failed")
            self._set_error(f"internal error while updating: {type(exc).__name__}: {exc}")

    def flush(self) -> bool:
        """Apply the newest slider values now, if any changed since the last update; True if it did.

        Slider events only set a dirty flag; the one scheduled call (or this method) reads the
        sliders' current values, so any burst of events costs one update and ends exact.
        """
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self._dirty:
            return False
        self._dirty = False
        started = self._clock()
        try:
            state = self.compute()
        except DesignkitError as exc:
            for control in self.controls.values():
                control.refresh()
            self._set_error(str(exc))
        else:
            self._set_error("")
            self.state = state
            self._show(state)
        finished = self._clock()
        self.last_seconds = finished - started
        self._ready_at = finished + max(self._min_interval, self.last_seconds)
        self.updates += 1
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(self.state)
        self.ahead.soon()
        return True

    def next_update(self) -> "asyncio.Future":
        """A future that resolves with the state after the next update (for benchmarks)."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        return future

    # -- showing ----------------------------------------------------------------------------

    def _set_error(self, message: str) -> None:
        self.error = message
        self.error_box.value = "" if not message else (
            "Not a valid spec with these values (the views keep the last valid one): "
            + "<br>".join(escape_html(line) for line in message.splitlines()))

    def _show(self, state: State) -> None:
        for control in self.controls.values():
            control.refresh()
        cap, spreads = state.cap, state.spreads
        self.qps_peak.value = q.say_qps(cap.qps_peak) if spreads is None else readout(spreads["qps_peak"])
        self.qps_average.value = q.say_qps(cap.qps_average)
        self.retention_label.value = f"over {q.say_days(cap.retention_days)}"
        self.storage.value = (q.say_bytes(cap.storage_total_bytes) if spreads is None
                              else readout(spreads["storage_total_bytes"]))
        self.servers.value = str(cap.servers_needed) if spreads is None else readout(spreads["servers_needed"])
        for view in self.views:
            view.update(state)
        for view in self.views:         # a chart's PNG was encoded on a thread meanwhile
            getattr(view, "settle", lambda: None)()

    def add(self, view):
        """Drive ``view`` from this panel from now on (it was built from the current state)."""
        self.views.append(view)
        if self.present_toggle.value and hasattr(view, "present"):
            view.present(True)
        return view

    def set(self, **values) -> None:
        """Move sliders by control name (``users=1e9``; component controls: ``set(**{"Event Store.replicas": 5})``)."""
        self.move(values)

    def move(self, values: dict) -> None:
        """Move several sliders at once, as one change (a log slider takes any value: it becomes a stop)."""
        self._quiet = True
        try:
            for name, value in values.items():
                control = self.controls[name]
                if control.is_log:
                    control.move_to(value)
                else:
                    control.slider.value = value
        finally:
            self._quiet = False
        if self._dirty:
            self._changed()

    def attach(self, widget: w.DOMWidget) -> None:
        """Give ``widget`` (the box around panel and views) the presentation class whenever the panel has it."""
        self.present_targets.append(widget)
        if self.present_toggle.value:
            widget.add_class("dk-present")

    def present(self, on: bool = True) -> None:
        """Presentation mode on or off: 18 px+ controls and text, charts as wide as the output, sharp."""
        if self.present_toggle.value != on:
            self.present_toggle.value = on          # comes back here through the toggle's observer
            return
        for target in self.present_targets:
            (target.add_class if on else target.remove_class)("dk-present")
        for view in self.views:
            if hasattr(view, "present"):
                view.present(on)

    def reset(self) -> None:
        """Every slider back to the spec's value, applied at once."""
        for control in self.controls.values():
            control.slider.value = control.start
        self._dirty = True
        self.flush()

    def close(self) -> None:
        """Close every widget of the panel and its views, their children, layouts and styles included:
        ipywidgets keeps each widget until it is closed (a section's charts hold some 30 MB)."""
        self.ahead.stop()
        self._dirty = False             # an update already scheduled does nothing
        for view in self.views:
            close_tree(view.widget)
        close_tree(self.widget)
