"""The monthly bill: what each component costs, the total, per million requests, and at 10x.

The default price table is AWS on-demand list prices in us-east-1 (Linux, first pricing tier,
no discounts), one named node type per kind.  Figures as listed on these pages in 2024; AWS
changes them rarely, but check the page before you quote a bill:

- EC2 instances and data transfer out: https://aws.amazon.com/ec2/pricing/on-demand/
- ElastiCache nodes:                   https://aws.amazon.com/elasticache/pricing/
- MSK (Kafka) brokers:                 https://aws.amazon.com/msk/pricing/
- EBS volumes (gp3):                   https://aws.amazon.com/ebs/pricing/
- S3 storage and requests:             https://aws.amazon.com/s3/pricing/
- CloudFront egress:                   https://aws.amazon.com/cloudfront/pricing/

The bill, per component: nodes (shards x replicas) x the node-hour price x hours in a month, pro
rata when a node's ``memory`` is bigger than the priced node's (a bigger size in the same family
costs proportionally more); plus storage per GB-month for stores with disks (every copy the
design keeps) and for object stores (one copy: S3's price includes its redundancy); plus requests
for object stores.  Egress to the internet is one line for the system (at the CDN's rate when the
design has a CDN).  A component's ``monthly_cost`` replaces its figure; a spec's ``prices:`` block
replaces figures of the table.  At 10x, each component runs the nodes it would need then (never
fewer than today's), storage, requests and egress grow ten times, and a ``monthly_cost`` grows
with the component's nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import quantities as q
from .scaling import STORE_KINDS, is_stateful

GB = 1e9
GIB = 2.0 ** 30
HOURS_PER_MONTH = q.MONTH_DAYS * 24            # 730.5 h
SECONDS_PER_MONTH = q.MONTH_DAYS * q.DAY_SECONDS


@dataclass(frozen=True)
class Node:
    """The node type a kind is priced as: its name, dollars an hour, memory in bytes."""

    instance: str
    hourly: float
    memory_bytes: float


# AWS on-demand, us-east-1, Linux (see the module docstring for the pages and the date).
DEFAULT_NODES: dict[str, Node] = {
    "load_balancer": Node("EC2 c5.large (2 vCPU, 4 GiB)", 0.085, 4 * GIB),
    "gateway": Node("EC2 c5.large (2 vCPU, 4 GiB)", 0.085, 4 * GIB),
    "service": Node("EC2 m5.large (2 vCPU, 8 GiB)", 0.096, 8 * GIB),
    "other": Node("EC2 m5.large (2 vCPU, 8 GiB)", 0.096, 8 * GIB),
    "queue": Node("MSK kafka.m5.large (2 vCPU, 8 GiB)", 0.21, 8 * GIB),
    "cache": Node("ElastiCache cache.r6g.large (2 vCPU, 13.07 GiB)", 0.206, 13.07 * GIB),
    "database": Node("EC2 r5.large (2 vCPU, 16 GiB)", 0.126, 16 * GIB),
    "search": Node("EC2 r5.large (2 vCPU, 16 GiB)", 0.126, 16 * GIB),
    "object_store": Node("S3 (no nodes: storage and requests)", 0.0, 0.0),
    "cdn": Node("CloudFront (no nodes: egress)", 0.0, 0.0),
}
DEFAULT_STORAGE_GB_MONTH = {"database": 0.08, "search": 0.08,   # EBS gp3
                            "object_store": 0.023}              # S3 Standard, first 50 TB
DEFAULT_READ_MILLION = {"object_store": 0.40}    # S3 GET: $0.0004 per 1,000
DEFAULT_WRITE_MILLION = {"object_store": 5.00}   # S3 PUT: $0.005 per 1,000
DEFAULT_EGRESS_GB = 0.09                         # EC2 data transfer out to the internet, first 10 TB
DEFAULT_CDN_EGRESS_GB = 0.085                    # CloudFront, North America, first 10 TB


@dataclass(frozen=True)
class PriceTable:
    """The prices a bill is computed with (defaults above, a spec's ``prices:`` on top)."""

    nodes: dict[str, Node] = field(default_factory=lambda: dict(DEFAULT_NODES))
    storage_gb_month: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_STORAGE_GB_MONTH))
    read_million: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_READ_MILLION))
    write_million: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WRITE_MILLION))
    egress_gb: float = DEFAULT_EGRESS_GB
    cdn_egress_gb: float = DEFAULT_CDN_EGRESS_GB


def price_table(prices=None) -> PriceTable:
    """The default table with a spec's ``prices:`` block (``spec.Prices`` or None) applied."""
    table = PriceTable()
    if prices is None:
        return table
    nodes = dict(table.nodes)
    for kind in set(prices.node_hour) | set(prices.node_memory):
        base = nodes[kind]
        nodes[kind] = Node(f"{base.instance} (priced in the spec)",
                           prices.node_hour.get(kind, base.hourly),
                           prices.node_memory.get(kind, base.memory_bytes))
    return PriceTable(
        nodes=nodes,
        storage_gb_month=table.storage_gb_month | dict(prices.storage_gb_month),
        read_million=table.read_million | dict(prices.read_million),
        write_million=table.write_million | dict(prices.write_million),
        egress_gb=table.egress_gb if prices.egress_gb is None else prices.egress_gb,
        cdn_egress_gb=table.cdn_egress_gb if prices.cdn_egress_gb is None else prices.cdn_egress_gb)


@dataclass(frozen=True)
class CostLine:
    """One component's month: nodes, and dollars for compute, storage and requests."""

    component: str
    kind: str
    instance: str
    nodes: int
    compute: float
    storage: float
    requests: float
    stated: float | None   # the spec's monthly_cost (scaled at 10x), which replaces the rest

    @property
    def total(self) -> float:
        return self.stated if self.stated is not None else self.compute + self.storage + self.requests

    @property
    def billed_nodes(self) -> int:
        """Nodes the bill pays for: none for kinds priced without nodes (S3, CloudFront)."""
        return self.nodes if self.compute > 0 or self.stated is not None else 0


@dataclass(frozen=True)
class Bill:
    """A month of the design at ``factor`` x today's traffic."""

    factor: float
    lines: tuple[CostLine, ...]
    egress_bytes: float
    egress_gb_price: float
    requests: float           # requests the system serves in the month

    @property
    def egress(self) -> float:
        return self.egress_bytes / GB * self.egress_gb_price

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


def nodes_at(load) -> int:
    """Nodes a component runs when carrying ``load``: today's, or more if the load needs them."""
    if not is_stateful(load.kind):
        return max(load.replicas, load.replicas_needed)
    return max(load.shards, load.shards_needed or 1) * max(load.replicas, load.replicas_needed)


def component_line(comp, load, table: PriceTable, cap, *, factor: float = 1.0,
                   nodes: int | None = None) -> CostLine:
    """One component's month at ``factor`` x today's traffic on ``nodes`` nodes (default: today's)."""
    node = table.nodes[comp.kind]
    count = load.nodes if nodes is None else nodes
    size = 1.0
    if comp.memory and node.memory_bytes:
        size = max(1.0, comp.memory / node.memory_bytes)
    compute = count * node.hourly * size * HOURS_PER_MONTH
    stored = 0.0
    if comp.kind == "object_store":
        stored = cap.storage_total_bytes * comp.traffic_share * factor      # one copy
    elif comp.kind in STORE_KINDS and load.storage_bytes:
        stored = load.storage_bytes * factor                                 # every copy
    storage = stored / GB * table.storage_gb_month.get(comp.kind, 0.0)
    requests = SECONDS_PER_MONTH * factor / 1e6 * (
        load.read_qps_average * table.read_million.get(comp.kind, 0.0)
        + load.write_qps_average * table.write_million.get(comp.kind, 0.0))
    stated = None if comp.monthly_cost is None else comp.monthly_cost * count / load.nodes
    return CostLine(comp.name, comp.kind, node.instance, count, compute, storage, requests, stated)


def bill(spec, cap, loads, *, factor: float = 1.0, loads_then=None) -> Bill:
    """The monthly bill of ``spec`` today, or at ``factor`` x (``loads_then``: the loads at that factor)."""
    table = price_table(spec.prices)
    lines = []
    for comp, load, then in zip(spec.components, loads, loads_then or loads):
        nodes = None if loads_then is None else max(load.nodes, nodes_at(then))
        lines.append(component_line(comp, load, table, cap, factor=factor, nodes=nodes))
    cdn = any(comp.kind == "cdn" for comp in spec.components)
    return Bill(factor=factor, lines=tuple(lines),
                egress_bytes=cap.egress_bytes_per_second * SECONDS_PER_MONTH * factor,
                egress_gb_price=table.cdn_egress_gb if cdn else table.egress_gb,
                requests=cap.requests_per_day * q.MONTH_DAYS * factor)
