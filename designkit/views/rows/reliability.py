"""The Reliability section's rows: availability, paths, failure scenarios and recovery steps.

Plain ``Rows`` and ``Line`` data (see ``table``), rendered alike by the article and the live views.
Downtime is said within its period (never "370 days a year") and never finer than a second.
"""

from __future__ import annotations

import math

from ...model import quantities as q
from ...model.analysis import Analysis
from ...model.quantities import MONTH_DAYS, YEAR_DAYS, say_availability, say_downtime, say_duration, say_share
from .scaling import METRIC_WORDS
from .table import Cell, Line, Rows, rows
from .wording import count, plural_name, possessive, say_load, verb


def availability_rows(a: Analysis) -> Rows:
    """Each component's k-of-n availability and the downtime it implies alone."""
    body = []
    for c in a.components:
        replicas = str(c.replicas) if c.shards == 1 else f"{c.shards} × {c.replicas}"
        needs = f"{c.needed} of {c.replicas}" + (" per shard" if c.shards > 1 else "")
        if c.short is not None:
            needs = Cell(f"more shards than {verb(c.component, 'it runs', 'they run')} "
                         f"({METRIC_WORDS[c.short.metric]} at {say_load(c.short.utilization)})",
                         "bad")
            value, down = Cell(f"0%: {verb(c.component, 'it', 'they')} cannot carry peak", "bad"), Cell("all year", "bad")
        elif c.needed > c.replicas:
            needs = Cell(f"{c.needed:,} to carry peak; {verb(c.component, 'it runs', 'they run')} {c.replicas:,}"
                         + (" a shard" if c.shards > 1 else ""),
                         "bad")
            value, down = Cell(f"0%: {verb(c.component, 'it', 'they')} cannot carry peak", "bad"), Cell("all year", "bad")
        else:
            value, down = say_availability(c.availability), say_downtime(c.downtime.year, YEAR_DAYS)
        body.append([c.component, replicas, say_availability(c.per_replica), needs, value, down])
    return rows(["Component", "Replicas", "Per replica", "Needs up", "Availability", "Downtime/year"], body)


def path_rows(a: Analysis) -> Rows:
    """Read and write path availability, downtime and error budget."""
    body = []
    for label, path in (("Read path", a.read_path), ("Write path", a.write_path)):
        if path is None:
            continue
        down, budget = path.downtime, path.budget
        if budget.met:
            used = Cell(say_share(budget.consumed))
        else:
            spent = say_share(budget.consumed) if budget.consumed < 10 else f"{q.say_times(budget.consumed)} the budget"
            used = Cell(f"{spent} (SLO missed)", "bad")
        allowed = say_downtime(budget.allowed_minutes_per_month, MONTH_DAYS)
        body.append([label, " → ".join(path.path), say_availability(path.availability),
                     say_downtime(down.year, YEAR_DAYS), say_downtime(down.month, MONTH_DAYS),
                     say_downtime(down.week, 7.0), f"{say_availability(budget.slo)} ({allowed}/month)", used])
    return rows(["Path", "Components", "Availability", "Down/year", "Down/month", "Down/week",
                 "SLO (budget)", "Budget used"], body)


def _left(load, noun: str, verb: str, s) -> str:
    """What the replicas left after one dies do: '2 survivors then run at 71%', '1 replica then serves reads at 94%'."""
    left = load.replicas - 1
    work = "run" if verb == "run" else "serve reads"
    work = work.replace(verb, verb + "s", 1) if left == 1 else work
    return f"{count(left, noun)} then {work} at {say_load(s.survivors_utilization)}"


def _impact(a: Analysis, s) -> str:
    comp = s.component
    if s.name == "Server crash":
        load = a.load(comp)
        if s.survivors_utilization is None:
            return f"{comp} {verb(comp, 'has', 'have')} a single replica: everything through it stops until it is replaced"
        return (f"1 of {load.replicas:,} {comp} replicas dies: requests sent to it fail until it is "
                f"taken out; {_left(load, 'survivor', 'run', s)}")
    if s.name == "Database primary failure":
        load = a.load(comp)
        shard = "its" if load.shards == 1 else f"1 of {load.shards:,} shards'"
        if s.survivors_utilization is None:
            return f"{comp} {verb(comp, 'has', 'have')} no replica to promote: {shard} data is unavailable until restored"
        return f"{comp} primary dies: {shard} writes fail until a replica is promoted; {_left(load, 'replica', 'serve', s)}"
    if s.name == "Cache cluster loss":
        if s.downstream is None:
            return f"Nothing is behind {comp}: {verb(comp, 'its', 'their')} reads fail until {verb(comp, 'it is', 'they are')} back"
        before = a.load(s.downstream).read_qps_peak
        if s.downstream_read_qps == 0:
            return f"No reads reach {comp} at today's read:write ratio, so {s.downstream} feels nothing"
        text = (f"{s.downstream} {verb(s.downstream, 'gets', 'get')} {q.say_times(s.load_multiplier)} the reads "
                f"({q.say_qps(before)} → {q.say_qps(s.downstream_read_qps)}/s at peak)")
        if s.survives and s.short is not None:
            word = METRIC_WORDS[s.short.metric]
            its = verb(s.downstream, "its", "their")
            return (text + f"; {its} reads hold at {say_share(s.survivors_utilization)}, but {its} {word} "
                    f"{'is' if word == 'disk' else 'are'} already at {say_load(s.short.utilization)}")
        if s.survives:
            return text + f" and {verb(s.downstream, 'holds', 'hold')} at {say_share(s.survivors_utilization)}"
        return text + f": overloaded at {say_load(s.survivors_utilization)}, the excess fails"
    if s.name == "Network partition":
        load = a.load(comp)
        if comp in a.leaderless:
            return (f"A zone is cut off with a third of {possessive(comp)} replicas: quorum reads and writes go on "
                    "with the replicas on the majority side, and hints catch the cut-off ones up once it heals")
        cut = math.ceil(load.shards / a.settings.availability_zones)
        if load.shards == 1:
            who, it, its, fenced = f"{possessive(comp)} primary", "it keeps", "its", "it is"
        else:
            who = f"{cut:,} of {possessive(comp)} {load.shards:,} shard primaries"
            it, its, fenced = ("it keeps", "its", "it is") if cut == 1 else ("they keep", "their", "they are")
        if s.data_loss == 0:
            return (f"A zone is cut off with {who}: sync replication stops {its} writes "
                    f"until the majority side promotes {'a new primary' if its == 'its' else 'new ones'}")
        return (f"A zone is cut off with {who}: {it} accepting writes {its} replicas "
                f"never see; those writes are lost once {fenced} fenced off ({load.replicas:,} replicas, async)")
    if s.name == "Availability-zone outage":
        total = sum(load.nodes for load in a.loads)
        if s.survivors_utilization is None:
            return (f"{s.nodes_lost:,} of {total:,} nodes go dark; {comp} {verb(comp, 'loses', 'lose')} its only copy and {verb(comp, 'is', 'are')} "
                    f"down until the zone returns")
        after = f"{possessive(comp)} survivors run at {say_load(s.survivors_utilization)}"
        return (f"{s.nodes_lost:,} of {total:,} nodes go dark; requests sent there fail until "
                f"failover, then {after}")
    return "Every component is down: the spec deploys to one region"


def _mitigation(a: Analysis, s) -> str:
    if s.name == "Server crash":
        k = next(c.needed for c in a.components if c.component == s.component)
        return (f"Health checks and auto-scaling; keep N+1 replicas ({k:,} carr{'ies' if k == 1 else 'y'}"
                f" peak, so at least {k + 1:,})")
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
        if s.component in a.leaderless:
            return "Sloppy quorums with hinted handoff; read repair and anti-entropy (Merkle trees) after it heals"
        if s.data_loss == 0:
            return "Majority quorum and automatic leader election; clients retry idempotently"
        return "Fence the old primary (leases, epochs); quorum writes for data that must not be lost"
    if s.name == "Availability-zone outage":
        return (f"Spread every component over {a.settings.availability_zones} zones with a zone's "
                f"worth of spare capacity (N+1 per zone)")
    return "Multi-region deployment: async cross-region replication and DNS failover"


def _data_loss(s) -> Cell:
    if s.data_loss is None:
        return Cell("Writes since the last off-region backup" if s.name == "Region outage" else
                    "Writes since the last backup", "bad")
    if s.data_loss == 0:
        return Cell("None")
    text = f"Up to {say_duration(s.data_loss)} of writes"
    if s.data_loss_writes:
        text += f" (~{q.say_count(s.data_loss_writes, approx=False)} at peak)"
    return Cell(text, "warn")


def _recovery(s) -> str:
    if s.recovery_seconds is None:
        waits = {"Availability-zone outage": "the zone returns", "Region outage": "the region returns"}
        return f"Until {waits.get(s.name, 'it is replaced')}"
    if s.detection_seconds is None:
        return f"≤ {say_duration(s.recovery_seconds)}"
    return (f"{say_duration(s.detection_seconds)} + {say_duration(s.failover_seconds)} = "
            f"{say_duration(s.recovery_seconds)}")


def _affected(s) -> str:
    if s.failing_before > 0:          # over capacity already: every phase all told, and what already failed
        return _on_top_of_overload(s)
    at_risk = s.name == "Network partition" and s.data_loss != 0  # async: accepted, maybe lost
    text = f"{say_share(s.affected_share)} of requests" + (" at risk" if at_risk else "")
    if s.lasting_share > 0 and s.recovery_seconds is not None:
        if math.isclose(s.lasting_share, s.affected_share):
            return text + " until repaired"
        text += f", then {say_share(s.lasting_share)} until repaired"
    return text


def _on_top_of_overload(s) -> str:
    """A failure on top of an overload: the share of requests failing until failover and after it,
    each all told (what already failed included), and the share that already failed at peak."""
    already = say_share(s.failing_before)
    during, after = say_share(s.failing_during), say_share(s.failing_after)
    before = f"({already} already fail at peak: over capacity)"
    if s.recovery_seconds is None:            # no failover: the window lasts until the repair
        return f"{during} of requests {before}"
    if after == already:                      # what the survivors add does not show: as before it
        if during == already:
            return f"about as many requests as already fail at peak ({already}: over capacity)"
        return f"{during} of requests until failover, then about as many as before it {before}"
    if during == after:
        return f"{during} of requests until repaired {before}"
    return f"{during} of requests until failover, then {after} until repaired {before}"


def _rto(s) -> Cell:
    """Whether service is back within the RTO: failover in time and survivors that carry peak."""
    rto = say_duration(s.rto_seconds)
    if s.short is not None:
        hit = s.downstream if s.name == "Cache cluster loss" else s.component
        return Cell(f"No: {hit} cannot carry peak even before the failure, {verb(hit, 'its', 'their')} "
                    f"{METRIC_WORDS[s.short.metric]} "
                    f"at {say_load(s.short.utilization)} (RTO {rto})", "bad")
    if s.rto_met:
        return Cell(f"Yes (RTO {rto})", "ok")
    if s.recovery_seconds is not None and s.recovery_seconds <= s.rto_seconds:
        return Cell(f"No: failover is in time, but the survivors cannot carry peak (RTO {rto})", "bad")
    return Cell(f"No (RTO {rto})", "bad")


def scenario_rows(a: Analysis) -> Rows:
    """The template's Failure Scenarios, derived from the components, with computed columns."""
    body = []
    for s in a.scenarios:
        met = _rto(s)
        body.append([s.name + (f" ({s.component})" if s.component else ""),
                     _impact(a, s), _mitigation(a, s), _affected(s), _data_loss(s), _recovery(s), met])
    return rows(["Scenario", "Impact", "Mitigation", "Affected", "Data loss", "Detection + failover",
                 "RTO met?"], body)


def _span(low: float, high: float, slowest: str) -> str:
    if low == high:
        return say_duration(low)
    return f"{say_duration(low)}–{say_duration(high)} (slowest: {slowest})"


def recovery_lines(a: Analysis) -> tuple[Line, ...]:
    """The template's Recovery Procedures, with this system's detection and failover times."""
    if not a.recovery:
        return ()
    detect = sorted(a.recovery, key=lambda r: r.detection_seconds)
    move = sorted(a.recovery, key=lambda r: r.recovery_seconds)
    slow = move[-1]
    rto = a.settings.rto_seconds
    verdict = (f"all within the {say_duration(rto)} RTO" if slow.recovery_seconds <= rto
               else f"the slowest is over the {say_duration(rto)} RTO")
    lost = sorted({r.rpo_seconds for r in a.recovery if r.rpo_seconds})
    unbounded = [r.component for r in a.recovery if r.rpo_seconds is None]
    led = [load for load in a.loads if load.kind in ("database", "search", "object_store", "queue")
           and load.name not in a.leaderless]
    catch_up = "Rebuild the failed node and let it catch up from the primary or the log" if led or not a.leaderless \
        else "Rebuild the failed node and let it catch up from its peers"
    if a.leaderless and led:
        catch_up += f" ({', '.join(a.leaderless)}: from {'its' if len(a.leaderless) == 1 else 'their'} peers)"
    if lost:
        catch_up += f"; async copies lose up to {say_duration(lost[-1])} of writes (RPO)"
    if unbounded:
        catch_up += f"; {', '.join(unbounded)} ha{'s' if len(unbounded) == 1 and not plural_name(unbounded[0]) else 've'} no copy: restore from backup"
    return (
        (Cell("Detection", "key"), Cell(": health checks notice a failure in "
             f"{_span(detect[0].detection_seconds, detect[-1].detection_seconds, detect[-1].component)}")),
        (Cell("Failover", "key"), Cell(": automatic, "
             f"{_span(move[0].recovery_seconds, slow.recovery_seconds, slow.component)} from failure "
             f"to a healthy replica; {verdict}")),
        (Cell("Recovery", "key"), Cell(f": {catch_up}")),
    )
