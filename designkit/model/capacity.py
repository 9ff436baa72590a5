"""Back-of-the-envelope capacity: pure functions from a validated ``Scale`` to numbers.

The arithmetic an interviewer expects, written once: requests a day from users, QPS
average and peak, reads and writes, storage a day and over retention, bandwidth in and
out, cache memory (the hottest share of a day's reads) and app servers at peak.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .quantities import DAY_SECONDS

JSON_KEYS = (
    "users", "daily_active_users", "requests_per_day", "reads_per_day", "writes_per_day",
    "qps_average", "qps_peak", "read_qps_average", "write_qps_average", "read_qps_peak",
    "write_qps_peak", "storage_per_day_bytes", "storage_total_bytes", "retention_days",
    "ingress_bytes_per_second", "egress_bytes_per_second", "cache_memory_bytes", "servers_needed",
)


@dataclass(frozen=True)
class Capacity:
    """Everything ``designkit estimate`` reports, in SI units (per second, bytes, days)."""

    users: float | None
    daily_active_users: float | None
    requests_per_day: float
    reads_per_day: float
    writes_per_day: float
    qps_average: float
    qps_peak: float
    read_qps_average: float
    write_qps_average: float
    read_qps_peak: float
    write_qps_peak: float
    storage_per_day_bytes: float
    storage_total_bytes: float
    retention_days: float
    ingress_bytes_per_second: float
    egress_bytes_per_second: float
    cache_memory_bytes: float
    servers_needed: int
    # Inputs carried along so views can say "4x average", "each handles 1K/s".
    peak_factor: float
    record_size_bytes: float
    response_size_bytes: float
    server_qps: float
    replication_factor: int

    @property
    def storage_replicated_bytes(self) -> float:
        """Storage over retention with every copy counted."""
        return self.storage_total_bytes * self.replication_factor

    def to_json(self) -> dict:
        """The ``--json`` object: exactly ``JSON_KEYS``."""
        values = asdict(self)
        return {key: values[key] for key in JSON_KEYS}


def daily_active(scale) -> float | None:
    """Daily active users from the count or the share of users."""
    if scale.daily_active_users is not None:
        return scale.daily_active_users
    if scale.daily_active_fraction is not None and scale.users is not None:
        return scale.users * scale.daily_active_fraction
    return None


def daily_traffic(scale) -> tuple[float, float]:
    """(reads per day, writes per day) from either form of the scale.

    In the per-user form, ``reads_per_user_per_day`` adds reads on top of the requests the
    read:write ratio splits, so a write-only firehose can still carry its dashboards' reads.
    """
    if scale.per_user:
        active = daily_active(scale)
        requests = active * scale.requests_per_user_per_day
        reads_part, writes_part = scale.read_write_ratio
        share = reads_part / (reads_part + writes_part)
        extra_reads = active * (scale.reads_per_user_per_day or 0.0)
        return requests * share + extra_reads, requests * (1 - share)
    return scale.reads * DAY_SECONDS, scale.writes * DAY_SECONDS


def servers_for(qps: float, server_qps: float) -> int:
    """Servers needed to carry ``qps`` when each handles ``server_qps`` (at least one)."""
    return max(1, math.ceil(qps / server_qps - 1e-9))


def estimate(scale) -> Capacity:
    """The capacity estimate for a validated ``Scale``."""
    reads_day, writes_day = daily_traffic(scale)
    requests_day = reads_day + writes_day
    peak = scale.peak_factor
    response = scale.response_size if scale.response_size is not None else scale.record_size
    storage_day = writes_day * scale.record_size
    qps_avg = requests_day / DAY_SECONDS
    return Capacity(
        users=scale.users,
        daily_active_users=daily_active(scale),
        requests_per_day=requests_day,
        reads_per_day=reads_day,
        writes_per_day=writes_day,
        qps_average=qps_avg,
        qps_peak=qps_avg * peak,
        read_qps_average=reads_day / DAY_SECONDS,
        write_qps_average=writes_day / DAY_SECONDS,
        read_qps_peak=reads_day / DAY_SECONDS * peak,
        write_qps_peak=writes_day / DAY_SECONDS * peak,
        storage_per_day_bytes=storage_day,
        storage_total_bytes=storage_day * scale.retention,
        retention_days=scale.retention,
        ingress_bytes_per_second=writes_day / DAY_SECONDS * scale.record_size,
        egress_bytes_per_second=reads_day / DAY_SECONDS * response,
        cache_memory_bytes=reads_day * scale.cache_fraction * response,
        servers_needed=servers_for(qps_avg * peak, scale.server_qps),
        peak_factor=peak,
        record_size_bytes=scale.record_size,
        response_size_bytes=response,
        server_qps=scale.server_qps,
        replication_factor=scale.replication_factor,
    )
