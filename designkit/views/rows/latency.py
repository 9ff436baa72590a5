"""Tail latency as plain rows and sentences: the article renders them as Markdown, the live views as HTML.

Cells are plain text (spec names unescaped): each view escapes them its own way.
"""

from __future__ import annotations

import math

from ...model import quantities as q
from .table import Rows, rows
from .wording import say_load, traffic, users_said

COMPONENT_HEADER = ["Component", "Servers", "Utilization (peak)", "p50", "p95", "p99", "p99 (average load)"]
PATH_HEADER = ["Path", "Hops", "p50", "p95", "p99", "Target", "At peak", "Target crossed at"]
PATH_NAMES = {"read": "Read path", "write": "Write path"}




def say_latency(seconds: float | None) -> str:
    """A response time, or 'unbounded (overloaded)' when a pool's queue grows without bound."""
    if seconds is None:
        return "none"
    return q.say_duration(seconds) if math.isfinite(seconds) else "unbounded (overloaded)"


def say_crossing(multiplier: float | None, users: float | None) -> str:
    """Where a path reaches its target: '1.8x today's traffic (~2.2 million users)', 'never', 'already'."""
    if multiplier is None:
        return "no target"
    if not math.isfinite(multiplier):
        return "never (no load on the path)"
    if multiplier == 0:
        return "always (service times alone exceed it)"
    said = traffic(multiplier, None if users is None else users_said(users))
    return said + (", already past" if multiplier <= 1 else "")


def _held_up_to(multiplier: float, users: float | None) -> str:
    """Where a path already past its target still held: 'it holds only up to' this.  A multiple too
    small to say ('< 0.01x') goes after the users it lands at: '~160 million users (under 0.01x
    today's traffic)', never 'up to < 0.01x'."""
    if users is not None and q.say_times(multiplier).startswith("<"):
        return f"{users_said(users)} ({traffic(multiplier).replace('< ', 'under ', 1)})"
    return say_crossing(multiplier, users).replace(", already past", "")


def overloaded(path) -> list[str]:
    """The hops of ``path`` whose queues grow without bound at today's peak."""
    return [pool.component for pool in path.pools if pool.utilization() >= 1]


def verdict(path) -> str:
    """'met (p99 9.1 ms)', 'missed (p99 1.1 ms)' or 'missed (overloaded)': the path against its target."""
    if path.target is None:
        return "no target"
    word = "met" if path.met else "missed"
    if not math.isfinite(path.at_target_seconds):
        return f"{word} (overloaded)"
    return f"{word} ({path.target.name} {say_latency(path.at_target_seconds)})"


def component_rows(analysis) -> Rows:
    """Per component: its pool, utilization at peak and response-time percentiles."""
    body = []
    for c in analysis.latency.components:
        pool = c.pool
        body.append([c.component, str(pool.servers), say_load(pool.utilization()),
                     say_latency(c.peak.p50), say_latency(c.peak.p95), say_latency(c.peak.p99),
                     say_latency(c.average.p99)])
    return rows(COMPONENT_HEADER, body)


def path_rows(analysis) -> Rows:
    """Per path: its exact percentiles at peak, the target, the verdict and where it is crossed."""
    body = []
    for p in analysis.latency.paths:
        body.append([PATH_NAMES[p.path], str(len(p.hops)), say_latency(p.peak.p50),
                     say_latency(p.peak.p95), say_latency(p.peak.p99),
                     p.target.label if p.target else "none stated", verdict(p),
                     say_crossing(p.crossing_multiplier, p.crossing_users)])
    return rows(PATH_HEADER, body)


def _list(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def path_lines(analysis) -> list[str]:
    """One sentence per path: its p99 at peak against its target, and when the target breaks."""
    lines = []
    for p in analysis.latency.paths:
        full = overloaded(p)
        m = p.crossing_multiplier
        if full:
            verb = "is" if len(full) == 1 else "are"
            queues = "its queue grows" if len(full) == 1 else "their queues grow"
            head = (f"{PATH_NAMES[p.path]}: at peak {_list(full)} {verb} over capacity, so {queues} "
                    f"without bound and no percentile of the path is finite")
            if p.target is None:
                lines.append(head + " (no latency target stated).")
            elif m == 0:
                lines.append(head + f": its target of {p.target.label} is missed, and would be even "
                             "with no load: service times alone exceed it.")
            else:
                lines.append(head + f": its target of {p.target.label} is missed; it holds only up to "
                             f"{_held_up_to(m, p.crossing_users)}.")
            continue
        head = f"{PATH_NAMES[p.path]}: p99 at peak is {say_latency(p.peak.p99)}"
        if p.target is None:
            lines.append(head + " (no latency target stated).")
            continue
        same = p.target.name == "p99"
        against = (f" against a target of {p.target.label}" if same else
                   f"; its target is {p.target.label}, and its {p.target.name} is "
                   f"{say_latency(p.at_target_seconds)}")
        outcome = f", so the target is {'met' if p.met else 'missed'} at peak"
        if m == 0:
            tail = f"{outcome}, and even with no load: service times alone exceed it."
        elif not math.isfinite(m):
            tail = f"{outcome}; no load reaches the path, so more users never cross it."
        elif m <= 1:
            tail = f"{outcome}; it holds only up to {_held_up_to(m, p.crossing_users)}."
        else:
            tail = f"{outcome}; it is crossed at {say_crossing(m, p.crossing_users)}."
        lines.append(head + against + tail)
    return lines
