"""The figures prose may name: a registry of what each is, how it is said, and where its number comes from.

``{{ qps_peak }}`` in a spec's prose says "~46K" because ``qps_peak`` is registered here as a
rate read off the capacity estimate.  The numbers are computed in the model (``estimate``,
``analyze``); an entry only points at one and names its kind, and the kind decides how it is
said (the ``say_*`` functions of ``model/quantities.py``, like the rest of the article).

To add a figure, register it once::

    register("p99_latency_seconds", "seconds", "p99 latency at peak", lambda n: n.analysis...)

and every spec may write ``{{ p99_latency_seconds }}``; ``designkit figures`` lists it.  Per-component
figures are registered with ``register_component`` and read as ``components["Event Store"].utilization``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...model import quantities as q
from ...model import numbers as numbers_
from ...model.analysis import Analysis, analyze
from ...model.capacity import JSON_KEYS, estimate
from ...model.scaling import ComponentLoad
from ...model.sensitivity import SPREAD_KEYS
from ..rows.scaling import METRIC_LABELS
from ..rows.latency import say_latency


class FigureError(Exception):
    """An expression asked for a figure, attribute or form that does not exist (bad spec input)."""


def _never(say: Callable[[float], str]) -> Callable[[float], str]:
    return lambda value: "never" if math.isinf(value) else say(value)


SAY: dict[str, Callable[[Any], str]] = {
    "count": q.say_count,
    "qps": q.say_qps,
    "bytes": q.say_bytes,
    "bandwidth": q.say_bandwidth,
    "days": q.say_days,
    "seconds": q.say_duration,
    "minutes": q.say_minutes,
    "share": q.say_share,
    "percent": q.say_percent,
    "availability": q.say_availability,
    "dollars": q.say_dollars,
    "latency": say_latency,
    "times": _never(q.say_times),
    "users": _never(q.say_count),
    "number": lambda value: f"{value:,.0f}" if float(value).is_integer() else q.say_exact(value),
    "text": str,
}
"""How each kind of figure says itself: the article's own words for numbers."""


@dataclass(frozen=True)
class Figure:
    """One number (or name) and its kind; ``str()`` says it the way the article does."""

    value: Any
    kind: str
    name: str = ""
    spread: Callable[[], Any] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return SAY[self.kind](self.value)

    def _at(self, which: str) -> Figure:
        """The figure's P10, P50 or P90 over the spec's ranges (the figure itself without ranges)."""
        found = self.spread() if self.spread is not None else None
        return Figure(getattr(found, which) if found is not None else self.value, self.kind, self.name)

    @property
    def p10(self) -> Figure:
        return self._at("p10")

    @property
    def p50(self) -> Figure:
        return self._at("p50")

    @property
    def p90(self) -> Figure:
        return self._at("p90")

    def __float__(self) -> float:
        if self.kind == "text":
            raise FigureError(f"{self.name} is text, not a number")
        return float(self.value)

    def __int__(self) -> int:
        return int(float(self))

    def __round__(self, digits: int | None = None) -> float:
        return round(float(self), digits)

    def _number(self, other) -> float:
        if isinstance(other, Figure):
            return float(other)
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return float(other)
        raise FigureError(f"cannot combine {self.name or 'a figure'} with {type(other).__name__}")

    def __mul__(self, other) -> Figure:
        return Figure(float(self) * self._number(other), self.kind, self.name)

    __rmul__ = __mul__

    def __truediv__(self, other) -> Figure:
        divisor = self._number(other)
        if divisor == 0:
            raise FigureError(f"{self.name or 'a figure'} divided by zero")
        kind = "times" if isinstance(other, Figure) and other.kind == self.kind else self.kind
        return Figure(float(self) / divisor, kind, self.name)

    def __add__(self, other) -> Figure:
        return Figure(float(self) + self._number(other), self.kind, self.name)

    __radd__ = __add__

    def __sub__(self, other) -> Figure:
        return Figure(float(self) - self._number(other), self.kind, self.name)


class Numbers(numbers_.Numbers):
    """What every figure is read from: the spec, its capacity estimate and its analysis (``model.numbers``),
    and the spread of the headline figures over the spec's ranges."""

    @cached_property
    def uncertainty(self):
        """The spread of the headline figures over the spec's ranges, sampled when first asked for."""
        from ...model.sensitivity import uncertainty
        return uncertainty(self.spec)

    def spread_of(self, name: str):
        """A callable giving the figure ``name``'s Spread over the ranges (None: no ranges or no spread)."""
        key = SPREAD_NAMES.get(name, name)
        if not self.spec.scale.ranges or key not in SPREAD_KEYS:
            return None
        return lambda: self.uncertainty and self.uncertainty.spread(key)


SPREAD_NAMES = {"monthly_cost": "monthly_cost_total"}   # vocabulary name -> sensitivity's figure key


@dataclass(frozen=True)
class Entry:
    """One registered figure: its name, kind, a line saying what it is, and how to read it."""

    name: str
    kind: str
    about: str
    read: Callable[..., Any]   # (Numbers) or (Numbers, ComponentLoad) -> value, None when absent


FIGURES: dict[str, Entry] = {}
COMPONENT_FIGURES: dict[str, Entry] = {}


def register(name: str, kind: str, about: str, read: Callable[[Numbers], Any]) -> None:
    """Add a system figure; a dotted name ('read_path.availability') is read as an attribute."""
    if kind not in SAY:
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(SAY)})")
    FIGURES[name] = Entry(name, kind, about, read)


def register_component(name: str, kind: str, about: str,
                       read: Callable[[Numbers, ComponentLoad], Any]) -> None:
    """Add a per-component figure, read as ``components["Name"].<name>``."""
    if kind not in SAY:
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(SAY)})")
    COMPONENT_FIGURES[name] = Entry(name, kind, about, read)


# --- the vocabulary -----------------------------------------------------------------------

def _json_kind(key: str) -> str:
    if key.endswith("_bytes_per_second"):
        return "bandwidth"
    if key.endswith("_bytes"):
        return "bytes"
    if key.endswith("_days"):
        return "days"
    if "qps" in key:
        return "qps"
    return "number" if key == "servers_needed" else "count"


_ABOUT = {
    "users": "registered users (per-user form)", "daily_active_users": "users active each day",
    "requests_per_day": "reads + writes a day", "reads_per_day": "reads a day", "writes_per_day": "writes a day",
    "qps_average": "requests per second on average", "qps_peak": "requests per second at peak",
    "read_qps_average": "reads per second on average", "write_qps_average": "writes per second on average",
    "read_qps_peak": "reads per second at peak", "write_qps_peak": "writes per second at peak",
    "storage_per_day_bytes": "new data a day (one copy)", "storage_total_bytes": "data over retention (one copy)",
    "retention_days": "how long records are kept", "ingress_bytes_per_second": "bytes in per second on average",
    "egress_bytes_per_second": "bytes out per second on average",
    "cache_memory_bytes": "memory for the hot share of a day's reads", "servers_needed": "app servers at peak",
}
for _key in JSON_KEYS:  # every key of `designkit estimate --json`, by the same name
    register(_key, _json_kind(_key), _ABOUT.get(_key, f"`designkit estimate --json` {_key}"),
             lambda n, key=_key: getattr(n.cap, key))

register("storage_replicated_bytes", "bytes", "storage over retention with every copy counted",
         lambda n: n.cap.storage_replicated_bytes)

_INPUTS = {  # the scale inputs, as the spec states them (defaults filled in)
    "daily_active_fraction": ("percent", "share of users active each day"),
    "requests_per_user_per_day": ("count", "requests each daily active user makes"),
    "reads_per_user_per_day": ("count", "reads each daily active user adds on top"),
    "reads": ("qps", "reads per second (totals form)"),
    "writes": ("qps", "writes per second (totals form)"),
    "peak_factor": ("times", "peak QPS over average QPS"),
    "record_size": ("bytes", "bytes stored per write"),
    "retention": ("days", "how long records are kept"),
    "cache_fraction": ("percent", "share of a day's reads worth caching"),
    "server_qps": ("qps", "requests per second one app server handles"),
    "replication_factor": ("number", "copies of every record"),
}
for _key, (_kind, _about) in _INPUTS.items():
    register(_key, _kind, f"scale input: {_about}", lambda n, key=_key: getattr(n.spec.scale, key))
register("response_size", "bytes", "scale input: bytes returned per read (default: record_size)",
         lambda n: n.cap.response_size_bytes)
register("read_write_ratio", "text", "scale input: reads to writes",
         lambda n: None if n.spec.scale.read_write_ratio is None
         else ":".join(f"{part:g}" for part in n.spec.scale.read_write_ratio))


def _path(n: Numbers, which: str):
    return n.analysis.read_path if which == "read" else n.analysis.write_path


for _which in ("read", "write"):
    register(f"{_which}_path.availability", "availability", f"share of {_which} requests served",
             lambda n, w=_which: _path(n, w) and _path(n, w).availability)
    register(f"{_which}_path.downtime", "minutes", f"expected {_which}-path downtime a year",
             lambda n, w=_which: _path(n, w) and _path(n, w).downtime.year)
    register(f"{_which}_path.downtime_per_month", "minutes", f"expected {_which}-path downtime a month",
             lambda n, w=_which: _path(n, w) and _path(n, w).downtime.month)
    register(f"{_which}_path.budget_used", "share", f"share of the monthly error budget the {_which} path uses",
             lambda n, w=_which: _path(n, w) and _path(n, w).budget.consumed)

register("slo", "availability", "the availability objective (the spec's Availability target, else 99.9%)",
         lambda n: n.analysis.settings.slo)


def _first_break(n: Numbers, factor: float = 10.0):
    bp = next(b for b in n.analysis.break_points if b.factor == factor)
    return bp.breaking[0] if bp.breaking else None


register("breaks_first", "text", "the component that breaks first at 10x today ('nothing' if none)",
         lambda n: _first_break(n).component if _first_break(n) else "nothing")
register("breaks_first_at", "times", "the multiple of today's traffic at which it is full",
         lambda n: _first_break(n).multiplier if _first_break(n) else math.inf)
register("breaks_first_limit", "text", "what fills first in it: qps, read qps, write qps, data, cache memory",
         lambda n: METRIC_LABELS[_first_break(n).metric].lower() if _first_break(n) else "nothing")


register("read_p99_peak_seconds", "latency", "p99 response time of the read path at peak",
         lambda n: n.analysis.read_p99_peak_seconds)
register("write_p99_peak_seconds", "latency", "p99 response time of the write path at peak",
         lambda n: n.analysis.write_p99_peak_seconds)
register("monthly_cost", "dollars", "what the design costs a month today (the bill in section 6)",
         lambda n: n.analysis.monthly_cost_total)
register("monthly_cost_10x", "dollars", "what it costs a month at 10x today, on the nodes it would need then",
         lambda n: n.analysis.monthly_cost_10x)
register("cost_per_million_requests", "dollars", "the monthly bill divided by a month's requests, per million",
         lambda n: n.analysis.cost_per_million_requests)


def _next_step(n: Numbers, load: ComponentLoad, field: str, none):
    """One field of the component's next scaling threshold, or ``none`` when it has none."""
    step = next((t for t in n.analysis.thresholds if t.component == load.name), None)
    return getattr(step, field) if step is not None else none


register_component("nodes", "number", "machines it runs today (shards x replicas)", lambda n, c: c.nodes)
register_component("replicas", "number", "replicas (per shard) it runs today", lambda n, c: c.replicas)
register_component("shards", "number", "shards it runs today", lambda n, c: c.shards)
register_component("qps_peak", "qps", "reads + writes reaching it at peak", lambda n, c: c.qps_peak)
register_component("read_qps_peak", "qps", "reads reaching it at peak", lambda n, c: c.read_qps_peak)
register_component("write_qps_peak", "qps", "writes reaching it at peak", lambda n, c: c.write_qps_peak)
register_component("utilization", "share", "busiest throughput limit at peak", lambda n, c: c.utilization)
register_component("replicas_needed", "number", "replicas (per shard) that keep peak at the target",
                   lambda n, c: c.replicas_needed)
register_component("shards_needed", "number", "shards for writes, data and memory (stores and caches)",
                   lambda n, c: c.shards_needed)
register_component("storage", "bytes", "data it holds, every copy counted (stores with disks)",
                   lambda n, c: c.storage_bytes)
register_component("storage_share", "share", "share of its disks that data fills", lambda n, c: c.storage_utilization)
register_component("memory", "bytes", "hot set it holds (caches with memory)", lambda n, c: c.memory_bytes)
register_component("memory_share", "share", "share of its memory the hot set fills",
                   lambda n, c: c.memory_utilization)
register_component("full_at", "times", "multiple of today's traffic at which its current nodes are full",
                   lambda n, c: c.break_multiplier)
register_component("next_step", "text", "the step it takes next (add replicas, sharding, ...)",
                   lambda n, c: _next_step(n, c, "step", "none"))
register_component("next_step_at", "times", "multiple of today's traffic at which it takes its next step",
                   lambda n, c: _next_step(n, c, "multiplier", math.inf))
register_component("next_step_users", "users", "users at which it takes its next step (per-user form)",
                   lambda n, c: _next_step(n, c, "users", math.inf) if n.cap.users is not None else None)
register_component("availability", "availability", "its k-of-n availability",
                   lambda n, c: next(a.availability for a in n.analysis.components if a.component == c.name))


# --- the namespace an expression sees --------------------------------------------------------

def _missing(what: str, name: str, known) -> FigureError:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return FigureError(f"unknown {what} {name!r}{hint}")


def _absent(entry: Entry, where: str = "") -> FigureError:
    return FigureError(f"{where}{entry.name} has no value for this spec ({entry.about})")


class Group:
    """Figures under one prefix (``read_path.availability``, ``components["X"].nodes``)."""

    def __init__(self, label: str, figures: dict[str, Figure | Entry]):
        self._label = label
        self._figures = figures

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._figures:
            raise _missing(f"figure of {self._label}", name, self._figures)
        value = self._figures[name]
        if isinstance(value, Entry):
            raise _absent(value, f"{self._label}: ")
        return value

    __getitem__ = __getattr__

    def __str__(self) -> str:
        raise FigureError(f"{self._label} is a group of figures; name one: {', '.join(self._figures)}")


class Components:
    """``components["Event Store"]``: each component's figures, by its name in the spec."""

    def __init__(self, groups: dict[str, Group]):
        self._groups = groups

    def __getitem__(self, name):
        if name not in self._groups:
            raise _missing("component", str(name), self._groups)
        return self._groups[name]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        raise FigureError(f"write components[{name!r}] with the component's name in quotes")

    def __str__(self) -> str:
        raise FigureError("components is a table; write components[\"Name\"].utilization")


def numbers(spec, analysis: Analysis | None = None) -> Numbers:
    """The spec's capacity and analysis, computed once for every figure."""
    if analysis is None:
        analysis = analyze(spec, estimate(spec.scale))
    return Numbers(spec, analysis.capacity, analysis)


def _value(entry: Entry, *args) -> Figure | Entry:
    value = entry.read(*args)
    if value is None:
        return entry
    spread = args[0].spread_of(entry.name) if len(args) == 1 else None
    return Figure(value, entry.kind, entry.name, spread)


def flat(n: Numbers) -> dict[str, Figure | Entry]:
    """Every figure by its full name (``components["X"].nodes`` too); an Entry where it has no value."""
    out: dict[str, Figure | Entry] = {name: _value(entry, n) for name, entry in FIGURES.items()}
    for load in n.analysis.loads:
        for name, entry in COMPONENT_FIGURES.items():
            out[f'components["{load.name}"].{name}'] = _value(entry, n, load)
    return out


def namespace(n: Numbers) -> dict[str, Any]:
    """The names an expression may use: figures, groups of figures, and ``components``."""
    top: dict[str, Any] = {}
    groups: dict[str, dict[str, Figure | Entry]] = {}
    for name, entry in FIGURES.items():
        value = _value(entry, n)
        if "." in name:
            head, tail = name.split(".", 1)
            groups.setdefault(head, {})[tail] = value
        else:
            top[name] = value
    top.update({head: Group(head, members) for head, members in groups.items()})
    top["components"] = Components({
        load.name: Group(f'components["{load.name}"]',
                         {name: _value(entry, n, load) for name, entry in COMPONENT_FIGURES.items()})
        for load in n.analysis.loads})
    return top
