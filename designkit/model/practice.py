"""Estimation practice: a bank of questions drawn from a spec's own estimate and analysis.

Each question states its givens the way the article does, and carries its answer, tolerance,
the likely slips and the step-by-step working, all computed here from ``estimate``/``analyze``
figures and said with ``quantities.say_*``, so the practice can never disagree with the article.
``bank(spec, seed=N)`` draws plausible variations of the spec's scale with ``random.Random(N)``.
Grading written answers lives in ``answers``.
"""

from __future__ import annotations

import random

from . import quantities as q
from .analysis import analyze
from .capacity import Capacity, estimate, servers_for
from .practice_design import reliability_questions, scaling_questions
from .questions import (NOTHING, SLIPS, TOLERANCE, UNIT_KINDS, Bank, Question,  # noqa: F401 (re-exported)
                        plain_number, said_equals, said_rate)

_USER_FACTORS = (0.2, 0.3, 0.5, 0.7, 1.5, 2.0, 3.0, 5.0)
_REQUEST_FACTORS = (0.5, 0.8, 1.25, 2.0)
_SIZE_FACTORS = (0.5, 1.0, 2.0)
_PEAK_FACTORS = (2.0, 3.0, 4.0, 5.0)


# --- variations -----------------------------------------------------------------------------

def nice(value: float) -> float:
    """Two significant figures, as a person would state a given: 2.7e8, 150, 0.5."""
    return float(f"{value:.2g}")


def vary(spec, seed: int):
    """The spec with a plausible variation of its scale drawn from ``random.Random(seed)``."""
    rng = random.Random(seed)
    s = spec.scale
    grow = rng.choice(_USER_FACTORS)
    changes: dict = {"peak_factor": rng.choice(_PEAK_FACTORS),
                     "record_size": nice(s.record_size * rng.choice(_SIZE_FACTORS))}
    if s.per_user:
        users = nice(s.users * grow)
        changes["users"] = users
        if s.daily_active_users is not None:
            changes["daily_active_users"] = nice(users * s.daily_active_users / s.users)
        changes["requests_per_user_per_day"] = nice(s.requests_per_user_per_day
                                                    * rng.choice(_REQUEST_FACTORS))
    else:
        changes["reads"] = s.reads * grow
        changes["writes"] = s.writes * grow
    if s.response_size is not None:
        changes["response_size"] = nice(s.response_size * rng.choice(_SIZE_FACTORS))
    return spec.model_copy(update={"scale": s.model_copy(update=changes)})


# --- the bank -------------------------------------------------------------------------------

def bank(spec, *, seed: int | None = None) -> Bank:
    """Every question the spec supports; ``seed`` varies the scale (None: the spec as written)."""
    if seed is not None:
        spec = vary(spec, seed)
    cap = estimate(spec.scale)
    a = analyze(spec, cap)
    questions = [*capacity_questions(spec, cap), *scaling_questions(spec, a),
                 *reliability_questions(spec, a)]
    return Bank(spec.name, seed, tuple(x for x in questions if x is not None))


def _peak_slip(cap: Capacity) -> tuple[tuple[float, str], ...]:
    return ((1 / cap.peak_factor, "peak"),) if cap.peak_factor != 1 else ()


def _byte_slips(extra: tuple[tuple[float, str], ...] = ()) -> tuple[tuple[float, str], ...]:
    binary = tuple((f, "binary") for k in (5, 6) for f in ((1024 / 1000) ** k, (1000 / 1024) ** k))
    return ((8.0, "bits"), (1 / 8, "bits"), *binary, *extra)


def capacity_questions(spec, cap: Capacity) -> list[Question | None]:
    """Section 1: users, traffic, storage, bandwidth, cache and servers."""
    s = spec.scale
    day = f"{plain_number(q.DAY_SECONDS)} s"
    pf = f"{cap.peak_factor:g}x"
    requests = q.say_count(cap.requests_per_day)
    out: list[Question | None] = []

    if s.per_user and cap.users:
        share = cap.daily_active_users / cap.users
        stated = q.say_percent(share)
        if "." not in stated or len(stated.split(".")[1]) <= 3:  # a share a person would state
            out.append(Question(
                "daily_active_users", 1, "How many users are active on a given day?",
                (("Users", q.say_count(cap.users)), ("Active on a given day", q.say_percent(share))),
                cap.daily_active_users, "users", q.say_count(cap.daily_active_users),
                "daily actives = users × share active each day",
                ((f"{q.say_count(cap.users)} users × {q.say_percent(share)} "
                 f"{said_equals(q.say_count(cap.daily_active_users))} daily actives"),)))
        ratio = ":".join(f"{part:g}" for part in s.read_write_ratio)
        rpu = plain_number(s.requests_per_user_per_day)
        out.append(Question(
            "requests_per_day", 1, "How many requests does the system serve a day?",
            (("Daily active users", q.say_count(cap.daily_active_users)),
             ("Requests per user a day", rpu)),
            cap.requests_per_day, "requests/day", requests,
            "requests a day = daily actives × requests per user a day",
            (f"{q.say_count(cap.daily_active_users)} daily actives × {rpu} requests {said_equals(requests)} a day",)))
        split = (("Requests a day", requests), ("Read:write ratio", ratio))
    else:
        ratio = None
        out.append(Question(
            "requests_per_day", 1, "How many requests (reads and writes) does the system serve a day?",
            (("Reads a day", q.say_count(cap.reads_per_day)), ("Writes a day", q.say_count(cap.writes_per_day))),
            cap.requests_per_day, "requests/day", requests, "requests a day = reads a day + writes a day",
            (f"{q.say_count(cap.reads_per_day)} + {q.say_count(cap.writes_per_day)} {said_equals(requests)} a day",)))
        split = (("Reads a day", q.say_count(cap.reads_per_day)), ("Writes a day", q.say_count(cap.writes_per_day)))

    avg_step = f"{requests} requests ÷ {day} {said_equals(said_rate(cap.qps_average))}"
    out.append(Question(
        "qps_average", 1, "What is the average QPS (requests per second)?",
        (("Requests a day", requests),), cap.qps_average, "requests/s", said_rate(cap.qps_average),
        "average QPS = requests a day ÷ 86,400 seconds", (avg_step,)))
    out.append(Question(
        "qps_peak", 1, "What is the peak QPS?",
        (("Requests a day", requests), ("Peak factor", f"{pf} average")),
        cap.qps_peak, "requests/s", said_rate(cap.qps_peak),
        "peak QPS = requests a day ÷ 86,400 s × peak factor",
        (avg_step, f"× {cap.peak_factor:g} at peak {said_equals(said_rate(cap.qps_peak))}"), _peak_slip(cap)))

    for side, per_day, peak in (("read", cap.reads_per_day, cap.read_qps_peak),
                                ("write", cap.writes_per_day, cap.write_qps_peak)):
        if peak <= 0:
            continue
        steps = []
        if ratio is not None:
            reads_part, writes_part = s.read_write_ratio
            part = reads_part if side == "read" else writes_part
            if part == reads_part + writes_part:
                steps.append(f"every request is a {side}: {q.say_count(per_day)} a day")
            else:
                steps.append(f"{side}s are {part:g} of every {reads_part + writes_part:g} requests: "
                             f"{requests} × {part:g}/{reads_part + writes_part:g} "
                             f"{said_equals(q.say_count(per_day))} a day")
        steps += [f"{q.say_count(per_day)} ÷ {day} {said_equals(said_rate(per_day / q.DAY_SECONDS))}",
                  f"× {cap.peak_factor:g} at peak {said_equals(said_rate(peak))}"]
        givens = split if ratio is not None else ((f"{side.capitalize()}s a day", q.say_count(per_day)),)
        out.append(Question(
            f"{side}_qps_peak", 1, f"What is the peak {side} QPS?",
            (*givens, ("Peak factor", f"{pf} average")), peak, "requests/s", said_rate(peak),
            f"peak {side} QPS = {side}s a day ÷ 86,400 s × peak factor", tuple(steps), _peak_slip(cap)))

    writes = q.say_count(cap.writes_per_day)
    record = q.say_bytes(cap.record_size_bytes)
    day_bytes = q.say_bytes(cap.storage_per_day_bytes)
    if cap.storage_per_day_bytes > 0:
        per_day_step = f"{writes} writes × {record} {said_equals(day_bytes)} a day"
        out.append(Question(
            "storage_per_day", 1, "How much new data is stored each day (one copy)?",
            (("Writes a day", writes), ("Record size", record)), cap.storage_per_day_bytes, "bytes",
            day_bytes, "storage a day = writes a day × record size", (per_day_step,), _byte_slips()))
        retention = q.say_days(cap.retention_days)
        total = q.say_bytes(cap.storage_total_bytes)
        copies = q.say_bytes(cap.storage_replicated_bytes)
        rf = cap.replication_factor
        out.append(Question(
            "storage_total", 1, f"How much storage do {retention} of data take, every copy counted?",
            (("Writes a day", writes), ("Record size", record), ("Retention", retention),
             ("Replication factor", f"{rf}x")),
            cap.storage_replicated_bytes, "bytes", copies,
            "storage = writes a day × record size × retention days × replication factor",
            (per_day_step, f"× {cap.retention_days:,.0f} days {said_equals(total)}",
             f"× {rf} copies {said_equals(copies)}"),
            _byte_slips(((1 / rf, "replication"),) if rf > 1 else ())))
        ingress = q.say_bandwidth(cap.ingress_bytes_per_second)
        out.append(Question(
            "ingress", 1, "What is the average incoming bandwidth (bytes per second)?",
            (("Writes/s (average)", said_rate(cap.write_qps_average)), ("Record size", record)),
            cap.ingress_bytes_per_second, "bytes/s", ingress,
            "ingress = writes per second × record size",
            (f"{said_rate(cap.write_qps_average)} × {record} {said_equals(ingress)}",), _byte_slips()))

    response = q.say_bytes(cap.response_size_bytes)
    if cap.egress_bytes_per_second > 0:
        egress = q.say_bandwidth(cap.egress_bytes_per_second)
        out.append(Question(
            "egress", 1, "What is the average outgoing bandwidth (bytes per second)?",
            (("Reads/s (average)", said_rate(cap.read_qps_average)), ("Response size", response)),
            cap.egress_bytes_per_second, "bytes/s", egress, "egress = reads per second × response size",
            (f"{said_rate(cap.read_qps_average)} × {response} {said_equals(egress)}",), _byte_slips()))
    if cap.cache_memory_bytes > 0:
        reads = q.say_count(cap.reads_per_day)
        hot = s.cache_fraction
        memory = q.say_bytes(cap.cache_memory_bytes)
        out.append(Question(
            "cache_memory", 1, "How much cache memory holds the hottest share of a day's reads?",
            (("Reads a day", reads), ("Hot share to cache", q.say_percent(hot)), ("Response size", response)),
            cap.cache_memory_bytes, "bytes", memory,
            "cache memory = reads a day × hot share × response size",
            (f"{reads} reads × {q.say_percent(hot)} {said_equals(q.say_count(cap.reads_per_day * hot))} hot reads",
             f"× {response} {said_equals(memory)}"), _byte_slips()))

    each = f"{q.say_qps(cap.server_qps, approx=False)}/s"
    out.append(Question(
        "servers", 1, "How many app servers carry the peak?",
        (("Peak QPS", said_rate(cap.qps_peak)), ("One server handles", each)),
        float(cap.servers_needed), "servers", str(cap.servers_needed),
        "servers = peak QPS ÷ what one server handles, rounded up",
        (f"{said_rate(cap.qps_peak)} ÷ {each} {said_equals(q.say_qps(cap.qps_peak / cap.server_qps))}",
         f"rounded up: {cap.servers_needed} servers"),
        ((servers_for(cap.qps_average, cap.server_qps) / cap.servers_needed, "peak"),)
        if servers_for(cap.qps_average, cap.server_qps) != cap.servers_needed else ()))
    return out
