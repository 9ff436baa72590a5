"""What every live view draws from: the overrides in force, the validated spec and its numbers,
and, when the spec gives ranges, how far its figures spread under the sliders."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property

from ..model.analysis import Analysis, analyze
from ..model.capacity import Capacity, estimate, servers_for
from ..model.ranges import InputRange
from ..model.sensitivity import CAPACITY_FIGURES, Spread, Uncertainty, uncertainty
from ..model.spec import Spec
from ..views.prose.templating import render_spec

TRAFFIC = ("users", "daily_active_users", "reads", "writes")
"""Ranged inputs a slider carries along: moved to k times its likely value, the range is k times as wide."""

LINEAR = frozenset(key for key, _, _ in CAPACITY_FIGURES) - {"servers_needed"}
"""Capacity figures proportional to the traffic (servers follow the peak QPS, rounded up)."""

BANDED = ("monthly_cost_total", "read_p99_peak_seconds", "write_p99_peak_seconds")
"""The analysis figures the live charts band: the cost chart's monthly total, the latency chart's paths' p99."""


def _value(scale, field: str) -> float | None:
    """A scale input's value as its range holds it (a read:write ratio as reads per write)."""
    value = getattr(scale, field)
    if value is None:
        return None
    if field == "read_write_ratio":
        reads, writes = value
        return reads / writes if writes else math.inf
    return float(value)


def live_ranges(base: Spec, spec: Spec) -> tuple[InputRange, ...]:
    """The base spec's ranges as they stand under the sliders (``spec``): a range whose input the
    sliders left alone stays; a traffic input moved to k times its likely value (the users slider)
    takes its range along, k times as wide; any other input a slider sets is one value, no range."""
    out = []
    for r in base.scale.ranges:
        value = _value(spec.scale, r.field)
        if value is None:
            continue
        if math.isclose(value, r.likely, rel_tol=1e-12):
            out.append(r)
        elif r.field in TRAFFIC and r.likely > 0:
            k = value / r.likely
            out.append(dataclasses.replace(r, low=r.low * k, likely=value, high=r.high * k))
    return tuple(out)


def _multiple(base: Spec, spec: Spec) -> float | None:
    """k when ``spec``'s scale is ``base``'s with every traffic input k times as large and nothing
    else changed (the users slider alone moved), else None."""
    before, after = base.scale.model_dump(), spec.scale.model_dump()
    k = None
    for field, old in before.items():
        new = after[field]
        if new == old:
            continue
        if field not in TRAFFIC or not old or new is None:
            return None
        ratio = new / old
        if k is None:
            k = ratio
        elif not math.isclose(ratio, k, rel_tol=1e-9):
            return None
    return 1.0 if k is None else k


def spreads(base: Spec, spec: Spec, cap: Capacity, found: Uncertainty | None = None) -> dict[str, Spread] | None:
    """P10/P50/P90 of each capacity figure over ``base``'s ranges as they stand under the sliders
    (None when there are none): ``Uncertainty(live_ranges(base, spec), spec).capacity``.

    The users slider alone multiplies every sample's traffic by the same k, so each figure
    proportional to traffic spreads k times as far and app servers follow the peak QPS (a monotone
    function keeps its percentiles): the base spec's 2,000 samples, scaled, with no new estimate.
    Any other move samples again (~30-100 ms, once per state: states are kept; ``found``'s samples
    when given, which the first break's spread samples too)."""
    ranges = live_ranges(base, spec)
    if not ranges:
        return None
    k = _multiple(base, spec)
    if k is None:
        return {s.figure: s for s in (found or Uncertainty(ranges, spec)).capacity}
    made = {s.figure: s for s in uncertainty(base).capacity}
    out = {key: Spread(key, s.p10 * k, s.p50 * k, s.p90 * k, float(getattr(cap, key)), s.unbounded)
           for key, s in made.items() if key in LINEAR}
    peak = made["qps_peak"]
    out["servers_needed"] = Spread("servers_needed", *(float(servers_for(p * k, spec.scale.server_qps))
                                                       for p in (peak.p10, peak.p50, peak.p90)),
                                   float(cap.servers_needed), made["servers_needed"].unbounded)
    return {key: out[key] for key, _, _ in CAPACITY_FIGURES}


def here(base: Spec, spec: Spec) -> Uncertainty | None:
    """``Uncertainty`` of ``base``'s ranges as they stand under the sliders (None when there are
    none), nothing computed yet: the spec's own (kept, shared with the article and the first break)
    when the sliders stand where the spec put them."""
    ranges = live_ranges(base, spec)
    if not ranges:
        return None
    return uncertainty(base) if spec == base else Uncertainty(ranges, spec)


def first_break(base: Spec, spec: Spec, found: Uncertainty | None = None) -> Spread | None:
    """P10/P50/P90 of the users at which the first component fills its nodes, over ``base``'s
    ranges as they stand under the sliders (None without ranges, or in the totals form).

    k times the traffic fills every component k times sooner, so with only the Users slider moved
    (the components as the spec has them) the spread is the spec's own, sampled once; any other
    move runs ``Uncertainty``'s 40 analyses again (``found``'s when given: 10-150 ms, once per state kept)."""
    ranges = live_ranges(base, spec)
    if not ranges or not (spec.scale.per_user and spec.scale.users):
        return None
    if _multiple(base, spec) is not None and spec.components == base.components:
        return uncertainty(base).spread("first_break_users")
    return (found or Uncertainty(ranges, spec)).spread("first_break_users")


def analysis_spreads(found: Uncertainty | None) -> dict[str, Spread] | None:
    """P10/P50/P90 of the month's total and each path's p99 at peak (``BANDED``) over ``found``'s
    ranges (None without ranges; a figure the spec has not, no write path, left out).

    Neither scales with the traffic (the bill counts whole nodes, a p99 climbs a queue's knee), so
    every state runs ``Uncertainty``'s 40 analyses (10-150 ms, once per state kept, and made ahead
    in idle time with the state: ``live.ahead``), shared with the first break's after any other move."""
    if found is None:
        return None
    return {s.figure: s for s in found.analysis if s.figure in BANDED}


@dataclass(frozen=True)
class State:
    """What every view draws from: the overrides in force, the validated spec, its numbers."""

    overrides: dict
    spec: Spec
    cap: Capacity
    base: Spec | None = None        # the panel's spec before any slider moved: where the ranges come from

    RANGED = ("spreads", "first_break", "analysis_spreads")
    """What a state works out of the spec's ranges, each when a view first asks (``live.ahead``
    works them out ahead, after the state, when the shown state was asked for them)."""

    @cached_property
    def analysis(self) -> Analysis:
        """The scaling and reliability analysis, computed when a view first asks for it."""
        return analyze(self.spec, self.cap)

    @cached_property
    def prose(self) -> Spec:
        """The spec with its ``{{ figures }}`` said at this scale, for the views that show spec prose."""
        return render_spec(self.spec, "sliders", analysis=self.analysis)

    @cached_property
    def spreads(self) -> dict[str, Spread] | None:
        """Each capacity figure's P10/P50/P90 here when the spec gives ranges (None without: nothing
        changes), by figure key (``model.sensitivity.CAPACITY_FIGURES``)."""
        return None if self.base is None else spreads(self.base, self.spec, self.cap, self.uncertainty)

    @cached_property
    def first_break(self) -> Spread | None:
        """When the spec gives ranges: the spread of the users at which the first component is full."""
        return None if self.base is None else first_break(self.base, self.spec, self.uncertainty)

    @cached_property
    def uncertainty(self) -> Uncertainty | None:
        """The ranges as the sliders leave them carried through this spec (None without ranges),
        each part computed when first asked for."""
        return None if self.base is None else here(self.base, self.spec)

    @cached_property
    def analysis_spreads(self) -> dict[str, Spread] | None:
        """When the spec gives ranges: the spread of the month's total and of each path's p99 at
        peak (``BANDED``), by figure key."""
        return analysis_spreads(self.uncertainty)

    @classmethod
    def of(cls, overrides: dict, spec: Spec, base: Spec | None = None) -> "State":
        """The state of a validated spec under ``overrides``: its capacity now, its analysis when asked."""
        return cls(overrides, spec, estimate(spec.scale), base)
