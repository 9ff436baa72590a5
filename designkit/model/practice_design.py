"""Practice questions for the Scalability and Reliability sections (see ``practice``).

Shards, the first component to break at 10x and the users (or QPS) when it does; a path's
availability and its downtime a month: each from the ``analyze`` figures, with its working.
"""

from __future__ import annotations

import math

from . import quantities as q
from . import reliability, scaling
from .analysis import Analysis
from .questions import NOTHING, Question, plain_number, said_equals, said_rate

# --- scaling --------------------------------------------------------------------------------

def _shard_question(spec, a: Analysis) -> Question | None:
    """Shards for the data store or cache that needs the most, with each limit's arithmetic."""
    stateful = [(load, comp) for load, comp in zip(a.loads, spec.components) if load.shards_needed]
    if not stateful:
        return None
    load, comp = max(stateful, key=lambda pair: pair[0].shards_needed)
    target, memory_at = a.settings.target_utilization, a.settings.memory_threshold
    givens: list[tuple[str, str]] = [("Component", f"{comp.name} ({comp.kind.replace('_', ' ')})")]
    steps, parts = [], []
    if load.write_qps_peak > 0:
        per = comp.write_capacity or comp.capacity
        n = scaling.replicas_for(load.write_qps_peak, per, target)
        givens += [("Writes at peak reaching it", said_rate(load.write_qps_peak)),
                   ("Writes one primary sustains", f"{q.say_qps(per, approx=False)}/s"),
                   ("Scale out at", q.say_percent(target))]
        steps.append(f"writes: {said_rate(load.write_qps_peak)} ÷ ({q.say_qps(per, approx=False)}/s × "
                     f"{q.say_percent(target)}), rounded up = {n} shards")
        parts.append(n)
    if load.storage_bytes:
        nodes = scaling.replicas_for(load.storage_bytes, comp.storage, scaling.STORAGE_THRESHOLD)
        n = math.ceil(nodes / comp.replicas)
        givens += [("Data to hold, every copy", q.say_bytes(load.storage_bytes)),
                   ("Disk per node", q.say_bytes(comp.storage)), ("Copies of each shard", str(comp.replicas))]
        steps.append(f"disk: {q.say_bytes(load.storage_bytes)} ÷ {q.say_bytes(comp.storage)}, rounded up "
                     f"= {nodes} nodes; ÷ {comp.replicas} copies, rounded up = {n} shards")
        parts.append(n)
    if load.memory_bytes:
        n = scaling.replicas_for(load.memory_bytes, comp.memory, memory_at)
        givens += [("Hot set to hold", q.say_bytes(load.memory_bytes)),
                   ("Memory per node", q.say_bytes(comp.memory)), ("Fill memory to", q.say_percent(memory_at))]
        steps.append(f"memory: {q.say_bytes(load.memory_bytes)} ÷ ({q.say_bytes(comp.memory)} × "
                     f"{q.say_percent(memory_at)}), rounded up = {n} shards")
        parts.append(n)
    if not steps:
        return None
    steps.append(f"the largest: {load.shards_needed} shards")
    return Question(
        "shards", 6, f"How many shards does {comp.name} need?", tuple(givens),
        float(load.shards_needed), "shards", str(load.shards_needed),
        "shards = the most any limit needs: writes ÷ (per primary × target), data ÷ disk ÷ copies, "
        "hot set ÷ (memory × threshold), each rounded up", tuple(steps))


def _fullest(a: Analysis) -> list[tuple[float, int, str, scaling.Limit]]:
    """(break multiple, spec index, component, limit) for every loaded component, first to fill first."""
    rows = []
    for index, load in enumerate(a.loads):
        lim = load.breaking_limit
        if lim is not None:
            rows.append((float(f"{lim.break_multiplier:.12g}"), index, load.name, lim))
    return sorted(rows, key=lambda row: row[:2])


def _full_givens(rows) -> tuple[tuple[str, str], ...]:
    return tuple((name, f"{q.say_share(lim.utilization)} of its {_metric(lim.metric)} at today's peak")
                 for _, _, name, lim in sorted(rows, key=lambda row: row[1]))


def _metric(metric: str) -> str:
    return {"qps": "throughput", "read_qps": "read throughput", "write_qps": "write throughput",
            "storage_bytes": "disk", "memory_bytes": "memory"}.get(metric, metric)


def scaling_questions(spec, a: Analysis) -> list[Question | None]:
    """Section 6: shards, the first component to break at 10x and the users when it does."""
    rows = _fullest(a)
    out: list[Question | None] = [_shard_question(spec, a)]
    if not rows:
        return out
    first = a.first_to_break(10)
    steps = tuple(f"{name}: full at 1 ÷ {q.say_share(lim.utilization)} = {q.say_times(lim.break_multiplier)} "
                  f"today's traffic" for _, _, name, lim in rows[:3])
    verdict = (f"{first} fills first, below 10x" if first else "nothing fills before 10x")
    out.append(Question(
        "first_to_break", 6, "Which component breaks first if traffic grows 10x? (or 'nothing')",
        _full_givens(rows), first or NOTHING, "component", first or NOTHING,
        "each component is full at 1 ÷ its fullest limit's utilization; the smallest multiple breaks first",
        (*steps, verdict), choices=tuple(load.name for load in a.loads)))
    _multiple, _, name, lim = rows[0]
    if not math.isfinite(lim.break_multiplier):
        return out
    cap = a.capacity
    full = f"{name}: full at 1 ÷ {q.say_share(lim.utilization)} = {q.say_times(lim.break_multiplier)} today's traffic"
    if cap.users is not None:
        users = cap.users * lim.break_multiplier
        out.append(Question(
            "break_users", 6, f"At how many users does the first component to fill ({name}) break?",
            (("Users today", q.say_count(cap.users)), (name, (f"{q.say_share(lim.utilization)} of its "
                                                             f"{_metric(lim.metric)} at today's peak"))),
            users, "users", q.say_count(users), "users then = users today ÷ utilization today",
            (full, (f"{q.say_count(cap.users)} users × {q.say_times(lim.break_multiplier)} "
                   f"{said_equals(q.say_count(users))} users"))))
    else:
        qps = cap.qps_peak * lim.break_multiplier
        out.append(Question(
            "break_users", 6, f"At what peak QPS does the first component to fill ({name}) break?",
            (("Peak QPS today", said_rate(cap.qps_peak)), (name, (f"{q.say_share(lim.utilization)} of its "
                                                             f"{_metric(lim.metric)} at today's peak"))),
            qps, "requests/s", said_rate(qps), "peak QPS then = peak QPS today ÷ utilization today",
            (full, f"{said_rate(cap.qps_peak)} × {q.say_times(lim.break_multiplier)} {said_equals(said_rate(qps))}")))
    return out


# --- reliability ----------------------------------------------------------------------------

def reliability_questions(spec, a: Analysis) -> list[Question | None]:
    """Section 7: a path's availability and its downtime a month."""
    path, label, reach = a.read_path, "read path", scaling.spec_reach(spec)[0]
    if path is None:
        path, label, reach = a.write_path, "write path", scaling.spec_reach(spec)[1]
    if path is None or path.availability <= 0 or 1 - path.availability < 10.0 ** -q.MAX_NINES:
        return []  # past six nines the figure is false precision (say_availability says '> 99.9999%')
    by_name = {c.component: c.availability for c in a.components}
    givens, factors = [], []
    for name, share in reach.items():
        avail = q.say_availability(by_name[name])
        if share >= 1:
            givens.append((name, avail))
            factors.append(avail)
        else:
            givens.append((name, f"{avail}, reached by {q.say_share(share)} of requests"))
            factors.append(f"(1 − {q.say_share(share)} × (1 − {avail}))")
    said = q.say_availability(path.availability)
    minutes = path.downtime.month
    month_minutes = q.MONTH_DAYS * reliability.MINUTES_PER_DAY
    return [
        Question("path_availability", 7, f"What is the availability of the {label} "
                                         f"({' → '.join(path.path)})?",
                 tuple(givens), path.availability, "availability", said,
                 "a path is up only when every component a request reaches is up: multiply them",
                 (" × ".join(factors) + f" {said_equals(said)}",)),
        Question("downtime_month", 7, f"How many minutes a month is the {label} down, on average?",
                 ((f"Availability of the {label}", said), ("A month", f"{plain_number(q.MONTH_DAYS)} days")),
                 minutes, "minutes", q.say_minutes(minutes),
                 "downtime = (1 − availability) × minutes in a month",
                 (f"a month is {plain_number(q.MONTH_DAYS)} days × 1,440 = {plain_number(month_minutes)} minutes",
                  f"(1 − {said}) × {plain_number(month_minutes)} min {said_equals(q.say_minutes(minutes))}"),
                 ((30 / (q.MONTH_DAYS * q.DAY_SECONDS), "month"),)),
    ]
