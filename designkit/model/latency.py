"""Tail latency: p50, p95 and p99 of each component and each path, and when a path misses its target.

Each component is the M/M/c queue of its busiest throughput limit (see ``queueing``): its
response time is a wait (P(W > t) = C e^(-(c mu - lambda) t)) plus an exponential service, and
its percentiles are solved numerically (``queueing.response_percentile``).  Loads grow in
proportion to users, so the same pools at ``m`` times today's traffic carry ``m`` times the
arrivals.

**A path's percentiles are exact under the model.**  A request on a path of ``n`` hops takes the
sum of its hop times.  Each hop's time is phase-type (a service, then a wait with probability C),
so their sum is phase-type too, and ``phasetype`` evaluates its distribution with a small matrix
exponential and inverts it for p50, p95 and p99 (hops independent, as in a tandem Jackson
network).  Every hop on the path is counted, which is the route of a cache miss, the slowest
one.  The model has queueing and service time only: no network round trips, no
garbage-collection pauses, no retries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from . import phasetype, queueing
from .targets import LatencyTarget

PERCENTILES = (0.50, 0.95, 0.99)
CROSSING_ITERATIONS = 100   # at most this many bisection steps on the traffic multiplier
CROSSING_TOLERANCE = 1e-4   # stop when the multiplier is known to one part in 10,000
PATHS = ("read", "write")


@dataclass(frozen=True)
class Percentiles:
    """Response-time percentiles in seconds (inf when a pool is overloaded)."""

    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class Pool:
    """The M/M/c pool a component's latency comes from: its busiest throughput limit today."""

    component: str
    metric: str
    servers: int
    service_seconds: float
    peak_arrivals: float      # requests/s at today's peak
    average_arrivals: float   # requests/s on an average second

    def utilization(self, multiplier: float = 1.0) -> float:
        """Utilization at ``multiplier`` x today's peak arrivals."""
        return multiplier * self.peak_arrivals * self.service_seconds / self.servers

    def percentile(self, percentile: float, multiplier: float = 1.0) -> float:
        """The response time ``percentile`` of requests stay within, at ``multiplier`` x today's peak."""
        return queueing.response_percentile(self.servers, self.service_seconds,
                                            self.utilization(multiplier), percentile)

    def percentiles(self, multiplier: float = 1.0) -> Percentiles:
        return Percentiles(*(self.percentile(p, multiplier) for p in PERCENTILES))


@dataclass(frozen=True)
class ComponentLatency:
    """One component's response-time percentiles at average and at peak load."""

    pool: Pool
    average: Percentiles
    peak: Percentiles

    @property
    def component(self) -> str:
        return self.pool.component


@dataclass(frozen=True)
class PathLatency:
    """A path's exact percentiles, its target, the verdict at peak and where the target is crossed.

    The crossing is found (by bisection) when first asked for: only views that show it pay for it.
    """

    path: str                         # "read" or "write"
    hops: tuple[str, ...]
    average: Percentiles
    peak: Percentiles
    target: LatencyTarget | None
    at_target_seconds: float | None   # the path's time at the target's percentile, today's peak
    users: float | None = None        # today's users (per-user specs), to say the crossing in users
    pools: tuple[Pool, ...] = field(default=(), repr=False)

    @property
    def met(self) -> bool | None:
        """True when the path at peak is within the target; None without a target."""
        if self.target is None or self.at_target_seconds is None:
            return None
        return self.at_target_seconds <= self.target.seconds

    @cached_property
    def crossing_multiplier(self) -> float | None:
        """Multiple of today's traffic at which the path reaches the target (inf: never; None: no target)."""
        return None if self.target is None else crossing(list(self.pools), self.target)

    @property
    def crossing_users(self) -> float | None:
        """Users at the crossing (per-user specs; None in the totals form or without a target)."""
        m = self.crossing_multiplier
        return self.users * m if self.users is not None and m is not None else None


@dataclass(frozen=True)
class Latency:
    """Every component's and both paths' tail latency."""

    components: tuple[ComponentLatency, ...]
    read: PathLatency | None
    write: PathLatency | None

    def component(self, name: str) -> ComponentLatency:
        return next(c for c in self.components if c.component == name)

    @property
    def paths(self) -> tuple[PathLatency, ...]:
        return tuple(p for p in (self.read, self.write) if p is not None)


def path_percentile(pools: list[Pool], percentile: float, multiplier: float = 1.0) -> float:
    """A path's exact ``percentile`` at ``multiplier`` x today's peak (inf when a hop is overloaded)."""
    return _solve(pools, multiplier, (percentile,))[0]


def _path(pools: list[Pool], multiplier: float) -> phasetype.Path | None:
    """The path's phase-type distribution at ``multiplier``; None when a hop is saturated."""
    hops = [phasetype.Hop.of(p.servers, p.service_seconds, p.utilization(multiplier)) for p in pools]
    return None if any(h is None for h in hops) else phasetype.Path(hops)


def _solve(pools: list[Pool], multiplier: float, percentiles) -> tuple[float, ...]:
    """The path's exact ``percentiles`` at ``multiplier`` (inf when a hop is saturated)."""
    if not pools:
        return tuple(0.0 for _ in percentiles)
    if len(pools) == 1:
        return tuple(pools[0].percentile(p, multiplier) for p in percentiles)
    path = _path(pools, multiplier)
    return tuple(math.inf for _ in percentiles) if path is None else path.percentiles(percentiles)


CROSSING_GRID = tuple(sorted({*(j / 8 for j in range(1, 8)), *(1 - 2.0 ** -j for j in range(4, 15))}))


def crossing(pools: list[Pool], target: LatencyTarget) -> float:
    """The multiple of today's traffic at which the path's percentile reaches ``target``.

    0.0 when even an idle path misses it (service times alone are too slow), inf when no hop
    carries load (the percentile never moves).  The share of requests slower than the target
    grows with the load, so the crossing is where that share reaches ``1 - percentile``.  One
    pass over loads from 1/8 of saturation to 1 - 2^-14 of it (where the busiest hop's queue
    grows without bound; closer than that is saturation to the tolerance) brackets it; the Illinois method (false position that halves a stale
    end) narrows the bracket to ``CROSSING_TOLERANCE``; the lower end, always within the
    target, is the answer.
    """
    beyond = 1 - target.percentile

    def excess(multiplier: float) -> float:
        path = _path(pools, multiplier)
        return 1 - beyond if path is None else path.tail(target.seconds) - beyond

    low_excess = excess(0.0)
    if low_excess > 0:
        return 0.0
    loaded = [pool.utilization() for pool in pools if pool.utilization() > 0]
    if not loaded:
        return math.inf
    saturated = 1 / max(loaded)           # here the busiest hop saturates: every request is late
    if not math.isfinite(saturated):      # a load so small its reciprocal overflows: never, in practice
        return math.inf
    low, high, high_excess = 0.0, saturated, 1 - beyond
    grid = [saturated * f for f in CROSSING_GRID]
    shares = phasetype.tails_of([_path(pools, m) for m in grid], target.seconds) - beyond
    for m, value in zip(grid, shares):
        if value > 0:
            high, high_excess = m, float(value)
            break
        low, low_excess = m, float(value)
    kept = 0                              # +1 when the low end stayed last time, -1 the high end
    for _ in range(CROSSING_ITERATIONS):
        if high - low <= CROSSING_TOLERANCE * high:
            break
        middle = (low * high_excess - high * low_excess) / (high_excess - low_excess)
        if not low < middle < high:
            middle = (low + high) / 2
        value = excess(middle)
        if value > 0:
            high, high_excess = middle, value
            if kept == 1:
                low_excess /= 2
            kept = 1
        else:
            low, low_excess = middle, value
            if kept == -1:
                high_excess /= 2
            kept = -1
    return low


def pools(loads, average_share: float) -> dict[str, Pool]:
    """Each component's busiest throughput limit as a Pool (``average_share``: average / peak traffic)."""
    result = {}
    for load in loads:
        lim = load.bottleneck
        result[load.name] = Pool(load.name, lim.metric, lim.servers, 1.0 / lim.per_server,
                                 lim.load, lim.load * average_share)
    return result


def path_peak(hops, by_name: dict[str, Pool]) -> Percentiles | None:
    """A path's exact percentiles at today's peak (None when the path is empty): ``path_latency``'s
    ``peak`` alone, for figures sampled many times (``sensitivity.figures``)."""
    if not hops:
        return None
    return Percentiles(*_solve([by_name[hop] for hop in hops], 1.0, PERCENTILES))


def path_latency(name: str, hops, by_name: dict[str, Pool], target: LatencyTarget | None,
                 users: float | None) -> PathLatency | None:
    """The tail latency of one path (None when the path is empty)."""
    if not hops:
        return None
    chain = [by_name[hop] for hop in hops]
    share = chain[0].average_arrivals / chain[0].peak_arrivals if chain[0].peak_arrivals else 1.0

    def exact(multiplier: float) -> Percentiles:
        return Percentiles(*_solve(chain, multiplier, PERCENTILES))

    at_target = None if target is None else path_percentile(chain, target.percentile)
    return PathLatency(path=name, hops=tuple(hops), average=exact(share), peak=path_peak(hops, by_name),
                       target=target, at_target_seconds=at_target, users=users, pools=tuple(chain))


def path_target(spec, path: str) -> LatencyTarget | None:
    """The first latency target of the spec's non-functional requirements that holds for ``path``."""
    for item in spec.requirements.non_functional:
        found = item.latency
        if found is not None and (item.path or "both") in (path, "both"):
            return found
    return None


def latency(spec, loads, cap) -> Latency:
    """Tail latency of every component and of the read and write paths of ``spec``."""
    share = cap.qps_average / cap.qps_peak if cap.qps_peak else 1.0
    by_name = pools(loads, share)
    components = tuple(ComponentLatency(pool, pool.percentiles(share), pool.percentiles(1.0))
                       for pool in by_name.values())
    return Latency(
        components=components,
        read=path_latency("read", spec.read_path, by_name, path_target(spec, "read"), cap.users),
        write=path_latency("write", spec.write_path, by_name, path_target(spec, "write"), cap.users))
