"""Small phrases the rows share: counts, plurals and possessives of names, a load, a scale."""

from __future__ import annotations

from ...model import quantities as q
from ...model.capacity import Capacity
from ...model.quantities import say_share, say_times
from ...model.scaling import WORLD_POPULATION


def count(n: int, noun: str) -> str:
    """'1 survivor', '2 survivors', '4,566 shards'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def plural_name(name: str) -> bool:
    """True for a name that reads as many ('Coordinators', 'Storage Nodes'): its last word ends in
    a lower-case s, not -ss, -us or -is ('Redis', 'Consensus', 'DNS' stay singular)."""
    last = name.split()[-1] if name.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and not last.isupper()


def verb(name: str, singular: str, plural: str) -> str:
    """The verb that agrees with a component's name: verb('Coordinators', 'is', 'are') -> 'are'."""
    return plural if plural_name(name) else singular


def possessive(name: str) -> str:
    """"Event Store's", "Storage Nodes'": a name that ends in s takes only the apostrophe."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def users_said(users: float) -> str:
    """'~140 million users', never more than people on Earth."""
    return "more users than people on Earth" if users > WORLD_POPULATION else f"{q.say_count(users)} users"


def lands(multiplier: float, cap: Capacity) -> str:
    """Where a multiple of today's traffic lands: '~140 million users' (never more than people on
    Earth), or '~64K peak QPS' in the totals form."""
    if cap.users is not None:
        return users_said(cap.users * multiplier)
    return f"{q.say_qps(cap.qps_peak * multiplier)} peak QPS"


def traffic(multiplier: float, where: str | None = None) -> str:
    """A multiple of today's traffic, said one way everywhere: '1.4x today's traffic (~140 million users)'
    (``where``: where it lands; without it, the multiple alone)."""
    said = f"{say_times(multiplier)} today's traffic"
    return f"{said} ({where})" if where else said


def at_traffic(multiplier: float, cap: Capacity) -> str:
    """``traffic`` with where it lands for this capacity: users, or peak QPS in the totals form."""
    return traffic(multiplier, lands(multiplier, cap))


def say_load(utilization: float) -> str:
    """A load against what the current nodes sustain or hold: '71%', '223%', and from ten times
    over, how many times the capacity it needs ("710x capacity"), never "71,338%"."""
    if utilization < 10:
        return say_share(utilization)
    return f"{say_times(utilization)} capacity"



