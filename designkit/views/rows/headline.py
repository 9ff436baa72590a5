"""The headline numbers the live views show beside sections 4, 5 and 9 (which the article words in prose).

Said with the capacity block's labels (``capacity``), so a figure has one name in the article and in
class: "Daily growth" is the storage a day wherever it stands.
"""

from __future__ import annotations

from ...model import quantities as q
from ...model.analysis import Analysis
from ...model.capacity import Capacity
from . import capacity as c
from .scaling import full_at
from .table import Cell, Rows, rows


def data_rows(cap: Capacity) -> Rows:
    """Section 4: rows written a day and over retention, record size, storage with and without copies."""
    total = c.total_label(cap)
    return rows(["Data", ""], [
        ["Writes/day", q.say_count(cap.writes_per_day)],
        [f"Rows, {total}", q.say_count(cap.writes_per_day * cap.retention_days)],
        [c.PER_RECORD, q.say_bytes(cap.record_size_bytes)],
        [c.DAILY_GROWTH, q.say_bytes(cap.storage_per_day_bytes)],
        [f"Storage, {total}", q.say_bytes(cap.storage_total_bytes)],
        [f"With {cap.replication_factor}x replication", q.say_bytes(cap.storage_replicated_bytes)],
        [c.READS, c.reads_said(cap)],
        [c.WRITES, c.writes_said(cap)],
    ])


def first_full(a: Analysis):
    """The load whose current nodes fill first at any scale, or None when nothing is loaded."""
    loads = [load for load in a.loads if load.breaking_limit is not None]
    return min(loads, key=lambda load: load.break_multiplier) if loads else None


def decision_rows(a: Analysis) -> Rows:
    """Section 5: the numbers the design decisions rest on."""
    cap = a.capacity
    share = cap.reads_per_day / cap.requests_per_day if cap.requests_per_day else 0.0
    body = [
        ["Read share", q.say_share(share)],
        [c.QPS_PEAK, f"{q.say_qps(cap.qps_peak)} ({q.say_qps(cap.read_qps_peak)} reads, "
                     f"{q.say_qps(cap.write_qps_peak)} writes)"],
        [f"Storage, {c.total_label(cap)}", q.say_bytes(cap.storage_total_bytes)],
        [c.CACHE_MEMORY, f"{q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)"],
        [c.APP_SERVERS, f"{cap.servers_needed} at peak"],
    ]
    load = first_full(a)
    if load is None:
        body.append(["First to break", "nothing"])
    else:
        when = full_at(load, cap, a.envelope)
        body.append(["First to break", Cell(f"{load.name}: {when.text}", when.status)])
    return rows(["The numbers behind the decisions", ""], body)


def summary_rows(a: Analysis) -> Rows:
    """Section 9: the headline numbers of the whole article."""
    cap = a.capacity
    body = []
    if cap.users is not None:
        body.append([c.USERS, q.say_count(cap.users)])
    body += [
        [c.QPS_PEAK, q.say_qps(cap.qps_peak)],
        [f"Storage, {c.total_label(cap)}", q.say_bytes(cap.storage_total_bytes)],
        [c.APP_SERVERS, f"{cap.servers_needed} at peak"],
        ["Breaks first at 10x", a.first_to_break(10) or "nothing"],
    ]
    if a.read_path is not None:
        body.append(["Read path availability", q.say_availability(a.read_path.availability)])
    return rows(["Headline numbers", ""], body)
