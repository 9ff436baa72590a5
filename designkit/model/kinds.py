"""The kinds of component a spec may name, and which of them hold data: one place for each fact."""

from __future__ import annotations

COMPONENT_KINDS = ("load_balancer", "gateway", "service", "cache", "database", "queue",
                   "cdn", "object_store", "search", "other")

STORE_KINDS = ("database", "search", "object_store")
"""Data stores: they keep the data of record on disk (read replicas, storage classes, disk limits)."""

DATA_KINDS = (*STORE_KINDS, "cache")
"""The kinds that hold data in shards with copies: the data stores and caches (shards sliders,
per-shard replicas, data lost when a copy goes)."""


def holds_data(kind: str) -> bool:
    """True for kinds that hold data in shards with copies (data stores and caches)."""
    return kind in DATA_KINDS


def is_store(kind: str) -> bool:
    """True for data stores (not caches): they keep the data of record on disk."""
    return kind in STORE_KINDS
