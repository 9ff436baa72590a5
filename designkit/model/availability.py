"""Availability: replicas k-of-n, components in series along a path, downtime and error budgets.

Assumptions, stated once:

- Replicas fail independently, each up ``availability`` of the time.  A component is up
  when every shard has at least k of its n replicas up, k = the replicas needed to carry
  today's peak at 100% (at least one).  Writes need a shard's primary, which failover
  replaces, so k counts what replicas share: all requests of a stateless pool, reads of a
  store or cache.  A pool that cannot carry peak even with every replica up has k > n:
  availability 0.  So has a store or cache whose shard primaries cannot take the peak writes,
  or a store whose disks cannot hold its data: no replica count brings it up (its memory
  short only costs hits, not availability).
- A path is up for a request when every component that request reaches is up: path
  availability = product of (1 - reach x (1 - A)), reach being the share of the path's
  requests that reach the component (1 for all of them on a plain series path, so this is
  the usual product; less after a cache, whose hits never reach the database).
- Durations: a year is 365.25 days, a month 30.4375, a week 7.

What happens when something fails (detection, failover, data lost, the RTO) is ``failures``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .quantities import MONTH_DAYS, YEAR_DAYS
from .scaling import ComponentLoad, Limit

DEFAULT_SLO = 0.999                 # "three nines" when the spec states no availability target
MINUTES_PER_DAY = 1440.0


def k_of_n(k: int, n: int, p: float) -> float:
    """P(at least k of n independent replicas are up), each up with probability p."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p >= 1:
        return 1.0
    if p <= 0:
        return 0.0
    # 1 - P(fewer than k up), summed in log space: precise near 1, no overflow for large n.
    log_p, log_q = math.log(p), math.log1p(-p)

    def term(i: int) -> float:
        return math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                        + i * log_p + (n - i) * log_q)

    return max(0.0, 1.0 - math.fsum(term(i) for i in range(k)))


def series(availabilities: Iterable[float]) -> float:
    """Availability of parts that must all be up: the product."""
    return math.prod(availabilities)


def parallel(availabilities: Iterable[float]) -> float:
    """Availability of parts of which any one is enough: 1 - product of unavailabilities."""
    return 1.0 - math.prod(1.0 - a for a in availabilities)


def component_availability(per_replica: float, replicas: int, needed: int, shards: int = 1) -> float:
    """Every shard has at least ``needed`` of its ``replicas`` up."""
    return k_of_n(needed, replicas, per_replica) ** shards


def path_availability(reach: Mapping[str, float], availability: Mapping[str, float]) -> float:
    """Share of a path's requests that find every component they reach up."""
    return math.prod(1.0 - min(1.0, share) * (1.0 - availability[name])
                     for name, share in reach.items())


@dataclass(frozen=True)
class Downtime:
    """Expected minutes down per year, month and week."""

    year: float
    month: float
    week: float


def downtime_minutes(availability: float, days: float) -> float:
    """Minutes down in ``days`` days at ``availability``."""
    return (1.0 - availability) * days * MINUTES_PER_DAY


def downtime(availability: float) -> Downtime:
    """Downtime per year, month and week at ``availability``."""
    return Downtime(downtime_minutes(availability, YEAR_DAYS),
                    downtime_minutes(availability, MONTH_DAYS),
                    downtime_minutes(availability, 7.0))


@dataclass(frozen=True)
class ErrorBudget:
    """An SLO's monthly allowance of downtime against what the design is expected to use."""

    slo: float
    allowed_minutes_per_month: float
    expected_minutes_per_month: float

    @property
    def consumed(self) -> float:
        """Share of the budget the expected downtime uses (above 1: the SLO is missed)."""
        if self.allowed_minutes_per_month == 0:
            return 0.0 if self.expected_minutes_per_month == 0 else math.inf
        return self.expected_minutes_per_month / self.allowed_minutes_per_month

    @property
    def met(self) -> bool:
        """True when expected downtime fits the budget."""
        return self.expected_minutes_per_month <= self.allowed_minutes_per_month * (1 + 1e-12)


def error_budget(availability: float, slo: float = DEFAULT_SLO) -> ErrorBudget:
    """The monthly error budget of ``slo`` and the share of it ``availability`` spends."""
    return ErrorBudget(slo, downtime_minutes(slo, MONTH_DAYS),
                       downtime_minutes(availability, MONTH_DAYS))


@dataclass(frozen=True)
class ComponentAvailability:
    """One component's k-of-n availability."""

    component: str
    replicas: int
    shards: int
    per_replica: float
    needed: int          # k: replicas per shard that carry today's peak
    availability: float
    short: Limit | None = None   # a write or disk limit past 100%: down whatever the replicas


    @property
    def downtime(self) -> Downtime:
        """Expected downtime of this component alone."""
        return downtime(self.availability)


@dataclass(frozen=True)
class PathAvailability:
    """A path's availability, its downtime and its error budget."""

    path: tuple[str, ...]
    availability: float
    downtime: Downtime
    budget: ErrorBudget


def availabilities(components: Sequence, component_loads: Sequence[ComponentLoad]
                   ) -> tuple[ComponentAvailability, ...]:
    """k-of-n availability of every component (spec order); 0 for one short of writes or disk."""
    result = []
    for c, load in zip(components, component_loads):
        short = load.short
        value = 0.0 if short else component_availability(c.availability, c.replicas, load.replicas_to_carry,
                                                         c.shards)
        result.append(ComponentAvailability(c.name, c.replicas, c.shards, c.availability, load.replicas_to_carry,
                                            value, short))
    return tuple(result)


def path_summary(path: Sequence[str], reach: Mapping[str, float], availability: Mapping[str, float],
                 slo: float) -> PathAvailability | None:
    """Availability, downtime and error budget of one path (None for an empty path)."""
    if not path:
        return None
    value = path_availability(reach, availability)
    return PathAvailability(tuple(path), value, downtime(value), error_budget(value, slo))


