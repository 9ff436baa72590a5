"""Markdown views of an ``Analysis``: the Scalability and Reliability tables, with this system's numbers.

Pure string functions (pipe tables and short lists); the numbers come from
``analysis.analyze`` and are said with ``quantities.say_*``.  The article and the
``designkit analyze`` text output are both built from these.
"""

from __future__ import annotations

import math

from ..model import quantities as q
from ..model.analysis import Analysis
from .markdown import table
from ..model.quantities import say_availability, say_duration, say_minutes, say_share, say_times
from ..model.scaling import STEPS, STORE_KINDS

METRIC_LABELS = {"qps": "QPS", "read_qps": "Read QPS", "write_qps": "Write QPS",
                 "storage_bytes": "Data", "memory_bytes": "Cache memory"}
STRATEGIES = {"add replicas": "Horizontal scaling (add replicas)", "read replicas": "Read replicas",
              "sharding": "Sharding", "cluster mode": "Cluster mode (shard the cache)"}


# --- saying things --------------------------------------------------------------------------







def _metric(metric: str, value: float) -> str:
    return q.say_bytes(value) if metric.endswith("_bytes") else q.say_qps(value)


def _scale(multiplier: float, users: float | None, qps: float) -> str:
    """Where a multiple of today's traffic lands: users, or peak QPS in the totals form."""
    if users is not None:
        return f"{q.say_count(users)} users"
    return f"{q.say_qps(qps)} peak QPS, {say_times(multiplier)} today"


def _when(t) -> str:
    trigger = f"{METRIC_LABELS[t.metric]} > {_metric(t.metric, t.limit)}"
    if t.reached:
        return f"{trigger}: already past (due at {_scale(t.multiplier, t.users, t.qps)})"
    return f"{trigger} (at {_scale(t.multiplier, t.users, t.qps)})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _nodes(load) -> str:
    return str(load.replicas) if load.shards_needed is None else f"{load.shards} × {load.replicas}"


# --- scaling ---------------------------------------------------------------------------------

def load_table(a: Analysis) -> str:
    """Load, utilization and what each component needs to keep peak at the target."""
    rows = []
    for load in a.loads:
        held = "—"
        for metric in ("storage_bytes", "memory_bytes"):
            lim = load.limit(metric)
            if lim is not None:
                held = (f"{q.say_bytes(lim.load)} of {q.say_bytes(lim.capacity, approx=False)} "
                        f"({say_share(lim.utilization)})")
        per_shard = "" if load.shards_needed is None else " per shard"
        rows.append([f"**{load.name}**", _nodes(load), q.say_qps(load.qps_average),
                     q.say_qps(load.qps_peak),
                     f"{say_share(load.utilization_average)} / {say_share(load.utilization)}",
                     f"{load.replicas_needed}{per_shard}",
                     "—" if load.shards_needed is None else str(load.shards_needed),
                     held, _breaks(load)])
    target = say_share(a.settings.target_utilization)
    return table(["Component", "Nodes (shards × replicas)", "Average QPS", "Peak QPS",
                  "Utilization (avg / peak)", f"Replicas needed ({target})", "Shards needed",
                  "Data held", "Full at"], rows)


def _breaks(load) -> str:
    lim = load.breaking_limit
    if lim is None:
        return "never (no load)"
    m = lim.break_multiplier
    what = METRIC_LABELS[lim.metric].lower() if lim.metric.endswith("_bytes") else "peak"
    if m <= 1:
        return f"now ({what} at {say_share(lim.utilization)})"
    return f"{say_times(m)} today"


def strategies_table(a: Analysis) -> str:
    """The template's Scaling Strategies: Component | Strategy | When to Apply, computed."""
    rows = []
    for load in a.loads:
        mine = [t for t in a.thresholds if t.component == load.name]
        if not mine:
            step = "read replicas" if load.kind in STORE_KINDS else "add replicas"
            rows.append([f"**{load.name}**", STRATEGIES[step], "No traffic reaches it today"])
            continue
        for step in STEPS:
            due = [t for t in mine if t.step == step]
            if due:
                rows.append([f"**{load.name}**", STRATEGIES[step],
                             " or ".join(_when(t) for t in due)])
    return table(["Component", "Strategy", "When to Apply"], rows)


def thresholds_table(a: Analysis) -> str:
    """Every scaling threshold: the trigger, and the users and system QPS at which it is due."""
    rows = []
    for t in a.thresholds:
        users = "—" if t.users is None else q.say_count(t.users)
        rows.append([f"**{t.component}**", t.step,
                     f"{METRIC_LABELS[t.metric]} > {_metric(t.metric, t.limit)}", users,
                     q.say_qps(t.qps), say_times(t.multiplier) + (" (past)" if t.reached else "")])
    return table(["Component", "Step", "Trigger", "Users", "System peak QPS", "Vs today"], rows)


def breaks_lines(a: Analysis) -> str:
    """What breaks first at 10x and 100x today's scale, as a short Markdown list."""
    lines = []
    cap = a.capacity
    for bp in a.break_points:
        users = cap.users * bp.factor if cap.users is not None else None
        where = _scale(bp.factor, users, cap.qps_peak * bp.factor)
        head = f"- **At {say_times(bp.factor)}** ({where})"
        if not bp.breaking:
            lines.append(f"{head}: nothing breaks; every component's current nodes still cope.")
            continue
        first, rest = bp.breaking[0], bp.breaking[1:]
        text = (f"{head}: **{first.component}** breaks first: its "
                f"{METRIC_LABELS[first.metric].lower()} fills its current nodes at "
                f"{say_times(first.multiplier)} today's traffic")
        if rest:
            text += "; then " + ", ".join(f"{b.component} ({say_times(b.multiplier)})" for b in rest)
        lines.append(text + ".")
    return "\n".join(lines)


def queueing_table(a: Analysis) -> str:
    """M/M/c operating points: how close each pool runs to the knee of its latency curve."""
    rows = []
    for qp in a.queueing:
        p = qp.point
        response = say_duration(p.response_seconds) if p.stable else "unbounded (overloaded)"
        slowdown = say_times(p.slowdown) if p.stable else "∞"
        rows.append([f"**{qp.component}**", f"{p.servers} ({METRIC_LABELS[qp.metric]})",
                     say_duration(p.service_seconds), say_share(p.utilization),
                     say_share(p.wait_probability), response, slowdown])
    return table(["Component", "Servers", "Service time", "Utilization", "P(wait)",
                  "Response time", "Vs service time"], rows)


# --- reliability -----------------------------------------------------------------------------

def availability_table(a: Analysis) -> str:
    """Each component's k-of-n availability and the downtime it implies alone."""
    rows = []
    for c in a.components:
        replicas = str(c.replicas) if c.shards == 1 else f"{c.shards} × {c.replicas}"
        needs = f"{c.needed} of {c.replicas}" + (" per shard" if c.shards > 1 else "")
        if c.needed > c.replicas:
            value, down = "0% (too few replicas to carry peak)", "all year"
        else:
            value, down = say_availability(c.availability), say_minutes(c.downtime.year)
        rows.append([f"**{c.component}**", replicas, say_availability(c.per_replica), needs,
                     value, down])
    return table(["Component", "Replicas", "Per replica", "Needs up", "Availability",
                  "Downtime/year"], rows)


def paths_table(a: Analysis) -> str:
    """Read and write path availability, downtime and error budget."""
    rows = []
    for label, path in (("Read path", a.read_path), ("Write path", a.write_path)):
        if path is None:
            continue
        down, budget = path.downtime, path.budget
        used = say_share(budget.consumed) + ("" if budget.met else " (SLO missed)")
        rows.append([f"**{label}**", " → ".join(path.path), say_availability(path.availability),
                     say_minutes(down.year), say_minutes(down.month), say_minutes(down.week),
                     f"{say_availability(budget.slo)} ({say_minutes(budget.allowed_minutes_per_month)}"
                     f"/month)", used])
    return table(["Path", "Components", "Availability", "Down/year", "Down/month", "Down/week",
                  "SLO (budget)", "Budget used"], rows)


def _impact(a: Analysis, s) -> str:
    comp = s.component
    if s.name == "Server crash":
        load = a.load(comp)
        if s.survivors_utilization is None:
            return f"{comp} has a single replica: everything through it stops until it is replaced"
        left = load.replicas - 1
        return (f"1 of {load.replicas} {comp} replicas dies: requests sent to it fail until it is "
                f"taken out; {_count(left, 'survivor')} then run{'s' if left == 1 else ''} at "
                f"{say_share(s.survivors_utilization)}")
    if s.name == "Database primary failure":
        load = a.load(comp)
        shard = "its" if load.shards == 1 else f"1 of {load.shards} shards'"
        if s.survivors_utilization is None:
            return f"{comp} has no replica to promote: {shard} data is unavailable until restored"
        return (f"{comp} primary dies: {shard} writes fail until a replica is promoted; "
                f"{_count(load.replicas - 1, 'replica')} then serve reads at "
                f"{say_share(s.survivors_utilization)}")
    if s.name == "Cache cluster loss":
        if s.downstream is None:
            return f"Nothing is behind {comp}: its reads fail until it is back"
        before = a.load(s.downstream).read_qps_peak
        if s.downstream_read_qps == 0:
            return f"No reads reach {comp} at today's read:write ratio, so {s.downstream} feels nothing"
        text = (f"{s.downstream} gets {say_times(s.load_multiplier)} the reads "
                f"({q.say_qps(before)} → {q.say_qps(s.downstream_read_qps)}/s at peak)")
        if s.survives:
            return text + f" and holds at {say_share(s.survivors_utilization)}"
        return text + f": overloaded at {say_share(s.survivors_utilization)}, the excess fails"
    if s.name == "Network partition":
        load = a.load(comp)
        if s.data_loss == 0:
            return (f"A zone is cut off with {comp}'s primary: sync replication stops its writes "
                    f"until the majority side promotes a new primary")
        return (f"A zone is cut off with {comp}'s primary: it keeps accepting writes its replicas "
                f"never see; they are lost once it is fenced off ({load.replicas} replicas, async)")
    if s.name == "Availability-zone outage":
        total = sum(load.nodes for load in a.loads)
        if s.survivors_utilization is None:
            return (f"{s.nodes_lost} of {total} nodes go dark; {comp} loses its only copy and is "
                    f"down until the zone returns")
        after = f"{comp} survivors run at {say_share(s.survivors_utilization)}"
        return (f"{s.nodes_lost} of {total} nodes go dark; requests sent there fail until "
                f"failover, then {after}")
    return "Every component is down: the spec deploys to one region"


def _mitigation(a: Analysis, s) -> str:
    if s.name == "Server crash":
        k = next(c.needed for c in a.components if c.component == s.component)
        return (f"Health checks and auto-scaling; keep N+1 replicas ({k} carr{'ies' if k == 1 else 'y'}"
                f" peak, so at least {k + 1})")
    if s.name == "Database primary failure":
        if s.data_loss == 0:
            return "Automatic promotion of a synchronous replica"
        return ("Automatic promotion of a replica; semi-synchronous replication or replay from a "
                "durable log for writes that must not be lost")
    if s.name == "Cache cluster loss":
        if s.survives:
            return "Cache-aside fallback to the database; warm the cache before it takes traffic"
        return (f"Size {s.downstream} for cache-miss load, coalesce misses (single-flight), "
                f"rate-limit and warm the cache before it takes traffic")
    if s.name == "Network partition":
        if s.data_loss == 0:
            return "Majority quorum and automatic leader election; clients retry idempotently"
        return "Fence the old primary (leases, epochs); quorum writes for data that must not be lost"
    if s.name == "Availability-zone outage":
        return (f"Spread every component over {a.settings.availability_zones} zones with a zone's "
                f"worth of spare capacity (N+1 per zone)")
    return "Multi-region deployment: async cross-region replication and DNS failover"


def _data_loss(s) -> str:
    if s.data_loss is None:
        return "Writes since the last off-region backup" if s.name == "Region outage" else \
            "Writes since the last backup"
    if s.data_loss == 0:
        return "None"
    text = f"Up to {say_duration(s.data_loss)} of writes"
    if s.data_loss_writes:
        text += f" (~{q.say_count(s.data_loss_writes, approx=False)} at peak)"
    return text


def _recovery(s) -> str:
    if s.recovery_seconds is None:
        waits = {"Availability-zone outage": "the zone returns", "Region outage": "the region returns"}
        return f"Until {waits.get(s.name, 'it is replaced')}"
    if s.detection_seconds is None:
        return f"≤ {say_duration(s.recovery_seconds)}"
    return (f"{say_duration(s.detection_seconds)} + {say_duration(s.failover_seconds)} = "
            f"{say_duration(s.recovery_seconds)}")


def _affected(s) -> str:
    at_risk = s.name == "Network partition" and s.data_loss != 0  # async: accepted, maybe lost
    text = f"{say_share(s.affected_share)} of requests" + (" at risk" if at_risk else "")
    if s.lasting_share > 0 and s.recovery_seconds is not None:
        if math.isclose(s.lasting_share, s.affected_share):
            return text + " until repaired"
        text += f", then {say_share(s.lasting_share)} until repaired"
    return text


def scenarios_table(a: Analysis) -> str:
    """The template's Failure Scenarios, derived from the components, with computed columns."""
    rows = []
    for s in a.scenarios:
        met = "Yes" if s.rto_met else "No"
        rows.append([f"**{s.name}**" + (f" ({s.component})" if s.component else ""),
                     _impact(a, s), _mitigation(a, s), _affected(s), _data_loss(s), _recovery(s),
                     f"{met} (RTO {say_duration(s.rto_seconds)})"])
    return table(["Scenario", "Impact", "Mitigation", "Affected", "Data loss",
                  "Detection + failover", "RTO met?"], rows)


def recovery_lines(a: Analysis) -> str:
    """The template's Recovery Procedures, with this system's detection and failover times."""
    if not a.recovery:
        return ""
    detect = sorted(a.recovery, key=lambda r: r.detection_seconds)
    move = sorted(a.recovery, key=lambda r: r.recovery_seconds)
    slow = move[-1]
    rto = a.settings.rto_seconds
    verdict = (f"all within the {say_duration(rto)} RTO" if slow.recovery_seconds <= rto
               else f"the slowest is over the {say_duration(rto)} RTO")
    lost = sorted({r.rpo_seconds for r in a.recovery if r.rpo_seconds})
    unbounded = [r.component for r in a.recovery if r.rpo_seconds is None]
    catch_up = "Rebuild the failed node and let it catch up from the primary or the log"
    if lost:
        catch_up += f"; async copies lose up to {say_duration(lost[-1])} of writes (RPO)"
    if unbounded:
        catch_up += f"; {', '.join(unbounded)} ha{'s' if len(unbounded) == 1 else 've'} no copy: restore from backup"
    return "\n".join([
        f"1. **Detection**: health checks notice a failure in "
        f"{_span(detect[0].detection_seconds, detect[-1].detection_seconds, detect[-1].component)}",
        f"2. **Failover**: automatic, "
        f"{_span(move[0].recovery_seconds, slow.recovery_seconds, slow.component)} from failure "
        f"to a healthy replica; {verdict}",
        f"3. **Recovery**: {catch_up}",
    ])


def _span(low: float, high: float, slowest: str) -> str:
    if low == high:
        return say_duration(low)
    return f"{say_duration(low)}–{say_duration(high)} (slowest: {slowest})"


# --- the whole report ------------------------------------------------------------------------

def _tail_latency(a: Analysis) -> str:
    from . import latency_rows as rows
    return "\n\n".join([table(rows.COMPONENT_HEADER, rows.component_rows(a)),
                         table(rows.PATH_HEADER, rows.path_rows(a)), *rows.path_lines(a)])


def _cost(a: Analysis) -> str:
    from . import cost_rows
    return table(cost_rows.HEADER, cost_rows.rows(a)) + "\n\n" + cost_rows.summary(a)


def report(a: Analysis) -> str:
    """``designkit analyze`` text output: every table under the template's section names."""
    cap, st = a.capacity, a.settings
    who = f" at {q.say_count(cap.users)} users" if cap.users is not None else ""
    lines = [
        f"Scaling and reliability: {a.name}",
        "",
        f"Peak load {q.say_qps(cap.qps_peak)} QPS{who}. Scale out at "
        f"{say_share(st.target_utilization)} utilization (caches at "
        f"{say_share(st.memory_threshold)} memory); SLO {say_availability(st.slo)}, RTO "
        f"{say_duration(st.rto_seconds)}; QPS figures are at peak.",
    ]
    if not a.loads:
        lines += ["", "No components in this spec: add components, read_path and write_path "
                      "to get scaling and reliability numbers."]
        return "\n".join(lines)
    sections = [
        ("Load", load_table(a)),
        ("Scaling Strategies", strategies_table(a)),
        ("Scaling Thresholds", thresholds_table(a) if a.thresholds else "No traffic reaches any component."),
        ("What Breaks First", breaks_lines(a)),
        ("Queueing (M/M/c)", queueing_table(a)),
        ("Tail Latency (paths: upper bounds)", _tail_latency(a)),
        ("Cost (AWS on-demand list prices)", _cost(a)),
        ("Availability", availability_table(a) + ("\n\n" + paths_table(a)
                                                  if a.read_path or a.write_path else "")),
        ("Failure Scenarios", scenarios_table(a)),
        ("Recovery Procedures", recovery_lines(a)),
    ]
    for title, body in sections:
        lines += ["", f"### {title}", "", body]
    return "\n".join(lines)
