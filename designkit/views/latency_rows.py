"""Tail latency as plain rows and sentences: the article renders them as Markdown, the live views as HTML.

Cells are plain text (spec names unescaped): each view escapes them its own way.
"""

from __future__ import annotations

import math

from ..model import quantities as q
from .rows import say_load

COMPONENT_HEADER = ["Component", "Servers", "Utilization (peak)", "p50", "p95", "p99", "p99 (average load)"]
PATH_HEADER = ["Path", "Hops", "p50", "p95", "p99", "Target", "At peak", "Target crossed at"]
PATH_NAMES = {"read": "Read path", "write": "Write path"}


def say_latency(seconds: float | None) -> str:
    """A response time, or 'unbounded' when the pool is overloaded."""
    if seconds is None:
        return "none"
    return q.say_duration(seconds) if math.isfinite(seconds) else "unbounded (overloaded)"


def say_crossing(multiplier: float | None, users: float | None) -> str:
    """Where a path's bound reaches its target: '~2.2 million users (1.8x today)', 'never', 'already'."""
    if multiplier is None:
        return "no target"
    if not math.isfinite(multiplier):
        return "never (no load on the path)"
    if multiplier == 0:
        return "always (service times alone exceed it)"
    times = f"{q.say_times(multiplier)} today's traffic"
    if multiplier <= 1:
        times += ", already past"
    return f"{q.say_count(users)} users ({times})" if users is not None else times


def verdict(path) -> str:
    """'met (9.1 ms)' or 'missed (1.1 ms)': the bound at the target's percentile against the target."""
    if path.target is None:
        return "no target"
    word = "met" if path.met else "missed"
    return f"{word} ({path.target.name} at most {say_latency(path.at_target_seconds)})"


def component_rows(analysis) -> list[list[str]]:
    """Per component: its pool, utilization at peak and response-time percentiles."""
    rows = []
    for c in analysis.latency.components:
        pool = c.pool
        rows.append([c.component, str(pool.servers), say_load(pool.utilization()),
                     say_latency(c.peak.p50), say_latency(c.peak.p95), say_latency(c.peak.p99),
                     say_latency(c.average.p99)])
    return rows


def path_rows(analysis) -> list[list[str]]:
    """Per path: percentile bounds at peak, the target, the verdict and where it is crossed."""
    rows = []
    for p in analysis.latency.paths:
        rows.append([PATH_NAMES[p.path], str(len(p.hops)), say_latency(p.peak.p50),
                     say_latency(p.peak.p95), say_latency(p.peak.p99),
                     p.target.label if p.target else "none stated", verdict(p),
                     say_crossing(p.crossing_multiplier, p.crossing_users)])
    return rows


def path_lines(analysis) -> list[str]:
    """One sentence per path: its p99 at peak against its target, and when the target breaks."""
    lines = []
    for p in analysis.latency.paths:
        head = f"{PATH_NAMES[p.path]}: p99 at peak at most {say_latency(p.peak.p99)}"
        if p.target is None:
            lines.append(head + " (no latency target stated).")
            continue
        same = p.target.name == "p99"
        against = (f" against a target of {p.target.label}" if same else
                   f"; its target is {p.target.label}, and its {p.target.name} is at most "
                   f"{say_latency(p.at_target_seconds)}")
        outcome = f", so the target is {'met' if p.met else 'missed'} at peak"
        m = p.crossing_multiplier
        if m == 0:
            tail = f"{outcome}, and even with no load: service times alone exceed it."
        elif not math.isfinite(m):
            tail = f"{outcome}; no load reaches the path, so more users never cross it."
        else:
            tail = f"{outcome}; it is crossed at {say_crossing(m, p.crossing_users)}."
        lines.append(head + against + tail)
    return lines
