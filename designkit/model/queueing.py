"""Queueing: how response time grows with utilization, so a chart can show the knee.

The model is M/M/c: requests arrive as a Poisson stream, each of ``c`` servers serves one
request at a time with exponential service times of mean ``service_seconds``.  For a
component, the servers are its replicas (or shard primaries, for writes) and the service
time is 1 / the capacity of one of them, so times are best read as multiples of the
service time: an M/M/1 at 50% utilization takes twice its service time.

Erlang C (the probability that a request has to wait) is computed through the Erlang B
recurrence, which stays exact and overflow-free for thousands of servers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_POINTS = 50
DEFAULT_MAX_UTILIZATION = 0.95


def erlang_b(servers: int, offered: float) -> float:
    """Erlang B: share of requests blocked when ``offered`` Erlangs meet ``servers`` and none wait."""
    if servers < 1:
        raise ValueError(f"expected at least one server, got {servers}")
    if offered < 0:
        raise ValueError(f"expected a non-negative offered load, got {offered}")
    blocked = 1.0
    for k in range(1, servers + 1):
        blocked = offered * blocked / (k + offered * blocked)
    return blocked


def erlang_c(servers: int, offered: float) -> float:
    """Erlang C: probability a request waits, for ``offered`` = arrival rate / service rate (Erlangs).

    At or beyond saturation (offered >= servers) every request waits: 1.0.
    """
    if offered >= servers:
        return 1.0
    blocked = erlang_b(servers, offered)
    return servers * blocked / (servers - offered * (1 - blocked))


def response_time(servers: int, service_seconds: float, utilization: float) -> float:
    """Mean time in an M/M/c system (wait + service) at ``utilization`` = arrivals / (c x rate).

    Infinite at or beyond 100%: the queue grows without bound.
    """
    if utilization < 0:
        raise ValueError(f"expected a non-negative utilization, got {utilization}")
    if utilization >= 1:
        return math.inf
    wait = erlang_c(servers, utilization * servers) / (servers * (1 - utilization))
    return service_seconds * (1 + wait)


def response_curve(servers: int, service_seconds: float, *, points: int = DEFAULT_POINTS,
                   max_utilization: float = DEFAULT_MAX_UTILIZATION) -> tuple[list[float], list[float]]:
    """(utilizations, response times) from 0 to ``max_utilization``, evenly spaced, for a chart."""
    if points < 2:
        raise ValueError(f"expected at least 2 points, got {points}")
    if not 0 < max_utilization < 1:
        raise ValueError(f"expected a maximum utilization between 0 and 1, got {max_utilization}")
    utilizations = [max_utilization * i / (points - 1) for i in range(points)]
    return utilizations, [response_time(servers, service_seconds, u) for u in utilizations]


@dataclass(frozen=True)
class OperatingPoint:
    """Where a pool of servers runs today: utilization, chance of waiting, mean response time."""

    servers: int
    service_seconds: float
    arrival_rate: float
    utilization: float
    wait_probability: float
    response_seconds: float  # math.inf when utilization >= 1

    @property
    def stable(self) -> bool:
        """True while the queue does not grow without bound (utilization below 100%)."""
        return self.utilization < 1

    @property
    def slowdown(self) -> float:
        """Response time as a multiple of the service time (1.0 = no queueing)."""
        return self.response_seconds / self.service_seconds


def operating_point(servers: int, service_seconds: float, arrival_rate: float) -> OperatingPoint:
    """The M/M/c operating point for ``arrival_rate`` requests/s on ``servers`` servers."""
    utilization = arrival_rate * service_seconds / servers
    return OperatingPoint(
        servers=servers,
        service_seconds=service_seconds,
        arrival_rate=arrival_rate,
        utilization=utilization,
        wait_probability=erlang_c(servers, arrival_rate * service_seconds),
        response_seconds=response_time(servers, service_seconds, utilization),
    )
