"""One spec's scaling and reliability analysis, bundled: ``analyze(spec) -> Analysis``.

The numbers behind ``designkit analyze`` and the article's Scalability and Reliability
sections: loads and utilization, scaling thresholds, what breaks first at 10x and 100x,
queueing operating points, availability and error budgets, failure scenarios.  The math
lives in ``scaling``, ``queueing``, ``availability`` and ``failures``; the Markdown in ``views.rows.as_markdown``.

Settings come from the call, else from the spec's non-functional requirements (an
"Availability" target sets the SLO, an "RTO"/"Recovery time" target the RTO), else from
the defaults: 70% target utilization, 80% cache memory, SLO 99.9%, RTO 60 s, 1 s async
replication lag.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from . import quantities as q
from . import availability, cost, failures, latency, queueing, scaling
from .capacity import Capacity, estimate
from .spec import TRAFFIC_FIELDS


@dataclass(frozen=True)
class Settings:
    """The thresholds and objectives an analysis was computed with."""

    target_utilization: float = scaling.TARGET_UTILIZATION
    memory_threshold: float = scaling.MEMORY_THRESHOLD
    slo: float = availability.DEFAULT_SLO
    rto_seconds: float = failures.DEFAULT_RTO_SECONDS
    replication_lag_seconds: float = failures.REPLICATION_LAG_SECONDS
    availability_zones: int = failures.AVAILABILITY_ZONES


@dataclass(frozen=True)
class QueuePoint:
    """A component's M/M/c operating point on its busiest throughput limit."""

    component: str
    metric: str
    point: queueing.OperatingPoint


@dataclass(frozen=True)
class Analysis:
    """Everything ``designkit analyze`` reports for one spec."""

    name: str
    capacity: Capacity
    settings: Settings
    loads: tuple[scaling.ComponentLoad, ...]
    thresholds: tuple[scaling.Threshold, ...]
    break_points: tuple[scaling.BreakPoint, ...]   # one per scaling.SCALE_FACTORS
    queueing: tuple[QueuePoint, ...]
    components: tuple[availability.ComponentAvailability, ...]
    read_path: availability.PathAvailability | None
    write_path: availability.PathAvailability | None
    scenarios: tuple[failures.Scenario, ...]
    recovery: tuple[failures.Recovery, ...]
    latency: latency.Latency
    cost: cost.Bill                 # a month today
    cost_10x: cost.Bill             # a month at 10x today's traffic, on the nodes it would need
    envelope: scaling.Envelope      # how far the design holds before it must change
    leaderless: tuple[str, ...] = ()  # stores that write to a quorum of peers: no primary to lose

    # --- named figures (the prose-figure vocabulary) ---

    @property
    def read_p99_peak_seconds(self) -> float | None:
        """Upper bound on the read path's p99 at today's peak (None: no read path)."""
        return self.latency.read.peak.p99 if self.latency.read else None

    @property
    def write_p99_peak_seconds(self) -> float | None:
        """Upper bound on the write path's p99 at today's peak (None: no write path)."""
        return self.latency.write.peak.p99 if self.latency.write else None

    @property
    def monthly_cost_total(self) -> float:
        """Dollars a month for the whole design today (components plus egress)."""
        return self.cost.total

    @property
    def monthly_cost_10x(self) -> float:
        """Dollars a month at 10x today's traffic."""
        return self.cost_10x.total

    @property
    def cost_per_million_requests(self) -> float:
        """Dollars per million requests served today."""
        return self.cost.per_million_requests

    def load(self, name: str) -> scaling.ComponentLoad:
        """The load of the component called ``name``."""
        return next(load for load in self.loads if load.name == name)

    def first_to_break(self, factor: float) -> str | None:
        """The component that saturates first at ``factor`` x today's traffic (None: nothing)."""
        return scaling.break_point(self.loads, factor).first

    def queue_curve(self, name: str, *, points: int = queueing.DEFAULT_POINTS,
                    max_utilization: float = queueing.DEFAULT_MAX_UTILIZATION
                    ) -> tuple[list[float], list[float]]:
        """(utilizations, response seconds) for the component's busiest pool, for a chart."""
        point = next(qp.point for qp in self.queueing if qp.component == name)
        return queueing.response_curve(point.servers, point.service_seconds, points=points,
                                       max_utilization=max_utilization)

    def to_json(self) -> dict:
        """The ``--json`` object (SI units: requests/s, bytes, seconds, minutes where named)."""
        return _clean({
            "system": self.name,
            "users": self.capacity.users,
            "qps_peak": self.capacity.qps_peak,
            "settings": asdict(self.settings),
            "load": [_load_json(load) for load in self.loads],
            "thresholds": [{
                "component": t.component, "step": t.step, "metric": t.metric, "limit": t.limit,
                "users": t.users, "qps": t.qps, "multiplier": t.multiplier, "reached": t.reached,
            } for t in self.thresholds],
            "envelope": {
                "multiplier": self.envelope.multiplier, "users": self.envelope.users,
                "reached": self.envelope.reached,
                "edges": [{"component": e.component, "limit": e.limit,
                           "multiplier": e.multiplier} for e in self.envelope.edges],
            },
            "first_to_break": {_factor(bp.factor): bp.first for bp in self.break_points},
            "breaking": {_factor(bp.factor): [
                {"component": b.component, "metric": b.metric, "multiplier": b.multiplier}
                for b in bp.breaking] for bp in self.break_points},
            "queueing": [{
                "component": qp.component, "metric": qp.metric, "servers": qp.point.servers,
                "service_seconds": qp.point.service_seconds, "utilization": qp.point.utilization,
                "wait_probability": qp.point.wait_probability,
                "response_seconds": qp.point.response_seconds,
            } for qp in self.queueing],
            "availability": {
                "read_path": self.read_path.availability if self.read_path else None,
                "write_path": self.write_path.availability if self.write_path else None,
                "components": {c.component: c.availability for c in self.components},
                "replicas_needed": {c.component: c.needed for c in self.components},
                "downtime_minutes_per_year":
                    self.read_path.downtime.year if self.read_path else None,
                "downtime_minutes": {
                    "read_path": asdict(self.read_path.downtime) if self.read_path else None,
                    "write_path": asdict(self.write_path.downtime) if self.write_path else None,
                },
                "slo": self.settings.slo,
                "error_budget": {
                    "read_path": _budget_json(self.read_path),
                    "write_path": _budget_json(self.write_path),
                },
            },
            "scenarios": [{
                "name": s.name, "component": s.component, "affected_share": s.affected_share,
                "lasting_share": s.lasting_share, "data_loss": s.data_loss,
                "data_loss_writes": s.data_loss_writes, "detection_seconds": s.detection_seconds,
                "failover_seconds": s.failover_seconds, "recovery_seconds": s.recovery_seconds,
                "rto_seconds": s.rto_seconds, "rto_met": s.rto_met, "nodes_lost": s.nodes_lost,
                "survives": s.survives, "survivors_utilization": s.survivors_utilization,
                "downstream": s.downstream, "load_multiplier": s.load_multiplier,
                "downstream_read_qps": s.downstream_read_qps,
            } for s in self.scenarios],
            "latency": _latency_json(self.latency),
            "cost": {
                "monthly_total": self.cost.total,
                "monthly_total_10x": self.cost_10x.total,
                "per_million_requests": self.cost.per_million_requests,
                "per_million_requests_10x": self.cost_10x.per_million_requests,
                "egress": self.cost.egress,
                "egress_tiers": [{"gb": gb, "dollars_per_gb": price} for gb, price in self.cost.egress_tiers],
                "by_part": self.cost.by_part(),
                "components": [{
                    "component": line.component, "kind": line.kind, "priced_as": line.instance,
                    "nodes": line.nodes, "compute": line.compute, "storage": line.storage,
                    "storage_classes": [asdict(part) for part in line.stored], "messages": line.messages,
                    "requests": line.requests, "stated": line.stated, "total": line.total,
                    "nodes_10x": then.nodes, "total_10x": then.total,
                } for line, then in zip(self.cost.lines, self.cost_10x.lines)],
            },
        })


def _factor(factor: float) -> str:
    return f"{factor:g}x"


def _load_json(load: scaling.ComponentLoad) -> dict:
    return {
        "component": load.name, "kind": load.kind, "replicas": load.replicas, "shards": load.shards,
        "qps_average": load.qps_average, "qps_peak": load.qps_peak,
        "read_qps_peak": load.read_qps_peak, "write_qps_peak": load.write_qps_peak,
        "utilization": load.utilization, "utilization_average": load.utilization_average,
        "replicas_needed": load.replicas_needed, "shards_needed": load.shards_needed,
        "storage_bytes": load.storage_bytes, "storage_utilization": load.storage_utilization,
        "memory_bytes": load.memory_bytes, "memory_utilization": load.memory_utilization,
        "breaks_at": load.break_multiplier,
    }


def _percentiles_json(p: latency.Percentiles) -> dict:
    return {"p50": p.p50, "p95": p.p95, "p99": p.p99}


def _latency_json(lat: latency.Latency) -> dict:
    """Seconds; a path's figures are its exact percentiles (see ``latency``), null when unbounded."""
    return {
        "components": [{
            "component": c.component, "metric": c.pool.metric, "servers": c.pool.servers,
            "service_seconds": c.pool.service_seconds, "average": _percentiles_json(c.average),
            "peak": _percentiles_json(c.peak),
        } for c in lat.components],
        "paths": {p.path: {
            "hops": list(p.hops), "average": _percentiles_json(p.average),
            "peak": _percentiles_json(p.peak),
            "target": ({"percentile": p.target.percentile, "seconds": p.target.seconds,
                        "label": p.target.label} if p.target else None),
            "at_target_seconds": p.at_target_seconds, "met": p.met,
            "crosses_target_at": p.crossing_multiplier, "crosses_target_at_users": p.crossing_users,
        } for p in lat.paths},
    }


def _budget_json(path: availability.PathAvailability | None) -> dict | None:
    if path is None:
        return None
    budget = path.budget
    return {"slo": budget.slo, "allowed_minutes_per_month": budget.allowed_minutes_per_month,
            "expected_minutes_per_month": budget.expected_minutes_per_month,
            "consumed": budget.consumed, "met": budget.met}


def _clean(value):
    """JSON-safe: infinities and NaN become null (a limit never reached, an unbounded queue)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


# --- settings from the spec ----------------------------------------------------------------

def _requirement(spec, pattern: str) -> str | None:
    """The target of the first non-functional requirement whose name matches ``pattern``."""
    for item in spec.requirements.non_functional:
        if re.search(pattern, item.name, re.IGNORECASE):
            return item.target
    return None


def _stated_slo(spec) -> float | None:
    """An "Availability" requirement's target ('99.99%', '99.9% monthly') as a fraction."""
    text = _requirement(spec, r"\bavailability\b")
    match = re.search(r"\d+(?:\.\d+)?\s*%", text or "")
    slo = q.parse_fraction(match.group(0)) if match else None
    return slo if slo is not None and 0 < slo < 1 else None


def _stated_rto(spec) -> float | None:
    """An "RTO" or "Recovery time" requirement's target ('< 1 minute', '30 s') in seconds."""
    text = _requirement(spec, r"\brto\b|recovery time")
    if text is None:
        return None
    try:
        days = q.parse_duration_days(text.strip().lstrip("<≤=~ ").strip())
    except ValueError:
        return None
    return days * q.DAY_SECONDS if days > 0 else None


def spec_settings(spec, **overrides) -> Settings:
    """Settings for ``spec``: explicit overrides, then its stated targets, then the defaults."""
    found = {"slo": _stated_slo(spec), "rto_seconds": _stated_rto(spec)}
    found |= {key: value for key, value in overrides.items() if value is not None}
    return Settings(**{key: value for key, value in found.items() if value is not None})


# --- the analysis --------------------------------------------------------------------------

def analyze(spec, cap: Capacity | None = None, *, target_utilization: float | None = None,
            memory_threshold: float | None = None, slo: float | None = None,
            rto_seconds: float | None = None,
            replication_lag_seconds: float | None = None) -> Analysis:
    """The scaling and reliability analysis of ``spec`` (``cap`` defaults to its estimate)."""
    cap = estimate(spec.scale) if cap is None else cap
    settings = spec_settings(spec, target_utilization=target_utilization,
                             memory_threshold=memory_threshold, slo=slo, rto_seconds=rto_seconds,
                             replication_lag_seconds=replication_lag_seconds)
    options = {"target": settings.target_utilization, "memory_threshold": settings.memory_threshold}
    loads = scaling.loads(spec, cap, **options)
    read_reach, write_reach = scaling.spec_reach(spec)

    queue_points = []
    for load in loads:
        lim = load.bottleneck
        queue_points.append(QueuePoint(load.name, lim.metric, queueing.operating_point(
            lim.servers, 1.0 / lim.per_server, lim.load)))

    components = availability.availabilities(spec.components, loads)
    by_name = {c.component: c.availability for c in components}
    traffic = failures.Traffic(read_reach, write_reach, cap.read_qps_peak / cap.qps_peak)
    bypassed = {c.name: scaling.loads(spec, cap, bypass=c.name, **options)
                for c in spec.components if c.kind == "cache"}
    return Analysis(
        name=spec.name,
        capacity=cap,
        settings=settings,
        loads=loads,
        thresholds=scaling.thresholds(loads, cap),
        break_points=tuple(scaling.break_point(loads, f) for f in scaling.SCALE_FACTORS),
        queueing=tuple(queue_points),
        components=components,
        read_path=availability.path_summary(spec.read_path, read_reach, by_name, settings.slo),
        write_path=availability.path_summary(spec.write_path, write_reach, by_name, settings.slo),
        scenarios=failures.scenarios(spec, loads, traffic, bypassed=bypassed,
                                        rto_seconds=settings.rto_seconds,
                                        lag_seconds=settings.replication_lag_seconds),
        recovery=failures.recoveries(spec.components, settings.replication_lag_seconds),
        latency=latency.latency(spec, loads, cap),
        cost=cost.bill(spec, cap, loads),
        cost_10x=cost.bill(spec, cap, loads, factor=COST_FACTOR),
        envelope=scaling.envelope(loads, cap),
        leaderless=tuple(c.name for c in spec.components if c.replication == "leaderless"),
    )


COST_FACTOR = 10.0   # the bill is also shown at 10x today's traffic


def scaled(scale, factor: float):
    """The scale inputs with all traffic times ``factor`` (users or reads/writes, whichever form)."""
    return scale.model_copy(update={name: getattr(scale, name) * factor for name in TRAFFIC_FIELDS
                                    if getattr(scale, name) is not None})
