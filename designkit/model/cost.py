"""The monthly bill: what each component costs in its own unit, the total, per million requests, at 10x.

Each component is priced in one unit (the figures and their sources are in ``prices``):

- **node-hours**: its nodes (shards x replicas) x the hourly price of its kind's node (or of a
  GPU node, ``priced_as: gpu``) x 730.5 h, pro rata when its ``memory`` is bigger than the
  priced node's;
- **messages**: ``priced_as: sms``, ``email`` or ``push``: every message reaching it x the price
  of one message, and no nodes;
- plus, for data stores, **storage** per GB-month: every copy the design keeps on disks (one
  copy in an object store: S3's price includes its redundancy), split by age into the storage
  classes its ``tiering`` states (data written at a steady rate, kept ``retention``), each class
  in its volume tiers; and **requests** per million for object stores.

Egress to the internet is one line for the system, in AWS's volume tiers (CloudFront's when the
design has a CDN).  A component's ``monthly_cost`` replaces its figure.  At a multiple of
today's traffic each component runs the fleet that load needs (``fleet_at``: never fewer nodes
than today's); storage, requests, messages and egress grow with the traffic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import quantities as q
from .prices import PriceTable, Tiered, price_table
from .kinds import is_store
from .scaling import needed_at

GB = 1e9                                       # bytes; AWS's tiers are read in these GB too
HOURS_PER_MONTH = q.MONTH_DAYS * 24            # 730.5 h
SECONDS_PER_MONTH = q.MONTH_DAYS * q.DAY_SECONDS


@dataclass(frozen=True)
class Stored:
    """One storage class's part of a component's data: its name, GB held, dollars a month."""

    storage_class: str
    gb: float
    dollars: float


@dataclass(frozen=True)
class CostLine:
    """One component's month: what it is priced as, nodes, and dollars by line."""

    component: str
    kind: str
    instance: str             # what it is priced as (a node type, a message, a service)
    nodes: int                # nodes it runs (billed only when priced per node-hour)
    compute: float            # node-hours
    storage: float            # every storage class together
    requests: float           # requests and messages
    stated: float | None      # the spec's monthly_cost (grown with the fleet), which replaces the rest
    stored: tuple[Stored, ...] = ()
    messages: float = 0.0     # messages a month, for components priced per message
    per_node: bool = True     # priced per node-hour (False: per message, or storage and requests only)
    hourly: float = 0.0       # dollars a node-hour (pro rata for a bigger node), 0 when not priced so
    message_price: float | None = None   # dollars a message, for components priced per message

    @property
    def total(self) -> float:
        return self.stated if self.stated is not None else self.compute + self.storage + self.requests

    @property
    def billed_nodes(self) -> int:
        """Nodes the bill pays for: none for components priced without nodes (S3, CloudFront, SMS)."""
        return self.nodes if self.per_node or self.stated is not None else 0


@dataclass(frozen=True)
class Bill:
    """A month of the design at ``factor`` x today's traffic."""

    factor: float
    lines: tuple[CostLine, ...]
    egress_bytes: float
    egress_price: Tiered      # per GB in volume tiers
    requests: float           # requests the system serves in the month

    @property
    def egress_tiers(self) -> tuple[tuple[float, float], ...]:
        """(GB, dollars per GB) in each egress tier the month reaches."""
        return self.egress_price.split(self.egress_bytes / GB)

    @property
    def egress(self) -> float:
        return self.egress_price.cost(self.egress_bytes / GB)

    @property
    def total(self) -> float:
        """Dollars a month: every component plus egress."""
        return math.fsum([line.total for line in self.lines] + [self.egress])

    @property
    def per_million_requests(self) -> float:
        """Dollars per million requests served (inf with no traffic)."""
        return self.total / (self.requests / 1e6) if self.requests > 0 else math.inf

    def line(self, name: str) -> CostLine:
        return next(line for line in self.lines if line.component == name)

    def by_part(self) -> dict[str, float]:
        """Dollars a month by what is priced: compute, storage by class, requests, messages, egress."""
        parts: dict[str, float] = {"compute": 0.0}
        stated = 0.0
        for line in self.lines:
            if line.stated is not None:
                stated += line.stated
                continue
            parts["compute"] += line.compute
            for part in line.stored:
                key = f"storage in {part.storage_class}"
                parts[key] = parts.get(key, 0.0) + part.dollars
            key = "messages" if line.message_price is not None else "requests"
            parts[key] = parts.get(key, 0.0) + line.requests
        parts["egress"] = self.egress
        if stated:
            parts["stated in the spec"] = stated
        return parts


def fleet_at(load, factor: float) -> int:
    """Nodes a component runs at ``factor`` x today's traffic: today's, or more if that load needs them.

    Sized as the scaling table sizes it (``scaling.needed_at``): shards for writes, disks and
    memory, read replicas spread over those shards, so nodes grow in proportion to the load.
    """
    replicas, shards = needed_at(load, factor)
    if shards is None:
        return max(load.replicas, replicas)
    return max(load.shards, shards) * max(load.replicas, replicas)


def age_shares(comp, retention_days: float) -> tuple[tuple[str | None, float], ...]:
    """(storage class or None for the kind's default, share of the data) by age, youngest first.

    Data is written at a steady rate and kept ``retention_days``, so its ages spread evenly over
    the retention: a class from day a to day b holds (b - a) / retention of it.  A class the data
    never reaches (its age is past the retention) holds a share of 0.
    """
    edges = [(0.0, comp.storage_class)] + [(tier.after, tier.storage_class) for tier in comp.tiering]
    return tuple((name, max(0.0, min(end, retention_days) - start) / retention_days)
                 for (start, name), (end, _) in zip(edges, edges[1:] + [(math.inf, None)]))


def _stored(comp, stored_bytes: float, table: PriceTable, retention_days: float) -> tuple[Stored, ...]:
    """Each class's part of ``stored_bytes``, priced in the class's volume tiers (a class named twice once)."""
    shares: dict[str, float] = {}
    for name, share in age_shares(comp, retention_days):
        key = name or table.default_class[comp.kind]
        shares[key] = shares.get(key, 0.0) + share
    result = []
    for key, share in shares.items():
        price = table.storage[key]
        gb = stored_bytes / GB * share
        result.append(Stored(price.label, gb, price.cost(gb)))
    return tuple(result)


def component_line(comp, load, table: PriceTable, cap, *, factor: float = 1.0,
                   nodes: int | None = None) -> CostLine:
    """One component's month at ``factor`` x today's traffic on ``nodes`` nodes (default: today's)."""
    count = load.nodes if nodes is None else nodes
    per_message = comp.priced_as in table.messages
    messages = (load.qps_average * SECONDS_PER_MONTH * factor) if per_message else 0.0
    hourly, message_price = 0.0, None
    if per_message:
        price = table.messages[comp.priced_as]
        instance, compute, requests, message_price = price.label, 0.0, messages * price.dollars, price.dollars
    else:
        node = table.nodes[comp.priced_as or comp.kind]
        size = max(1.0, comp.memory / node.memory_bytes) if comp.memory and node.memory_bytes else 1.0
        hourly = node.hourly * size
        instance = node.instance if size == 1 else f"{node.instance}, pro rata for {q.say_bytes(comp.memory)}"
        compute = count * hourly * HOURS_PER_MONTH
        requests = SECONDS_PER_MONTH * factor / 1e6 * (
            load.read_qps_average * table.read_million.get(comp.kind, 0.0)
            + load.write_qps_average * table.write_million.get(comp.kind, 0.0))
    stored: tuple[Stored, ...] = ()
    if comp.kind == "object_store":
        stored = _stored(comp, cap.storage_total_bytes * comp.traffic_share * factor, table,  # one copy
                         cap.retention_days)
    elif is_store(comp.kind) and load.storage_bytes:
        stored = _stored(comp, load.storage_bytes * factor, table, cap.retention_days)        # every copy
    stated = None
    if comp.monthly_cost is not None:
        stated = comp.monthly_cost * (factor if per_message else count / load.nodes)
    return CostLine(comp.name, comp.kind, instance, count, compute,
                    math.fsum(part.dollars for part in stored), requests, stated, stored, messages,
                    per_node=not per_message and compute > 0, hourly=hourly, message_price=message_price)


def bill(spec, cap, loads, *, factor: float = 1.0) -> Bill:
    """The monthly bill of ``spec`` on today's nodes, or at ``factor`` x on the fleet that load needs."""
    table = price_table(spec.prices)
    lines = tuple(component_line(comp, load, table, cap, factor=factor,
                                 nodes=None if factor == 1 else fleet_at(load, factor))
                  for comp, load in zip(spec.components, loads))
    cdn = any(comp.kind == "cdn" for comp in spec.components)
    return Bill(factor=factor, lines=lines,
                egress_bytes=cap.egress_bytes_per_second * SECONDS_PER_MONTH * factor,
                egress_price=table.cdn_egress if cdn else table.egress,
                requests=cap.requests_per_day * q.MONTH_DAYS * factor)
