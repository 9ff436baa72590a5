"""Live classroom widgets: the panel drives every section's views, in place, with coalesced updates.

ipywidgets works without a frontend, so the panel is driven in-process: move sliders, flush,
and check that readouts, table cells and charts show what estimate/analyze give for the same
inputs.  Also: the CLI path never imports the widgets, and `designkit lab`'s working copy.
"""

import asyncio
import base64
import hashlib
import io
import json
import subprocess
import sys

import ipywidgets
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from designkit.assets import NOTEBOOKS_DIR
from designkit.live import label_baseline, live
from designkit.live.baseline import baseline_note
from designkit.live.controls import grid_125, with_stop
from designkit.live.panel import Panel
from designkit.live.cells import TableView, TextView
from designkit.live.render import ChartView
from designkit.live.scalebar import typed_targets
from designkit.live.scheduling import ManualScheduler
from designkit.live.views import LiveSection, plain
from designkit.views.rows.capacity import capacity_rows
from designkit.model import quantities as q
from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.model.quantities import say_share
from designkit.model.spec import load_spec, read_raw, resolve
from designkit.run.fragments import inline_figures, svg_data_uri
from designkit.views.rows.scaling import METRIC_LABELS


def manual(section, spec="reference", overrides=None):
    """A live section whose updates run only when the test says so."""
    scheduler = ManualScheduler()
    box = live(spec, overrides, section=section, scheduler=scheduler)
    return box, box.panel, scheduler


def view(box, kind, css=None):
    """The first view of ``kind`` (and CSS class) in a live section."""
    for v in box.views:
        if isinstance(v, kind) and (css is None or css in (v.widget._dom_classes if kind is ChartView else
                                                          v.table.widget._dom_classes if kind is TableView
                                                          else v.widget.children[-1]._dom_classes)):
            return v
    raise LookupError(kind)


def load_raw(spec):
    return read_raw(resolve(spec))


def png_pixels(data: bytes) -> np.ndarray:
    """A PNG's RGB pixels, read back with matplotlib's reader."""
    import matplotlib.image
    return (matplotlib.image.imread(io.BytesIO(data), format="png")[..., :3] * 255).round()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def expected(spec, overrides):
    """What the library says for the same inputs: (spec, capacity, analysis)."""
    system = load_spec(spec, overrides)
    cap = estimate(system.scale)
    return system, cap, analyze(system, cap)


# --- building ----------------------------------------------------------------------------------

@pytest.mark.parametrize("section", [pytest.param(s, marks=() if s == 1 else pytest.mark.slow)  # fast loop: one
                                     for s in range(1, 10)])
def test_every_section_has_the_shared_panel_and_its_views(section):
    box, panel, _ = manual(section)
    assert isinstance(box, LiveSection) and isinstance(box, ipywidgets.Widget)
    assert box.children[0] is panel.widget
    assert "dk-panel" in panel.widget._dom_classes
    assert box.views and all(v.widget in box.children for v in box.views)
    _, cap, _ = expected("reference", {})
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak) == "~46K"
    assert panel.overrides() == {}


@pytest.mark.slow  # builds three whole sections
def test_same_controls_in_every_section():
    names = {section: list(manual(section)[1].controls) for section in (1, 6, 9)}
    assert names[1] == names[6] == names[9]
    assert names[1][:9] == ["users", "active", "requests", "ratio", "peak_factor", "record_size", "retention",
                            "hit_ratio", "server_qps"]
    assert "Event Store.replicas" in names[1] and "Event Store.shards" in names[1]
    assert "Event Store.availability" in names[1]


def test_unknown_section_is_refused():
    with pytest.raises(ValueError, match="section must be 1 to 9"):
        live("reference", section=10)


def test_readouts_say_values_like_people_do():
    _, panel, _ = manual(1)
    readouts = {name: c.readout.value for name, c in panel.controls.items()}
    assert readouts["users"] == "100 million"
    assert readouts["active"] == "10% (10 million a day)"
    assert readouts["ratio"] == "0:1 (writes; +0.4 reads/user/day)"   # as Reads/s below says
    assert readouts["record_size"] == "500 bytes"
    assert readouts["retention"] == "5 years"
    assert readouts["server_qps"] == "2K/s per server"
    assert all(c.slider.readout is False for c in panel.controls.values())
    assert "dk-users" in panel.controls["users"].slider._dom_classes
    stops = panel.controls["users"].stops
    assert stops[0] == 1e3 and stops[-1] == 1e10 and 1e8 in stops


def test_spec_values_are_stops_of_their_sliders():
    """The spec's own value is a stop (the browser can only send stops), so showing a panel changes nothing."""
    _, panel, _ = manual(1, "paste-service")
    system = load_spec("paste-service")
    for name in ("reads", "writes", "record_size", "server_qps"):
        control = panel.controls[name]
        assert control.slider.value in control.stops and control.is_log, name
    assert panel.controls["record_size"].slider.value == system.scale.record_size
    panel.controls["record_size"].slider.index = panel.controls["record_size"].slider.index   # a round trip
    assert not panel.controls["record_size"].changed and panel.overrides() == {}


# --- driving the panel ---------------------------------------------------------------------------

def test_users_drive_the_capacity_views_to_the_estimates_numbers():
    box, panel, _ = manual(1)
    table = view(box, TableView).table
    widget, before = table.widget, table.widget.value
    panel.set(users=1e9)
    assert panel.flush()
    overrides = panel.overrides()
    assert overrides == {"users": 1e9, "daily_active_users": 1e8}   # the spec's 10% daily share kept
    _, cap, _ = expected("reference", overrides)
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak) == "~460K"
    assert panel.storage.value == q.say_bytes(cap.storage_total_bytes)
    assert panel.servers.value == str(cap.servers_needed) == "233"   # 1.004e10/86,400 x 4 = 464,815/s / 2K -> 233
    rows = dict(map(tuple, table.text()))
    assert rows["Users"] == "1 billion" and rows["Daily active"] == "100 million"
    assert rows["QPS (peak)"] == f"{q.say_qps(cap.qps_peak)} (4x average)"
    assert rows["Requests/day"] == q.say_count(cap.requests_per_day) == "~10 billion"
    assert table.widget is widget and table.widget.value != before   # the same widget, new text
    assert panel.error == ""


def test_a_slider_move_sends_about_one_message_per_view(monkeypatch):
    # Each message costs the kernel, the server and the browser: a table is one widget, not a
    # widget per cell (section 6 sent 50-70 messages a move that way).
    box, panel, _ = manual(6)
    sent = []
    original = ipywidgets.Widget.send_state
    monkeypatch.setattr(ipywidgets.Widget, "send_state",
                        lambda self, key=None: (sent.append(self), original(self, key)))
    panel.set(users=3e8)
    sent.clear()                                                     # the slider's own move
    assert panel.flush()
    tables = [v for v in box.views if isinstance(v, (TableView, TextView))]
    assert len(tables) >= 6
    readouts = [panel.qps_peak, panel.qps_average, panel.storage, panel.servers, panel.retention_label]
    assert len(sent) <= len(box.views) + len(readouts) + 2           # + the users and daily-active readouts
    assert len({id(widget) for widget in sent}) == len(sent)          # and no widget twice


def test_chart_changes_in_place_no_new_figure():
    box, panel, _ = manual(1)
    chart = view(box, ChartView, "dk-chart-capacity")
    fig, image, before = chart.fig, chart.widget, chart.widget.value
    panel.set(users=3e9)
    panel.flush()
    assert chart.fig is fig and chart.chart.fig is fig and chart.widget is image
    assert bytes(image.value) != bytes(before) and bytes(image.value).startswith(b"\x89PNG")
    assert "dk-chart-capacity" in image._dom_classes
    # The artists show the new estimate: the peak write bar is the peak write QPS.
    _, cap, _ = expected("reference", panel.overrides())
    assert chart.chart.write_bars[1].get_height() == pytest.approx(cap.write_qps_peak)
    renders = chart.renders
    panel.set(**{"Event Store.availability": 0.9999})   # nothing this chart shows: no re-render
    panel.flush()
    assert chart.renders == renders


@pytest.mark.slow  # a whole section 6 panel (three charts); the fast loop keeps test_scalability_views_follow_the_analysis
def test_a_scale_seen_before_is_not_computed_again(monkeypatch):
    # A class goes back and forth: the state (spec, estimate, analysis) of slider values seen
    # before is reused, and it is the same as a fresh one.
    import designkit.live.panel as panel_module
    box, panel, _ = manual(6)
    validated = []
    original = panel_module.validate
    monkeypatch.setattr(panel_module, "validate", lambda *a, **k: (validated.append(a), original(*a, **k))[1])
    panel.set(users=3e9)
    panel.flush()
    at_3e9 = panel.state
    panel.set(users=2e7)
    panel.flush()
    assert len(validated) == 2
    panel.set(users=3e9)
    panel.flush()
    assert len(validated) == 2 and panel.state is at_3e9
    _, cap, analysis = expected("reference", panel.overrides())
    assert panel.state.cap == cap and panel.state.analysis.cost == analysis.cost
    monkeypatch.setattr(panel._states, "size", 5)                    # fewer kept, to see the oldest go
    for users in panel.controls["users"].stops[:8]:                 # more than are kept
        panel.set(users=users)
        panel.flush()
    assert len(panel._states) == 5


def test_a_move_made_before_shows_its_image_again_and_the_artists_follow_when_read():
    # Back at a scale: each chart shows that move's PNG again without moving an artist (the
    # chart's update and scene are most of a move); the artists follow as soon as anyone reads them.
    box, panel, _ = manual(6)
    charts = [v for v in box.views if isinstance(v, ChartView)]
    moves = []
    for chart in charts:
        original = chart._chart.update
        name = type(chart._chart).__name__
        chart._chart.update = lambda *args, original=original, name=name: (moves.append(name), original(*args))[1]
    images, counts = {}, []
    for users in (3e9, 2e7, 3e9, 2e7, 3e9):
        panel.set(users=users)
        panel.flush()
        shown = [bytes(chart.widget.value) for chart in charts]
        assert images.setdefault(users, shown) == shown                 # the same pictures as the first time
        counts.append(len(moves))
    # Moved on the first visits, and where what a chart holds (the cost axis's top, widened at
    # 3e9) made the move another one; then never again.
    assert counts[1] == 2 * len(charts) and counts[2] <= counts[1] + 1 and counts[4] == counts[2]
    assert all(chart.reused >= 2 for chart in charts)
    scaling = view(box, ChartView, "dk-chart-scaling")
    assert scaling.chart.today.get_xdata()[0] == pytest.approx(3e9)    # read: at the shown state
    assert len(moves) == counts[4] + 1
    for chart in charts:                                               # and drawn whole, the same picture
        whole, live_pixels = drawn_by_matplotlib_alone(chart), png_pixels(chart.widget.value)
        assert np.abs(live_pixels - whole)[(whole < 250).any(axis=2)].mean() < 6


@pytest.mark.slow  # draws every chart of a section 6 panel at every users stop
def test_while_idle_the_users_stops_are_worked_out_nearest_first(monkeypatch):
    # Between two moves the kernel works out the states of the other users stops (one per turn
    # of the loop): the next move to any of them validates and analyses nothing.
    import designkit.live.panel as panel_module
    scheduler = ManualScheduler()
    box = live("reference", section=6, scheduler=scheduler, prepare=True)
    panel, control = box.panel, box.panel.controls["users"]
    stops = control.stops
    assert scheduler.pending == 1                                  # one step waits for the loop
    here = stops.index(control.slider.value)
    scheduler.run()
    first = next(iter(reversed(panel._states.values())))
    assert abs(stops.index(first.cap.users) - here) == 1           # the nearest stop first
    assert "analysis" in vars(first)                               # and what the views asked for
    while scheduler.run():
        pass
    charts = [v for v in box.views if isinstance(v, ChartView)]
    assert panel.ahead.prepared == len(stops) - 1
    assert panel.ahead.drawn >= len(stops) - 1                     # each chart's image at every stop
    validated = []
    original = panel_module.validate
    monkeypatch.setattr(panel_module, "validate", lambda *a, **k: (validated.append(a), original(*a, **k))[1])
    for users in (stops[0], stops[-1], stops[len(stops) // 2]):
        while scheduler.run():                                     # the class talks: the work ahead ends
            pass
        renders = [chart.renders for chart in charts]
        panel.set(users=users)
        panel.flush()
        assert [chart.renders for chart in charts] == renders      # nothing drawn: every image was ready
        _, cap, analysis = expected("reference", panel.overrides())
        assert panel.state.cap == cap and "analysis" in vars(panel.state)
        assert panel.state.analysis.cost == analysis.cost
        for chart in charts:                                       # the image made ahead, and the right one
            difference = np.abs(png_pixels(chart.widget.value) - drawn_by_matplotlib_alone(chart))
            assert difference.max() <= 96 and difference.mean() < 1, (users, type(chart.chart).__name__)
    assert validated == []


def test_widget_events_from_another_thread_run_on_the_panels_loop():
    # JupyterLab 4.6 sends widget messages over a kernel subshell, handled on a thread of its own:
    # the panel's handlers hand such an event to the loop the panel was made on, so an update and
    # the work done ahead never run on two threads at once.
    import asyncio
    import threading
    from designkit.live.scheduling import at_home

    def plain(change):
        return change
    assert at_home(plain) is plain                                 # no running loop: the handler itself

    async def main():
        ran = []
        handler = at_home(lambda change: ran.append((change, threading.get_ident())))
        handler("here")                                            # on its own thread: at once
        thread = threading.Thread(target=handler, args=("moved",))
        thread.start()
        thread.join()
        assert ran == [("here", threading.get_ident())]            # not on the subshell's thread
        await asyncio.sleep(0.01)
        return ran

    assert asyncio.run(main()) == [("here", threading.get_ident()), ("moved", threading.get_ident())]


def test_working_ahead_gives_way_to_a_move_and_skips_invalid_scales():
    scheduler = ManualScheduler()
    box = live("reference", section=1, scheduler=scheduler, prepare=True)
    panel = box.panel
    panel.controls["users"].slider.value = panel.controls["users"].stops[0]   # a move is due
    known = len(panel._states)
    for handle in list(scheduler.handles):
        if handle.callback == panel.ahead.step:
            handle.callback()                                      # runs, but leaves the loop to the move
    assert len(panel._states) == known and panel.ahead.prepared == 0
    scheduler.run()                                                # the move
    assert panel.updates == 1
    # Scales whose spec does not validate are skipped, never retried, and never shown.
    from designkit.errors import SpecError
    compute = panel.compute

    def refusing(overrides=None):
        if overrides is not None and overrides.get("users", 0) > 1e9:
            raise SpecError("reference (sliders)", [("scale.users", "too many")])
        return compute(overrides)

    panel.compute = refusing
    while scheduler.run():
        pass
    stops = panel.controls["users"].stops
    assert panel.ahead.prepared == len(stops) - 2                  # all but the spec's scale and the move's
    assert len(panel.ahead._refused) == sum(users > 1e9 for users in stops) > 0
    assert panel.error == ""
    panel.ahead.soon()
    while scheduler.run():
        pass
    assert panel.ahead.prepared == len(stops) - 2                  # nothing left to work out


@pytest.mark.slow  # a whole panel working out every stop ahead, and a fifth more memory allocated
def test_the_garbage_is_collected_while_idle_and_the_collectors_settings_stay():
    # A full collection walks every object the kernel holds (~100 ms beside a chart section): the
    # panel collects everything once built, the young garbage whenever the work ahead runs out, and
    # everything again once the memory in use grew by a fifth, before CPython's own rule would call
    # a full collection on some move.  It only calls gc.collect: the kernel's thresholds, frozen
    # objects and callbacks are left as they were.
    import gc
    import weakref

    from designkit.live import ahead

    class Cycle:
        pass

    def garbage():
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a                                    # only the cyclic collector frees these
        return weakref.ref(a)

    def settings():
        return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count(), list(gc.callbacks)

    before = settings()
    scheduler = ManualScheduler()
    old = garbage()
    box = live("reference", section=1, scheduler=scheduler, prepare=True)
    panel = box.panel
    assert (panel.ahead.tidied, panel.ahead.tidied_fully) == (1, 1) and old() is None   # all, once built
    young = garbage()
    while scheduler.run():                                         # the class talks: the work runs out
        pass
    assert panel.ahead.tidied == 2 and young() is None
    while scheduler.run():
        pass
    assert panel.ahead.tidied == 2                                 # once per update, not on every idle turn
    assert settings() == before
    # Garbage that reached the oldest generation outlives the young collections, and goes at the
    # next full one, which comes once the memory in use grew by GROWTH.
    ahead.tidy(full=True)
    held = [Cycle()]
    held[0].me = held[0]
    oldest = weakref.ref(held[0])
    gc.collect()                                                   # still in use: now in the oldest generation
    del held
    assert not ahead.tidy() and oldest() is not None               # young collection only: still there
    grown = [object() for _ in range(int(sys.getallocatedblocks() * ahead.GROWTH) + 1000)]
    assert ahead.tidy() and oldest() is None and grown             # a fifth more memory: all of it
    assert settings() == before
    # With the collector off (whoever turned it off manages it), nothing is touched.
    gc.disable()
    try:
        off = garbage()
        assert not ahead.tidy(full=True) and off() is not None
    finally:
        gc.enable()
    assert settings() == before
    box.close()


KERNEL_STATE = r"""
import gc, json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()

def state():
    return [gc.isenabled(), list(gc.get_threshold()), gc.get_freeze_count(), [repr(f) for f in gc.callbacks],
            {event: [repr(f) for f in found] for event, found in shell.events.callbacks.items()},
            repr(sys.gettrace()), repr(sys.getprofile())]

before = state()
for cell in ["from designkit import notebook as dk",
             "system = dk.load('reference')",
             "dk.in_class(system, 'reference', {}, section=1, interactive=True)",
             "dk.md(dk.q.say_qps(dk.estimate(system.scale).qps_peak))",
             "from designkit.live import live\nfrom designkit.live.scheduling import ManualScheduler\n"
             "scheduler = ManualScheduler()\nbox = live('reference', section=1, scheduler=scheduler, prepare=True)\n"
             "box.panel.set(users=box.panel.controls['users'].stops[3])\nbox.panel.flush()\n"
             "while scheduler.run(): pass\nassert box.panel.ahead.tidied >= 2"]:
    assert shell.run_cell(cell, silent=True).success, cell
print(json.dumps([before, state()]))
"""


@pytest.mark.slow  # a new interpreter with IPython, a whole panel and its work ahead
def test_importing_designkit_and_showing_a_panel_leave_the_kernel_as_they_found_it():
    # In a new process with an IPython shell: importing designkit, showing a section's panel and
    # moving it (the work ahead and its idle collections included) leave the garbage collector's
    # settings (enabled, thresholds, frozen objects, callbacks), IPython's event callbacks and the
    # trace and profile hooks as they were.
    done = subprocess.run([sys.executable, "-c", KERNEL_STATE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = json.loads(done.stdout.splitlines()[-1])
    assert before[0] is True and before[2] == 0                    # the test starts from Python's defaults
    assert after == before


def widgets_under(widget) -> list:
    """``widget`` and every widget below it, layouts and styles included."""
    found = [widget] + [part for part in (getattr(widget, "layout", None), getattr(widget, "style", None))
                        if isinstance(part, ipywidgets.Widget)]
    for child in getattr(widget, "children", ()):
        found += widgets_under(child)
    return found


@pytest.mark.slow  # four whole panels, three of them section 6
def test_running_a_live_cell_again_closes_the_section_it_replaces():
    # ipywidgets keeps every widget until it is closed, so a cell run again would keep the old
    # panel and its charts (~30 MB for section 6) for the kernel's life.  The same spec, overrides
    # and section replace it: every widget of the old one is closed and it is freed.
    import gc
    import weakref
    first = live("reference", section=6, scheduler=ManualScheduler())
    other_section = live("reference", section=1, scheduler=ManualScheduler())
    other_scale = live("reference", {"users": 1e9}, section=6, scheduler=ManualScheduler())
    old = widgets_under(first)
    assert len(old) > 50 and all(widget.comm is not None for widget in old)
    gone = weakref.ref(first.panel)
    again = live("reference", section=6, scheduler=ManualScheduler())
    assert all(widget.comm is None for widget in old)                # closed, children and layouts too
    for kept in (other_section, other_scale, again):                  # another section or scale: kept
        assert all(widget.comm is not None for widget in widgets_under(kept))
    del first, old
    gc.collect()
    assert gone() is None                                             # and freed
    again.panel.set(users=again.panel.controls["users"].stops[0])
    assert again.panel.flush() and again.panel.updates == 1           # the new one works
    other_scale.close()
    assert all(widget.comm is None for widget in widgets_under(other_scale))


def test_burst_of_100_changes_is_one_update_and_exact():
    box, panel, scheduler = manual(1)
    users = panel.controls["users"].slider
    stops = panel.controls["users"].stops                      # what a browser can send
    values = [stops[(i * 7) % len(stops)] for i in range(100)]
    for value in values:
        users.value = value
    assert scheduler.pending == 1 and panel.updates == 0        # one update scheduled, nothing queued
    scheduler.run()
    assert panel.updates == 1
    _, cap, _ = expected("reference", {"users": values[-1], "daily_active_users": values[-1] / 10})
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak)
    assert panel.state.cap == cap


def test_throttle_keeps_only_the_newest_value_between_updates():
    """Events 2 ms apart for 200 ms, updates at most every 20 ms: a handful, ending exact."""
    now = [0.0]
    due = []

    def schedule(delay, callback):
        handle = ManualScheduler.Handle(delay, callback)
        due.append((now[0] + delay, handle))
        return handle

    panel = Panel("reference", scheduler=schedule, clock=lambda: now[0], min_interval=0.02)
    users = panel.controls["users"].slider
    stops = panel.controls["users"].stops                      # what a browser can send
    values = [stops[(i * 7) % len(stops)] for i in range(100)]
    for value in values:
        users.value = value
        now[0] += 0.002
        for at, handle in [d for d in due if d[0] <= now[0]]:
            due.remove((at, handle))
            if not handle.cancelled:
                handle.callback()
    for at, handle in due:
        if not handle.cancelled:
            now[0] = max(now[0], at)
            handle.callback()
    assert 5 <= panel.updates <= 12
    assert panel.state.overrides["users"] == values[-1]
    _, cap, _ = expected("reference", {"users": values[-1], "daily_active_users": values[-1] / 10})
    assert panel.state.cap == cap


@pytest.mark.slow  # 100 slider moves on a real loop
def test_coalescing_on_a_real_asyncio_loop():
    async def drive():
        box = live("reference", section=1)           # the default scheduler: the running loop
        panel = box.panel
        users = panel.controls["users"].slider
        for i in range(100):
            users.value = users.options[i % len(users.options)][1]
            await asyncio.sleep(0)
        while panel._dirty or panel._handle is not None:
            await asyncio.sleep(0.005)
        return panel, users.value

    panel, last = asyncio.run(drive())
    assert 1 <= panel.updates <= 5
    _, cap, _ = expected("reference", {"users": last, "daily_active_users": last / 10})
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak)


def test_without_an_event_loop_updates_apply_at_once():
    panel = Panel("reference")                        # plain Python: no loop, no scheduler
    panel.set(users=2e8)
    assert panel.updates == 1 and panel.qps_peak.value == q.say_qps(expected(
        "reference", {"users": 2e8, "daily_active_users": 2e7})[1].qps_peak)


def test_reset_restores_the_spec():
    box, panel, _ = manual(1)
    panel.set(users=5e9, active=0.5, peak_factor=8.0, record_size=2000.0, **{"Event Store.replicas": 9})
    panel.flush()
    assert panel.qps_peak.value != "~46K"
    panel.reset_button.click()
    assert panel.overrides() == {}
    assert all(not c.changed for c in panel.controls.values())
    assert panel.qps_peak.value == "~46K" and panel.state.spec == load_spec("reference")
    assert panel.controls["users"].readout.value == "100 million"


def test_daily_actives_never_exceed_users():
    """Users below the spec's daily actives: the share is kept, so daily actives follow, no error."""
    box, panel, _ = manual(1)
    panel.set(users=1e3)
    panel.flush()
    assert panel.error == ""
    assert panel.state.cap.daily_active_users == pytest.approx(100)
    panel.set(active=1.0)
    panel.flush()
    assert panel.state.cap.daily_active_users == pytest.approx(1e3) and panel.error == ""


def test_an_invalid_spec_is_shown_not_raised(monkeypatch):
    box, panel, _ = manual(1)
    state = panel.state
    monkeypatch.setattr(panel, "overrides", lambda: {"peak_factor": "lots"})
    panel.set(users=2e8)
    assert panel.flush()
    assert "scale.peak_factor" in panel.error and "scale.peak_factor" in panel.error_box.value
    assert panel.state is state and panel.qps_peak.value == "~46K"   # views keep the last valid spec
    monkeypatch.undo()
    panel.set(users=3e8)
    panel.flush()
    assert panel.error == "" and panel.error_box.value == ""


def test_totals_form_offers_reads_and_writes():
    box, panel, _ = manual(1, "url-shortener")
    assert "reads" in panel.controls and "writes" in panel.controls and "users" not in panel.controls
    assert panel.controls["reads"].readout.value == q.say_qps(1e9 / q.DAY_SECONDS) + "/s"
    panel.set(reads=50_000.0, writes=2_000.0)
    panel.flush()
    overrides = panel.overrides()
    assert overrides == {"reads": "50000.0/s", "writes": "2000.0/s"}
    _, cap, _ = expected("url-shortener", overrides)
    assert cap.qps_average == pytest.approx(52_000)
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak) == "~100K"
    rows = dict(map(tuple, view(box, TableView).table.text()))
    assert "Users" not in rows and rows["Reads/s"].startswith("50K average")


def test_component_controls_change_the_analysis():
    box, panel, _ = manual(2)
    panel.set(**{"Event Store.shards": 8, "Collector API.replicas": 60, "hit_ratio": 0.5})
    panel.flush()
    overrides = panel.overrides()
    assert overrides == {"components.Event Store.shards": 8, "components.Collector API.replicas": 60,
                         "components.Query Cache.hit_ratio": 0.5}
    _, _, analysis = expected("reference", overrides)
    assert panel.state.analysis == analysis
    rows = {row[0]: row for row in view(box, TableView).table.text()}
    for load in analysis.loads:   # the article's words for utilization, in a badge
        said = f"{say_share(load.utilization_average)} / {say_share(load.utilization)}"
        assert rows[load.name][3].endswith(f">{said}</span>")
    assert rows["Collector API"][2] == "60"


def test_load_view_colours_and_numbers_follow_users():
    box, panel, _ = manual(2)
    chart = view(box, ChartView, "dk-chart-load")
    panel.set(users=1e7)
    panel.flush()
    _, _, analysis = expected("reference", panel.overrides())
    for bar, load in zip(chart.chart.bars, analysis.loads):
        util = max(lim.utilization for lim in load.limits)
        assert bar.get_width() == pytest.approx(min(util, 3.0) * 100)
    rows = {row[0]: row for row in view(box, TableView).table.text()}
    collector = analysis.load("Collector API")
    assert rows["Collector API"][1] == q.say_qps(collector.qps_peak)
    assert "#55A868" in rows["Collector API"][3]                    # 6% busy: green
    panel.set(users=3e8)
    panel.flush()
    rows = {row[0]: row for row in view(box, TableView).table.text()}
    assert "#C44E52" in rows["Collector API"][3]                    # 190% busy: red


def test_scalability_views_follow_the_analysis():
    box, panel, _ = manual(6)
    panel.set(users=3e7, **{"Event Store.shards": 64})
    panel.flush()
    _, cap, analysis = expected("reference", panel.overrides())
    today, envelope, *breaks = view(box, TextView).text()
    assert plain(today).startswith(f"Today here is the sliders' setting ({q.say_count(cap.users)} users")
    assert plain(envelope).startswith(f"Envelope: sized for up to {q.say_times(analysis.envelope.multiplier)} "
                                      "today's traffic (")
    first10 = analysis.first_to_break(10)
    assert f"<b>{first10}</b> breaks first" in breaks[0]
    assert plain(breaks[0]).startswith(f"At 10x ({q.say_count(cap.users * 10)} users)")
    thresholds = view(box, TableView, "dk-table-thresholds").table.text()
    assert [row[:2] for row in thresholds] == [[t.component, t.step] for t in analysis.thresholds]
    scaling = view(box, ChartView, "dk-chart-scaling")
    assert scaling.chart.today.get_xdata()[0] == pytest.approx(cap.users)     # the current scale marked
    queue = view(box, TableView, "dk-table-queueing").table.text()
    busiest = max(analysis.queueing, key=lambda qp: qp.point.utilization)
    row = next(row for row in queue if row[0] == busiest.component)
    assert row[1] == f"{busiest.point.servers} ({METRIC_LABELS[busiest.metric]})"


def test_reliability_views_follow_the_analysis():
    box, panel, _ = manual(7)
    panel.set(**{"Stream Processor.replicas": 12, "Event Store.availability": 0.99})
    panel.flush()
    _, _, analysis = expected("reference", panel.overrides())
    rows = view(box, TableView, "dk-table-scenarios").table.text()
    assert [r[0] for r in rows] == [s.name + (f" ({s.component})" if s.component else "")
                                    for s in analysis.scenarios]
    assert [r[1].split(" of requests")[0] for r in rows] == [say_share(s.affected_share) for s in analysis.scenarios]
    paths = view(box, TableView, "dk-paths").table.text()
    assert paths[0][1] == q.say_availability(analysis.read_path.availability)
    assert paths[1][1] == q.say_availability(analysis.write_path.availability)


def test_phrases_and_compact_views_carry_live_numbers():
    for section, needle in ((8, "peak QPS"), (4, "Writes/day"), (5, "Read share"), (9, "QPS (peak)")):
        box, panel, _ = manual(section)
        panel.set(users=2e9)
        panel.flush()
        _, cap, _ = expected("reference", panel.overrides())
        v = box.views[0]
        text = " ".join(v.text()) if isinstance(v, TextView) else " ".join(" ".join(r) for r in v.table.text())
        assert needle in text and q.say_qps(cap.qps_peak) in text
    box, panel, _ = manual(4)
    rows = dict(map(tuple, box.views[0].table.text()))
    assert rows["Writes/day"] == "1 billion"
    assert rows["Rows, 5-year total"] == q.say_count(1e9 * 5 * q.YEAR_DAYS)
    _, cap, _ = expected("reference", panel.overrides())
    block = dict(map(tuple, capacity_rows(cap).texts()))
    assert rows["Daily growth"] == block["Daily growth"] and rows["Per record"] == block["Per record"]  # the article's words


def test_notebook_overrides_are_the_starting_point():
    box, panel, _ = manual(1, "reference", {"users": "1 billion", "daily_active_users": "100 million"})
    assert panel.controls["users"].readout.value == "1 billion"
    assert panel.qps_peak.value == "~460K"
    panel.set(peak_factor=2.0)
    panel.flush()
    assert panel.overrides() == {"users": "1 billion", "daily_active_users": "100 million", "peak_factor": 2.0}
    assert panel.qps_peak.value == "~230K"


# --- sliders people can land on: the 1-2-5 grid, x10 / ÷10, the typed box -----------------------

def test_grid_steps_one_two_five_per_decade():
    assert grid_125(1e3, 1e5) == [1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5]
    assert grid_125(0.001, 0.01) == [0.001, 0.002, 0.005, 0.01]       # no 0.0020000000000000005
    assert grid_125(3, 40) == [5.0, 10.0, 20.0]
    assert with_stop([1.0, 2.0, 5.0], 3.3) == [1.0, 2.0, 3.3, 5.0]
    assert with_stop([1.0, 2.0], 2.0 * (1 + 1e-12)) == [1.0, 2.0]
    with pytest.raises(ValueError):
        grid_125(10, 1)


def test_three_arrow_presses_are_ten_times_the_users():
    """The users slider is 1-2-5: from the spec's 100 million, three steps right are 1 billion."""
    box, panel, scheduler = manual(1)
    users = panel.controls["users"].slider
    stops = panel.controls["users"].stops
    assert stops[stops.index(1e8):stops.index(1e8) + 4] == [1e8, 2e8, 5e8, 1e9]
    users.index += 3                              # what three ArrowRight presses send from the browser
    scheduler.run()
    _, cap, _ = expected("reference", {"users": 1e9, "daily_active_users": 1e8})
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak) == "~460K"
    assert panel.controls["users"].readout.value == "1 billion"


def test_off_grid_spec_value_is_a_stop_and_typed_values_become_stops():
    box, panel, scheduler = manual(1, "reference", {"users": "130 million", "daily_active_users": "13 million"})
    control = panel.controls["users"]
    assert control.slider.value == 1.3e8 and 1.3e8 in control.stops and not control.changed
    panel.scale_bar.go_to("3.7 billion")
    scheduler.run()
    assert 3.7e9 in control.stops and control.slider.value == 3.7e9
    assert panel.overrides()["users"] == 3.7e9
    assert control.readout.value == "3.7 billion"
    assert panel.updates == 1                     # new options and value: one update, not two


def test_buttons_multiply_and_divide_the_traffic_by_ten():
    box, panel, scheduler = manual(1)
    panel.scale_bar.up.click()
    scheduler.run()
    assert panel.overrides() == {"users": 1e9, "daily_active_users": 1e8}
    panel.scale_bar.down.click()
    panel.scale_bar.down.click()
    scheduler.run()
    assert panel.overrides() == {"users": 1e7, "daily_active_users": 1e6}
    _, cap, _ = expected("reference", panel.overrides())
    assert panel.qps_peak.value == q.say_qps(cap.qps_peak)
    box, panel, scheduler = manual(1, "url-shortener")         # totals: reads and writes together
    reads, writes = (panel.controls[n].slider.value for n in ("reads", "writes"))
    panel.scale_bar.up.click()
    scheduler.run()
    assert panel.controls["reads"].slider.value == pytest.approx(reads * 10)
    assert panel.controls["writes"].slider.value == pytest.approx(writes * 10)


def test_typed_ten_x_is_the_cli_scale_override():
    """'10x' in the box means what `-p scale=10x` means: the spec's traffic times ten."""
    for spec in ("reference", "url-shortener"):
        box, panel, scheduler = manual(1, spec)
        panel.scale_bar.box.value = "10x"         # what typing and Enter send
        scheduler.run()
        system, cap, _ = expected(spec, {"scale": "10x"})
        assert panel.state.cap.qps_peak == pytest.approx(cap.qps_peak, rel=1e-9), spec
        assert panel.qps_peak.value == q.say_qps(cap.qps_peak)
        assert panel.scale_bar.box.value == "" and panel.scale_bar.message.value == ""
    box, panel, scheduler = manual(1)
    panel.scale_bar.box.value = "1 billion"
    scheduler.run()
    assert panel.overrides() == {"users": 1e9, "daily_active_users": 1e8}


@pytest.mark.parametrize("text, words", [
    ("lots", "a count like '100 million'"), ("-3x", "positive multiple"), ("0 users", "a count like"),
    ("5 GB", "size unit"), ("0.5", "at least one user"),
])
def test_typed_nonsense_is_said_beside_the_box_and_moves_nothing(text, words):
    box, panel, scheduler = manual(1)
    panel.scale_bar.box.value = text
    scheduler.run()
    assert words in panel.scale_bar.message.value and "dk-scale-error" in panel.scale_bar.message.value
    assert panel.overrides() == {} and panel.updates == 0


def test_a_totals_spec_takes_multiples_only():
    with pytest.raises(ValueError, match="not users: type a multiple like '10x'"):
        typed_targets("1 billion", load_raw("url-shortener"), {}, "url-shortener")
    targets = typed_targets("2.5x", load_raw("url-shortener"), {}, "url-shortener")
    system = load_spec("url-shortener")
    assert targets == {"reads": pytest.approx(system.scale.reads * 2.5),
                       "writes": pytest.approx(system.scale.writes * 2.5)}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_typed_text_gives_targets_or_one_sentence(text):
    raw = load_raw("reference")
    try:
        targets = typed_targets(text, raw, {}, "reference")
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
    else:
        assert set(targets) == {"users"} and targets["users"] >= 1


# --- presentation mode --------------------------------------------------------------------------

def test_presentation_toggle_grows_the_page_and_sharpens_the_charts():
    box, panel, _ = manual(1)
    chart = view(box, ChartView, "dk-chart-capacity")
    width = chart.canvas.get_width_height()[0]
    assert "dk-present" not in box._dom_classes and chart.widget.layout.width == f"{width}px"
    panel.present_toggle.value = True
    assert "dk-present" in box._dom_classes and "dk-present" in panel.widget._dom_classes
    assert chart.canvas.get_width_height()[0] == 2 * width and chart.widget.layout.width == "100%"
    assert png_size(chart.widget.value)[0] == 2 * width
    assert "--jp-widgets-font-size: 20px" in panel.widget.children[0].value
    panel.present(False)
    assert "dk-present" not in box._dom_classes and chart.canvas.get_width_height()[0] == width
    assert panel.present_toggle.value is False


@pytest.mark.slow  # a whole section 6 panel (three charts); the fast loop keeps test_scalability_views_follow_the_analysis
def test_lab_present_opens_panels_in_presentation_mode(monkeypatch):
    from designkit.run.lab import lab_environment
    assert lab_environment(True, {"PATH": "/bin"}) == {"PATH": "/bin", "DESIGNKIT_PRESENT": "1"}
    assert lab_environment(False, {"DESIGNKIT_PRESENT": "1"}) == {}
    monkeypatch.setenv("DESIGNKIT_PRESENT", "1")
    box, panel, _ = manual(6)
    assert panel.present_toggle.value and "dk-present" in box._dom_classes
    assert all(v.presenting for v in box.views if isinstance(v, ChartView))


# --- charts keep their story at any scale -------------------------------------------------------

@pytest.mark.slow  # a whole section 6 panel (three charts); the fast loop keeps test_scalability_views_follow_the_analysis
def test_scaling_chart_keeps_today_and_every_marker_in_view_at_ten_billion():
    box, panel, _ = manual(6)
    chart = view(box, ChartView, "dk-chart-scaling").chart
    for users in (1e10, 1e3, 1e8):
        panel.set(users=users)
        panel.flush()
        lo, hi = chart.ax.get_xlim()
        assert lo <= users <= hi and lo <= users * 10 <= hi
        for name, mark in chart.marks.items():
            for x in mark.get_xdata():
                assert lo <= x <= hi, (users, name)
    legend = chart.ax.get_legend().get_window_extent(chart.fig.canvas.get_renderer())
    assert legend.x0 >= chart.ax.get_window_extent(chart.fig.canvas.get_renderer()).x1   # beside, not over


@pytest.mark.slow  # a whole section 6 panel (three charts); the fast loop keeps test_scalability_views_follow_the_analysis
def test_latency_chart_flags_pools_past_the_knee():
    box, panel, _ = manual(6)
    chart = view(box, ChartView, "dk-chart-latency").chart
    panel.set(users=1e10)
    panel.flush()
    points = {qp.component: qp for qp in panel.state.analysis.queueing}
    over = [points[name] for name in chart.names if not points[name].point.stable]
    assert over
    for qp in over:
        (x,), = [chart.crosses[qp.component].get_xdata()]
        assert 100 < x <= chart.ax.get_xlim()[1] and not len(chart.dots[qp.component].get_xdata())
    assert "Past 100%" in chart.ax.get_title() and over[0].component in chart.ax.get_title()


def test_live_chart_lays_out_again_rather_than_cut_a_label():
    box, panel, _ = manual(1)
    chart = view(box, ChartView, "dk-chart-capacity")
    for users in (1e3, 1e10, 2e4, 5e9):
        panel.set(users=users)
        panel.flush()
        pixels = png_pixels(chart.widget.value)
        for edge in (pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]):
            assert (edge >= 250).all(), users                 # no ink on the image's edge: nothing cut


def drawn_by_matplotlib_alone(chart) -> np.ndarray:
    """The chart's figure as matplotlib draws it whole: every artist, the axes' own tick labels, the legends."""
    from designkit.live.layout import moving_artists
    moving = moving_artists(chart.fig)
    legends = [ax.get_legend() for ax in chart.fig.axes if ax.get_legend() is not None] + list(chart.fig.legends)
    chart.ticks.drawn_by_axes(True)
    for artist in moving + legends:
        artist.set_animated(False)
    for legend in legends:
        legend.set_visible(True)
    try:
        buffer = io.BytesIO()
        chart.fig.savefig(buffer, format="png", dpi=chart.fig.dpi)
    finally:
        chart.ticks.drawn_by_axes(False)
        for artist in moving:
            artist.set_animated(True)
        for legend in legends:
            legend.set_visible(False)
    return png_pixels(buffer.getvalue())


TOUR = (3e8, 3e9, 3e8, 5e6, 5e7, 1e10, 2e4, 3e9)    # decades apart, back again, the ends of the slider


@pytest.mark.parametrize("section,ahead", [(1, False),   # fast loop: one
                                           pytest.param(6, False, marks=pytest.mark.slow),
                                           pytest.param(6, True, marks=pytest.mark.slow),
                                           pytest.param(2, False, marks=pytest.mark.slow),
                                           pytest.param(3, False, marks=pytest.mark.slow),
                                           pytest.param(7, False, marks=pytest.mark.slow),
                                           pytest.param(7, True, marks=pytest.mark.slow)])
def test_live_charts_show_what_matplotlib_draws_at_every_stop(section, ahead):
    # The live image is pieced together (a saved frame, tick labels and data drawn over it, text
    # laid from a remembered layout), or was made ahead while idle: after any tour of scales it is
    # the figure matplotlib draws.
    scheduler = ManualScheduler()
    box = live("reference", section=section, scheduler=scheduler, prepare=ahead)
    panel = box.panel
    charts = [v for v in box.views if isinstance(v, ChartView)]
    assert charts
    for users in TOUR:
        panel.set(users=users)
        panel.flush()
        for _ in range(12 if ahead else 0):          # some of the work ahead between two moves
            scheduler.run()
        for chart in charts:
            live_pixels = png_pixels(chart.widget.value)
            whole = drawn_by_matplotlib_alone(chart)
            assert live_pixels.shape == whole.shape
            difference = np.abs(live_pixels - whole)
            ink = (whole < 250).any(axis=2)
            assert difference.max() <= 96, (users, type(chart.chart).__name__)   # text placed to 1/8 px
            assert difference[ink].mean() < 6, (users, type(chart.chart).__name__)
    assert any(chart.blits for chart in charts)       # and frames were reused on the way
    if ahead:
        assert panel.ahead.drawn and any(chart.reused for chart in charts)   # and images made ahead were shown


# --- the live charts' canvas ---------------------------------------------------------------------

def _texts_figure(x_shift: float = 0.0):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 3), dpi=90)
    ax = fig.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title("Cost a month: $5 / $10 tier")             # '$' is text here, not math
    ax.set_ylabel("dollars (log)")
    ax.text(1.5 + x_shift, 2, "  $12.3K a month", fontsize=7, va="center")
    ax.text(2.2, 1.5, "rotated é", rotation=33, fontweight="bold")
    ax.text(0.99, 0.6, "line one\nline two gj", transform=ax.transAxes, ha="right", style="italic")
    ax.text(2.9, 2.9, "clipped at the axes", clip_on=True).set_clip_box(ax.bbox)
    return fig


def test_cached_text_draws_the_same_pixels_as_agg():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from designkit.live.canvas import QuietCanvas, TextCachingRenderer
    from designkit.views.charts.style import house_style
    with house_style():
        plain_canvas = FigureCanvasAgg(_texts_figure())
        plain_canvas.draw()
        expected_pixels = np.asarray(plain_canvas.buffer_rgba()).astype(int)
        ink = (expected_pixels[..., :3] < 250).any(axis=2)
        cached = QuietCanvas(_texts_figure())
        hits = TextCachingRenderer.hits
        frames = []
        for _ in range(2):                           # first draw renders each string, the second reuses it
            cached.draw()
            frames.append(np.asarray(cached.buffer_rgba()).astype(int))
            difference = np.abs(frames[-1] - expected_pixels)[..., :3]
            assert difference.max() <= 64 and difference[ink].mean() < 8   # placed to 1/8 px: edges differ a little
        assert (frames[0] == frames[1]).all()
        assert TextCachingRenderer.hits - hits >= 8  # tick labels, title, texts: laid over, not re-rendered
        moved = QuietCanvas(_texts_figure(x_shift=0.013))   # the same strings a fraction of a pixel over
        moved.draw()
        again = FigureCanvasAgg(_texts_figure(x_shift=0.013))
        again.draw()
        difference = np.abs(np.asarray(moved.buffer_rgba()).astype(int) - np.asarray(again.buffer_rgba()))[..., :3]
        assert difference.max() <= 64 and difference[ink].mean() < 8


@pytest.mark.parametrize("text", ["$12.3K a month", "AVAWATa Yo", "~140K", "Collector API (1286%)", "office fl",
                                  "Ünïcödé", "x"])
def test_a_new_string_is_aggs_own(monkeypatch, text):
    # A new string (a bar label at a new scale) is rendered by Agg on a scratch renderer and laid
    # over with draw_image: at a fine enough sub-pixel grid the pixels are Agg's own.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    import designkit.live.canvas as canvas
    monkeypatch.setattr(canvas, "PHASES", 64)

    def figure():
        fig = Figure(figsize=(3, 1), dpi=90)
        fig.text(0.113, 0.417, text, fontsize=8)
        return fig

    plain = FigureCanvasAgg(figure())
    plain.draw()
    ours = canvas.QuietCanvas(figure())
    ours.draw()
    difference = np.abs(np.asarray(ours.buffer_rgba()).astype(int) - np.asarray(plain.buffer_rgba()))
    assert difference.max() <= 1


def drawable(text: str, math: bool) -> bool:
    """Whether matplotlib itself can draw ``text`` (with ``parse_math`` as given): '$$' as math cannot."""
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure(figsize=(1, 1), dpi=30)
    fig.text(0, 0, text, parse_math=math)
    try:
        FigureCanvasAgg(fig).draw()
    except ValueError:                                      # mathtext that does not parse
        return False
    return True


@given(text=st.text(max_size=30), angle=st.sampled_from([0, 33, 90]), size=st.sampled_from([7, 9, 24]),
       math=st.booleans())
@example(text="$$", angle=0, size=7, math=False)           # the house style draws spec text as written
@example(text="$x^2$ of $5", angle=33, size=9, math=True)
@settings(max_examples=40, deadline=None)
def test_any_text_is_drawn_as_agg_draws_it(text, angle, size, math):
    # Component names are spec text: whatever they hold, the cached ink matches Agg's own.  The
    # house style draws them as written (text.parse_math off); math is drawn too where it parses.
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from designkit.live.canvas import QuietCanvas

    def figure():
        fig = Figure(figsize=(3, 2), dpi=90)
        fig.text(0.3, 0.4, text, rotation=angle, fontsize=size, parse_math=math)
        return fig

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                    # glyphs missing from DejaVu Sans
        assume(drawable(text, math))
        pixels = []
        for canvas in (FigureCanvasAgg(figure()), QuietCanvas(figure()), QuietCanvas(figure())):
            canvas.draw()
            pixels.append(np.asarray(canvas.buffer_rgba()).astype(int))
    for cached in pixels[1:]:
        difference = np.abs(cached - pixels[0])[..., :3]
        assert difference.max() <= 64 and difference.mean() < 2


def text_canvas(text, x, y, **props):
    """A blank live canvas holding one text at figure position (x, y): (canvas, the text)."""
    from matplotlib.figure import Figure
    from designkit.live.canvas import QuietCanvas
    fig = Figure(figsize=(3, 2), dpi=90)
    label = fig.text(x, y, text, **props)
    canvas = QuietCanvas(fig)
    canvas.get_renderer().clear()
    return canvas, label


@given(text=st.text(max_size=25), angle=st.sampled_from([0, 33, 90]), size=st.sampled_from([7, 9, 20]),
       ha=st.sampled_from(["left", "center", "right"]), va=st.sampled_from(["baseline", "center", "top", "bottom"]),
       where=st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)))
@example(text="$$", angle=0, size=7, ha="left", va="baseline", where=(0.5, 0.5))
@settings(max_examples=40, deadline=None)
def test_a_text_drawn_from_its_remembered_layout_is_where_matplotlib_draws_it(text, angle, size, ha, va, where):
    # A tick label or bar label moves with the scale; drawn from the layout remembered at its
    # last place, it lands where Text.draw puts it (spec names are user text: any text at all,
    # drawn as written as the house style draws it).
    import warnings
    from designkit.live.canvas import TextLayouts

    def canvas_with(x, y):
        return text_canvas(text, x, y, rotation=angle, fontsize=size, ha=ha, va=va, parse_math=False)

    layouts = TextLayouts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                    # glyphs missing from DejaVu Sans
        first, label = canvas_with(0.3, 0.4)
        layouts.draw(label, first.get_renderer())           # laid out by Text.draw, and remembered
        moved, label = canvas_with(*where)
        layouts.draw(label, moved.get_renderer())           # from the remembered layout
        fresh, label = canvas_with(*where)
        label.draw(fresh.get_renderer())                    # what matplotlib does
    ours = np.asarray(moved.buffer_rgba()).astype(int)
    theirs = np.asarray(fresh.buffer_rgba()).astype(int)
    difference = np.abs(ours - theirs)
    assert difference.max() <= 64 and difference.mean() < 1


def test_house_style_restores_the_kernels_own_settings_and_nests():
    import matplotlib

    from designkit.views.charts.style import house_style
    with matplotlib.rc_context({"font.size": 15, "axes.grid": False}):
        with house_style():
            assert matplotlib.rcParams["font.size"] == 9 and matplotlib.rcParams["axes.grid"]
            with house_style():
                assert matplotlib.rcParams["font.size"] == 9
            assert matplotlib.rcParams["font.size"] == 9      # the inner block left the style on
        assert matplotlib.rcParams["font.size"] == 15 and not matplotlib.rcParams["axes.grid"]
        with pytest.raises(ZeroDivisionError), house_style():
            raise ZeroDivisionError
        assert matplotlib.rcParams["font.size"] == 15


# --- one truth per output -----------------------------------------------------------------------

def published(shell, cells: list[str]) -> list[list[dict]]:
    """What each cell run in ``shell`` shows through IPython's display machinery (mimebundles)."""
    shown: list[list[dict]] = []
    monkey = shell.display_pub.publish
    shell.display_pub.publish = lambda data, **kw: shown[-1].append(data)
    try:
        for cell in cells:
            shown.append([])
            assert shell.run_cell(cell).success, cell
    finally:
        shell.display_pub.publish = monkey
    return shown


def test_what_designkit_shows_below_the_panel_says_it_is_the_baseline():
    # Labelled by what designkit itself shows (its Markdown, fragments, figures, practice), never by
    # hooking the student's cells: a cell of the student's own shows what it shows.
    from IPython.core.interactiveshell import InteractiveShell
    from designkit.live import baseline
    shell = InteractiveShell.instance()
    callbacks = {event: list(found) for event, found in shell.events.callbacks.items()}
    shell.user_ns.update(system=load_spec("reference"))
    try:
        shown = published(shell, [
            "from designkit import notebook as dk",
            "dk.md('**~46K** QPS at peak')",                                  # no panel above: no note
            "from designkit.live import label_baseline\nlabel_baseline(system)",
            "dk.md('**~46K** QPS at peak')",
            "dk.emit(1, 'The section')",
            "cap = dk.estimate(system.scale)\nfrom IPython.display import display\ndisplay(cap.qps_peak)",
            "dk.in_class(system, 'reference', {}, section=1, interactive=False)",  # headless: no panel, no note
            "dk.md('**~46K**')"])
    finally:
        baseline.unlabel()
    note = baseline_note(load_spec("reference"))
    kinds = [[bundle["text/plain"][:14] if "text/html" in bundle else
              "text/markdown" if "text/markdown" in bundle else "text/plain" for bundle in cell] for cell in shown]
    assert kinds == [[], ["text/markdown"], [], ["Spec baseline:", "text/markdown"],
                     ["Spec baseline:", "text/markdown"], ["text/plain"], [], ["text/markdown"]]
    assert shown[3][0]["text/plain"] == note and shown[3][1]["text/markdown"] == "**~46K** QPS at peak"
    assert shown[4][1]["application/vnd.designkit.fragment+json"] == {"section": 1, "markdown": "The section"}
    assert {event: list(found) for event, found in shell.events.callbacks.items()} == callbacks


@settings(max_examples=40, deadline=None)
@given(name=st.text(min_size=1, max_size=40))
def test_the_baseline_note_escapes_the_specs_name(name):
    import html
    import types
    from IPython.core.interactiveshell import InteractiveShell
    from designkit.live import baseline
    system = types.SimpleNamespace(name=name, scale=load_spec("reference").scale)
    assert baseline_note(system).startswith(f"Spec baseline: {name} at 100 million users")
    label_baseline(system)
    try:
        (shown,) = published(InteractiveShell.instance(), ["from designkit.live import baseline\nbaseline.mark()"])
    finally:
        baseline.unlabel()
    markup = shown[0]["text/html"]
    assert markup.endswith(f">{html.escape(baseline_note(system))}</div>") and markup.count("<") == 2


# --- figures show wherever an executed notebook is opened -----------------------------------------

def test_shown_fragment_inlines_figures_and_the_article_keeps_links():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'
    md = "Text\n\n![Scaling of X](figures/scaling.svg)\n\n![Other](figures/other.svg)"
    shown = inline_figures(md, {"scaling": svg})
    assert "figures/scaling.svg" not in shown and "![Other](figures/other.svg)" in shown
    uri = shown.split("](", 1)[1].split(")", 1)[0]
    assert uri == svg_data_uri(svg) and base64.b64decode(uri.split(",", 1)[1]).decode() == svg
    import nbformat

    from designkit.run.fragments import FRAGMENT_MIME, collect
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": shown, FRAGMENT_MIME: {"section": 6, "markdown": md}})])])
    assert collect(nb)[0][0].markdown == md


# --- the CLI path stays light; `designkit lab` ---------------------------------------------------

def test_cli_and_estimate_never_import_the_widgets():
    code = ("import sys; from designkit.cli import main; main(['estimate', 'reference']); "
            "main(['validate', 'reference']); import designkit, designkit.model.capacity, designkit.views.pages.article; "
            "print([m for m in ('ipywidgets', 'designkit.live', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_lab_help():
    out = subprocess.run([sys.executable, "-m", "designkit", "lab", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for option in ("--port", "--no-browser", "--dir", "--present", "reference"):
        assert option in out.stdout


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def test_lab_working_copy_selects_the_spec_and_leaves_notebooks_alone(tmp_path):
    import nbformat

    from designkit.run.lab import lab_command, working_copy
    before = _digest(NOTEBOOKS_DIR)
    copies = working_copy("paste-service", tmp_path / "lab")
    assert _digest(NOTEBOOKS_DIR) == before
    assert [c.name for c in copies] == sorted(before) and len(copies) == 9
    spec_path = str(resolve("paste-service").resolve())
    for copy in copies:
        nb = nbformat.read(copy, as_version=4)
        original = nbformat.read(NOTEBOOKS_DIR / copy.name, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        first = params.source.splitlines()[0]
        assert first.startswith(f"spec = {json.dumps(spec_path)}")
        namespace = {}
        exec(params.source, namespace)                                 # still a plain assignment
        assert namespace["spec"] == spec_path and namespace["interactive"] is True
        assert [c.source for c in nb.cells if c is not params] == \
               [c.source for c in original.cells if "parameters" not in c.metadata.get("tags", [])]
    argv = lab_command(tmp_path / "lab", copies[0], port=8890, browser=False)
    assert argv[1:3] == ["-m", "jupyterlab"] and "--ServerApp.port=8890" in argv and "--no-browser" in argv
    assert f"--ServerApp.root_dir={(tmp_path / 'lab').resolve()}" in argv and argv[-1] == "01_requirements.ipynb"


def test_lab_refuses_a_bad_spec(tmp_path, capsys):
    from designkit.cli import main
    assert main(["lab", str(tmp_path / "nope.yaml"), "--dir", str(tmp_path / "lab")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "lab").exists()
