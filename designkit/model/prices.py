"""The price table: each figure the bill uses, in its own unit, with the public page it comes from.

AWS on-demand list prices in us-east-1 (Linux, no discounts, no free tier), as listed in 2024;
one figure (SMS) is Twilio's, because the example that sends SMS names Twilio.  Four kinds of
figure: dollars per node-hour (a named instance type), per GB-month by storage class (some
classes in volume tiers), per million requests or per message, and per GB of egress in AWS's
published volume tiers.  A spec's ``prices:`` block replaces figures (``price_table``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

GIB = 2.0 ** 30
TB = 1000.0           # GB in a terabyte of the tiers (the kit's GB is 10^9 bytes throughout)

EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/"
EC2_OFFER = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json"
G4 = "https://aws.amazon.com/ec2/instance-types/g4/"
ELASTICACHE = "https://aws.amazon.com/elasticache/pricing/"
MSK = "https://aws.amazon.com/msk/pricing/"
EBS = "https://aws.amazon.com/ebs/pricing/"
S3 = "https://aws.amazon.com/s3/pricing/"
CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/"
SES = "https://aws.amazon.com/ses/pricing/"
TWILIO_SMS = "https://www.twilio.com/en-us/sms/pricing/us"
FCM = "https://firebase.google.com/pricing"
THIRD_PARTY = ("AWS's page renders this figure from its Price List API; it was checked only against "
               "third-party tables, which disagree by a few per cent")


@dataclass(frozen=True)
class Node:
    """The node type a kind is priced as: its name, dollars an hour, memory in bytes, where from."""

    instance: str
    hourly: float
    memory_bytes: float
    source: str = EC2
    note: str = ""


@dataclass(frozen=True)
class Tier:
    """One volume tier: dollars per GB for the GB from the previous tier's end up to ``upto_gb``."""

    upto_gb: float
    dollars: float


@dataclass(frozen=True)
class Tiered:
    """A price per GB in volume tiers (a flat price is one tier without end), with its source."""

    label: str
    tiers: tuple[Tier, ...]
    source: str

    def split(self, gb: float) -> tuple[tuple[float, float], ...]:
        """(GB, dollars per GB) in each tier that ``gb`` reaches, cheapest last."""
        parts, start = [], 0.0
        for tier in self.tiers:
            if gb <= start:
                break
            parts.append((min(gb, tier.upto_gb) - start, tier.dollars))
            start = tier.upto_gb
        return tuple(parts)

    def cost(self, gb: float) -> float:
        """Dollars for ``gb`` (a month of egress, or a month's average of storage)."""
        return math.fsum(amount * dollars for amount, dollars in self.split(gb))

    def flat(self, dollars: float, why: str) -> Tiered:
        """The same class at one price for every GB (a spec's own figure)."""
        return Tiered(f"{self.label} ({why})", (Tier(math.inf, dollars),), self.source)


def flat(label: str, dollars: float, source: str) -> Tiered:
    """A price per GB without volume tiers."""
    return Tiered(label, (Tier(math.inf, dollars),), source)


@dataclass(frozen=True)
class Message:
    """A component priced per message it delivers (SMS, e-mail, push)."""

    label: str
    dollars: float
    source: str


NODES: dict[str, Node] = {
    "load_balancer": Node("EC2 c5.large (2 vCPU, 4 GiB)", 0.085, 4 * GIB),
    "gateway": Node("EC2 c5.large (2 vCPU, 4 GiB)", 0.085, 4 * GIB),
    "service": Node("EC2 m5.large (2 vCPU, 8 GiB)", 0.096, 8 * GIB),
    "other": Node("EC2 m5.large (2 vCPU, 8 GiB)", 0.096, 8 * GIB),
    "queue": Node("MSK kafka.m5.large (2 vCPU, 8 GiB)", 0.21, 8 * GIB, MSK, THIRD_PARTY),
    "cache": Node("ElastiCache cache.r6g.large (2 vCPU, 13.07 GiB)", 0.206, 13.07 * GIB, ELASTICACHE,
                  THIRD_PARTY),
    "database": Node("EC2 r5.large (2 vCPU, 16 GiB)", 0.126, 16 * GIB, EC2_OFFER, THIRD_PARTY),
    "search": Node("EC2 r5.large (2 vCPU, 16 GiB)", 0.126, 16 * GIB, EC2_OFFER, THIRD_PARTY),
    "object_store": Node("S3 (no nodes: storage and requests)", 0.0, 0.0, S3),
    "cdn": Node("CloudFront (no nodes: egress)", 0.0, 0.0, CLOUDFRONT),
    # Not a kind: a component says `priced_as: gpu` (video transcoders on NVENC).
    "gpu": Node("EC2 g4dn.xlarge (1 NVIDIA T4 GPU, 4 vCPU, 16 GiB)", 0.526, 16 * GIB, G4),
}

# Storage classes, by the name a spec uses (`storage_class`, `tiering`, `prices.storage_gb_month`).
STORAGE: dict[str, Tiered] = {
    "ebs_gp3": flat("EBS gp3 SSD", 0.08, EBS),
    "ebs_st1": flat("EBS st1 HDD", 0.045, EBS),
    "ebs_sc1": flat("EBS sc1 cold HDD", 0.015, EBS),
    "s3_standard": Tiered("S3 Standard", (Tier(50 * TB, 0.023), Tier(500 * TB, 0.022),
                                          Tier(math.inf, 0.021)), S3),
    "s3_standard_ia": flat("S3 Standard-IA", 0.0125, S3),
    "s3_glacier_instant": flat("S3 Glacier Instant Retrieval", 0.004, S3),
    "s3_glacier_flexible": flat("S3 Glacier Flexible Retrieval", 0.0036, S3),
    "s3_glacier_deep_archive": flat("S3 Glacier Deep Archive", 0.00099, S3),
}
STORAGE_CLASSES = tuple(STORAGE)
# The class new data lands in, by kind; which classes a kind may use.
DEFAULT_CLASS = {"database": "ebs_gp3", "search": "ebs_gp3", "object_store": "s3_standard"}
CLASS_FAMILY = {"database": "ebs_", "search": "ebs_", "object_store": "s3_"}

READ_MILLION = {"object_store": 0.40}     # S3 Standard GET: $0.0004 per 1,000
WRITE_MILLION = {"object_store": 5.00}    # S3 Standard PUT: $0.005 per 1,000

MESSAGES: dict[str, Message] = {
    "sms": Message("Twilio SMS to the US (carrier fees extra)", 0.0079, TWILIO_SMS),
    "email": Message("Amazon SES e-mail", 0.0001, SES),
    "push": Message("APNs and FCM push (no charge per message)", 0.0, FCM),
}
MESSAGE_KINDS = tuple(MESSAGES)
PRICED_AS = ("gpu",) + MESSAGE_KINDS   # what a component's `priced_as` may say

EGRESS = Tiered("EC2 data transfer out to the internet",
                (Tier(10 * TB, 0.09), Tier(50 * TB, 0.085), Tier(150 * TB, 0.07), Tier(math.inf, 0.05)), EC2)
CDN_EGRESS = Tiered("CloudFront, North America",
                    (Tier(10 * TB, 0.085), Tier(50 * TB, 0.080), Tier(150 * TB, 0.060), Tier(500 * TB, 0.040),
                     Tier(1024 * TB, 0.030), Tier(5120 * TB, 0.025), Tier(math.inf, 0.020)), CLOUDFRONT)


@dataclass(frozen=True)
class PriceTable:
    """The prices a bill is computed with (the defaults above, a spec's ``prices:`` on top)."""

    nodes: dict[str, Node] = field(default_factory=lambda: dict(NODES))
    storage: dict[str, Tiered] = field(default_factory=lambda: dict(STORAGE))
    default_class: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLASS))
    read_million: dict[str, float] = field(default_factory=lambda: dict(READ_MILLION))
    write_million: dict[str, float] = field(default_factory=lambda: dict(WRITE_MILLION))
    messages: dict[str, Message] = field(default_factory=lambda: dict(MESSAGES))
    egress: Tiered = EGRESS
    cdn_egress: Tiered = CDN_EGRESS


def price_table(prices=None) -> PriceTable:
    """The default table with a spec's ``prices:`` block (``spec.Prices`` or None) applied.

    ``storage_gb_month`` takes a kind (its default class) or a class name; any spec figure is one
    price for every GB, replacing the class's volume tiers, as ``egress_gb`` replaces egress's.
    """
    table = PriceTable()
    if prices is None:
        return table
    nodes = dict(table.nodes)
    for key in set(prices.node_hour) | set(prices.node_memory):
        base = nodes[key]
        nodes[key] = Node(f"{base.instance} (priced in the spec)", prices.node_hour.get(key, base.hourly),
                          prices.node_memory.get(key, base.memory_bytes), "the spec's prices: block")
    storage = dict(table.storage)
    for key, dollars in prices.storage_gb_month.items():
        name = table.default_class.get(key, key)
        storage[name] = storage[name].flat(dollars, "priced in the spec")
    messages = dict(table.messages)
    for key, dollars in prices.message.items():
        messages[key] = Message(f"{messages[key].label} (priced in the spec)", dollars, "the spec's prices: block")
    return replace(
        table, nodes=nodes, storage=storage, messages=messages,
        read_million=table.read_million | dict(prices.read_million),
        write_million=table.write_million | dict(prices.write_million),
        egress=table.egress if prices.egress_gb is None else table.egress.flat(prices.egress_gb, "priced in the spec"),
        cdn_egress=(table.cdn_egress if prices.cdn_egress_gb is None
                    else table.cdn_egress.flat(prices.cdn_egress_gb, "priced in the spec")))
