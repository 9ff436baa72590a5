"""Practice questions for the Scalability and Reliability sections (see ``practice``).

Shards, the first component to break at 10x and the users (or QPS) when it does; a path's
availability and its downtime a month: each from the ``analyze`` figures, with its working.
A figure whose ceiling is taken is said precisely enough to give the answer's ceiling; shares
are never said as bounds ('< 0.01%'), so every question can be worked from its givens.
"""

from __future__ import annotations

import math

from . import quantities as q
from . import availability, scaling
from .analysis import Analysis
from .questions import (NOTHING, Question, ceiling_is, plain_number, plural, precisely, said_equals, said_rate,
                        significant)

# --- scaling --------------------------------------------------------------------------------

def _exact(value: float, say) -> str:
    """A node's size or rate said in full (a divisor in working must be the real one)."""
    return precisely(value, say, lambda shown: math.isclose(shown, value, rel_tol=1e-9))[0]


def _rate(value: float) -> str:
    return f"{q.say_qps(value, approx=False)}/s"


def _copies(n: int) -> str:
    return "1 copy" if n == 1 else f"{n} copies"


def _shard_question(spec, a: Analysis) -> Question | None:
    """Shards for the data store or cache that needs the most, with each limit's arithmetic; every
    figure a ceiling is taken of is said precisely enough that its ceiling is the answer's."""
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
        writes, shown = precisely(load.write_qps_peak, said_rate,
                                  lambda shown: ceiling_is(shown / (per * target), n))
        if not ceiling_is(shown / (per * target), n):
            return None     # the count sits within float noise of a whole number: no figure settles it
        each = _exact(per, _rate)
        givens += [("Writes at peak reaching it", writes), ("Writes one primary sustains", each),
                   ("Scale out at", q.say_percent(target))]
        steps.append(f"writes: {writes} ÷ ({each} × {q.say_percent(target)}), rounded up = {plural(n, 'shard')}")
        parts.append(n)
    if load.storage_bytes:
        fill = scaling.STORAGE_THRESHOLD
        nodes = scaling.replicas_for(load.storage_bytes, comp.storage, fill)
        n = math.ceil(nodes / comp.replicas)
        data, shown = precisely(load.storage_bytes, q.say_bytes,
                                lambda shown: ceiling_is(shown / (comp.storage * fill), nodes))
        if not ceiling_is(shown / (comp.storage * fill), nodes):
            return None
        disk = _exact(comp.storage, q.say_bytes)
        givens += [("Data to hold, every copy", data), ("Disk per node", disk),
                   ("Copies of each shard", str(comp.replicas))]
        per_node = disk if fill == 1 else f"({disk} × {q.say_percent(fill)})"
        steps.append(f"disk: {data} ÷ {per_node}, rounded up = {plural(nodes, 'node')}; "
                     f"÷ {_copies(comp.replicas)}, rounded up = {plural(n, 'shard')}")
        parts.append(n)
    if load.memory_bytes:
        n = scaling.replicas_for(load.memory_bytes, comp.memory, memory_at)
        hot, shown = precisely(load.memory_bytes, q.say_bytes,
                               lambda shown: ceiling_is(shown / (comp.memory * memory_at), n))
        if not ceiling_is(shown / (comp.memory * memory_at), n):
            return None
        memory = _exact(comp.memory, q.say_bytes)
        givens += [("Hot set to hold", hot), ("Memory per node", memory), ("Fill memory to", q.say_percent(memory_at))]
        steps.append(f"memory: {hot} ÷ ({memory} × {q.say_percent(memory_at)}), rounded up = {plural(n, 'shard')}")
        parts.append(n)
    if not steps or max(parts) != load.shards_needed:
        return None
    if any(value.startswith(("<", ">")) for _, value in givens):
        return None     # a figure said as a bound ('< 1 byte') is nothing to work with
    if len(steps) > 1:
        steps.append(f"the largest: {plural(load.shards_needed, 'shard')}")
    return Question(
        "shards", 6, f"How many shards does {comp.name} need?", tuple(givens),
        float(load.shards_needed), "shards", f"{load.shards_needed:,}",
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


def percent(fraction: float, digits: int = 2) -> str:
    """A utilization to ``digits`` significant figures (whole percents at least), never a bound:
    0.713 -> '71%', 45.66 -> '4,566%', 0.00052 -> '0.052%'."""
    return f"{significant(fraction * 100, digits)}%"


def load(fraction: float, digits: int = 2) -> str:
    """A utilization as the article says one: a share up to ten times over ('71%', '558%'), then a
    multiple ('713x'), never '71,338%'."""
    said = percent(fraction, digits)
    return said if float(said[:-1].replace(",", "")) < 1000 else f"{significant(fraction, digits)}x"


def _shown(said: str) -> float:
    """The utilization a ``load`` text shows, as a fraction."""
    value = float(said[:-1].replace(",", ""))
    return value / 100 if said.endswith("%") else value


def _load_given(lim: scaling.Limit, digits: int) -> str:
    """'71% of its disk at today's peak', '713x its disk at today's peak'."""
    said = load(lim.utilization, digits)
    return f"{said}{' of' if said.endswith('%') else ''} its {_metric(lim.metric)} at today's peak"


def _digits_to_tell(rows, factor: float = 10.0) -> int | None:
    """The fewest significant figures (2 at least) at which the utilizations, as said, still put the
    first to fill (and any that truly tie with it) ahead of the rest, and on the right side of
    ``factor``; None when even six cannot."""
    first = rows[0][3].utilization
    tied = sum(1 for row in rows if row[0] == rows[0][0])
    for digits in range(2, 7):
        shown = [_shown(load(lim.utilization, digits)) for *_, lim in rows]
        if shown[0] > 0 and all(shown[0] > other for other in shown[tied:]) \
                and (1 / shown[0] < factor) == (1 / first < factor):
            return digits
    return None


def _full_step(name: str, lim: scaling.Limit, digits: int) -> str:
    """'Event Store: full at 1 ÷ 71% ≈ 1.4x today's traffic', said for its regime."""
    times = _times(lim.break_multiplier)
    line = f"{name}: full at 1 ÷ {load(lim.utilization, digits)} ≈ {times} today's traffic"
    return line + (" (over capacity today)" if lim.break_multiplier < 1 else "")


def _times(multiple: float) -> str:
    """A multiple of today's traffic to two figures, never in exponent form: '1.4x', '0.000099x'."""
    return f"{significant(multiple, 2)}x"


def _metric(metric: str) -> str:
    return {"qps": "throughput", "read_qps": "read throughput", "write_qps": "write throughput",
            "storage_bytes": "disk", "memory_bytes": "memory"}.get(metric, metric)


def scaling_questions(spec, a: Analysis) -> list[Question | None]:
    """Section 6: shards, the first component to break at 10x and the users when it does."""
    rows = _fullest(a)
    out: list[Question | None] = [_shard_question(spec, a)]
    digits = _digits_to_tell(rows) if rows else None
    if digits is None or math.isclose(rows[0][0], 10.0, rel_tol=1e-6):
        return out   # no load, or a true tie (or a fill at exactly 10x): no question a student could settle
    first = a.first_to_break(10)
    givens = tuple((name, _load_given(lim, digits))
                   for _, _, name, lim in sorted(rows, key=lambda row: row[1]))
    steps = tuple(_full_step(name, lim, digits) for _, _, name, lim in rows[:3])
    multiple = rows[0][0]
    tie = len(rows) > 1 and rows[1][0] == multiple and multiple < 10
    verdict = ("nothing fills before 10x" if not first else
               f"{', '.join(row[2] for row in rows if row[0] == multiple)} fill at the same multiple: "
               f"{first} is listed first" if tie else
               f"{first} is over capacity already, so it is the first to break" if multiple < 1 else
               f"{first} fills first, below 10x")
    out.append(Question(
        "first_to_break", 6, "Which component breaks first if traffic grows 10x? (or 'nothing'"
                             + ("; of two that fill at once, the one listed first)" if tie else ")"),
        givens, first or NOTHING, "component", first or NOTHING,
        "each component is full at 1 ÷ its fullest limit's utilization; the smallest multiple breaks first",
        (*steps, verdict), choices=tuple(load.name for load in a.loads)))
    out.append(_break_question(a, rows[0], max(digits, 3)))
    return out


def _break_question(a: Analysis, row, digits: int) -> Question | None:
    """The users (or, in the totals form, the peak QPS) at which the first to fill is full."""
    multiple, _, name, lim = row
    if not math.isfinite(lim.break_multiplier):
        return None
    cap, over = a.capacity, lim.break_multiplier < 1
    full = _full_step(name, lim, digits)
    given = (name, _load_given(lim, digits))
    times = _times(lim.break_multiplier)
    formula_then = "users today ÷ utilization today" if cap.users is not None else "peak QPS today ÷ utilization today"
    if cap.users is not None:
        users = cap.users * lim.break_multiplier
        today, then = q.say_count(cap.users), q.say_count(users)
        text = (f"{name} is over capacity today: at how many users was it full?" if over else
                f"At how many users does the first component to fill ({name}) break?")
        return Question(
            "break_users", 6, text, (("Users today", today), given), users, "users", then,
            f"users then = {formula_then}",
            (full, f"{today} users × {times} {said_equals(then, approx=True)} users"))
    qps = cap.qps_peak * lim.break_multiplier
    today, then = said_rate(cap.qps_peak), said_rate(qps)
    text = (f"{name} is over capacity today: at what peak QPS was it full?" if over else
            f"At what peak QPS does the first component to fill ({name}) break?")
    return Question(
        "break_users", 6, text, (("Peak QPS today", today), given), qps, "requests/s", then,
        f"peak QPS then = {formula_then}", (full, f"{today} × {times} {said_equals(then, approx=True)}"))


# --- reliability ----------------------------------------------------------------------------

NEGLIGIBLE = 0.03   # components past six nines adding under 3% of a path's downtime are left out


def nines(fraction: float) -> str:
    """An availability with its first two significant digits of downtime, past six nines too:
    0.99980001 -> '99.98%', 0.9999999 -> '99.99999%'."""
    down = 1.0 - fraction
    if down <= 0:
        return "100%"
    places = max(0, math.ceil(-math.log10(down * 100))) + 1
    return f"{fraction * 100:.{places}f}".rstrip("0").rstrip(".") + "%"


def reliability_questions(spec, a: Analysis) -> list[Question | None]:
    """Section 7: a path's availability and its downtime a month."""
    path, label, reach = a.read_path, "read path", scaling.spec_reach(spec)[0]
    if path is None:
        path, label, reach = a.write_path, "write path", scaling.spec_reach(spec)[1]
    if path is None or path.availability <= 0 or 1 - path.availability < 10.0 ** -q.MAX_NINES:
        return []  # past six nines the figure is false precision (say_availability says '> 99.9999%')
    by_name = {c.component: c.availability for c in a.components}
    down = 1 - path.availability
    share_of = {name: min(1.0, share) * (1 - by_name[name]) for name, share in reach.items()}
    tiny = [name for name in reach if 1 - by_name[name] < 10.0 ** -q.MAX_NINES]
    left_out = set(tiny) if sum(share_of[name] for name in tiny) <= NEGLIGIBLE * down else set()
    givens, factors = [], []
    for name, share in reach.items():
        if name in left_out:
            givens.append((name, f"> {nines(1 - 10.0 ** -q.MAX_NINES)}: too close to 100% to count here"))
            continue
        avail = nines(by_name[name])
        if share >= 1:
            givens.append((name, avail))
            factors.append(avail)
        else:
            givens.append((name, f"{avail}, reached by {q.say_share(share)} of requests"))
            factors.append(f"(1 − {q.say_share(share)} × (1 − {avail}))")
    if not factors:
        return []
    said = q.say_availability(path.availability)
    minutes = path.downtime.month
    month_minutes = q.MONTH_DAYS * availability.MINUTES_PER_DAY
    product = " × ".join(factors) + f" {said_equals(said, approx=True)}"
    if left_out:
        product = f"leaving out {', '.join(sorted(left_out))}: {product}"
    spent = q.say_minutes(minutes) if minutes < availability.MINUTES_PER_DAY else f"{q.say_count(minutes)} min"
    return [
        Question("path_availability", 7, f"What is the availability of the {label} "
                                         f"({' → '.join(path.path)})?",
                 tuple(givens), path.availability, "availability", said,
                 "a path is up only when every component a request reaches is up: multiply them",
                 (product,)),
        Question("downtime_month", 7, f"How many minutes a month is the {label} down, on average?",
                 ((f"Availability of the {label}", said), ("A month", f"{plain_number(q.MONTH_DAYS)} days")),
                 minutes, "minutes", q.say_minutes(minutes),
                 "downtime = (1 − availability) × minutes in a month",
                 (f"a month is {plain_number(q.MONTH_DAYS)} days × 1,440 minutes = {plain_number(month_minutes)} minutes",
                  f"(1 − {said}) × {plain_number(month_minutes)} min {said_equals(spent, approx=True)}"),
                 ((30 / (q.MONTH_DAYS * q.DAY_SECONDS), "month"),)),
    ]
