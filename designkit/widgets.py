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
import html
import logging
import math
import struct
import time
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

import ipywidgets as w
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.ticker import AutoLocator, LogFormatter, LogFormatterMathtext, LogLocator

from . import charts
from . import quantities as q
from .quantities import say_share, say_times
from .analysis import Analysis, analyze
from .article import SECTIONS
from .capacity import Capacity, estimate
from .errors import DesignkitError
from .spec import Spec, apply_overrides, read_raw, resolve, validate

log = logging.getLogger(__name__)

DPI = 90                 # live chart resolution: 8-inch charts become 720 px wide images
MIN_INTERVAL = 0.02      # seconds between two updates at least (more when an update takes longer)
RATIOS = ((0, 1), (1, 100), (1, 10), (1, 3), (1, 1), (3, 1), (10, 1), (30, 1), (100, 1), (300, 1),
          (1000, 1), (1, 0))
RETENTION_DAYS = (1, 7, 30, 90, q.MONTH_DAYS * 6, q.YEAR_DAYS, 2 * q.YEAR_DAYS, 3 * q.YEAR_DAYS,
                  5 * q.YEAR_DAYS, 7 * q.YEAR_DAYS, 10 * q.YEAR_DAYS, 20 * q.YEAR_DAYS)
NINES = (0.9, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999)
METRIC_WORDS = {"qps": "requests", "read_qps": "reads", "write_qps": "writes",
                "storage_bytes": "disk", "memory_bytes": "memory"}
STATEFUL_KINDS = ("database", "search", "object_store", "cache")

STYLE = """<style>
.dk-panel { border: 1px solid var(--jp-border-color2, #ddd); border-radius: 4px; padding: 4px 8px;
            margin-bottom: 6px; }
.dk-controls { grid-gap: 0 24px; }
.dk-control .widget-html-content, .dk-summary .widget-html-content { white-space: nowrap; }
.dk-readout { min-width: 130px; }
.dk-readout .widget-html-content { font-weight: 600; color: var(--jp-ui-font-color1, #222); }
.dk-summary { align-items: baseline; gap: 4px; flex-wrap: wrap; }
.dk-summary .dk-big .widget-html-content { font-size: 1.25em; font-weight: 700; margin-right: 14px; }
.dk-error .widget-html-content { color: #C44E52; font-weight: 600; white-space: normal; }
.dk-table { grid-gap: 0 16px; margin: 2px 0 10px 0; width: max-content; max-width: 100%; }
.dk-table .widget-html { margin: 0; height: auto; }
.dk-table .widget-html-content { line-height: 22px; height: auto; white-space: nowrap; }
.dk-table .dk-num .widget-html-content { font-variant-numeric: tabular-nums; text-align: right; }
.dk-chart img, img.dk-chart { max-width: 100%; height: auto; }
.dk-title .widget-html-content { font-weight: 700; margin-top: 6px; }
</style>"""


# --- saying values ------------------------------------------------------------------------


def say_ratio(ratio: tuple[float, float]) -> str:
    """A read:write ratio with what it means: (100, 1) -> '100:1 (99% reads)'."""
    reads, writes = ratio
    text = f"{reads:g}:{writes:g}"
    if reads == 0:
        return f"{text} (writes only)"
    if writes == 0:
        return f"{text} (reads only)"
    return f"{text} ({say_share(reads / (reads + writes))} reads)"



def say_users_at(multiplier: float, cap: Capacity) -> str:
    """Where a multiple of today's traffic lands: '~2.2 million users' or '0.43x today's traffic'."""
    if not math.isfinite(multiplier):
        return "never"
    if cap.users is not None:
        return f"{q.say_count(cap.users * multiplier)} users"
    return f"{say_times(multiplier)} today's traffic"


def utilization_badge(utilization: float, target: float) -> str:
    """A utilization as a coloured badge: green below the target, amber below 100%, red above."""
    colour = charts.COLORS["ok"] if utilization < target else (
        charts.COLORS["warn"] if utilization < 1 else charts.COLORS["bad"])
    return (f'<span style="background:{colour};color:white;padding:1px 7px;border-radius:3px">'
            f'{say_share(utilization)}</span>')


def _esc(text: str) -> str:
    return html.escape(str(text), quote=False)


# --- scheduling -----------------------------------------------------------------------------

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

    def __call__(self, delay: float, callback: Callable[[], None]) -> "ManualScheduler.Handle":
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


# --- state and controls -----------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """What every view draws from: the overrides in force, the validated spec, its numbers."""

    overrides: dict
    spec: Spec
    cap: Capacity

    @cached_property
    def analysis(self) -> Analysis:
        """The scaling and reliability analysis, computed when a view first asks for it."""
        return analyze(self.spec, self.cap)


class Control:
    """One slider bound to one input, with its value said the way people say it beside it."""

    def __init__(self, name: str, slider: w.ValueWidget, say: Callable[[Any], str], initial: Any = None):
        self.name, self.slider, self.say = name, slider, say
        self.start = slider.value                                   # where the slider starts (and resets to)
        self.initial = slider.value if initial is None else initial  # the spec's value it stands for
        slider.readout = False
        slider.continuous_update = True
        slider.style.description_width = "125px"
        slider.layout.width = "275px"
        css = name.replace(".", "-").replace(" ", "_").lower()
        slider.add_class(f"dk-{css}")
        self.readout = w.HTML(say(self.initial))
        self.readout.add_class("dk-readout")
        self.readout.add_class(f"dk-readout-{css}")
        self.box = w.HBox([slider, self.readout])
        self.box.add_class("dk-control")

    @property
    def value(self):
        """The slider's value, or exactly the spec's while the slider has not left it."""
        return self.slider.value if self.changed else self.initial

    @property
    def changed(self) -> bool:
        """True when the slider has left the spec's value (a float's last bits after a browser
        round trip do not count)."""
        value, start = self.slider.value, self.start
        if isinstance(value, float) and isinstance(start, (int, float)):
            return not math.isclose(value, start, rel_tol=1e-9, abs_tol=1e-12)
        return value != start

    def refresh(self) -> None:
        """Say the slider's current value (the spec's own while the slider has not left it)."""
        self.readout.value = self.say(self.value)


def _log_slider(label: str, value: float, lo: float, hi: float, step: float = 0.02) -> w.FloatLogSlider:
    """A base-10 log slider covering lo..hi (and ``value``) whose step grid passes through ``value``.

    The browser snaps a slider to its grid when it first draws it; on the grid, the spec's own
    value survives that round trip, so showing a panel never changes a number.
    """
    exp = math.log10(value) if value > 0 else math.log10(lo)
    below = math.ceil(round((exp - math.log10(lo)) / step, 6))
    above = math.ceil(round((math.log10(hi) - exp) / step, 6))
    return w.FloatLogSlider(value=value if value > 0 else lo, base=10, min=exp - max(below, 0) * step,
                            max=exp + max(above, 0) * step, step=step, description=label)


def _options(choices, value, key=lambda v: v) -> list:
    """``choices`` with ``value`` added in order when it is not one of them."""
    values = list(choices)
    if not any(math.isclose(key(v), key(value), rel_tol=1e-12, abs_tol=1e-15) for v in values):
        values.append(value)
    return sorted(values, key=key)


def _same(values, value, key=lambda v: v):
    """The member of ``values`` equal to ``value`` (so a selection slider starts on it)."""
    return next(v for v in values if math.isclose(key(v), key(value), rel_tol=1e-12, abs_tol=1e-15))


def _read_share(ratio) -> float:
    reads, writes = ratio
    return reads / (reads + writes)


# --- the panel --------------------------------------------------------------------------------

class Panel:
    """The shared controls, the current overrides -> validated spec -> Capacity + Analysis, and the
    views they drive.  Observers are registered once; updates are coalesced (see ``flush``)."""

    def __init__(self, spec: str = "reference", overrides: dict | None = None, *,
                 scheduler: Callable | None = None, clock: Callable[[], float] = time.perf_counter,
                 min_interval: float = MIN_INTERVAL):
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
        self.controls: dict[str, Control] = {}
        self._build_controls(base)
        self.widget = self._layout(base)
        for control in self.controls.values():
            control.slider.observe(self._changed, names="value")
        self._show(self.state)

    # -- building ---------------------------------------------------------------------------

    def _add(self, control: Control) -> None:
        self.controls[control.name] = control

    def _build_controls(self, spec: Spec) -> None:
        s = spec.scale
        if s.per_user:
            dau = s.daily_active_users if s.daily_active_users is not None else s.users * s.daily_active_fraction
            self._add(Control("users", _log_slider("Users", s.users, 1e3, 1e10, 0.05), q.say_count))
            self._add(Control("active", _log_slider("Daily active share", dau / s.users, 1e-3, 1.0),
                              lambda v: f"{say_share(v)} ({q.say_count(self.controls['users'].value * v)} a day)"))
            self._add(Control("requests", _log_slider("Requests/user/day", s.requests_per_user_per_day, 1, 1e4),
                              lambda v: f"{q.say_count(v)} a day"))
            ratios = _options([(float(r), float(w_)) for r, w_ in RATIOS], tuple(s.read_write_ratio), _read_share)
            self._add(Control("ratio", w.SelectionSlider(
                options=[(f"{r:g}:{w_:g}", (r, w_)) for r, w_ in ratios],
                value=_same(ratios, tuple(s.read_write_ratio), _read_share), description="Read:write"),
                say_ratio))
        else:
            for name in ("reads", "writes"):   # a rate of 0 starts at the slider's low end, said as 0
                self._add(Control(name, _log_slider(f"{name.title()}/s", getattr(s, name), 0.01, 1e7),
                                  lambda v: f"{q.say_qps(v)}/s", initial=getattr(s, name)))
        self._add(Control("peak_factor", w.FloatSlider(value=s.peak_factor, min=1, max=max(10, s.peak_factor),
                                                       step=0.5, description="Peak factor"),
                          lambda v: f"{v:g}x average"))
        self._add(Control("record_size", _log_slider("Record size", s.record_size, 10, 1e7), q.say_bytes))
        days = _options(RETENTION_DAYS, s.retention)
        self._add(Control("retention", w.SelectionSlider(options=[(q.say_days(d), d) for d in days],
                                                         value=_same(days, s.retention), description="Retention"),
                          q.say_days))
        caches = [c for c in spec.components if c.kind == "cache"]
        if caches:
            hit = caches[0].hit_ratio if caches[0].hit_ratio is not None else 0.0
            self._add(Control("hit_ratio", w.FloatSlider(value=hit, min=0, max=0.99, step=0.01,
                                                         description="Cache hit ratio"), say_share))
        self._add(Control("server_qps", _log_slider("Server capacity", s.server_qps, 10, 1e5),
                          lambda v: f"{q.say_qps(v)}/s per server"))
        for comp in spec.components:
            self._add(Control(f"{comp.name}.replicas", w.IntSlider(
                value=comp.replicas, min=1, max=max(64, 4 * comp.replicas), description="replicas"), str))
            if comp.kind in STATEFUL_KINDS:
                self._add(Control(f"{comp.name}.shards", w.IntSlider(
                    value=comp.shards, min=1, max=max(64, 4 * comp.shards), description="shards"), str))
            nines = _options(NINES, comp.availability)
            self._add(Control(f"{comp.name}.availability", w.SelectionSlider(
                options=[(q.say_percent(n), n) for n in nines], value=_same(nines, comp.availability),
                description="availability"), lambda v: f"{q.say_percent(v)} each"))

    def _layout(self, spec: Spec) -> w.VBox:
        scale = [c.box for name, c in self.controls.items() if "." not in name]
        grid = w.GridBox(scale, layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(440px, 1fr))"))
        grid.add_class("dk-controls")
        cells = []
        widths = {"replicas": ("60px", 165, "40px"), "shards": ("50px", 155, "40px"),
                  "availability": ("80px", 185, "100px")}   # description, slider, readout
        for comp in spec.components:
            kind = comp.kind.replace("_", " ")
            cells.append(w.HTML(f'<b title="{_esc(kind)}">{_esc(comp.name)}</b>', layout=w.Layout(width="160px")))
            for field in ("replicas", "shards", "availability"):
                control = self.controls.get(f"{comp.name}.{field}")
                if control is None:
                    cells.append(w.HTML(""))
                    continue
                description, slider, readout = widths[field]
                control.slider.style.description_width = description
                control.slider.layout.width = f"{slider}px"
                control.readout.layout.min_width = control.readout.layout.width = readout
                cells.append(control.box)
        table = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(4, max-content)", grid_gap="2px 16px",
                                                 align_items="center"))
        components = w.Accordion(children=[table], titles=("Components: replicas, shards, availability",))
        components.selected_index = None
        self.reset_button = w.Button(description="Reset to spec", icon="undo",
                                     tooltip="Put every slider back to the spec's value")
        self.reset_button.add_class("dk-reset")
        self.reset_button.on_click(lambda _: self.reset())
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
        self.error_box = w.HTML()
        self.error_box.add_class("dk-error")
        title = w.HTML(f"<b>Scale of {_esc(spec.name)}</b>: drag a slider, every number below follows.")
        box = w.VBox([w.HTML(STYLE), title, grid, components, summary, self.error_box])
        box.add_class("dk-panel")
        return box

    # -- state --------------------------------------------------------------------------------

    def overrides(self) -> dict:
        """The spec overrides the sliders stand for: the notebook's own, plus every moved slider."""
        out = dict(self.base_overrides)
        c = self.controls
        moved = {name for name, control in c.items() if control.changed}
        s = self.base.scale
        if s.per_user:
            if "users" in moved:
                out["users"] = c["users"].value
            if "active" in moved or ("users" in moved and s.daily_active_users is not None):
                if s.daily_active_users is None:
                    out["daily_active_fraction"] = c["active"].value
                elif "active" in moved:     # users x share never exceeds users: clamped by the slider
                    out["daily_active_users"] = c["users"].value * c["active"].value
                else:                       # keep the spec's share of users exactly
                    out["daily_active_users"] = c["users"].value * s.daily_active_users / s.users
            if "requests" in moved:
                out["requests_per_user_per_day"] = c["requests"].value
            if "ratio" in moved:
                reads, writes = c["ratio"].value
                out["read_write_ratio"] = f"{reads!r}:{writes!r}"
        else:
            for name in ("reads", "writes"):
                if name in moved:
                    out[name] = f"{c[name].value!r}/s"
        for name in ("peak_factor", "record_size", "retention", "server_qps"):
            if name in moved:
                out[name] = c[name].value
        for comp in self.base.components:
            if "hit_ratio" in moved and comp.kind == "cache":
                out[f"components.{comp.name}.hit_ratio"] = c["hit_ratio"].value
            for field in ("replicas", "shards", "availability"):
                key = f"{comp.name}.{field}"
                if key in moved:
                    out[f"components.{key}"] = c[key].value
        return out

    @staticmethod
    def _state(overrides: dict, spec: Spec) -> State:
        return State(overrides, spec, estimate(spec.scale))

    def compute(self) -> State:
        """Validate the sliders' spec and compute its numbers (raises SpecError when invalid)."""
        overrides = self.overrides()
        spec = validate(apply_overrides(self.raw, overrides), f"{self.ref} (sliders)")
        return self._state(overrides, spec)

    # -- coalescing ---------------------------------------------------------------------------

    def _changed(self, change=None) -> None:
        """Observer of every slider: note that something changed and make sure one update is due."""
        self._dirty = True
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
            + "<br>".join(_esc(line) for line in message.splitlines()))

    def _show(self, state: State) -> None:
        for control in self.controls.values():
            control.refresh()
        cap = state.cap
        self.qps_peak.value = q.say_qps(cap.qps_peak)
        self.qps_average.value = q.say_qps(cap.qps_average)
        self.retention_label.value = f"over {q.say_days(cap.retention_days)}"
        self.storage.value = q.say_bytes(cap.storage_total_bytes)
        self.servers.value = str(cap.servers_needed)
        for view in self.views:
            view.update(state)

    def add(self, view):
        """Drive ``view`` from this panel from now on (it was built from the current state)."""
        self.views.append(view)
        return view

    def set(self, **values) -> None:
        """Move sliders by control name (``users=1e9``; component controls: ``set(**{"Event Store.replicas": 5})``)."""
        for name, value in values.items():
            self.controls[name].slider.value = value

    def reset(self) -> None:
        """Every slider back to the spec's value, applied at once."""
        for control in self.controls.values():
            control.slider.value = control.start
        self._dirty = True
        self.flush()

    def close(self) -> None:
        """Close every widget of the panel and its views (frees the kernel side)."""
        for view in self.views:
            view.widget.close()
        self.widget.close()


# --- view building blocks --------------------------------------------------------------------

class _SpriteRenderer(RendererAgg):
    """An Agg renderer that keeps the pixels of texts it draws again and again and stamps them.

    Text is most of a live chart's draw time and the same strings ("100K", axis labels, legend
    entries) come back on every frame; a string's second appearance caches it, positions are
    rounded to whole pixels (as older matplotlib did).  Anything unexpected falls back to
    matplotlib's own drawing.
    """

    LIMIT = 2048   # cached strings per chart

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.sprites: dict = {}     # text key -> (coverage, dx, dy), for strings seen twice
        self.seen: dict = {}        # text keys drawn once the ordinary way
        self.hits = self.misses = 0

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        try:
            key = (s, hash(prop), round(angle, 3), ismath, gc.get_antialiased(),
                   str(getattr(mtext, "get_fontfeatures", lambda: None)()),
                   getattr(mtext, "get_language", lambda: None)())
            sprite = self.sprites.get(key)
            if sprite is None:
                if key not in self.seen:          # a string seen once (a value label) is just drawn
                    self.seen[key] = True
                    if len(self.seen) > self.LIMIT:
                        self.seen.pop(next(iter(self.seen)))
                    super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
                    return
                sprite = self.sprites[key] = self._sprite(s, prop, angle, ismath, gc)
                self.misses += 1
                if len(self.sprites) > self.LIMIT:
                    self.sprites.pop(next(iter(self.sprites)))
            else:
                self.hits += 1
            coverage, dx, dy = sprite
            if coverage is not None:
                self._renderer.draw_text_image(coverage, round(x + dx), round(y + dy), 0, gc)  # y: down
        except Exception:  # a matplotlib we do not know: draw it the ordinary way
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def _sprite(self, s, prop, angle, ismath, gc):
        """Render ``s`` alone (white on transparent) and keep its coverage and offset from (x, y)."""
        w, h, d = self.get_text_width_height_descent(s, prop, ismath)
        size = int(math.ceil(w + h + d)) + 8
        scratch = RendererAgg(2 * size, 2 * size, self.dpi)
        scratch.clear()
        ink = scratch.new_gc()
        ink.set_foreground((1.0, 1.0, 1.0))
        ink.set_antialiased(gc.get_antialiased())
        RendererAgg.draw_text(scratch, ink, size, size, s, prop, angle, ismath=ismath)
        alpha = np.asarray(scratch.buffer_rgba())[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if not len(rows):
            return None, 0, 0
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        # draw_text gets (x, y) with y counted downwards; draw_text_image wants the left column and
        # the bottom row of the image: keep both as offsets from the anchor (size, size).
        return np.ascontiguousarray(alpha[top:bottom, left:right]), left - size, bottom - size


class _QuietCanvas(FigureCanvasAgg):
    """An Agg canvas whose draw_idle does nothing (the view draws once per update, itself) and
    whose renderer caches text."""

    def draw_idle(self, *args, **kwargs):
        pass

    def get_renderer(self):
        key = (*self.figure.bbox.size, self.figure.dpi)
        if getattr(self, "_sprite_key", None) != key:
            self.renderer = _SpriteRenderer(*self.figure.bbox.size, self.figure.dpi)
            self._sprite_key = key
        return self.renderer


class _PlainLogFormatter(LogFormatter):
    """Log-axis labels as plain text ('0.001', '10', '1K'): the first draw of each new mathtext
    label ('10^5') costs ~70 ms of parsing, too slow for a live chart."""

    def _num_to_string(self, x, vmin, vmax):
        return q.say_count(x, approx=False) if x >= 1 else f"{x:g}"


def png_rgb(pixels: np.ndarray) -> bytes:
    """An RGB PNG of an RGBA pixel array: no row filters, fastest zlib (twice as fast as Pillow's
    adaptive filtering on chart images, and smaller)."""
    height, width = pixels.shape[:2]
    rows = np.empty((height, width * 3 + 1), np.uint8)
    rows[:, 0] = 0                                      # filter type "none" for every row
    rows[:, 1:] = pixels[..., :3].reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


def _keep_in_place(*args, **kwargs) -> None:
    """Stands in for matplotlib's title and axis-label placement once a chart's layout is frozen."""


class ChartView:
    """A chart built once; ``update`` moves its artists and re-renders PNG into one persistent Image.

    Rendering is the slow part (text), so the view keeps what does not move: the layout is fixed
    after the first draw, legends are drawn once and laid over every frame, and while the axes'
    limits and titles stay the same only the data artists are redrawn over a saved background.
    """

    @charts.styled      # ticks are made at draw time: draw under the charts' house style too
    def __init__(self, chart, css: str, args: Callable[[State], tuple], key: Callable[[State], Any], state: State):
        self.chart, self.fig, self.args, self.key = chart, chart.fig, args, key
        self.canvas = _QuietCanvas(self.fig)
        self.fig.set_dpi(DPI)
        for ax in self.fig.axes:                # lighter ticks: each tick label costs a text draw
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() == "log":
                    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
                    for formatter, setter in ((axis.get_major_formatter(), axis.set_major_formatter),
                                              (axis.get_minor_formatter(), axis.set_minor_formatter)):
                        if isinstance(formatter, LogFormatterMathtext):   # "10^5" means parsing mathtext
                            setter(_PlainLogFormatter(labelOnlyBase=formatter.labelOnlyBase,
                                                      minor_thresholds=formatter.minor_thresholds))
                elif isinstance(axis.get_major_locator(), AutoLocator):
                    axis.get_major_locator().set_params(nbins=5)
        self.renders = self.blits = self.layouts = 0
        self._background, self._frame, self._overlay = None, None, None
        self._shape = self._tick_shape()
        self._relayout()
        width = self.canvas.get_width_height()[0]
        self.widget = w.Image(format="png", value=self.render(),
                              layout=w.Layout(width=f"{width}px", max_width="100%", height="auto"))
        self.widget.add_class("dk-chart")
        self.widget.add_class(css)
        self._key = key(state)

    def _tick_shape(self) -> tuple:
        """The longest tick label of each axis, in characters: when it changes, lay out again."""
        shape = []
        for ax in self.fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                lo, hi = sorted(axis.get_view_interval())
                locs = [loc for loc in axis.get_majorticklocs() if lo <= loc <= hi]
                shape.append(max(map(len, axis.get_major_formatter().format_ticks(locs)), default=0))
        return tuple(shape)

    def _relayout(self) -> None:
        """Lay the figure out (constrained), then freeze axes, titles and axis labels where they are.

        Frozen, a draw no longer measures every tick label to place things: about half the time.
        """
        self.fig.set_layout_engine("constrained")
        placers = [(ax, "_update_title_position") for ax in self.fig.axes]
        placers += [(axis, "_update_label_position") for ax in self.fig.axes for axis in (ax.xaxis, ax.yaxis)]
        for owner, name in placers:
            owner.__dict__.pop(name, None)         # matplotlib's own placement for this one draw
        legends = [ax.get_legend() for ax in self.fig.axes if ax.get_legend() is not None]
        for legend in legends:
            legend.set_visible(True)
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        for owner, name in placers:
            if hasattr(type(owner), name):
                setattr(owner, name, _keep_in_place)
        self._overlay = self._legend_overlay(legends)   # the legends moved with their axes
        self._frame = None
        self.layouts += 1

    def _legend_overlay(self, legends: list):
        """Draw the legends alone onto a transparent buffer once; hide them from later draws."""
        if not legends:
            return None
        renderer = self.canvas.get_renderer()
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
        pixels = np.asarray(renderer.buffer_rgba())[y0:y1, x0:x1].astype(np.float32)
        alpha = pixels[..., 3:4] / 255.0
        return (slice(y0, y1), slice(x0, x1)), pixels[..., :3] * alpha, 1.0 - alpha

    def _frame_key(self) -> tuple:
        """What a saved background depends on: the axes' limits, scales and labels."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_title(),
                      ax.get_title("left"), ax.get_xlabel(), ax.get_ylabel()) for ax in self.fig.axes)

    def _moving(self) -> list:
        """The data artists (lines, bars, texts, collections), marked animated, in drawing order."""
        found = []
        for ax in self.fig.axes:
            found += [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images]
        for artist in found:
            artist.set_animated(True)
        return sorted(found, key=lambda artist: artist.get_zorder())

    @charts.styled
    def render(self) -> bytes:
        """The figure as PNG: a full draw when the axes changed, else data over the saved background."""
        shape = self._tick_shape()
        if any(new > old for new, old in zip(shape, self._shape)):   # wider labels: make room once
            self._shape = tuple(map(max, shape, self._shape))
            self._relayout()
        moving = self._moving()
        frame = self._frame_key()
        if frame == self._frame and self._background is not None:
            self.canvas.restore_region(self._background)
            self.blits += 1
        else:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._frame = frame
        renderer = self.canvas.get_renderer()
        for artist in moving:
            if artist.get_visible():
                artist.draw(renderer)
        pixels = np.asarray(self.canvas.buffer_rgba())
        if self._overlay is not None:
            where, ink, keep = self._overlay
            region = pixels[where]
            region[..., :3] = (region[..., :3] * keep + ink).astype(np.uint8)
        self.renders += 1
        return png_rgb(pixels)

    def update(self, state: State) -> None:
        key = self.key(state)
        if key == self._key:
            return
        self._key = key
        self.chart.update(*self.args(state))
        self.widget.value = self.render()


class CellTable:
    """A grid of HTML cells; ``set`` changes only cells whose text changed, rows beyond the data hide."""

    def __init__(self, header: list[str], rows: int, css: str, numeric: tuple[int, ...] = ()):
        self.header = [w.HTML(f"<b>{_esc(h)}</b>") for h in header]
        self.cells = [[w.HTML() for _ in header] for _ in range(rows)]
        for row in self.cells:
            for j in numeric:
                row[j].add_class("dk-num")
        for j in numeric:
            self.header[j].add_class("dk-num")
        self.widget = w.GridBox(self.header + [c for row in self.cells for c in row],
                                layout=w.Layout(grid_template_columns=f"repeat({len(header)}, auto)"))
        self.widget.add_class("dk-table")
        self.widget.add_class(css)

    def set(self, rows: list[list[str]]) -> None:
        for i, cells in enumerate(self.cells):
            values = rows[i] if i < len(rows) else None
            for j, cell in enumerate(cells):
                cell.layout.display = None if values is not None else "none"
                if values is not None:
                    cell.value = values[j]

    def text(self) -> list[list[str]]:
        """The visible cells' HTML, row by row (for tests)."""
        return [[c.value for c in row] for row in self.cells if row[0].layout.display != "none"]


class TableView:
    """A CellTable filled by ``rows(state)``."""

    def __init__(self, header, rows: Callable[[State], list[list[str]]], css: str, state: State, *,
                 capacity: int | None = None, numeric: tuple[int, ...] = (), title: str | None = None):
        first = rows(state)
        self.rows = rows
        self.table = CellTable(header, capacity or len(first), css, numeric)
        self.table.set(first)
        parts = ([_title(title)] if title else []) + [self.table.widget]
        self.widget = w.VBox(parts)

    def update(self, state: State) -> None:
        self.table.set(self.rows(state))


class TextView:
    """Lines of HTML, one widget each, changed in place: headlines and phrases with live numbers."""

    def __init__(self, lines: Callable[[State], list[str]], css: str, state: State, *, capacity: int | None = None,
                 title: str | None = None):
        first = lines(state)
        self.lines = lines
        self.items = [w.HTML() for _ in range(capacity or len(first))]
        box = w.VBox(self.items)
        box.add_class(css)
        self.widget = w.VBox(([_title(title)] if title else []) + [box])
        self.update(state)

    def update(self, state: State) -> None:
        values = self.lines(state)
        for i, item in enumerate(self.items):
            item.layout.display = None if i < len(values) else "none"
            item.value = values[i] if i < len(values) else ""

    def text(self) -> list[str]:
        return [item.value for item in self.items if item.layout.display != "none"]


def _title(text: str) -> w.HTML:
    title = w.HTML(_esc(text))
    title.add_class("dk-title")
    return title


# --- the numbers each section shows (words only; the math is in capacity/analysis) -------------

def capacity_rows(state: State) -> list[list[str]]:
    """The capacity block of section 1, one row per figure."""
    cap = state.cap
    rows = []
    if cap.users is not None:
        rows.append(["Users", q.say_count(cap.users)])
    if cap.daily_active_users is not None:
        rows.append(["Daily active", q.say_count(cap.daily_active_users)])
    rows += [
        ["Requests/day", q.say_count(cap.requests_per_day)],
        ["QPS (average)", q.say_qps(cap.qps_average)],
        ["QPS (peak)", f"{q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)"],
        ["Reads/s", f"{q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak"],
        ["Writes/s", f"{q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak"],
        ["Storage per day", q.say_bytes(cap.storage_per_day_bytes)],
        [f"Storage over {q.say_days(cap.retention_days)}",
         f"{q.say_bytes(cap.storage_total_bytes)} ({q.say_bytes(cap.storage_replicated_bytes)} with "
         f"{cap.replication_factor}x replication)"],
        ["Bandwidth", f"{q.say_bandwidth(cap.ingress_bytes_per_second)} in, "
                      f"{q.say_bandwidth(cap.egress_bytes_per_second)} out"],
        ["Cache memory", q.say_bytes(cap.cache_memory_bytes)],
        ["App servers at peak", f"{cap.servers_needed} (each {q.say_qps(cap.server_qps, approx=False)}/s)"],
    ]
    return rows


def fullest(load) -> tuple[float, str]:
    """A component's fullest limit: (utilization at peak, what fills: requests, writes, disk...)."""
    lim = max(load.limits, key=lambda lim: lim.utilization)
    return lim.utilization, METRIC_WORDS.get(lim.metric, lim.metric)


def load_rows(state: State) -> list[list[str]]:
    """Per component: peak load, what it has, how full (coloured), what it needs, when it breaks."""
    a, cap = state.analysis, state.cap
    target = a.settings.target_utilization
    rows = []
    for load in a.loads:
        util, what = fullest(load)
        needed = f"{load.replicas_needed} replica{'s' if load.replicas_needed != 1 else ''}"
        if load.shards_needed is not None and load.shards_needed > load.shards:
            needed += f", {load.shards_needed} shards"
        have = f"{load.replicas}" + (f" x {load.shards} shards" if load.shards > 1 else "")
        rows.append([_esc(load.name), q.say_qps(load.qps_peak) + "/s", have,
                     f"{utilization_badge(util, target)} {what}", needed,
                     say_users_at(load.break_multiplier, cap)])
    return rows


def threshold_rows(state: State) -> list[list[str]]:
    """Each scaling step, earliest first: who, what step, at which scale (due now in red)."""
    cap = state.cap
    rows = []
    for t in sorted(state.analysis.thresholds, key=lambda t: t.multiplier):
        when = say_users_at(t.multiplier, cap) + f" ({q.say_qps(t.qps)} QPS)"
        if t.reached:
            when = f'<span style="color:{charts.COLORS["bad"]};font-weight:600">due now</span> ({when})'
        rows.append([_esc(t.component), _esc(t.step), METRIC_WORDS.get(t.metric, t.metric), when])
    return rows


def break_lines(state: State) -> list[str]:
    """What breaks first at 10x and 100x today's scale, in words."""
    a, cap = state.analysis, state.cap
    lines = []
    for bp in a.break_points:
        scale = f"{bp.factor:g}x today"
        if cap.users is not None:
            scale += f" ({q.say_count(cap.users * bp.factor)} users)"
        if not bp.breaking:
            lines.append(f"At {scale}: <b>nothing breaks</b>.")
            continue
        first = bp.breaking[0]
        more = f", then {len(bp.breaking) - 1} more" if len(bp.breaking) > 1 else ""
        lines.append(f"At {scale}: <b>{_esc(first.component)}</b> breaks first "
                     f"({METRIC_WORDS.get(first.metric, first.metric)} full at "
                     f"{say_users_at(first.multiplier, cap)}){more}.")
    return lines


def queue_rows(state: State) -> list[list[str]]:
    """The busiest pools' M/M/c operating points: utilization, chance to wait, response time."""
    points = sorted(state.analysis.queueing, key=lambda qp: -qp.point.utilization)[:5]
    target = state.analysis.settings.target_utilization
    rows = []
    for qp in points:
        p = qp.point
        response = f"{p.slowdown:.2g}x service time" if p.stable else "unbounded (queue grows)"
        rows.append([_esc(qp.component), METRIC_WORDS.get(qp.metric, qp.metric), f"{p.servers}",
                     utilization_badge(p.utilization, target), say_share(min(p.wait_probability, 1.0)),
                     response])
    return rows


def _say_seconds(value) -> str:
    return "none" if value is None else q.say_seconds(value)


def scenario_rows(state: State) -> list[list[str]]:
    """The failure scenarios: who, requests failing during and after failover, data lost, recovery."""
    rows = []
    for s in state.analysis.scenarios:
        loss = "unbounded (no copy)" if s.data_loss is None else (
            "none" if s.data_loss == 0 else f"{q.say_seconds(s.data_loss)} of writes")
        if s.data_loss_writes:
            loss += f" (~{q.say_count(s.data_loss_writes, approx=False)} writes)"
        if s.recovery_seconds is None:
            recovery = "until repaired"
        else:
            ok = s.recovery_seconds <= s.rto_seconds
            colour = charts.COLORS["ok"] if ok else charts.COLORS["bad"]
            recovery = f'<span style="color:{colour};font-weight:600">{q.say_seconds(s.recovery_seconds)}</span>'
        survives = "yes" if s.survives else f'<span style="color:{charts.COLORS["bad"]}">no</span>'
        if s.survivors_utilization is not None:
            survives += f" ({say_share(s.survivors_utilization)} busy)"
        rows.append([_esc(s.name), _esc(s.component or "everything"), say_share(s.affected_share),
                     say_share(s.lasting_share), loss, recovery, survives])
    return rows


def path_lines(state: State) -> list[str]:
    """Availability of each path against the SLO, in minutes of downtime."""
    a = state.analysis
    lines = []
    for label, path in (("Read path", a.read_path), ("Write path", a.write_path)):
        if path is None:
            continue
        b = path.budget
        verdict = (f'<span style="color:{charts.COLORS["ok"]}">within</span>' if b.met else
                   f'<span style="color:{charts.COLORS["bad"]};font-weight:600">over</span>')
        lines.append(f"{label}: <b>{q.say_percent(round(path.availability, 6))}</b> available, "
                     f"down about {q.say_seconds(path.downtime.year * 60)} a year; {verdict} the "
                     f"{q.say_percent(b.slo)} SLO, which allows {q.say_seconds(b.allowed_minutes_per_month * 60)} "
                     f"a month (expected: {q.say_seconds(b.expected_minutes_per_month * 60)})")
    return lines


def first_break(state: State):
    """(component load, multiplier, what fills) for whatever fills first at any scale, or None."""
    loads = [load for load in state.analysis.loads if math.isfinite(load.break_multiplier)]
    if not loads:
        return None
    load = min(loads, key=lambda load: load.break_multiplier)
    lim = load.breaking_limit
    return load, load.break_multiplier, METRIC_WORDS.get(lim.metric, lim.metric)


def phrase_lines(state: State) -> list[str]:
    """Sentences to say in the interview, with today's numbers in them."""
    cap, a = state.cap, state.analysis
    s = state.spec.scale
    lines = []
    if cap.users is not None:
        lines.append(f'"We are designing for <b>{q.say_count(cap.users)}</b> users, '
                     f'<b>{q.say_count(cap.daily_active_users)}</b> of them active on a given day."')
    else:
        lines.append(f'"We are designing for <b>{q.say_qps(cap.read_qps_average)}</b> reads and '
                     f'<b>{q.say_qps(cap.write_qps_average)}</b> writes a second on average."')
    lines.append(f'"That is <b>{q.say_qps(cap.qps_average)} QPS</b> on average and '
                 f'<b>{q.say_qps(cap.qps_peak)}</b> at peak, {cap.peak_factor:g}x the average."')
    lines.append(f'"Storage grows <b>{q.say_bytes(cap.storage_per_day_bytes)}</b> a day: '
                 f'<b>{q.say_bytes(cap.storage_total_bytes)}</b> over {q.say_days(cap.retention_days)}, '
                 f'{q.say_bytes(cap.storage_replicated_bytes)} with {s.replication_factor} copies."')
    lines.append(f'"At peak that is <b>{cap.servers_needed}</b> app servers at '
                 f'{q.say_qps(cap.server_qps, approx=False)} requests a second each."')
    found = first_break(state)
    if found:
        load, multiplier, what = found
        when = "already over capacity" if multiplier <= 1 else f"full at {say_times(multiplier)} today"
        lines.append(f'"The first thing to fall over is the <b>{_esc(load.name)}</b> ({what}): {when}, '
                     f'at {say_users_at(multiplier, cap)}."')
    first10 = a.first_to_break(10)
    lines.append(f'"At 10x, <b>{_esc(first10)}</b> breaks first."' if first10 else
                 '"Nothing breaks at 10x today\'s scale."')
    if a.read_path is not None:
        lines.append(f'"Reads are up <b>{q.say_percent(round(a.read_path.availability, 6))}</b> of the time: '
                     f'about {q.say_seconds(a.read_path.downtime.year * 60)} down a year."')
    return lines


def data_rows(state: State) -> list[list[str]]:
    """Section 4: rows a day and over retention, record size, storage with and without copies."""
    cap = state.cap
    return [
        ["Rows written a day", q.say_count(cap.writes_per_day)],
        [f"Rows over {q.say_days(cap.retention_days)}", q.say_count(cap.writes_per_day * cap.retention_days)],
        ["Record size", q.say_bytes(cap.record_size_bytes)],
        ["Storage per day", q.say_bytes(cap.storage_per_day_bytes)],
        ["Storage over retention", q.say_bytes(cap.storage_total_bytes)],
        [f"With {cap.replication_factor} copies", q.say_bytes(cap.storage_replicated_bytes)],
        ["Reads/s at peak", q.say_qps(cap.read_qps_peak)],
        ["Writes/s at peak", q.say_qps(cap.write_qps_peak)],
    ]


def decision_rows(state: State) -> list[list[str]]:
    """Section 5: the numbers design decisions rest on."""
    cap = state.cap
    share = cap.reads_per_day / cap.requests_per_day if cap.requests_per_day else 0.0
    rows = [
        ["Read share", say_share(share)],
        ["Peak QPS", f"{q.say_qps(cap.qps_peak)} ({q.say_qps(cap.read_qps_peak)} reads, "
                     f"{q.say_qps(cap.write_qps_peak)} writes)"],
        [f"Storage over {q.say_days(cap.retention_days)}", q.say_bytes(cap.storage_total_bytes)],
        ["Cache memory (hot set)", q.say_bytes(cap.cache_memory_bytes)],
        ["App servers at peak", str(cap.servers_needed)],
    ]
    found = first_break(state)
    rows.append(["First to break", "nothing" if not found else
                 f"{_esc(found[0].name)} ({found[2]}, at {say_users_at(found[1], cap)})"])
    return rows


def summary_rows(state: State) -> list[list[str]]:
    """Section 9: the headline numbers of the whole article."""
    cap, a = state.cap, state.analysis
    rows = []
    if cap.users is not None:
        rows.append(["Users", q.say_count(cap.users)])
    rows += [
        ["Peak QPS", q.say_qps(cap.qps_peak)],
        [f"Storage over {q.say_days(cap.retention_days)}", q.say_bytes(cap.storage_total_bytes)],
        ["App servers at peak", str(cap.servers_needed)],
        ["Breaks first at 10x", _esc(a.first_to_break(10) or "nothing")],
    ]
    if a.read_path is not None:
        rows.append(["Read path availability", q.say_percent(round(a.read_path.availability, 6))])
    return rows


# --- the views of each section ---------------------------------------------------------------

def _capacity_chart(state: State) -> ChartView:
    return ChartView(charts.CapacityChart(state.cap), "dk-chart-capacity", lambda s: (s.cap,), lambda s: s.cap, state)


def _load_chart(state: State) -> ChartView:
    return ChartView(charts.LoadChart(state.analysis), "dk-chart-load", lambda s: (s.analysis,),
                     lambda s: (s.analysis.loads, s.analysis.settings), state)


def _load_table(state: State) -> TableView:
    return TableView(["Component", "Peak load", "Replicas", "Fullest at peak", "Needs (at 70%)", "Full at"],
                     load_rows, "dk-table-load", state, numeric=(1, 2))


def _scaling_chart(state: State) -> ChartView:
    return ChartView(charts.ScalingChart(state.analysis), "dk-chart-scaling", lambda s: (s.analysis,),
                     lambda s: (s.cap.users, s.analysis.loads), state)


def _latency_chart(state: State) -> ChartView:
    return ChartView(charts.LatencyChart(state.analysis), "dk-chart-latency", lambda s: (s.analysis,),
                     lambda s: s.analysis.queueing, state)


def _availability_chart(state: State) -> ChartView:
    return ChartView(charts.AvailabilityChart(state.analysis), "dk-chart-availability", lambda s: (s.analysis,),
                     lambda s: (s.analysis.components, s.analysis.read_path, s.analysis.write_path,
                                s.analysis.settings), state)


def _limit_count(state: State) -> int:
    return sum(len(load.limits) + 1 for load in state.analysis.loads)


SECTION_VIEWS: dict[int, list[Callable[[State], Any]]] = {
    1: [lambda s: TableView(["Capacity", ""], capacity_rows, "dk-table-capacity", s, capacity=14),
        _capacity_chart],
    2: [_load_chart, _load_table],
    3: [_load_table, _load_chart],
    4: [lambda s: TableView(["Data", ""], data_rows, "dk-table-data", s)],
    5: [lambda s: TableView(["The numbers behind the decisions", ""], decision_rows, "dk-table-decisions", s)],
    6: [lambda s: TextView(break_lines, "dk-breaks", s, title="What breaks first"),
        _scaling_chart,
        lambda s: TableView(["Component", "Step", "Limit", "Due at"], threshold_rows, "dk-table-thresholds", s,
                            capacity=_limit_count(s), title="Scaling thresholds, earliest first"),
        _latency_chart,
        lambda s: TableView(["Component", "Pool", "Servers", "Utilization", "Chance to wait", "Response"],
                            queue_rows, "dk-table-queueing", s, capacity=5, title="Busiest pools (M/M/c)")],
    7: [lambda s: TextView(path_lines, "dk-paths", s, capacity=2, title="Availability"),
        _availability_chart,
        lambda s: TableView(["Scenario", "Hits", "Failing", "After failover", "Data lost", "Recovery",
                             "Survivors cope"], scenario_rows, "dk-table-scenarios", s,
                            capacity=len(s.spec.components) + 6,
                            title=f"Failure scenarios (recovery objective: "
                                  f"{q.say_seconds(s.analysis.settings.rto_seconds)}; requests failing at peak)")],
    8: [lambda s: TextView(phrase_lines, "dk-phrases", s, capacity=8, title="Say it with numbers")],
    9: [lambda s: TableView(["Headline numbers", ""], summary_rows, "dk-table-summary", s)],
}


class LiveSection(w.VBox):
    """What ``live`` returns: the panel above one section's views (``.panel``, ``.views`` for code)."""

    def __init__(self, panel: Panel, section: int, views: list):
        self.panel, self.section, self.views = panel, section, views
        heading = w.HTML(f"<b>Live: {section}. {_esc(SECTIONS[section - 1])}</b>")
        super().__init__([panel.widget, heading, *[view.widget for view in views]])
        self.add_class("dk-live")
        self.add_class(f"dk-section-{section}")


def live(spec: str = "reference", overrides: dict | None = None, *, section: int,
         scheduler: Callable | None = None) -> LiveSection:
    """The shared control panel and section ``section``'s live views, for ``display`` in a notebook."""
    if section not in SECTION_VIEWS:
        raise ValueError(f"section must be 1 to {len(SECTION_VIEWS)}, got {section!r}")
    panel = Panel(spec, overrides, scheduler=scheduler)
    views = [panel.add(factory(panel.state)) for factory in SECTION_VIEWS[section]]
    return LiveSection(panel, section, views)
