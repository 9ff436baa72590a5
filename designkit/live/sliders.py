"""The panel's sliders: which controls a spec gets (its scale, the cache, each component), and the
spec overrides their values stand for.

Log-scale inputs move on a 1-2-5 grid (see ``controls``); a spec's own value is always one of the
stops, so every slider starts exactly on the spec.
"""

from __future__ import annotations

import math

import ipywidgets as w

from ..model import quantities as q
from ..model.quantities import say_share
from ..model.kinds import holds_data
from ..model.spec import Spec
from .controls import Control, log_slider

RATIOS = ((0, 1), (1, 100), (1, 10), (1, 3), (1, 1), (3, 1), (10, 1), (30, 1), (100, 1), (300, 1),
          (1000, 1), (1, 0))
RETENTION_DAYS = (1, 7, 30, 90, q.MONTH_DAYS * 6, q.YEAR_DAYS, 2 * q.YEAR_DAYS, 3 * q.YEAR_DAYS,
                  5 * q.YEAR_DAYS, 7 * q.YEAR_DAYS, 10 * q.YEAR_DAYS, 20 * q.YEAR_DAYS)
NINES = (0.9, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999)
USERS = (1e3, 1e10)      # the users slider's range (the spec's own value is added when outside it)


def say_ratio(ratio: tuple[float, float], extra: float = 0.0) -> str:
    """A read:write ratio with what it means: (100, 1) -> '100:1 (99% reads)'; reads on top named."""
    reads, writes = ratio
    text = f"{reads:g}:{writes:g}"
    if reads == 0:
        return f"{text} (writes; +{q.say_count(extra)} reads/user/day)" if extra else f"{text} (writes only)"
    if writes == 0:
        return f"{text} (reads only)"
    return f"{text} ({say_share(reads / (reads + writes))} reads)"



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



def build(spec: Spec) -> dict[str, Control]:
    """The controls for ``spec``, by name: scale sliders first, then each component's."""
    controls: dict[str, Control] = {}

    def add(control: Control) -> None:
        controls[control.name] = control

    s = spec.scale
    if s.per_user:
        dau = s.daily_active_users if s.daily_active_users is not None else s.users * s.daily_active_fraction
        add(Control("users", log_slider("Users", s.users, *USERS, q.say_count), q.say_count))
        add(Control("active", log_slider("Daily active share", dau / s.users, 1e-3, 1.0, say_share),
                          lambda v: f"{say_share(v)} ({q.say_count(controls['users'].value * v)} a day)"))
        add(Control("requests", log_slider("Requests/user/day", s.requests_per_user_per_day, 1, 1e4,
                                                     q.say_count),
                          lambda v: f"{q.say_count(v)} a day"))
        ratios = _options([(float(r), float(w_)) for r, w_ in RATIOS], tuple(s.read_write_ratio), _read_share)
        add(Control("ratio", w.SelectionSlider(
            options=[(f"{r:g}:{w_:g}", (r, w_)) for r, w_ in ratios],
            value=_same(ratios, tuple(s.read_write_ratio), _read_share), description="Read:write"),
            lambda v: say_ratio(v, s.reads_per_user_per_day or 0.0)))
    else:
        for name in ("reads", "writes"):   # a rate of 0 starts at the slider's low end, said as 0
            add(Control(name, log_slider(f"{name.title()}/s", getattr(s, name), 0.01, 1e7, q.say_qps),
                              lambda v: f"{q.say_qps(v)}/s", initial=getattr(s, name)))
    add(Control("peak_factor", w.FloatSlider(value=s.peak_factor, min=1, max=max(10, s.peak_factor),
                                                   step=0.5, description="Peak factor"),
                      lambda v: f"{v:g}x average"))
    add(Control("record_size", log_slider("Record size", s.record_size, 10, 1e7, q.say_bytes), q.say_bytes))
    days = _options(RETENTION_DAYS, s.retention)
    add(Control("retention", w.SelectionSlider(options=[(q.say_days(d), d) for d in days],
                                                     value=_same(days, s.retention), description="Retention"),
                      q.say_days))
    caches = [c for c in spec.components if c.kind == "cache"]
    if caches:
        hit = caches[0].hit_ratio if caches[0].hit_ratio is not None else 0.0
        add(Control("hit_ratio", w.FloatSlider(value=hit, min=0, max=0.99, step=0.01,
                                                     description="Cache hit ratio"), say_share))
    add(Control("server_qps", log_slider("Server capacity", s.server_qps, 10, 1e5, q.say_qps),
                      lambda v: f"{q.say_qps(v)}/s per server"))
    for comp in spec.components:
        add(Control(f"{comp.name}.replicas", w.IntSlider(
            value=comp.replicas, min=1, max=max(64, 4 * comp.replicas), description="replicas"), str))
        if holds_data(comp.kind):
            add(Control(f"{comp.name}.shards", w.IntSlider(
                value=comp.shards, min=1, max=max(64, 4 * comp.shards), description="shards"), str))
        nines = _options(NINES, comp.availability)
        add(Control(f"{comp.name}.availability", w.SelectionSlider(
            options=[(q.say_percent(n), n) for n in nines], value=_same(nines, comp.availability),
            description="availability"), lambda v: f"{q.say_percent(v)} each"))
    return controls


def overrides(controls: dict[str, Control], base: Spec, base_overrides: dict, supposing: dict | None = None) -> dict:
    """The spec overrides the sliders stand for: the notebook's own (``base_overrides``), plus every
    moved slider (``supposing``: some sliders' values taken as if they were there)."""
    out = dict(base_overrides)
    supposed = supposing or {}
    value = {name: (control.value_at(supposed[name]) if name in supposed else control.value)
             for name, control in controls.items()}
    moved = {name for name, control in controls.items()
             if (control.leaves(supposed[name]) if name in supposed else control.changed)}
    s = base.scale
    if s.per_user:
        if "users" in moved:
            out["users"] = value["users"]
        if "active" in moved or ("users" in moved and s.daily_active_users is not None):
            if s.daily_active_users is None:
                out["daily_active_fraction"] = value["active"]
            elif "active" in moved:     # users x share never exceeds users: clamped by the slider
                out["daily_active_users"] = value["users"] * value["active"]
            else:                       # keep the spec's share of users exactly
                out["daily_active_users"] = value["users"] * s.daily_active_users / s.users
        if "requests" in moved:
            out["requests_per_user_per_day"] = value["requests"]
        if "ratio" in moved:
            reads, writes = value["ratio"]
            out["read_write_ratio"] = f"{reads!r}:{writes!r}"
    else:
        for name in ("reads", "writes"):
            if name in moved:
                out[name] = f"{value[name]!r}/s"
    for name in ("peak_factor", "record_size", "retention", "server_qps"):
        if name in moved:
            out[name] = value[name]
    for comp in base.components:
        if "hit_ratio" in moved and comp.kind == "cache":
            out[f"components.{comp.name}.hit_ratio"] = value["hit_ratio"]
        for field in ("replicas", "shards", "availability"):
            key = f"{comp.name}.{field}"
            if key in moved:
                out[f"components.{key}"] = value[key]
    return out
