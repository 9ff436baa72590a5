"""The stated limits on spec values: number ranges, counts and clean text (docs/limits.md lists them).

Every limit is named in the error it raises, so a refused spec says what it may hold.  The ranges
are wide enough for any real system and narrow enough that every command finishes in seconds.
"""

from __future__ import annotations

import math
import re

from ..errors import SpecError

MAX_COUNT = 1e12              # users, daily actives, requests per user per day
MAX_RATE = 1e12               # reads, writes, capacities: requests per second
MIN_RATE = 1e-3               # a capacity below one request in ~17 minutes is a typo
MIN_SIZE, MAX_SIZE = 1.0, 1e18  # bytes: record, response, memory and storage per node (1 byte .. 1 EB)
MAX_DAYS = 365.25 * 1000      # retention: a thousand years
MAX_FACTOR = 1000.0           # peak factor
MAX_SECONDS = 365.25 * 86400  # detection and failover times: a year
MAX_REPLICAS = 1000           # replicas of one component (copies of each shard for data stores)
MAX_SHARDS = 10_000           # shards of one data store or cache
MAX_NODES = 100_000           # shards x replicas of one component (queueing sums over every node)
MAX_REPLICATION = 100         # copies of the data
MAX_COMPONENTS = 100          # components in one spec
MAX_PEAK_QPS = 1e12           # the spec's peak requests per second, all traffic together
MIN_PEAK_QPS = 1e-6           # ... and at least one request in ~12 days: less leaves every load at ~0
MAX_SERVERS = 100_000_000     # app servers the estimate may come to
MAX_STORAGE = 1e25           # bytes over the retention (ten million exabytes)

_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


def finite(number: float) -> bool:
    """False for NaN and the infinities (which no count, size or rate may be)."""
    return math.isfinite(number)


def bounded(parse, low: float, high: float, unit: str = ""):
    """A parser that also refuses NaN, infinities and values outside [low, high], naming the range."""
    def check(value):
        number = parse(value)
        if not math.isfinite(number) or not low <= number <= high:
            raise ValueError(f"expected {_say(low)} to {_say(high)}{unit}, got {value!r}")
        return number
    return check


def _say(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 and value == int(value) and value < 1e7 else f"{value:g}"


def at_most(limit: int, noun: str):
    """A validator for a whole number that is at most ``limit`` (replicas, shards, copies)."""
    def check(number: int) -> int:
        if number > limit:
            raise ValueError(f"expected at most {limit:,} {noun}, got {number:,}" if number < 1e9
                             else f"expected at most {limit:,} {noun}, got {number:.3g}")
        return number
    return check


def clean_text(value: str, *, one_line: bool = False) -> str:
    """Spec text with line endings made '\\n' and control characters refused (they could retitle a
    terminal or break the article); names (``one_line``) may not span lines."""
    value = _LINE_BREAKS.sub("\n", value)
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"control character U+{ord(bad.group()):04X} at position {bad.start() + 1} is not "
                         "allowed in spec text")
    if one_line and "\n" in value.strip():
        raise ValueError("expected one line, got a line break (names label tables and diagrams)")
    return value.strip()


def check_traffic(peak_qps: float, servers: float, storage_bytes: float) -> None:
    """Refuse a scale whose totals are beyond any real system (and beyond what reads sensibly)."""
    if not math.isfinite(peak_qps) or peak_qps > MAX_PEAK_QPS:
        raise ValueError(f"peak traffic comes to {peak_qps:.3g} requests/second; at most {MAX_PEAK_QPS:.0e} "
                         "is accepted (check users, requests_per_user_per_day, reads, writes)")
    if peak_qps < MIN_PEAK_QPS:
        raise ValueError(f"peak traffic comes to {peak_qps:.3g} requests/second; at least {MIN_PEAK_QPS:g} "
                         "(one request in about 12 days) is needed to size anything "
                         "(check users, daily_active_users, requests_per_user_per_day, reads, writes)")
    if not math.isfinite(servers) or servers > MAX_SERVERS:
        raise ValueError(f"the estimate comes to {servers:.3g} app servers; at most {MAX_SERVERS:,} is "
                         "accepted (check server_qps against the traffic)")
    if not math.isfinite(storage_bytes) or storage_bytes > MAX_STORAGE:
        raise ValueError(f"storage comes to {storage_bytes:.3g} bytes; at most {MAX_STORAGE:.0e} is accepted "
                         "(check record_size, writes and retention)")


def check_traffic_overrides(data: dict, overrides: dict) -> None:
    """Refuse an override of users on a spec whose traffic is given as totals: it would change nothing."""
    scale = data.get("scale")
    if not isinstance(scale, dict) or (scale.get("reads") is None and scale.get("writes") is None):
        return
    for key in overrides:
        field = str(key).removeprefix("scale.")
        if field in ("users", "daily_active_users") and not any(
                str(k).removeprefix("scale.") in ("reads", "writes") for k in overrides):
            raise SpecError("overrides", [(key, "this spec gives its traffic as totals (scale.reads and "
                                                "scale.writes), so users do not drive it; override reads and "
                                                "writes, or multiply all traffic with -p scale=10x")])
