"""The Requirements section's capacity block as rows (label, value)."""

from __future__ import annotations

from ...model import quantities as q
from ...model.capacity import Capacity
from .table import Cell, Rows, rows

# --- capacity ---------------------------------------------------------------------------------

def retention_adjective(days: float) -> str:
    """'5-year', '90-day': the retention as an adjective."""
    number, unit = q.say_days(days).split(" ", 1)
    return f"{number}-{unit.rstrip('s')}"


def capacity_rows(cap: Capacity) -> Rows:
    """The template's capacity block: (label, value), with 'group' headings and their 'item' rows."""
    body = []
    if cap.users is not None:
        body.append(["Users", q.say_count(cap.users)])
    if cap.daily_active_users is not None:
        body.append(["Daily active", q.say_count(cap.daily_active_users)])

    def group(name, items):
        body.append([Cell(name, "group"), ""])
        body.extend([Cell(label, "item"), value] for label, value in items)

    body += [
        ["Requests/day", q.say_count(cap.requests_per_day)],
        ["QPS (average)", q.say_qps(cap.qps_average)],
        ["QPS (peak)", f"{q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)"],
        ["Reads/s", f"{q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak"],
        ["Writes/s", f"{q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak"],
    ]
    group("Storage", [
        ("Per record", q.say_bytes(cap.record_size_bytes)),
        ("Daily growth", q.say_bytes(cap.storage_per_day_bytes)),
        (f"{retention_adjective(cap.retention_days)} total",
         f"{q.say_bytes(cap.storage_total_bytes)} ({q.say_bytes(cap.storage_replicated_bytes)} with "
         f"{cap.replication_factor}x replication)"),
    ])
    group("Bandwidth", [
        ("Ingress", f"{q.say_bandwidth(cap.ingress_bytes_per_second)} average"),
        ("Egress", f"{q.say_bandwidth(cap.egress_bytes_per_second)} average"),
    ])
    body += [
        ["Cache memory", f"{q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)"],
        ["App servers", f"{cap.servers_needed:,} at peak "
                        f"(each handles {q.say_qps(cap.server_qps, approx=False)} requests/second)"],
    ]
    return rows(["Capacity", ""], body)




