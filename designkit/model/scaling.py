"""Scaling: the load each component carries, how full it is, and when it must take its next step.

The model, in one place:

- **Flows.** A request on the read path reaches a component with its ``traffic_share``;
  after a cache only the misses go on (a cache with share s and hit ratio h lets
  1 - s*h of the path's requests through).  Writes are not reduced by caches.  A component
  on both paths carries reads + writes.
- **Nodes.** Stateless kinds (load balancer, gateway, service, queue, CDN, other) run
  ``replicas`` interchangeable servers.  Data stores (database, search, object store) and
  caches run ``shards`` x ``replicas`` nodes: reads spread over every node, writes go to the
  one primary of each shard (``write_capacity`` each, default ``capacity``).
- **Limits.** Each component has one or more limits (a resource with today's peak load,
  what the current nodes sustain or hold, the share of that at which to act, and the step
  that relieves it):
  throughput at ``target_utilization`` (default 70%, the template's "CPU > 70%") ->
  *add replicas* (stateless, cache reads), *read replicas* (store reads), *sharding* (store
  writes), *cluster mode* (cache writes); storage over retention x replication factor
  against the nodes' disks at 100% -> *sharding*; the cache's hot set against its shards'
  memory at 80% -> *cluster mode*.
- **Linearity.** Every load grows in proportion to users, so a limit is reached at
  ``users x threshold load / today's load``; it *breaks* at 100% of what the current
  nodes sustain or hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .capacity import Capacity, servers_for
from .kinds import holds_data


TARGET_UTILIZATION = 0.7   # scale out when a pool passes 70% busy at peak ("CPU > 70%")
MEMORY_THRESHOLD = 0.8     # scale a cache out when its memory passes 80% full
STORAGE_THRESHOLD = 1.0    # disks: the step is needed when the data no longer fits
SCALE_FACTORS = (10.0, 100.0)
WORLD_POPULATION = 8.2e9   # people on Earth (UN, 2024): no design has more users than this
CELL_NODES = 10_000        # the most nodes one component runs before it is split into cells:
                           # Kubernetes supports 5,000 nodes a cluster, a Borg cell ~10,000 machines

STEPS = ("add replicas", "read replicas", "sharding", "cluster mode")
METRICS = ("qps", "read_qps", "write_qps", "storage_bytes", "memory_bytes")
THROUGHPUT_METRICS = ("qps", "read_qps", "write_qps")


# --- flows ------------------------------------------------------------------------------

def path_reach(components: Mapping[str, object], path: Sequence[str], *, reads: bool,
               bypass: str | None = None) -> dict[str, float]:
    """Share of a path's requests that reach each component on it, in path order.

    ``traffic_share`` scales what reaches a component; on a read path each cache lets only
    its misses through (1 - traffic_share x hit_ratio).  ``bypass`` names a cache whose hits
    are lost (it is down), so everything it used to answer goes on.  A component listed
    twice is reached twice.
    """
    reach: dict[str, float] = {}
    passing = 1.0
    for name in path:
        comp = components[name]
        reach[name] = reach.get(name, 0.0) + passing * comp.traffic_share
        if reads and comp.kind == "cache" and comp.hit_ratio and name != bypass:
            passing *= 1 - comp.traffic_share * comp.hit_ratio
    return reach


def spec_reach(spec, *, bypass: str | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """(read reach, write reach) for a spec's two paths."""
    by_name = {c.name: c for c in spec.components}
    return (path_reach(by_name, spec.read_path, reads=True, bypass=bypass),
            path_reach(by_name, spec.write_path, reads=False))


# --- one resource of one component ------------------------------------------------------

def replicas_for(load: float, per_replica: float, target: float = TARGET_UTILIZATION) -> int:
    """Replicas that keep ``load`` at or below ``target`` of what they sustain (at least one)."""
    if load <= 0:
        return 1
    return servers_for(load, per_replica * target)


def utilization(load: float, per_replica: float, replicas: int) -> float:
    """Share of what ``replicas`` sustain that ``load`` uses (above 1.0 = overloaded)."""
    return load / (per_replica * replicas)


@dataclass(frozen=True)
class Limit:
    """One resource of a component: today's peak load on it, what the nodes sustain, when to act."""

    metric: str        # one of METRICS
    step: str          # one of STEPS: what relieves this limit
    load: float        # today's peak, in the metric's unit (requests/s or bytes)
    servers: int       # nodes that share this load today
    per_server: float  # what one of them sustains (requests/s) or holds (bytes)
    threshold: float   # share of capacity at which the step is due

    @property
    def capacity(self) -> float:
        """What the current nodes sustain or hold in total."""
        return self.servers * self.per_server

    @property
    def utilization(self) -> float:
        """Today's peak load over capacity."""
        return self.load / self.capacity

    @property
    def trigger(self) -> float:
        """The load (metric units) at which the step is due."""
        return self.threshold * self.capacity

    @property
    def step_multiplier(self) -> float:
        """Multiple of today's traffic at which the step is due (inf when no load)."""
        return self.trigger / self.load if self.load > 0 else math.inf

    @property
    def break_multiplier(self) -> float:
        """Multiple of today's traffic at which the current nodes are full (inf when no load)."""
        return self.capacity / self.load if self.load > 0 else math.inf


@dataclass(frozen=True)
class ComponentLoad:
    """What one component carries at average and peak, how full it is, and what it needs."""

    name: str
    kind: str
    replicas: int
    shards: int
    read_qps_average: float
    read_qps_peak: float
    write_qps_average: float
    write_qps_peak: float
    utilization_average: float   # busiest throughput limit at average load
    utilization: float           # busiest throughput limit at peak load
    replicas_needed: int         # replicas (per shard) that keep peak at the target utilization
    replicas_to_carry: int       # replicas (per shard) that carry peak at 100%: the k of k-of-n
    shards_needed: int | None    # stores and caches: shards for writes, storage and memory
    storage_bytes: float | None  # stores with disks: data to hold, every copy counted
    memory_bytes: float | None   # caches with memory: the hot set to hold
    limits: tuple[Limit, ...]

    @property
    def nodes(self) -> int:
        """Machines the component runs today (shards x replicas)."""
        return self.shards * self.replicas

    @property
    def qps_average(self) -> float:
        """Reads + writes reaching it on an average second."""
        return self.read_qps_average + self.write_qps_average

    @property
    def qps_peak(self) -> float:
        """Reads + writes reaching it at peak."""
        return self.read_qps_peak + self.write_qps_peak

    @property
    def bottleneck(self) -> Limit:
        """The busiest throughput limit (the one queueing and crash scenarios look at)."""
        throughput = [lim for lim in self.limits if lim.metric in THROUGHPUT_METRICS]
        return max(throughput, key=lambda lim: lim.utilization)

    def limit(self, metric: str) -> Limit | None:
        """The limit measured in ``metric``, if the component has one."""
        return next((lim for lim in self.limits if lim.metric == metric), None)

    @property
    def storage_utilization(self) -> float | None:
        """Data over what the current nodes' disks hold."""
        lim = self.limit("storage_bytes")
        return lim.utilization if lim else None

    @property
    def memory_utilization(self) -> float | None:
        """Hot set over what the current shards' memory holds."""
        lim = self.limit("memory_bytes")
        return lim.utilization if lim else None

    @property
    def short(self) -> Limit | None:
        """The most overloaded write or disk limit past 100%: no replica count carries peak then."""
        over = [lim for lim in self.limits if lim.metric in ("write_qps", "storage_bytes") and lim.utilization > 1]
        return max(over, key=lambda lim: lim.utilization) if over else None

    @property
    def break_multiplier(self) -> float:
        """Multiple of today's traffic at which the first limit is full (inf: never)."""
        return min((lim.break_multiplier for lim in self.limits), default=math.inf)

    @property
    def breaking_limit(self) -> Limit | None:
        """The limit that fills first, or None when no load reaches the component."""
        loaded = [lim for lim in self.limits if lim.load > 0]
        return min(loaded, key=lambda lim: lim.break_multiplier) if loaded else None


def component_load(comp, *, read_average: float, read_peak: float, write_average: float,
                   write_peak: float, stored_bytes: float = 0.0, cached_bytes: float = 0.0,
                   target: float = TARGET_UTILIZATION,
                   memory_threshold: float = MEMORY_THRESHOLD) -> ComponentLoad:
    """The load, utilization and needs of one component given the reads and writes reaching it."""
    write_per_node = comp.write_capacity or comp.capacity
    if not holds_data(comp.kind):
        # One pool serves both; a write costs capacity/write_capacity reads' worth of time.
        cost = comp.capacity / write_per_node

        def busy(reads: float, writes: float) -> float:
            return reads + writes * cost

        limits = (Limit("qps", "add replicas", busy(read_peak, write_peak), comp.replicas,
                        comp.capacity, target),)
        average = utilization(busy(read_average, write_average), comp.capacity, comp.replicas)
        needed = replicas_for(busy(read_peak, write_peak), comp.capacity, target)
        carry = replicas_for(busy(read_peak, write_peak), comp.capacity, 1.0)
        return ComponentLoad(
            name=comp.name, kind=comp.kind, replicas=comp.replicas, shards=comp.shards,
            read_qps_average=read_average, read_qps_peak=read_peak,
            write_qps_average=write_average, write_qps_peak=write_peak,
            utilization_average=average, utilization=limits[0].utilization,
            replicas_needed=needed, replicas_to_carry=carry, shards_needed=None,
            storage_bytes=None, memory_bytes=None, limits=limits)

    cache = comp.kind == "cache"
    nodes = comp.shards * comp.replicas
    limits = [Limit("read_qps", "add replicas" if cache else "read replicas", read_peak, nodes,
                    comp.capacity, target)]
    if write_peak > 0:
        limits.append(Limit("write_qps", "cluster mode" if cache else "sharding", write_peak,
                            comp.shards, write_per_node, target))
    shards_needed = 1 if write_peak <= 0 else replicas_for(write_peak, write_per_node, target)
    storage = None
    if not cache and comp.storage:
        storage = stored_bytes
        limits.append(Limit("storage_bytes", "sharding", storage, nodes, comp.storage,
                            STORAGE_THRESHOLD))
        nodes_for_data = replicas_for(storage, comp.storage, STORAGE_THRESHOLD)
        shards_needed = max(shards_needed, math.ceil(nodes_for_data / comp.replicas))
    memory = None
    if cache and comp.memory:
        memory = cached_bytes
        limits.append(Limit("memory_bytes", "cluster mode", memory, comp.shards, comp.memory,
                            memory_threshold))
        shards_needed = max(shards_needed, replicas_for(memory, comp.memory, memory_threshold))
    throughput = [lim for lim in limits if lim.metric in THROUGHPUT_METRICS]
    average = max(utilization(read_average, comp.capacity, nodes),
                  utilization(write_average, write_per_node, comp.shards))
    per_shard_reads = read_peak / comp.shards
    return ComponentLoad(
        name=comp.name, kind=comp.kind, replicas=comp.replicas, shards=comp.shards,
        read_qps_average=read_average, read_qps_peak=read_peak,
        write_qps_average=write_average, write_qps_peak=write_peak,
        utilization_average=average, utilization=max(lim.utilization for lim in throughput),
        replicas_needed=replicas_for(per_shard_reads, comp.capacity, target),
        replicas_to_carry=replicas_for(per_shard_reads, comp.capacity, 1.0),
        shards_needed=shards_needed, storage_bytes=storage, memory_bytes=memory,
        limits=tuple(limits))


def loads(spec, cap: Capacity, *, target: float = TARGET_UTILIZATION,
          memory_threshold: float = MEMORY_THRESHOLD,
          bypass: str | None = None) -> tuple[ComponentLoad, ...]:
    """Every component's load, in spec order, from the capacity estimate and the two paths.

    A store with ``storage`` holds the whole retained data set times the replication factor
    (times its traffic_share); a cache with ``memory`` holds the estimate's hot set (times
    its traffic_share).  ``bypass`` recomputes the loads with that cache's hits lost.
    """
    read_reach, write_reach = spec_reach(spec, bypass=bypass)
    result = []
    for comp in spec.components:
        reads, writes = read_reach.get(comp.name, 0.0), write_reach.get(comp.name, 0.0)
        result.append(component_load(
            comp,
            read_average=cap.read_qps_average * reads, read_peak=cap.read_qps_peak * reads,
            write_average=cap.write_qps_average * writes, write_peak=cap.write_qps_peak * writes,
            stored_bytes=cap.storage_replicated_bytes * comp.traffic_share,
            cached_bytes=cap.cache_memory_bytes * comp.traffic_share,
            target=target, memory_threshold=memory_threshold))
    return tuple(result)


# --- thresholds and what breaks first ---------------------------------------------------

@dataclass(frozen=True)
class Threshold:
    """When one component must take one step: the metric's trigger value and the scale then."""

    component: str
    step: str
    metric: str
    limit: float        # the metric's value at which the step is due
    multiplier: float   # multiple of today's traffic at which it is due (<= 1: due already)
    users: float | None  # users then (None in the totals form)
    qps: float          # the system's peak QPS then

    @property
    def reached(self) -> bool:
        """True when today's traffic is already past the trigger."""
        return self.multiplier <= 1


def _key(value: float) -> float:
    """A sort key that treats values equal to 12 significant figures as ties."""
    return float(f"{value:.12g}")


def thresholds(component_loads: Iterable[ComponentLoad], cap: Capacity) -> tuple[Threshold, ...]:
    """Every loaded limit's step, per component in spec order, earliest first."""
    result = []
    for index, load in enumerate(component_loads):
        for lim in load.limits:
            if lim.load <= 0:
                continue
            m = lim.step_multiplier
            result.append((index, _key(m), STEPS.index(lim.step), Threshold(
                component=load.name, step=lim.step, metric=lim.metric, limit=lim.trigger,
                multiplier=m, users=cap.users * m if cap.users is not None else None,
                qps=cap.qps_peak * m)))
    return tuple(t for *_, t in sorted(result, key=lambda row: row[:3]))


@dataclass(frozen=True)
class Break:
    """A component that is full at some multiple of today's traffic, and which limit fills."""

    component: str
    metric: str
    multiplier: float


@dataclass(frozen=True)
class BreakPoint:
    """What is over capacity when all traffic grows by ``factor``, first to fill first."""

    factor: float
    breaking: tuple[Break, ...]

    @property
    def first(self) -> str | None:
        """The component that saturates first, or None when nothing breaks at this factor."""
        return self.breaking[0].component if self.breaking else None


def break_point(component_loads: Iterable[ComponentLoad], factor: float) -> BreakPoint:
    """Components whose current nodes are over 100% (throughput, disk or memory) at ``factor``.

    Ordered by the multiple at which each fills (smallest first), ties in spec order.
    """
    rows = []
    for index, load in enumerate(component_loads):
        lim = load.breaking_limit
        if lim is not None and lim.break_multiplier < factor:
            rows.append((_key(lim.break_multiplier), index,
                         Break(load.name, lim.metric, lim.break_multiplier)))
    return BreakPoint(factor, tuple(b for *_, b in sorted(rows, key=lambda row: row[:2])))


def needed_at(load: ComponentLoad, factor: float) -> tuple[int, int | None]:
    """(replicas per shard, shards or None) ``load``'s component needs at ``factor`` x today's traffic.

    Each limit is sized at the threshold the scaling table uses for it (the target for
    throughput, full disks, the memory threshold).  Reads spread over every node, so the read
    nodes are divided over the shards it runs then (today's, or more if writes, disk or memory
    need them), not today's: the fleet grows in proportion to the load.
    """
    replicas, shards = 1, None if load.shards_needed is None else 1
    read_nodes = 0
    for lim in load.limits:
        n = replicas_for(lim.load * factor, lim.per_server, lim.threshold)
        if lim.metric in ("qps",):
            replicas = max(replicas, n)
        elif lim.metric == "read_qps":
            read_nodes = n
        elif lim.metric == "storage_bytes":
            shards = max(shards, math.ceil(n / load.replicas))
        else:  # write_qps and memory_bytes: one shard per node of the pool
            shards = max(shards, n)
    if read_nodes:
        replicas = max(replicas, math.ceil(read_nodes / max(load.shards, shards or 1)))
    return replicas, shards


# --- the envelope: how far the design holds ----------------------------------------------

@dataclass(frozen=True)
class Edge:
    """One end of the design: a component out of next steps, or more users than people."""

    component: str | None   # None: the world's population
    limit: float            # CELL_NODES nodes, or WORLD_POPULATION people
    multiplier: float       # multiple of today's traffic at which it runs out

    @property
    def population(self) -> bool:
        """True for the world's population, False for a component out of steps."""
        return self.component is None


@dataclass(frozen=True)
class Envelope:
    """The scale range the design holds: up to ``multiplier`` x today's traffic, then it must change.

    Within it every component can take its next step (add replicas, shards, nodes) and stay
    one cluster of at most CELL_NODES nodes; past it ``edges[0]`` cannot, and the architecture
    itself must change (cells, regions, a different store), or the users would outnumber the
    people on Earth.  ``multiplier`` is inf when no load reaches any component (totals form).
    """

    multiplier: float
    users: float | None     # users at the envelope (None in the totals form)
    edges: tuple[Edge, ...]  # every edge, nearest first

    def holds(self, multiplier: float) -> bool:
        """True when ``multiplier`` x today's traffic is within the envelope."""
        return multiplier <= self.multiplier * (1 + 1e-9)

    @property
    def reached(self) -> bool:
        """True when today's traffic is already past the envelope."""
        return not self.holds(1.0)


def _nodes_per_unit(load: ComponentLoad, lim: Limit) -> int:
    """Nodes each unit of a limit's step adds: a replica or a node, or a shard with its copies."""
    return load.replicas if lim.metric in ("write_qps", "memory_bytes") else 1


def envelope(component_loads: Iterable[ComponentLoad], cap: Capacity) -> Envelope:
    """Where the design stops holding: the nearest multiple of today's traffic at which a
    component would need more than CELL_NODES nodes, or the users would outnumber people.

    Needs grow in proportion to traffic, so a limit that needs ``u`` nodes today (its load over
    what a node sustains or holds at the limit's threshold, times the copies of a shard where
    the step adds shards) runs out at ``CELL_NODES / u`` x today's traffic.
    """
    edges = []
    for load in component_loads:
        for lim in load.limits:
            if lim.load <= 0:
                continue
            nodes = lim.load / (lim.per_server * lim.threshold) * _nodes_per_unit(load, lim)
            edges.append(Edge(load.name, CELL_NODES, CELL_NODES / nodes))
    if cap.users:
        edges.append(Edge(None, WORLD_POPULATION, WORLD_POPULATION / cap.users))
    nearest = {}
    for edge in sorted(edges, key=lambda e: (_key(e.multiplier), e.population)):
        nearest.setdefault(edge.component, edge)       # one edge per component: its nearest
    ordered = tuple(nearest.values())
    m = ordered[0].multiplier if ordered else math.inf
    users = cap.users * m if cap.users is not None and math.isfinite(m) else None
    return Envelope(m, users, ordered)
