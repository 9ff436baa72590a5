"""Markdown views of the numbers: the blocks and tables the article is made of.

Pure string functions with no heavy imports, so the CLI can print them quickly.
"""

from __future__ import annotations

from . import quantities as q
from .capacity import Capacity


def capacity_block(cap: Capacity) -> str:
    """The template's "Capacity Estimation" block, with this system's numbers."""
    lines = []
    if cap.users is not None:
        lines.append(f"Users:           {q.say_count(cap.users)}")
    if cap.daily_active_users is not None:
        lines.append(f"Daily active:    {q.say_count(cap.daily_active_users)}")
    lines += [
        f"Requests/day:    {q.say_count(cap.requests_per_day)}",
        f"QPS (average):   {q.say_qps(cap.qps_average)}",
        f"QPS (peak):      {q.say_qps(cap.qps_peak)} ({_factor(cap.peak_factor)} average)",
        f"Reads/s:         {q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak",
        f"Writes/s:        {q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak",
        "",
        "Storage:",
        f"- Per record:    {q.say_bytes(cap.record_size_bytes)}",
        f"- Daily growth:  {q.say_bytes(cap.storage_per_day_bytes)}",
        f"- {_retention(cap.retention_days)} total:  {q.say_bytes(cap.storage_total_bytes)}"
        f" ({q.say_bytes(cap.storage_replicated_bytes)} with {cap.replication_factor}x replication)",
        "",
        "Bandwidth:",
        f"- Ingress:       {q.say_bandwidth(cap.ingress_bytes_per_second)} average",
        f"- Egress:        {q.say_bandwidth(cap.egress_bytes_per_second)} average",
        "",
        f"Cache memory:    {q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)",
        f"App servers:     {cap.servers_needed} at peak "
        f"(each handles {q.say_qps(cap.server_qps, approx=False)} requests/second)",
    ]
    return "\n".join(lines)


def _factor(value: float) -> str:
    return f"{value:g}x"


def _retention(days: float) -> str:
    """'5-year', '90-day': the retention as an adjective."""
    spoken = q.say_days(days)
    number, unit = spoken.split(" ", 1)
    return f"{number}-{unit.rstrip('s')}"
