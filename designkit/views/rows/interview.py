"""Interview Tips rows: key phrases and follow-up questions, the computed ones in the generic ones' place.

A computed row answers a question the template also asks generically ("What breaks first at
10x?", "We need a lot of storage"): it takes the place of the spec's row on the same question,
keeping the spec's wording of the question, instead of standing beside it.  ``SAME`` says
which questions are the same.
"""

from __future__ import annotations

import re

from ...model import quantities as q
from ...model.analysis import Analysis
from .table import Rows, rows
from .wording import count, say_load
from .scaling import ten_x_answer

SAME = {
    "scale": re.compile(r"\bscale\b(?! increases)|\bscal(?:e|ing) (?:out|horizontally)\b|\badd (?:more )?servers\b",
                        re.IGNORECASE),
    "storage": re.compile(r"\bstorage\b", re.IGNORECASE),
    "caching": re.compile(r"\b(?:add|use|put)\b[^.]*\bcach", re.IGNORECASE),
    "10x": re.compile(r"\b10x\b|\b10 ?times\b|\bten times\b|\bscale increases\b", re.IGNORECASE),
    "monitor": re.compile(r"\bmonitor|\bmetrics?\b|\balert", re.IGNORECASE),
}
"""Which spec phrase or question a computed row stands for (the first match is replaced)."""


def quoted(value: str) -> str:
    """Spec text in quotes, once: '"What if..."' stays as it is."""
    return f'"{value.strip().strip(chr(34))}"'


def _merge(spec_rows: list[tuple[str, str]], computed: list[tuple[str, str, str]]) -> list[list[str]]:
    """The spec's rows with each computed (topic, left, right) row in its place, or appended."""
    merged = [[left, right] for left, right in spec_rows]
    topics: list[str | None] = [None] * len(merged)
    for topic, left, right in computed:
        same = [i for i, (text, _) in enumerate(spec_rows) if topics[i] is None and SAME[topic].search(text)]
        if same:
            merged[same[0]] = [quoted(spec_rows[same[0]][0]), right]
            topics[same[0]] = topic
            for i in same[1:]:
                topics[i] = "drop"
        else:
            merged.append([left, right])
            topics.append(topic)
    return [row for row, topic in zip(merged, topics) if topic != "drop"]


def _computed_phrases(spec, a: Analysis) -> list[tuple[str, str, str]]:
    cap = a.capacity
    found = [
        ("scale", '"Scale horizontally"',
         f'"At {q.say_qps(cap.qps_peak)} peak QPS we\'d need {count(cap.servers_needed, "server")} assuming each '
         f'handles {q.say_qps(cap.server_qps, approx=False)} requests/second"'),
        ("storage", '"We need a lot of storage"',
         f'"{q.say_bytes(cap.storage_per_day_bytes)} a day is {q.say_bytes(cap.storage_total_bytes)} over '
         f'{q.say_days(cap.retention_days)}, {q.say_bytes(cap.storage_replicated_bytes)} with '
         f'{cap.replication_factor} copies"'),
    ]
    caches = [load for load in a.loads if load.kind == "cache"]
    if caches and cap.reads_per_day:
        comp = spec.component(caches[0].name)
        hit = comp.hit_ratio or 0
        found.append(("caching", '"Add caching"',
                      f'"Caching the hottest {q.say_percent(spec.scale.cache_fraction)} of a day\'s reads takes '
                      f'{q.say_bytes(cap.cache_memory_bytes)}; at a {q.say_percent(hit)} hit ratio it keeps all '
                      f'but {q.say_percent(round(1 - hit, 6))} of {q.say_qps(cap.read_qps_peak)} peak reads off '
                      f'the database"'))
    return found


def key_phrase_rows(spec, a: Analysis) -> Rows:
    """The spec's key phrases, the ones said with this system's numbers in their place."""
    own = [(quoted(p.instead), quoted(p.say)) for p in spec.interview_tips.key_phrases]
    return rows(["Instead of...", "Say..."], _merge(own, _computed_phrases(spec, a)))


def _computed_follow_ups(a: Analysis) -> list[tuple[str, str, str]]:
    if not a.loads:
        return []
    return [
        ("10x", '"What if scale increases 10x?"', ten_x_answer(a)),
        ("monitor", '"What metrics would you monitor?"', monitor_answer(a)),
    ]


def monitor_answer(a: Analysis) -> str:
    """What to watch, and where the busiest component stands against the alert level today."""
    busiest = max(a.loads, key=lambda load: load.utilization)
    util, target = q.say_share(busiest.utilization), q.say_share(a.settings.target_utilization)
    name = f"the busiest component, {busiest.name},"
    if busiest.utilization >= 1:
        where = (f"{name} is over capacity at peak today ({say_load(busiest.utilization)}): scale it out now, "
                 f"then alert at {target}")
    elif busiest.utilization >= a.settings.target_utilization:
        where = f"{name} is at {util} at peak today, already past the {target} alert level: scale it out"
    else:
        where = f"{name} is at {util} at peak today, so alert at {target}"
    return f"Latency percentiles, error rates, saturation: {where}"


def follow_up_rows(spec, a: Analysis) -> Rows:
    """The spec's follow-up questions, the 10x and monitoring ones answered with this system's numbers."""
    own = [(quoted(f.question), f.key_points) for f in spec.interview_tips.follow_ups]
    return rows(["Question", "Key Points"], _merge(own, _computed_follow_ups(a)))
