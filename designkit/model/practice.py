"""Estimation practice: a bank of questions drawn from a spec's own estimate and analysis.

Each question states its givens the way the article does, and carries its answer, tolerance,
the likely slips and the step-by-step working, all computed here from ``estimate``/``analyze``
figures and said with ``quantities.say_*``, so the practice can never disagree with the article.
``bank(spec, seed=N)`` draws plausible variations of the spec's scale with ``random.Random(N)``.
Every question is answerable from its givens alone (the extra reads of a write-only ratio too),
and every worked line is true arithmetic on the numbers it shows ('=' only when exact).
Grading written answers lives in ``answers``.
"""

from __future__ import annotations

import math
import random

from . import quantities as q
from .analysis import analyze
from .capacity import Capacity, estimate, servers_for
from .practice_design import reliability_questions, scaling_questions
from .questions import (Bank, Question,
                        ceiling_is, plain_number, plural, precisely, said_equals, said_rate)

_USER_FACTORS = (0.2, 0.3, 0.5, 0.7, 1.5, 2.0, 3.0, 5.0)
_REQUEST_FACTORS = (0.5, 0.8, 1.25, 2.0)
_SIZE_FACTORS = (0.5, 1.0, 2.0)
_PEAK_FACTORS = (2.0, 3.0, 4.0, 5.0)

WHOLE_BYTE = 1.0   # a byte figure below this is said as a bound ('< 1 byte'): no number to work with, not asked


def _said_closely(size: float) -> bool:
    """True when a size as said ("500 bytes", "~1.3 KB") is within 5% of the size: a given a student
    can work from.  Sizes of a few bytes are said in whole bytes, too coarse to be a given."""
    said = q.say_bytes(size).lstrip("~")
    if size < WHOLE_BYTE or said.startswith(("<", ">")):
        return False
    try:
        return math.isclose(q.parse_size(said), size, rel_tol=0.05)   # two figures at least
    except ValueError:
        return False


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
    return bank_at(spec, cap, analyze(spec, cap), seed)


def bank_at(spec, cap: Capacity, a, seed: int | None = None) -> Bank:
    """The bank from an estimate and analysis already made (the moving handout's grid points)."""
    questions = [*capacity_questions(spec, cap), *scaling_questions(spec, a),
                 *reliability_questions(spec, a)]
    return Bank(spec.name, seed, tuple(x for x in questions if x is not None))


def _peak_slip(cap: Capacity) -> tuple[tuple[float, str], ...]:
    return ((1 / cap.peak_factor, "peak"),) if cap.peak_factor != 1 else ()


def _byte_slips(extra: tuple[tuple[float, str], ...] = ()) -> tuple[tuple[float, str], ...]:
    binary = tuple((f, "binary") for k in (5, 6) for f in ((1024 / 1000) ** k, (1000 / 1024) ** k))
    return ((8.0, "bits"), (1 / 8, "bits"), *binary, *extra)


def capacity_questions(spec, cap: Capacity) -> list[Question | None]:
    """Section 1: users, traffic, storage, bandwidth, cache and servers, in the order a student works them."""
    requests = q.say_count(cap.requests_per_day)
    if spec.scale.per_user:
        day, *sides = _per_user_traffic(spec, cap, requests)   # requests a day, then peak reads and writes
    else:
        day, *sides = _totals_traffic(cap, requests)
    return [*_active_users(spec, cap), day, *_qps_questions(cap, requests), *sides,
            *_storage_questions(spec, cap), _servers_question(cap)]


def _active_users(spec, cap: Capacity) -> list[Question]:
    """Daily actives from users and the share active each day (per-user specs stating a share a person would)."""
    if not (spec.scale.per_user and cap.users):
        return []
    stated = q.say_percent(cap.daily_active_users / cap.users)
    if "." in stated and len(stated.split(".")[1]) > 3:
        return []
    users, dau = q.say_count(cap.users), q.say_count(cap.daily_active_users)
    return [Question(
        "daily_active_users", 1, "How many users are active on a given day?",
        (("Users", users), ("Active on a given day", stated)),
        cap.daily_active_users, "users", dau, "daily actives = users × share active each day",
        (f"{users} users × {stated} {said_equals(dau, users)} daily actives",))]


def _qps_questions(cap: Capacity, requests: str) -> list[Question]:
    """Average and peak QPS from requests a day: the division by 86,400, then the peak factor."""
    avg_step = _per_second_step(f"{requests} requests", cap.requests_per_day, requests)
    return [
        Question("qps_average", 1, "What is the average QPS (requests per second)?",
                 (("Requests a day", requests),), cap.qps_average, "requests/s", said_rate(cap.qps_average),
                 "average QPS = requests a day ÷ 86,400 seconds", (avg_step,)),
        Question("qps_peak", 1, "What is the peak QPS?",
                 (("Requests a day", requests), ("Peak factor", f"{cap.peak_factor:g}x average")),
                 cap.qps_peak, "requests/s", said_rate(cap.qps_peak),
                 "peak QPS = requests a day ÷ 86,400 s × peak factor",
                 (avg_step, _peak_step(cap, cap.qps_peak, avg_step)), _peak_slip(cap)),
    ]


def _totals_traffic(cap: Capacity, requests: str) -> list[Question]:
    """A totals-form spec: requests a day from reads and writes, then the peak read and write QPS."""
    reads, writes = q.say_count(cap.reads_per_day), q.say_count(cap.writes_per_day)
    out = [Question(
        "requests_per_day", 1, "How many requests (reads and writes) does the system serve a day?",
        (("Reads a day", reads), ("Writes a day", writes)),
        cap.requests_per_day, "requests/day", requests, "requests a day = reads a day + writes a day",
        (f"{reads} + {writes} {said_equals(requests, reads, writes)} a day",))]
    for side, per_day, peak in (("read", cap.reads_per_day, cap.read_qps_peak),
                                ("write", cap.writes_per_day, cap.write_qps_peak)):
        if peak > 0:
            day = q.say_count(per_day)
            steps = (_per_second_step(day, per_day, day),)
            out.append(Question(
                f"{side}_qps_peak", 1, f"What is the peak {side} QPS?",
                ((f"{side.capitalize()}s a day", day), ("Peak factor", f"{cap.peak_factor:g}x average")),
                peak, "requests/s", said_rate(peak),
                f"peak {side} QPS = {side}s a day ÷ 86,400 s × peak factor",
                (*steps, _peak_step(cap, peak, steps[-1])), _peak_slip(cap)))
    return out


def _per_second_step(said_day: str, per_day: float, *operands: str) -> str:
    """'~1 billion requests ÷ 86,400 s ≈ 12K/s'."""
    rate = said_rate(per_day / q.DAY_SECONDS)
    return f"{said_day} ÷ {plain_number(q.DAY_SECONDS)} s {said_equals(rate, *operands)}"


def _peak_step(cap: Capacity, peak: float, before: str) -> str:
    """'× 4 at peak ≈ 46K/s' (≈ when the step before was rounded)."""
    rate = said_rate(peak)
    return f"× {cap.peak_factor:g} at peak {said_equals(rate, approx='≈' in before)}"


def _per_user_traffic(spec, cap: Capacity, requests: str) -> list[Question]:
    """Requests a day and the peak read and write QPS from daily actives, the ratio and extra reads."""
    s = spec.scale
    dau = q.say_count(cap.daily_active_users)
    rpu = plain_number(s.requests_per_user_per_day)
    extra = s.reads_per_user_per_day or 0.0
    split_day = cap.daily_active_users * s.requests_per_user_per_day
    extra_day = cap.daily_active_users * extra
    givens = [("Daily active users", dau), ("Requests per user a day", rpu)]
    if extra:
        givens.append(("Extra reads per user a day", plain_number(extra)))
        step = f"{dau} daily actives × ({rpu} + {plain_number(extra)}) requests"
    else:
        step = f"{dau} daily actives × {rpu} requests"
    out = [Question(
        "requests_per_day", 1, "How many requests does the system serve a day?", tuple(givens),
        cap.requests_per_day, "requests/day", requests,
        "requests a day = daily actives × requests per user a day"
        + (" (the extra reads included)" if extra else ""),
        (f"{step} {said_equals(requests, dau)} a day",))]
    pf = f"{cap.peak_factor:g}x"
    ratio = ":".join(f"{part:g}" for part in s.read_write_ratio)
    reads_part, writes_part = s.read_write_ratio
    whole = reads_part + writes_part
    split = q.say_count(split_day)
    for side, part, per_day, peak in (("read", reads_part, cap.reads_per_day, cap.read_qps_peak),
                                      ("write", writes_part, cap.writes_per_day, cap.write_qps_peak)):
        if peak <= 0:
            continue
        day = q.say_count(per_day)
        plus = side == "read" and extra > 0
        if plus:
            givens = [("Daily active users", dau), ("Requests per user a day, split by the ratio", rpu),
                      ("Read:write ratio", ratio), ("Extra reads per user a day", plain_number(extra))]
        else:
            givens = [("Requests a day" if not extra else "Requests a day, split by the ratio", split),
                      ("Read:write ratio", ratio)]
        steps = []
        if plus:
            steps.append(f"{dau} daily actives × {rpu} requests {said_equals(split, dau)} a day split by the ratio")
        if part == 0:
            steps.append(f"the ratio gives no {side}s ({side}s are 0 of every {whole:g} requests)")
        elif part == whole:
            steps.append(f"every request the ratio splits is a {side}: {split} a day")
        else:
            ratio_day = q.say_count(split_day * part / whole)
            steps.append(f"{side}s are {part:g} of every {whole:g} requests: {split} × {part:g}/{whole:g} "
                         f"{said_equals(ratio_day, split, approx=True)} a day")
        if plus:
            extra_said = q.say_count(extra_day)
            steps.append(f"extra reads: {dau} daily actives × {plain_number(extra)} "
                         f"{said_equals(extra_said, dau)} a day")
            if part:
                steps.append(f"{q.say_count(split_day * part / whole)} + {extra_said} "
                             f"{said_equals(day, approx=True)} {side}s a day")
        steps.append(_per_second_step(day, per_day, day))
        steps.append(_peak_step(cap, peak, steps[-1]))
        out.append(Question(
            f"{side}_qps_peak", 1, f"What is the peak {side} QPS?", (*givens, ("Peak factor", f"{pf} average")),
            peak, "requests/s", said_rate(peak),
            f"peak {side} QPS = {side}s a day ÷ 86,400 s × peak factor"
            + (" (the extra reads included)" if plus else ""), tuple(steps), _peak_slip(cap)))
    return out


def _storage_questions(spec, cap: Capacity) -> list[Question]:
    """Storage a day and over the retention, bandwidth in and out, cache memory."""
    s = spec.scale
    out = []
    writes = q.say_count(cap.writes_per_day)
    record = q.say_bytes(cap.record_size_bytes)
    day_bytes = q.say_bytes(cap.storage_per_day_bytes)
    if cap.storage_per_day_bytes >= WHOLE_BYTE and _said_closely(cap.record_size_bytes):
        per_day_step = f"{writes} writes × {record} {said_equals(day_bytes, writes, record)} a day"
        out.append(Question(
            "storage_per_day", 1, "How much new data is stored each day (one copy)?",
            (("Writes a day", writes), ("Record size", record)), cap.storage_per_day_bytes, "bytes",
            day_bytes, "storage a day = writes a day × record size", (per_day_step,), _byte_slips()))
        retention = q.say_days(cap.retention_days)
        total = q.say_bytes(cap.storage_total_bytes)
        copies = q.say_bytes(cap.storage_replicated_bytes)
        rf = cap.replication_factor
        days = plain_number(cap.retention_days)
        out.append(Question(
            "storage_total", 1, f"How much storage do {retention} of data take, every copy counted?",
            (("Writes a day", writes), ("Record size", record), ("Retention", retention),
             ("Replication factor", f"{rf}x")),
            cap.storage_replicated_bytes, "bytes", copies,
            "storage = writes a day × record size × retention days × replication factor",
            (per_day_step, f"× {days} days {said_equals(total, days, approx='≈' in per_day_step)}",
             f"× {rf} copies {said_equals(copies, total)}"),
            _byte_slips(((1 / rf, "replication"),) if rf > 1 else ())))
    out += _bandwidth_question("ingress", "incoming", "writes", cap.write_qps_average,
                               ("Record size", cap.record_size_bytes), cap.ingress_bytes_per_second)
    out += _bandwidth_question("egress", "outgoing", "reads", cap.read_qps_average,
                               ("Response size", cap.response_size_bytes), cap.egress_bytes_per_second)
    response = q.say_bytes(cap.response_size_bytes)
    if cap.cache_memory_bytes >= WHOLE_BYTE and _said_closely(cap.response_size_bytes):
        reads = q.say_count(cap.reads_per_day)
        hot = q.say_percent(s.cache_fraction)
        hot_reads = q.say_count(cap.reads_per_day * s.cache_fraction)
        memory = q.say_bytes(cap.cache_memory_bytes)
        out.append(Question(
            "cache_memory", 1, "How much cache memory holds the hottest share of a day's reads?",
            (("Reads a day", reads), ("Hot share to cache", hot), ("Response size", response)),
            cap.cache_memory_bytes, "bytes", memory, "cache memory = reads a day × hot share × response size",
            (f"{reads} reads × {hot} {said_equals(hot_reads, reads)} hot reads",
             f"× {response} {said_equals(memory, hot_reads, response)}"), _byte_slips()))
    return out


def _bandwidth_question(key: str, direction: str, side: str, per_second: float, size: tuple[str, float],
                        bandwidth: float) -> list[Question]:
    """Bandwidth in or out: ``side`` (reads or writes) per second × the bytes each carries; none when
    the size is not said closely enough to work from, or the bandwidth is under a byte a second."""
    label, size_bytes = size
    if bandwidth < WHOLE_BYTE or not _said_closely(size_bytes):
        return []
    said, rate, each = q.say_bandwidth(bandwidth), said_rate(per_second), q.say_bytes(size_bytes)
    return [Question(
        key, 1, f"What is the average {direction} bandwidth (bytes per second)?",
        ((f"{side.capitalize()}/s (average)", rate), (label, each)), bandwidth, "bytes/s", said,
        f"{key} = {side} per second × {label.lower()}", (f"{rate} × {each} {said_equals(said, rate, each)}",),
        _byte_slips())]


def _servers_question(cap: Capacity) -> Question:
    """App servers at peak: the peak said precisely enough that its ceiling is the answer."""
    n = cap.servers_needed
    peak, _ = precisely(cap.qps_peak, said_rate, lambda shown: ceiling_is(shown / cap.server_qps, n))
    each = f"{q.say_qps(cap.server_qps, approx=False)}/s"
    at_average = servers_for(cap.qps_average, cap.server_qps)
    return Question(
        "servers", 1, "How many app servers carry the peak?",
        (("Peak QPS", peak), ("One server handles", each)), float(n), "servers", f"{n:,}",
        "servers = peak QPS ÷ what one server handles, rounded up (at least one)",
        (f"{peak} ÷ {each}, rounded up = {plural(n, 'server')}",),
        ((at_average / n, "peak"),) if at_average != n else ())
