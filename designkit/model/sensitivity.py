"""How far the answer moves when the inputs are ranges, and which assumption moves it most.

``spread(spec)`` samples the spec's ranged scale inputs (``ranges``) through the capacity
estimate (every sample) and the analysis (a smaller Latin hypercube: cost, what breaks first,
path p99, each worked out as the whole analysis would: ``figures``) and gives each headline figure its P10, P50 and P90.  ``tornado`` swings one
input at a time from its low to its high end, the others at their likely values, and sorts the
inputs by how far each moves the figure: the chart that says which assumption matters most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from . import ranges as rg
from .capacity import estimate
from .lru import LRU

# (key, label, unit): the headline figures that carry a spread.  Units say how views write them.
CAPACITY_FIGURES = (
    ("qps_peak", "QPS (peak)", "rate"),
    ("read_qps_peak", "Reads/s (peak)", "rate"),
    ("write_qps_peak", "Writes/s (peak)", "rate"),
    ("storage_per_day_bytes", "Daily growth", "bytes"),
    ("storage_total_bytes", "Storage over retention", "bytes"),
    ("cache_memory_bytes", "Cache memory", "bytes"),
    ("servers_needed", "App servers at peak", "count"),
)
ANALYSIS_FIGURES = (
    ("monthly_cost_total", "Monthly cost", "dollars"),
    ("first_break_users", "Users when the first component is full", "users"),
    ("first_break_qps", "Peak QPS when the first component is full", "rate"),
    ("read_p99_peak_seconds", "Read path p99 at peak", "seconds"),
    ("write_p99_peak_seconds", "Write path p99 at peak", "seconds"),
)
TORNADO_FIGURES = ("servers_needed", "storage_total_bytes", "monthly_cost_total", "first_break_users",
                   "first_break_qps")
CAPACITY_KEYS = frozenset(key for key, _, _ in CAPACITY_FIGURES)
SPREAD_KEYS = frozenset(key for key, _, _ in CAPACITY_FIGURES + ANALYSIS_FIGURES)
LABELS = {key: label for key, label, _ in CAPACITY_FIGURES + ANALYSIS_FIGURES}
UNITS = {key: unit for key, _, unit in CAPACITY_FIGURES + ANALYSIS_FIGURES}


class _Figure:
    """What a spread or a tornado says of its figure: its label and the unit views write it in."""

    figure: str

    @property
    def label(self) -> str:
        return LABELS[self.figure]

    @property
    def unit(self) -> str:
        return UNITS[self.figure]


@dataclass(frozen=True)
class Spread(_Figure):
    """One headline figure over the ranges: P10, P50, P90 and its value at the likely inputs."""

    figure: str
    p10: float
    p50: float
    p90: float
    likely: float
    unbounded: float = 0.0   # share of the samples in which the figure has no finite value


@dataclass(frozen=True)
class Swing:
    """A figure with one input at its low end and at its high end, the others at their likely values."""

    field: str
    at_low: float
    at_high: float

    @property
    def width(self) -> float:
        """How far the figure moves (inf when one end is unbounded)."""
        return abs(self.at_high - self.at_low) if math.isfinite(self.at_high - self.at_low) else math.inf


@dataclass(frozen=True)
class Tornado(_Figure):
    """One figure's swings, widest first: which assumption matters most."""

    figure: str
    likely: float
    swings: tuple[Swing, ...]


def with_values(spec, values: dict):
    """``spec`` with some scale inputs set to ``values`` (a ratio as reads per write); daily actives
    never above users."""
    update = {}
    for field, value in values.items():
        update[field] = (float(value), 1.0) if field == "read_write_ratio" else float(value)
    scale = spec.scale.model_copy(update=update)
    if scale.daily_active_users is not None and scale.users is not None and \
            scale.daily_active_users > scale.users:
        scale = scale.model_copy(update={"daily_active_users": scale.users})
    return spec.model_copy(update={"scale": scale})


def _break(spec, loads, cap) -> tuple[str, float]:
    """When the first component fills its current nodes: ('first_break_users', users then) in the
    per-user form, ('first_break_qps', the peak QPS then) in the totals form; inf when never."""
    multiple = min((load.break_multiplier for load in loads), default=math.inf)
    if spec.scale.per_user and spec.scale.users:
        return "first_break_users", multiple * spec.scale.users
    return "first_break_qps", multiple * cap.qps_peak


def figures(spec) -> dict[str, float]:
    """Every headline figure of a spec (the first break in the spec's own form only), as its whole
    analysis gives them, working out only what the figures need (the loads,
    today's bill, each path's p99 at peak): the same numbers in about a third of the time, for
    figures sampled 40 times a spec (and once per live state)."""
    from . import cost, latency, scaling
    from .analysis import spec_settings
    cap = estimate(spec.scale)
    settings = spec_settings(spec)
    loads = scaling.loads(spec, cap, target=settings.target_utilization, memory_threshold=settings.memory_threshold)
    out = {key: float(getattr(cap, key)) for key, _, _ in CAPACITY_FIGURES}
    out["monthly_cost_total"] = float(cost.bill(spec, cap, loads).total)
    by_name = latency.pools(loads, cap.qps_average / cap.qps_peak if cap.qps_peak else 1.0)
    for key, hops in (("read_p99_peak_seconds", spec.read_path), ("write_p99_peak_seconds", spec.write_path)):
        peak = latency.path_peak(hops, by_name)
        out[key] = math.nan if peak is None else float(peak.p99)
    key, value = _break(spec, loads, cap)
    out[key] = value
    return out


def _spread(key: str, values: list[float], likely: float) -> Spread:
    """P10/P50/P90 of ``values``; the share that is unbounded said apart."""
    finite = sum(1 for v in values if math.isfinite(v))
    return Spread(key, *rg.percentiles(values), likely, unbounded=1 - finite / len(values))


@dataclass(frozen=True)
class Uncertainty:
    """A spec's ranges carried through to its headline figures, each part computed when first asked for."""

    ranges: tuple[rg.InputRange, ...]
    spec: object

    @cached_property
    def _likely(self) -> dict[str, float]:
        return figures(self.spec)

    @cached_property
    def capacity(self) -> tuple[Spread, ...]:
        """The capacity figures over ``SAMPLES`` points (microseconds each: no analysis)."""
        samples = rg.sample(self.ranges, rg.SAMPLES)
        caps = [estimate(with_values(self.spec, {f: samples[f][i] for f in samples}).scale)
                for i in range(rg.SAMPLES)]
        likely = estimate(self.spec.scale)
        return tuple(_spread(key, [float(getattr(c, key)) for c in caps], float(getattr(likely, key)))
                     for key, _, _ in CAPACITY_FIGURES)

    @cached_property
    def analysis(self) -> tuple[Spread, ...]:
        """Cost, the first break and the paths' p99 over ``ANALYSIS_SAMPLES`` whole analyses."""
        samples = rg.sample(self.ranges, rg.ANALYSIS_SAMPLES)
        analysed = [figures(with_values(self.spec, {f: samples[f][i] for f in samples}))
                    for i in range(rg.ANALYSIS_SAMPLES)]
        spreads = []
        for key, _, _ in ANALYSIS_FIGURES:
            values = [a[key] for a in analysed if key in a]
            if values and not any(math.isnan(v) for v in values):
                spreads.append(_spread(key, values, self._likely[key]))
        return tuple(spreads)

    @property
    def spreads(self) -> tuple[Spread, ...]:
        return self.capacity + self.analysis

    def spread(self, figure: str) -> Spread | None:
        """The spread of one figure (capacity figures without running the analysis)."""
        for group in (self.capacity,) if figure in CAPACITY_KEYS else (self.capacity, self.analysis):
            for s in group:
                if s.figure == figure:
                    return s
        return None

    @cached_property
    def tornadoes(self) -> tuple[Tornado, ...]:
        """One tornado per figure of ``TORNADO_FIGURES``: 2 analyses per ranged input."""
        likely = self._likely
        ends = {}
        for r in self.ranges:
            for end in ("low", "high"):
                ends[r.field, end] = figures(with_values(self.spec, {r.field: getattr(r, end)}))
        result = []
        for figure in (f for f in TORNADO_FIGURES if f in likely):
            swings = [Swing(r.field, ends[r.field, "low"][figure], ends[r.field, "high"][figure])
                      for r in self.ranges]
            order = sorted(range(len(swings)), key=lambda i: (-swings[i].width, i))
            result.append(Tornado(figure, likely[figure], tuple(swings[i] for i in order)))
        return tuple(result)

    def to_json(self, *, analysis: bool = True) -> dict:
        """The ``--json`` object: the inputs, each figure's P10/P50/P90 (null: unbounded), the tornadoes."""
        def number(value: float):
            return value if math.isfinite(value) else None
        out = {
            "inputs": [{"field": r.field, "low": r.low, "likely": r.likely, "high": r.high,
                        "distribution": "pert" if r.pert else "uniform"} for r in self.ranges],
            "figures": {s.figure: {"p10": number(s.p10), "p50": number(s.p50), "p90": number(s.p90),
                                   "likely": number(s.likely), "unbounded_share": s.unbounded}
                        for s in (self.spreads if analysis else self.capacity)},
        }
        if analysis:
            out["tornado"] = {t.figure: [{"field": s.field, "at_low": number(s.at_low), "at_high": number(s.at_high)}
                                         for s in t.swings] for t in self.tornadoes}
        return out


KEEP = 4   # uncertainties kept (sections 1 and 6 and the prose figures of one spec ask for the same one)
_KEPT = LRU(KEEP)


def uncertainty(spec) -> Uncertainty | None:
    """The spread of every headline figure over ``spec``'s ranges (None when it has none)."""
    found = spec.scale.ranges
    if not found:
        return None
    key = spec.model_dump_json() + repr(found)
    kept = _KEPT.get(key)
    if kept is None:
        kept = Uncertainty(found, spec)
        _KEPT.put(key, kept)
    return kept


