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


# --- the response-time distribution: tails and percentiles ---------------------------------
#
# In M/M/c a request waits with probability C (Erlang C); a waiting request waits an
# exponential time of rate c*mu - lambda, so P(W > t) = C * exp(-(c*mu - lambda) * t).
# Its service time is exponential of rate mu, independent of the wait, so the response time
# R = W + S is a mixture: with probability 1 - C it is S alone, with probability C it is the
# sum of two exponentials (rates mu and c*mu - lambda).

PERCENTILE_ITERATIONS = 200  # bisection steps at most: far more than the 53 bits a float holds
PERCENTILE_TOLERANCE = 1e-9  # relative: far finer than the two figures the article prints


def _check(servers: int, service_seconds: float, utilization: float) -> None:
    if servers < 1:
        raise ValueError(f"expected at least one server, got {servers}")
    if not service_seconds > 0:
        raise ValueError(f"expected a positive service time, got {service_seconds}")
    if utilization < 0:
        raise ValueError(f"expected a non-negative utilization, got {utilization}")


def wait_tail(servers: int, service_seconds: float, utilization: float, seconds: float) -> float:
    """P(wait > seconds) in M/M/c: C * exp(-(c*mu - lambda) * seconds); 1.0 when overloaded."""
    _check(servers, service_seconds, utilization)
    if utilization >= 1:
        return 1.0
    if seconds < 0:
        return 1.0
    drain = servers * (1 - utilization) / service_seconds   # c*mu - lambda, per second
    return erlang_c(servers, utilization * servers) * math.exp(-drain * seconds)


def wait_within(servers: int, service_seconds: float, utilization: float, seconds: float) -> float:
    """P(wait <= seconds): the share of requests that start service within ``seconds`` (a service level)."""
    return 1.0 - wait_tail(servers, service_seconds, utilization, seconds)


def _two_stage(a: float, b: float, t: float) -> tuple[float, float]:
    """(P(X + Y > t), density at t) for independent exponentials of rates a and b, stable when a ~ b."""
    slow, fast = min(a, b), max(a, b)
    gap = fast - slow
    ratio = t if gap == 0 else -math.expm1(-gap * t) / gap   # (1 - e^(-gap t)) / gap, -> t as gap -> 0
    decay = math.exp(-slow * t)
    return decay * (1 + slow * ratio), slow * fast * decay * ratio


def _response(mu: float, drain: float, waits: float, seconds: float) -> tuple[float, float]:
    """(P(R > seconds), density of R there): no wait with probability 1 - C, else wait + service."""
    if seconds < 0:
        return 1.0, 0.0
    alone = math.exp(-mu * seconds)
    tail, density = _two_stage(mu, drain, seconds)
    return (1 - waits) * alone + waits * tail, (1 - waits) * mu * alone + waits * density


def _response_tail(mu: float, drain: float, waits: float, seconds: float) -> float:
    return _response(mu, drain, waits, seconds)[0]


def response_tail(servers: int, service_seconds: float, utilization: float, seconds: float) -> float:
    """P(response time > seconds) in M/M/c (wait plus an exponential service); 1.0 when overloaded."""
    _check(servers, service_seconds, utilization)
    if utilization >= 1:
        return 1.0
    return _response_tail(1 / service_seconds, servers * (1 - utilization) / service_seconds,
                          erlang_c(servers, utilization * servers), seconds)


def response_percentile(servers: int, service_seconds: float, utilization: float,
                        percentile: float) -> float:
    """The response time that ``percentile`` (0.99 for p99) of requests stay within; inf when overloaded.

    Solves P(R > t) = 1 - percentile (the tail decreases in t) by safeguarded Newton steps inside a
    bisection bracket, to a relative ``PERCENTILE_TOLERANCE``, in a bounded number of steps.
    """
    if not 0 < percentile < 1:
        raise ValueError(f"expected a percentile between 0 and 1 (0.99 for p99), got {percentile}")
    _check(servers, service_seconds, utilization)
    if utilization >= 1:
        return math.inf
    mu, drain = 1 / service_seconds, servers * (1 - utilization) / service_seconds
    waits = erlang_c(servers, utilization * servers)
    beyond = 1 - percentile
    # R is at least the service time, so its percentile is at least the service time's.
    low = -math.log(beyond) * service_seconds
    high = low
    for _ in range(PERCENTILE_ITERATIONS):
        if _response_tail(mu, drain, waits, high) <= beyond:
            break
        low, high = high, high * 2
    # Newton steps on the tail, kept inside the bracket (a bisection step whenever one would leave it).
    guess = high
    for _ in range(PERCENTILE_ITERATIONS):
        if high - low <= PERCENTILE_TOLERANCE * high:
            break
        tail, density = _response(mu, drain, waits, guess)
        if tail > beyond:
            low = guess
        else:
            high = guess
        step = guess + (tail - beyond) / density if density > 0 else math.nan
        if not low < step < high:
            step = (low + high) / 2
        if abs(step - guess) <= PERCENTILE_TOLERANCE * guess:
            return step
        guess = step
    return high
