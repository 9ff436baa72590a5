"""Failure scenarios: who a failure hits, for how long, what data it loses, and whether the RTO holds.

Assumptions, stated once (availability's own are in ``availability``):

- Failure scenarios: detection defaults to 10 s (health checks every 10 s) and failover to
  30 s (the template's "automatic promotion < 30 s") when a component does not say; the
  recovery time objective (RTO) defaults to 60 s.  Data lost (RPO): synchronous
  replication loses nothing; asynchronous (or unstated) loses the replication lag window,
  1 s by default; no copy at all ("replication: none" or one replica) loses everything
  since the last backup (unbounded, None); a leaderless store (quorum writes) loses nothing.  Caches and stateless services hold no data of
  record.  Replicas and shard primaries are spread evenly over three availability zones
  (the fewest a cloud region offers); the deployment is in one region.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from .kinds import holds_data
from .scaling import ComponentLoad, Limit, path_reach

DEFAULT_RTO_SECONDS = 60.0
DEFAULT_DETECTION_SECONDS = 10.0
DEFAULT_FAILOVER_SECONDS = 30.0
REPLICATION_LAG_SECONDS = 1.0       # async replication: what a replica is typically behind by
AVAILABILITY_ZONES = 3

SCENARIOS = ("Server crash", "Database primary failure", "Cache cluster loss",
             "Network partition", "Availability-zone outage", "Region outage")


@dataclass(frozen=True)
class Recovery:
    """How one component recovers: seconds to notice, seconds to fail over, writes lost."""

    component: str
    detection_seconds: float
    failover_seconds: float
    rpo_seconds: float | None  # None: no copy to fail over to

    @property
    def recovery_seconds(self) -> float:
        """Detection + failover."""
        return self.detection_seconds + self.failover_seconds


def recoveries(components: Sequence, lag: float = REPLICATION_LAG_SECONDS) -> tuple[Recovery, ...]:
    """Each component's detection, failover and RPO, defaults filled in (spec order)."""
    return tuple(Recovery(c.name, detection(c), failover(c), rpo_seconds(c, lag)) for c in components)


@dataclass(frozen=True)
class Scenario:
    """One failure: who it hits, for how long, what data it loses, and whether the RTO holds."""

    name: str                        # one of SCENARIOS
    component: str | None            # the component that fails or is hit hardest (None: all)
    affected_share: float            # share of peak requests failing until failover completes
                                     # (async partition: accepted but at risk of being lost)
    lasting_share: float             # share still failing after failover, until repair
    data_loss: float | None          # RPO in seconds of writes; None: unbounded (no copy)
    data_loss_writes: float | None   # writes lost at peak (rate x RPO)
    detection_seconds: float | None
    failover_seconds: float | None
    recovery_seconds: float | None   # detection + failover; None: waits for repair or the zone/region
    rto_seconds: float
    nodes_lost: int
    survives: bool                   # the survivors carry peak without overload
    survivors_utilization: float | None  # busiest survivor afterwards; None when none survive
    short: Limit | None = None       # a write or disk limit of the one hit already past 100%
    downstream: str | None = None    # cache loss: the component the misses now land on
    load_multiplier: float | None = None  # cache loss: reads reaching `downstream`, after/before
    downstream_read_qps: float | None = None  # cache loss: peak reads `downstream` now receives
    failing_before: float = 0.0      # share of peak requests failing before it: what the hit components
                                     # already overflow (over capacity); 0 within capacity
    failing_after: float = 0.0       # the same after failover, until repair (with what it adds)
    failing_during: float = 0.0      # the same until failover: the window's requests fail, the rest
                                     # as before (so never less than failing_before)

    @property
    def rto_met(self) -> bool:
        """True when detection + failover fit within the RTO and the survivors then carry peak
        (never when what it hits could not carry peak before the failure either)."""
        return (self.recovery_seconds is not None and self.recovery_seconds <= self.rto_seconds and self.survives
                and self.short is None)


@dataclass(frozen=True)
class Traffic:
    """Who reaches what: the inputs every scenario needs, computed once."""

    read_reach: Mapping[str, float]
    write_reach: Mapping[str, float]
    read_weight: float  # reads' share of peak requests

    def failing_share(self, failing: Mapping[str, tuple[float, float]],
                      read_reach: Mapping[str, float] | None = None) -> float:
        """Share of all peak requests that fail when component c fails (reads, writes) shares."""
        def path_fail(reach, side):
            ok = math.prod(1.0 - min(1.0, share) * failing.get(name, (0.0, 0.0))[side]
                           for name, share in reach.items())
            return 1.0 - ok
        reads = path_fail(self.read_reach if read_reach is None else read_reach, 0)
        writes = path_fail(self.write_reach, 1)
        return self.read_weight * reads + (1 - self.read_weight) * writes


def detection(comp) -> float:
    """Seconds to notice a failure (the component's, or the default)."""
    return comp.detection_seconds if comp.detection_seconds is not None else DEFAULT_DETECTION_SECONDS


def failover(comp) -> float:
    """Seconds to move traffic to a survivor once noticed (the component's, or the default)."""
    return comp.failover_seconds if comp.failover_seconds is not None else DEFAULT_FAILOVER_SECONDS


def rpo_seconds(comp, lag: float = REPLICATION_LAG_SECONDS) -> float | None:
    """Seconds of acknowledged writes lost when this component's primary is lost."""
    if comp.kind == "cache" or not (holds_data(comp.kind) or comp.kind == "queue"):
        return 0.0
    if comp.replication == "none" or comp.replicas == 1:
        return None
    return 0.0 if comp.replication in ("sync", "leaderless") else lag


def overflow(utilization: float) -> float:
    """Share of requests an overloaded pool cannot serve (0 up to 100% busy)."""
    return max(0.0, 1.0 - 1.0 / utilization) if utilization > 0 else 0.0


def _replica_limit(load: ComponentLoad) -> Limit:
    """The throughput limit replicas share: all requests (stateless) or reads (stores, caches)."""
    return next(lim for lim in load.limits if lim.metric in ("qps", "read_qps"))


def _loss(comp, load: ComponentLoad, lost_per_shard: int, shards_hit: int,
          primaries_lost: int | None = None
          ) -> tuple[tuple[float, float], tuple[float, float], float | None]:
    """When ``shards_hit`` shards each lose ``lost_per_shard`` replicas, ``primaries_lost``
    of them (default: all hit shards) their primary: the (reads, writes) shares of the
    component's requests failing until failover, those failing after it, and the survivors'
    utilization (None: no survivors).

    Requests sent to lost replicas (or, for a store or cache, writes to a lost primary) fail
    until failover; afterwards the shard has a new primary, and the survivors fail only the
    overflow they add by being fewer.
    """
    n, s = comp.replicas, comp.shards
    hit = shards_hit / s
    read_window = hit * lost_per_shard / n
    stateful = holds_data(comp.kind)
    primaries = (shards_hit if primaries_lost is None else primaries_lost) / s
    window = (read_window, primaries if stateful else read_window)
    left = n - lost_per_shard
    if left <= 0:
        return window, (hit, hit), None
    pool = _replica_limit(load).utilization
    after = pool * n / left
    lasting = hit * (overflow(after) - overflow(pool))
    return window, (lasting, 0.0 if stateful else lasting), after


def _before(comp, load: ComponentLoad) -> tuple[float, float]:
    """The (reads, writes) shares of a component's requests it fails at peak before any failure:
    the overflow of replicas already past 100% (what ``_loss`` counts its lasting share from)."""
    failing = overflow(_replica_limit(load).utilization)
    return failing, 0.0 if holds_data(comp.kind) else failing


def _over_capacity(components, loads_by_name, traffic: Traffic, added: Mapping[str, tuple[float, float]],
                   window: Mapping[str, tuple[float, float]], whole: Collection[str] = ()) -> dict[str, float]:
    """``failing_before``, ``failing_during`` and ``failing_after`` of a failure whose ``window``
    (a component's (reads, writes) shares sent to what it lost, failing until failover) and
    ``added`` (the overflow it adds after failover) come on top of what over-capacity components
    already fail; all 0 when nothing is over capacity (then ``affected_share`` and
    ``lasting_share`` say it all).  Until failover the window's requests fail and the others fail
    as before: 1 - (1 - before)(1 - window), never a sum past all of them.  After it, a component
    in ``whole`` (it lost every copy of what was hit: nothing fails over) fails what was hit and
    the rest as before, the same way; any other adds its survivors' extra overflow to its own."""
    before = {c.name: _before(c, loads_by_name[c.name]) for c in components if c.name in loads_by_name}
    if not any(r or w for r, w in before.values()):
        return {}
    nothing = (0.0, 0.0)

    def on_top(b: float, lost: float) -> float:     # what was lost fails; the rest as before
        return 1 - (1 - b) * (1 - lost)

    after = {name: tuple(on_top(b, a) if name in whole else min(1.0, b + a)
                         for b, a in zip(shares, added.get(name, nothing)))
             for name, shares in before.items()}
    during = {name: tuple(on_top(b, w) for b, w in zip(shares, window.get(name, nothing)))
              for name, shares in before.items()}
    return {"failing_before": traffic.failing_share(before), "failing_after": traffic.failing_share(after),
            "failing_during": traffic.failing_share(during)}


def _on_paths(name: str, traffic: Traffic) -> bool:
    return traffic.read_reach.get(name, 0.0) > 0 or traffic.write_reach.get(name, 0.0) > 0


def server_crash(components, loads_by_name, traffic: Traffic, rto: float, lag: float) -> Scenario | None:
    """One replica of a stateless component dies: the component where that hurts most."""
    rows = []
    for index, comp in enumerate(components):
        if holds_data(comp.kind):
            continue
        load = loads_by_name[comp.name]
        window, after, busiest = _loss(comp, load, 1, 1)
        affected = traffic.failing_share({comp.name: window})
        lasting = traffic.failing_share({comp.name: after})
        # Worst first: no survivors, then lasting failures, then the widest outage, then the
        # busiest survivors; spec order breaks ties.
        key = (busiest is not None, -lasting, -affected, -(busiest or 0.0), index)
        rows.append((key, comp, load, window, after, affected, lasting, busiest))
    if not rows:
        return None
    _, comp, load, window, after, affected, lasting, busiest = min(rows, key=lambda row: row[0])
    rpo = rpo_seconds(comp, lag)
    alone = comp.replicas == 1
    return Scenario(
        name="Server crash", component=comp.name, affected_share=affected, lasting_share=lasting,
        **_over_capacity([comp], loads_by_name, traffic, {comp.name: after}, {comp.name: window},
                         () if busiest is not None else (comp.name,)),
        data_loss=rpo,
        data_loss_writes=None if rpo is None else load.write_qps_peak / comp.replicas * rpo,
        detection_seconds=detection(comp), failover_seconds=None if alone else failover(comp),
        recovery_seconds=None if alone else detection(comp) + failover(comp), rto_seconds=rto,
        nodes_lost=1, survives=busiest is not None and busiest <= 1, survivors_utilization=busiest)


def primary_failure(comp, load: ComponentLoad, traffic: Traffic, rto: float, lag: float) -> Scenario:
    """A database shard's primary dies: its writes stop until a replica is promoted."""
    window, after, busiest = _loss(comp, load, 1, 1)
    affected = traffic.failing_share({comp.name: window})
    lasting = traffic.failing_share({comp.name: after})
    rpo = rpo_seconds(comp, lag)
    alone = comp.replicas == 1
    return Scenario(
        name="Database primary failure", component=comp.name, affected_share=affected,
        lasting_share=lasting, **_over_capacity([comp], {comp.name: load}, traffic, {comp.name: after},
                                                {comp.name: window}, () if busiest is not None else (comp.name,)),
        data_loss=rpo,
        data_loss_writes=None if rpo is None else load.write_qps_peak / comp.shards * rpo,
        detection_seconds=detection(comp), failover_seconds=None if alone else failover(comp),
        recovery_seconds=None if alone else detection(comp) + failover(comp), rto_seconds=rto,
        nodes_lost=1, survives=busiest is not None and busiest <= 1, survivors_utilization=busiest)


def cache_loss(spec, comp, traffic: Traffic, loads_by_name: Mapping[str, ComponentLoad],
               bypassed_loads: Sequence[ComponentLoad], rto: float) -> Scenario:
    """Every node of a cache is lost: its hits become misses that land on what is behind it."""
    by_name = {c.name: c for c in spec.components}
    before = traffic.read_reach
    after = path_reach(by_name, spec.read_path, reads=True, bypass=comp.name)
    behind = [name for name in after if after[name] > before.get(name, 0.0) * (1 + 1e-12)]
    new_loads = {load.name: load for load in bypassed_loads}
    failing: dict[str, tuple[float, float]] = {}
    pools = {}
    for name in behind:
        old, new = (_replica_limit(loads_by_name[name]).utilization,
                    _replica_limit(new_loads[name]).utilization)
        pools[name] = new
        fail = max(0.0, overflow(new) - overflow(old))
        if fail > 0:
            failing[name] = (fail, 0.0 if holds_data(by_name[name].kind) else fail)
    if not behind:
        failing[comp.name] = (1.0, 0.0)  # nothing behind the cache answers its reads
    share = traffic.failing_share(failing, read_reach=after)
    stores = [name for name in behind if holds_data(by_name[name].kind)]
    downstream = stores[0] if stores else max(behind, key=pools.__getitem__, default=None)
    busiest = max(pools.values(), default=None)
    multiplier = None
    if downstream is not None:
        multiplier = after[downstream] / before[downstream] if before.get(downstream) else math.inf
    return Scenario(
        name="Cache cluster loss", component=comp.name, affected_share=share, lasting_share=share,
        data_loss=0.0, data_loss_writes=0.0, detection_seconds=detection(comp),
        failover_seconds=failover(comp), recovery_seconds=detection(comp) + failover(comp),
        rto_seconds=rto, nodes_lost=comp.shards * comp.replicas,
        survives=busiest is not None and busiest <= 1, survivors_utilization=busiest,
        downstream=downstream, load_multiplier=multiplier,
        downstream_read_qps=new_loads[downstream].read_qps_peak if downstream else None)


def network_partition(components, loads_by_name, traffic: Traffic, rto: float,
                      lag: float) -> Scenario | None:
    """One zone is cut off from the other two, with the primaries of ceil(shards / 3) shards of
    the replicated store that matters most (a database on the write path, else any replicated
    store or queue).  Sync replication stops those primaries' writes until the majority side
    promotes new ones; async lets them accept writes their replicas never see, lost (RPO =
    the lag window) once the old primary is fenced off.  Without fencing (leases, epochs) the
    loss grows to everything written until detection."""
    candidates = [(traffic.write_reach.get(c.name, 0.0) <= 0, c.kind != "database", index, c)
                  for index, c in enumerate(components)
                  if (holds_data(c.kind) and c.kind != "cache" or c.kind == "queue")
                  and c.replicas > 1 and c.replication != "none"]
    if not candidates:
        return None
    comp = min(candidates, key=lambda row: row[:3])[3]
    load = loads_by_name[comp.name]
    cut = math.ceil(comp.shards / AVAILABILITY_ZONES) / comp.shards  # primaries on the cut side
    affected = traffic.failing_share({comp.name: (0.0, 0.0 if comp.replication == "leaderless" else cut)})
    lost_per_shard = math.ceil(comp.replicas / AVAILABILITY_ZONES)
    _, _, busiest = _loss(comp, load, lost_per_shard, comp.shards)
    rpo = rpo_seconds(comp, lag)
    return Scenario(
        name="Network partition", component=comp.name, affected_share=affected, lasting_share=0.0,
        data_loss=rpo, data_loss_writes=None if rpo is None else load.write_qps_peak * cut * rpo,
        detection_seconds=detection(comp), failover_seconds=failover(comp),
        recovery_seconds=detection(comp) + failover(comp), rto_seconds=rto,
        nodes_lost=lost_per_shard * comp.shards, survives=busiest is not None and busiest <= 1,
        survivors_utilization=busiest)


def zone_outage(components, loads_by_name, traffic: Traffic, rto: float, lag: float) -> Scenario:
    """One of three availability zones goes dark, taking its share of every component with it.

    A component with copies loses ceil(replicas / 3) of each shard and fails over; a single
    copy (one server, or shards without replicas) loses ceil(shards / 3) whole shards until
    the zone returns.  Data lost is the worst RPO among the components that fail over.
    """
    window, after = {}, {}
    whole = []                       # components with no copy left of what the zone held
    worst = []                       # (severity, index, name, survivors' utilization)
    recoveries: list[float | None] = []
    rpos: list[float | None] = []
    lost_nodes = 0
    for index, comp in enumerate(components):
        primaries = math.ceil(comp.shards / AVAILABILITY_ZONES)  # primaries spread round-robin
        if comp.replicas == 1:
            lost, hit = 1, primaries
        else:
            lost, hit = math.ceil(comp.replicas / AVAILABILITY_ZONES), comp.shards
        window[comp.name], after[comp.name], busiest = _loss(
            comp, loads_by_name[comp.name], lost, hit, primaries)
        if busiest is None:
            whole.append(comp.name)
        lost_nodes += lost * hit
        if not _on_paths(comp.name, traffic):
            continue
        worst.append((-(math.inf if busiest is None else busiest), index, comp.name, busiest))
        if busiest is None:
            recoveries.append(None)
        else:
            recoveries.append(detection(comp) + failover(comp))
            rpos.append(rpo_seconds(comp, lag))
    worst.sort(key=lambda row: row[:2])
    busiest = worst[0][3] if worst else None
    recovery = None if None in recoveries else max(recoveries, default=0.0)
    return Scenario(
        name="Availability-zone outage", component=worst[0][2] if worst else None,
        affected_share=traffic.failing_share(window), lasting_share=traffic.failing_share(after),
        **_over_capacity(components, loads_by_name, traffic, after, window, whole),
        data_loss=None if None in rpos else max(rpos, default=0.0), data_loss_writes=None,
        detection_seconds=None, failover_seconds=None, recovery_seconds=recovery, rto_seconds=rto,
        nodes_lost=lost_nodes, survives=bool(worst) and busiest is not None and busiest <= 1,
        survivors_utilization=busiest)


def region_outage(components, rto: float) -> Scenario:
    """The one region goes dark: everything is down until it returns (or a second region takes over)."""
    return Scenario(
        name="Region outage", component=None, affected_share=1.0, lasting_share=1.0,
        data_loss=None, data_loss_writes=None, detection_seconds=None, failover_seconds=None,
        recovery_seconds=None, rto_seconds=rto,
        nodes_lost=sum(c.shards * c.replicas for c in components), survives=False,
        survivors_utilization=None)


def scenarios(spec, component_loads: Sequence[ComponentLoad], traffic: Traffic, *,
              bypassed: Mapping[str, Sequence[ComponentLoad]],
              rto_seconds: float = DEFAULT_RTO_SECONDS,
              lag_seconds: float = REPLICATION_LAG_SECONDS) -> tuple[Scenario, ...]:
    """The failure scenarios that apply to the components present, in a fixed order.

    ``bypassed`` maps each cache to the loads recomputed without its hits.
    """
    comps = spec.components
    if not comps:
        return ()
    by_name = {load.name: load for load in component_loads}
    result: list[Scenario] = []
    crash = server_crash(comps, by_name, traffic, rto_seconds, lag_seconds)
    if crash:
        result.append(crash)
    result += [primary_failure(c, by_name[c.name], traffic, rto_seconds, lag_seconds)
               for c in comps if c.kind == "database" and c.replication != "leaderless"]  # no primary
    result += [cache_loss(spec, c, traffic, by_name, bypassed[c.name], rto_seconds)
               for c in comps if c.kind == "cache"]
    partition = network_partition(comps, by_name, traffic, rto_seconds, lag_seconds)
    if partition:
        result.append(partition)
    result.append(zone_outage(comps, by_name, traffic, rto_seconds, lag_seconds))
    result.append(region_outage(comps, rto_seconds))
    return tuple(_with_short(s, by_name) for s in result)


def _with_short(s: Scenario, loads_by_name: Mapping[str, ComponentLoad]) -> Scenario:
    """Note a write or disk limit already past 100% on what the failure hits (a cache loss: behind it)."""
    hit = s.downstream if s.name == "Cache cluster loss" else s.component
    short = loads_by_name[hit].short if hit in loads_by_name else None
    return replace(s, short=short) if short else s
