"""Loads, utilization, replicas/shards/cache nodes, thresholds and first-to-break, by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.model.capacity import estimate
from designkit.model.scaling import (break_point, component_load, loads, path_reach, replicas_for,
                               spec_reach, thresholds)
from _specs import comp, make_spec
from designkit.model.spec import Component, load_spec

TB = 1e12
GB = 1e9


# Totals form: 10K reads/s and 1K writes/s on average, peak 2x -> 20K reads/s, 2K writes/s.
HAND = make_spec(
    [comp("LB", "load_balancer", "50K/s", replicas=2),
     comp("API", "service", "1K/s", replicas=40),
     comp("Cache", "cache", "100K/s", replicas=2, memory="64 GB", hit_ratio="90%"),
     comp("DB", "database", "5K/s", write_capacity="4K/s", replicas=3, storage="10 TB")],
    ["LB", "API", "Cache", "DB"], ["LB", "API", "DB"])


def by_name(spec):
    cap = estimate(spec.scale)
    return {load.name: load for load in loads(spec, cap)}, cap


# --- flows -----------------------------------------------------------------------------

def test_a_cache_lowers_what_the_database_sees_by_the_hit_ratio():
    read, write = spec_reach(HAND)
    assert read == {"LB": 1.0, "API": 1.0, "Cache": 1.0, "DB": pytest.approx(0.1)}
    assert write == {"LB": 1.0, "API": 1.0, "DB": 1.0}  # caches never absorb writes


def test_traffic_share_scales_what_reaches_a_component_and_what_a_cache_absorbs():
    spec = make_spec(
        [comp("API", "service", "1K/s", traffic_share="50%"),
         comp("Cache", "cache", "1K/s", hit_ratio="90%", traffic_share="50%"),
         comp("DB", "database", "1K/s")],
        ["API", "Cache", "DB"], ["DB"])
    read, _ = spec_reach(spec)
    # Half the reads go through the cache, which answers 90% of those: 1 - 0.5*0.9 = 0.55 go on.
    assert read["API"] == pytest.approx(0.5)
    assert read["Cache"] == pytest.approx(0.5)
    assert read["DB"] == pytest.approx(0.55)


def test_bypassing_a_cache_sends_everything_on():
    components = {c.name: c for c in HAND.components}
    assert path_reach(components, HAND.read_path, reads=True, bypass="Cache")["DB"] == 1.0


def test_a_component_listed_twice_is_reached_twice():
    spec = make_spec([comp("API", "service", "1K/s")], ["API", "API"], [])
    assert spec_reach(spec)[0]["API"] == 2.0


# --- loads -----------------------------------------------------------------------------

def test_loads_at_average_and_peak():
    got, cap = by_name(HAND)
    assert cap.read_qps_peak == pytest.approx(20_000) and cap.write_qps_peak == pytest.approx(2_000)
    lb = got["LB"]  # on both paths: reads + writes
    assert lb.qps_average == pytest.approx(11_000)
    assert lb.qps_peak == pytest.approx(22_000)
    db = got["DB"]  # reads after the 90% cache, plus every write
    assert db.read_qps_peak == pytest.approx(2_000)
    assert db.write_qps_peak == pytest.approx(2_000)
    assert got["Cache"].read_qps_peak == pytest.approx(20_000)
    assert got["Cache"].write_qps_peak == 0


def test_utilization_and_replicas_needed_at_the_target():
    got, _ = by_name(HAND)
    api = got["API"]
    # 22K/s on 40 x 1K/s = 55%; at 70%: ceil(22000 / 700) = ceil(31.43) = 32; at 100%: 22.
    assert api.utilization == pytest.approx(0.55)
    assert api.utilization_average == pytest.approx(0.275)
    assert api.replicas_needed == 32
    assert api.replicas_to_carry == 22
    assert got["LB"].utilization == pytest.approx(22_000 / 100_000)
    assert got["LB"].replicas_needed == 1


def test_database_reads_and_writes_are_separate_pools():
    db = by_name(HAND)[0]["DB"]
    # Reads: 2K/s over 3 nodes x 5K/s = 13.3%.  Writes: 2K/s on 1 primary x 4K/s = 50%.
    assert db.limit("read_qps").utilization == pytest.approx(2_000 / 15_000)
    assert db.limit("write_qps").utilization == pytest.approx(0.5)
    assert db.utilization == pytest.approx(0.5)  # the busier side
    assert db.bottleneck.metric == "write_qps"
    assert db.replicas_needed == 1  # ceil(2000 / (5000 * 0.7)) = 1 per shard


def test_shards_needed_from_storage_per_node():
    db = by_name(HAND)[0]["DB"]
    # 1K writes/s x 86,400 s x 365.25 days x 1 KB = 31.5576 TB; x3 replication = 94.6728 TB.
    # Nodes: ceil(94.6728 / 10) = 10; with 3 replicas per shard: ceil(10 / 3) = 4 shards.
    # Writes alone need ceil(2000 / (4000 x 0.7)) = 1.
    assert db.storage_bytes == pytest.approx(94.6728 * TB)
    assert db.storage_utilization == pytest.approx(94.6728 / 30)
    assert db.shards_needed == 4


def test_shards_needed_from_write_qps_per_primary():
    spec = make_spec([comp("DB", "database", "50K/s", write_capacity="1K/s")], ["DB"], ["DB"])
    db = by_name(spec)[0]["DB"]
    # 2K writes/s at peak on primaries of 1K/s each at 70%: ceil(2000 / 700) = 3.
    assert db.shards_needed == 3
    assert db.limit("write_qps").utilization == pytest.approx(2.0)


def test_write_capacity_defaults_to_capacity():
    spec = make_spec([comp("DB", "database", "4K/s")], ["DB"], ["DB"])
    assert by_name(spec)[0]["DB"].limit("write_qps").per_server == 4_000


def test_cache_nodes_from_cache_memory_at_80_percent():
    cache = by_name(HAND)[0]["Cache"]
    # Hot set: 864M reads/day x 20% x 1 KB = 172.8 GB; 64 GB x 80% = 51.2 GB per shard
    # -> ceil(3.375) = 4 shards (cluster mode).
    assert cache.memory_bytes == pytest.approx(172.8 * GB)
    assert cache.memory_utilization == pytest.approx(172.8 / 64)
    assert cache.shards_needed == 4


def test_a_stateless_write_costs_capacity_over_write_capacity():
    spec = make_spec([comp("API", "service", "1K/s", write_capacity="500/s")], ["API"], ["API"],
                     reads="100/s", writes="100/s", peak_factor="1x")
    # 100 reads/s + 100 writes/s x (1000/500) = 300 reads' worth of 1000/s: 30%.
    assert by_name(spec)[0]["API"].utilization == pytest.approx(0.3)


def test_replicas_for_rounds_up_and_never_returns_zero():
    assert replicas_for(0, 100) == 1
    assert replicas_for(70, 100) == 1        # exactly 70%
    assert replicas_for(70.1, 100) == 2
    assert replicas_for(1400, 1000) == 2     # 1400 / 700 = 2 exactly
    assert replicas_for(1400, 1000, 1.0) == 2


# --- thresholds --------------------------------------------------------------------------

def test_thresholds_in_totals_form_report_qps_and_a_multiplier():
    got, cap = by_name(HAND)
    api = [t for t in thresholds(got.values(), cap) if t.component == "API"]
    assert len(api) == 1
    t = api[0]
    # Trigger: 70% of 40 x 1K = 28K/s; today 22K/s -> 28/22 = 1.27x; system peak 22K -> 28K.
    assert t.step == "add replicas" and t.metric == "qps"
    assert t.limit == pytest.approx(28_000)
    assert t.multiplier == pytest.approx(28 / 22)
    assert t.users is None
    assert t.qps == pytest.approx(28_000)
    assert not t.reached


def test_thresholds_per_user_form_give_users():
    spec = load_spec("reference")
    cap = estimate(spec.scale)
    got = {(t.component, t.metric): t for t in thresholds(loads(spec, cap), cap)}
    collector = got[("Collector API", "qps")]
    # 36 x 2K/s x 70% = 50.4K/s; today 46,296/s at 100M users -> 100M x 50400/46296.3 = 108.864M.
    assert collector.limit == pytest.approx(50_400)
    assert collector.users == pytest.approx(108_864_000)
    store = got[("Event Store", "storage_bytes")]
    # 0.913 PB x 3 copies = 2.739 PB against 64 shards x 3 x 20 TB = 3.84 PB:
    # due at 100M x 3840/2739.375 = 140.18M users, not yet reached.
    assert store.users == pytest.approx(1e8 * 3.84e15 / 2.739375e15)
    assert not store.reached and store.step == "sharding"
    one_shard = {(t.component, t.metric): t for t in thresholds(
        loads(load_spec("reference", {"components.Event Store.shards": 1}), cap), cap)}
    # With one shard of 3 x 20 TB: due at 100M x 60/2739.375 = 2.19M users, long past.
    assert one_shard[("Event Store", "storage_bytes")].users == pytest.approx(1e8 * 60e12 / 2.739375e15)
    assert one_shard[("Event Store", "storage_bytes")].reached


def test_thresholds_steps_follow_the_component_kind_and_skip_idle_limits():
    got, cap = by_name(HAND)
    steps = {(t.component, t.step, t.metric) for t in thresholds(got.values(), cap)}
    assert ("Cache", "add replicas", "read_qps") in steps
    assert ("Cache", "cluster mode", "memory_bytes") in steps
    assert ("DB", "read replicas", "read_qps") in steps
    assert ("DB", "sharding", "write_qps") in steps
    assert ("DB", "sharding", "storage_bytes") in steps
    # Nothing writes through the cache, so it has no write limit.
    assert not any(c == "Cache" and m == "write_qps" for c, _, m in steps)


def test_thresholds_are_ordered_by_component_then_earliest():
    got, cap = by_name(HAND)
    rows = thresholds(got.values(), cap)
    names = [t.component for t in rows]
    assert names == sorted(names, key=["LB", "API", "Cache", "DB"].index)
    db = [t.multiplier for t in rows if t.component == "DB"]
    assert db == sorted(db)


# --- what breaks first ---------------------------------------------------------------------

def test_first_to_break_is_the_limit_that_fills_first():
    got, _ = by_name(HAND)
    bp = break_point(got.values(), 10)
    # DB disks at 94.67/30 = 3.16 (full at 0.317x) beat the cache memory at 2.7 (0.37x).
    assert bp.first == "DB"
    assert bp.breaking[0].metric == "storage_bytes"
    assert bp.breaking[0].multiplier == pytest.approx(30 / 94.6728)
    assert [b.component for b in bp.breaking][:2] == ["DB", "Cache"]


def test_nothing_breaks_when_every_component_has_room():
    spec = make_spec([comp("API", "service", "100K/s", replicas=10)], ["API"], ["API"])
    got, _ = by_name(spec)
    # 22K/s on 1M/s: full at 1,000,000 / 22,000 = 45.5x -> fine at 10x, broken at 100x.
    assert break_point(got.values(), 10).first is None
    assert break_point(got.values(), 100).first == "API"
    assert got["API"].break_multiplier == pytest.approx(1e6 / 22_000)


def test_ties_are_broken_by_spec_order():
    spec = make_spec([comp("Second", "service", "10K/s"), comp("First", "service", "10K/s")],
                     ["First", "Second"], ["First", "Second"])
    got, _ = by_name(spec)
    bp = break_point(got.values(), 10)
    assert [b.component for b in bp.breaking] == ["Second", "First"]


def test_reference_storage_breaks_first():
    spec = load_spec("reference")
    cap = estimate(spec.scale)
    got = {load.name: load for load in loads(spec, cap)}
    store = got["Event Store"]
    # 1B writes/day x 500 B x 1826.25 days x 3 = 2.739375 PB on 64 x 3 x 20 TB = 3.84 PB: 71% full,
    # full at 1/0.7134 = 1.4x; nodes ceil(2739.375 / 20) = 137 -> ceil(137 / 3) = 46 shards.
    assert store.storage_utilization == pytest.approx(2.739375 / 3.84)
    assert store.breaking_limit.metric == "storage_bytes"
    assert store.shards_needed == 46
    assert break_point(got.values(), 10).first == "Event Store"
    assert break_point(got.values(), 100).first == "Event Store"


def test_shards_field_adds_capacity():
    spec = load_spec("reference", {"components.Event Store.shards": 46})
    cap = estimate(spec.scale)
    store = next(load for load in loads(spec, cap) if load.name == "Event Store")
    # 46 shards x 3 replicas x 20 TB = 2.76 PB holds 2.739 PB; 46 primaries x 20K/s writes.
    assert store.nodes == 138
    assert store.storage_utilization == pytest.approx(2.739375e15 / 2.76e15)
    assert store.limit("write_qps").utilization == pytest.approx(cap.write_qps_peak / 920_000)


# --- properties ----------------------------------------------------------------------------

KINDS = ["load_balancer", "gateway", "service", "cache", "database", "queue", "cdn",
         "object_store", "search", "other"]


@st.composite
def components(draw):
    kind = draw(st.sampled_from(KINDS))
    fields = comp("X", kind, draw(st.floats(1, 1e6)), replicas=draw(st.integers(1, 50)))
    if kind in ("database", "search", "object_store", "cache"):
        fields["shards"] = draw(st.integers(1, 20))
        fields["write_capacity"] = draw(st.floats(1, 1e6))
    if kind in ("database", "search", "object_store"):
        fields["storage"] = draw(st.floats(1e9, 1e14))
    if kind == "cache":
        fields["memory"] = draw(st.floats(1e9, 1e12))
    return Component.model_validate(fields)


@settings(max_examples=300)
@given(components(), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(1, 100), st.floats(0, 1e15))
def test_higher_load_never_lowers_utilization_or_replicas_needed(c, reads, writes, factor, data):
    def at(k):
        return component_load(c, read_average=reads * k / 2, read_peak=reads * k,
                              write_average=writes * k / 2, write_peak=writes * k,
                              stored_bytes=data * k, cached_bytes=data * k / 1000)
    low, high = at(1.0), at(factor)
    assert high.utilization >= low.utilization
    assert high.utilization_average >= low.utilization_average
    assert high.replicas_needed >= low.replicas_needed
    assert high.replicas_to_carry >= low.replicas_to_carry
    if low.shards_needed is not None:
        assert high.shards_needed >= low.shards_needed
    assert high.break_multiplier <= low.break_multiplier or math.isinf(low.break_multiplier)


# --- the envelope ------------------------------------------------------------------------

def test_the_envelope_is_the_nearest_component_to_outgrow_one_cluster():
    """By hand: the API carries 20K reads + 2K writes a second at peak; at 70% of 1K/s that is
    22,000 / 700 = 31.4 replicas, so 10,000 replicas are reached at 10,000 / 31.4 = 318x. The DB
    holds 94.7 TB (every copy) on 10 TB nodes: 9.47 nodes, 1,056x. The LB: 22K / 35K = 0.63, 15,909x."""
    from designkit.model.scaling import CELL_NODES, envelope
    cap = estimate(HAND.scale)
    env = envelope(loads(HAND, cap), cap)
    edges = {e.component: e.multiplier for e in env.edges}
    assert env.multiplier == pytest.approx(CELL_NODES / (22_000 / 700))
    assert edges["DB"] == pytest.approx(CELL_NODES / (cap.storage_replicated_bytes / (10 * TB)))
    assert edges["LB"] == pytest.approx(CELL_NODES / (22_000 / 35_000))
    assert [e.component for e in env.edges] == ["API", "DB", "Cache", "LB"]       # nearest first
    assert env.users is None and not env.reached and env.holds(318) and not env.holds(319)


@pytest.mark.parametrize("name", ["reference", "url-shortener", "video-streaming", "web-crawler"])
def test_at_the_envelope_a_stateless_pool_needs_one_cluster_and_past_it_more(name):
    """The envelope agrees with ``needed_at`` (computed independently, with ceilings): just inside
    a stateless edge its pool needs at most 10,000 replicas, just past it more."""
    from designkit.model.analysis import analyze
    from designkit.model.scaling import CELL_NODES, needed_at
    a = analyze(load_spec(name))
    for edge in a.envelope.edges:
        if edge.population or a.load(edge.component).shards_needed is not None:
            continue
        load = a.load(edge.component)
        assert needed_at(load, edge.multiplier * 0.999)[0] <= CELL_NODES < needed_at(load, edge.multiplier * 1.001)[0]


def test_the_world_s_population_bounds_a_per_user_design():
    from designkit.model.analysis import analyze
    from designkit.model.scaling import WORLD_POPULATION
    a = analyze(load_spec("chat-system"))                 # 300 million users; the Message Store lasts to 41x
    assert a.envelope.edges[0].population
    assert a.envelope.multiplier == pytest.approx(WORLD_POPULATION / 300e6)
    assert a.envelope.users == pytest.approx(WORLD_POPULATION)
    past = analyze(load_spec("chat-system", {"scale": "100x"}))
    assert past.envelope.reached and past.envelope.users == pytest.approx(WORLD_POPULATION)
