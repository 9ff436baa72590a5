"""The Requirements section's capacity block as rows (label, value)."""

from __future__ import annotations

from ...model import quantities as q
from ...model.capacity import Capacity
from .table import Cell, Rows, rows

def retention_adjective(days: float) -> str:
    """'5-year', '90-day': the retention as an adjective."""
    number, unit = q.say_days(days).split(" ", 1)
    return f"{number}-{unit.rstrip('s')}"


# The labels of the capacity figures, said alike wherever they stand (the capacity block, the live
# views' data, decision and headline tables).
USERS, DAILY_ACTIVE, REQUESTS_DAY = "Users", "Daily active", "Requests/day"
QPS_AVERAGE, QPS_PEAK, READS, WRITES = "QPS (average)", "QPS (peak)", "Reads/s", "Writes/s"
PER_RECORD, DAILY_GROWTH = "Per record", "Daily growth"
CACHE_MEMORY, APP_SERVERS = "Cache memory", "App servers"


def total_label(cap: Capacity) -> str:
    """'5-year total': the storage over the retention period."""
    return f"{retention_adjective(cap.retention_days)} total"


def reads_said(cap: Capacity) -> str:
    return f"{q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak"


def writes_said(cap: Capacity) -> str:
    return f"{q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak"


def servers_said(cap: Capacity) -> str:
    return f"{cap.servers_needed:,} at peak (each handles {q.say_qps(cap.server_qps, approx=False)} requests/second)"


def capacity_rows(cap: Capacity) -> Rows:
    """The template's capacity block: (label, value), with 'group' headings and their 'item' rows."""
    body = []
    if cap.users is not None:
        body.append([USERS, q.say_count(cap.users)])
    if cap.daily_active_users is not None:
        body.append([DAILY_ACTIVE, q.say_count(cap.daily_active_users)])

    def group(name, items):
        body.append([Cell(name, "group"), ""])
        body.extend([Cell(label, "item"), value] for label, value in items)

    body += [
        [REQUESTS_DAY, q.say_count(cap.requests_per_day)],
        [QPS_AVERAGE, q.say_qps(cap.qps_average)],
        [QPS_PEAK, f"{q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)"],
        [READS, reads_said(cap)],
        [WRITES, writes_said(cap)],
    ]
    group("Storage", [
        (PER_RECORD, q.say_bytes(cap.record_size_bytes)),
        (DAILY_GROWTH, q.say_bytes(cap.storage_per_day_bytes)),
        (total_label(cap),
         f"{q.say_bytes(cap.storage_total_bytes)} ({q.say_bytes(cap.storage_replicated_bytes)} with "
         f"{cap.replication_factor}x replication)"),
    ])
    group("Bandwidth", [
        ("Ingress", f"{q.say_bandwidth(cap.ingress_bytes_per_second)} average"),
        ("Egress", f"{q.say_bandwidth(cap.egress_bytes_per_second)} average"),
    ])
    body += [
        [CACHE_MEMORY, f"{q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)"],
        [APP_SERVERS, servers_said(cap)],
    ]
    return rows(["Capacity", ""], body)


def capacity_block(cap: Capacity) -> str:
    """The template's "Capacity Estimation" block: the capacity rows, aligned as the template has them."""
    lines = []
    for label, value in capacity_rows(cap).rows:
        if label.status == "group":
            lines += ["", f"{label.text}:"]
            continue
        if label.status != "item" and lines and lines[-1].startswith("- "):
            lines.append("")
        name = ("- " if label.status == "item" else "") + f"{label.text}:"
        lines.append(f"{name:<17}{value.text}" if len(name) < 17 else f"{name} {value.text}")
    return "\n".join(lines)
