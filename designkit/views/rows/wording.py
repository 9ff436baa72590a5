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


def where(multiplier: float, cap: Capacity) -> str:
    """Where a multiple of today's traffic lands: users (never more than people on Earth), or
    peak QPS in the totals form."""
    if cap.users is not None:
        users = cap.users * multiplier
        if users > WORLD_POPULATION:
            return "more users than people on Earth"
        return f"{q.say_count(users)} users"
    return f"{q.say_qps(cap.qps_peak * multiplier)} peak QPS, {say_times(multiplier)} today"


def scale_at(multiplier: float, cap: Capacity) -> str:
    """Where a multiple already said beside it lands: users, or peak QPS in the totals form."""
    return where(multiplier, cap) if cap.users is not None else f"{q.say_qps(cap.qps_peak * multiplier)} peak QPS"


def say_load(utilization: float) -> str:
    """A load against what the current nodes sustain or hold: '71%', '223%', and from ten times
    over, how many times the capacity it needs ("710x capacity"), never "71,338%"."""
    if utilization < 10:
        return say_share(utilization)
    return f"{say_times(utilization)} capacity"



