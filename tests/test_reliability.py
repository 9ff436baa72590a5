"""Availability math, downtime, error budgets and failure scenarios, against hand-worked values."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.model.analysis import analyze
from designkit.model.availability import (component_availability, downtime, downtime_minutes,
                                   error_budget, k_of_n, parallel, path_availability, series)
from designkit.model.scaling import component_load
from _specs import comp, make_spec
from designkit.model.spec import Component, load_spec, validate


def scenario(analysis, name):
    found = [s for s in analysis.scenarios if s.name == name]
    assert len(found) == 1, [s.name for s in analysis.scenarios]
    return found[0]


# --- availability ---------------------------------------------------------------------------

def test_four_nines_is_about_52_6_minutes_a_year():
    # 0.0001 x 365.25 days x 1440 min/day = 52.596 min.
    assert downtime(0.9999).year == pytest.approx(52.596)
    # Month 30.4375 days: 4.383 min; week: 0.0001 x 7 x 1440 = 1.008 min.
    assert downtime(0.9999).month == pytest.approx(4.383)
    assert downtime(0.9999).week == pytest.approx(1.008)
    assert downtime_minutes(1.0, 365.25) == 0


def test_two_three_nines_replicas_in_parallel_give_six_nines():
    # 1 - 0.001^2 = 0.999999.
    assert parallel([0.999, 0.999]) == pytest.approx(0.999999, abs=1e-15)
    assert k_of_n(1, 2, 0.999) == pytest.approx(0.999999, abs=1e-15)


def test_two_four_nines_in_series_give_99_98():
    # 0.9999^2 = 0.99980001.
    assert series([0.9999, 0.9999]) == pytest.approx(0.99980001, abs=1e-15)
    assert path_availability({"a": 1.0, "b": 1.0}, {"a": 0.9999, "b": 0.9999}) == \
        pytest.approx(0.99980001, abs=1e-15)


def test_k_of_n_by_hand():
    # 2 of 3 at 0.9: P(3 up) + P(exactly 2 up) = 0.729 + 3 x 0.81 x 0.1 = 0.972.
    assert k_of_n(2, 3, 0.9) == pytest.approx(0.972)
    assert k_of_n(3, 3, 0.9) == pytest.approx(0.729)  # all needed: p^n
    assert k_of_n(0, 3, 0.5) == 1.0
    assert k_of_n(4, 3, 0.999) == 0.0  # needs more replicas than there are
    assert k_of_n(1, 1, 0.0) == 0.0 and k_of_n(1, 1, 1.0) == 1.0


def test_k_of_n_stays_exact_for_many_replicas():
    # 1 of 500 at 0.5: 1 - 0.5^500, which is 1.0 in floating point; no overflow on the way.
    assert k_of_n(1, 500, 0.5) == 1.0
    # 990 of 1000 at 0.999 against the exact rational sum of P(11 or more down).
    p, q = Fraction(999, 1000), Fraction(1, 1000)
    exact = 1 - sum(math.comb(1000, d) * q**d * p**(1000 - d) for d in range(11, 1001))
    assert k_of_n(990, 1000, 0.999) == pytest.approx(float(exact), abs=1e-15)
    # 1000 of 1000 at 0.999 = 0.999^1000 = e^(1000 ln 0.999) = 0.36770.
    assert k_of_n(1000, 1000, 0.999) == pytest.approx(0.999**1000, rel=1e-9)


def test_shards_each_need_their_replicas():
    # Two shards, each 1 of 2 at 0.99: (1 - 0.01^2)^2 = 0.9999^2.
    assert component_availability(0.99, 2, 1, shards=2) == pytest.approx(0.9999**2)


def test_path_availability_after_a_cache():
    # Only the 10% of reads the cache misses need the database: 1 - 0.1 x (1 - 0.99) = 0.999.
    assert path_availability({"cache": 1.0, "db": 0.1}, {"cache": 1.0, "db": 0.99}) == \
        pytest.approx(0.999)


def test_error_budget_of_three_nines():
    # 0.001 x 30.4375 x 1440 = 43.83 min a month; 99.95% spends 21.915 min of it: 50%.
    budget = error_budget(0.9995, 0.999)
    assert budget.allowed_minutes_per_month == pytest.approx(43.83)
    assert budget.expected_minutes_per_month == pytest.approx(21.915)
    assert budget.consumed == pytest.approx(0.5)
    assert budget.met
    assert not error_budget(0.998, 0.999).met


def test_component_availability_uses_replicas_needed_at_peak():
    spec = make_spec([comp("API", "service", "1K/s", replicas=40, availability="99%")],
                     ["API"], ["API"])
    a = analyze(spec)
    api = a.components[0]
    # 22K/s at peak on 1K/s replicas: 22 must be up, of 40.
    assert api.needed == 22
    assert api.availability == pytest.approx(k_of_n(22, 40, 0.99))
    assert a.read_path.availability == pytest.approx(api.availability)


def test_reference_paths():
    a = analyze(load_spec("reference", {"components.Stream Processor.replicas": 4}))
    comps = {c.component: c for c in a.components}
    # Stream Processor: 46,296/s at peak on 20K/s replicas -> 3 of 4 must be up at 99.9%:
    # 1 - P(2+ down) = 1 - (6 x 0.001^2 x 0.999^2 + 4 x 0.001^3 x 0.999 + 0.001^4)
    #                = 1 - (5.988006e-6 + 3.996e-9 + 1e-12) = 0.999994007997.
    assert comps["Stream Processor"].needed == 3
    assert comps["Stream Processor"].availability == pytest.approx(0.999994007997, abs=1e-14)
    # Load Balancer: 1 of 2 at 99.99% -> 1 - 1e-8.
    assert comps["Load Balancer"].availability == pytest.approx(1 - 1e-8, abs=1e-15)
    write = 1.0
    for name in a.write_path.path:
        write *= comps[name].availability
    assert a.write_path.availability == pytest.approx(write, abs=1e-15)
    # The read path: the Event Store is reached by the 10% of reads the Query Cache misses.
    read = (comps["Load Balancer"].availability * comps["Query API"].availability
            * comps["Query Cache"].availability * (1 - 0.1 * (1 - comps["Event Store"].availability)))
    assert a.read_path.availability == pytest.approx(read, abs=1e-15)
    assert a.read_path.downtime.year == pytest.approx((1 - read) * 365.25 * 1440)


# --- failure scenarios ----------------------------------------------------------------------

CACHED = [comp("API", "service", "1K/s", replicas=40),
          comp("Cache", "cache", "100K/s", replicas=2, hit_ratio="90%"),
          comp("DB", "database", "5K/s", write_capacity="4K/s", replicas=3)]


def test_a_cache_losing_its_90_percent_hit_ratio_sends_10x_the_reads_to_the_database():
    a = analyze(make_spec(CACHED, ["API", "Cache", "DB"], ["API", "DB"]))
    loss = scenario(a, "Cache cluster loss")
    # Before: 20K reads/s x (1 - 0.9) = 2K/s reach the DB; after: all 20K/s.
    assert loss.downstream == "DB"
    assert loss.load_multiplier == pytest.approx(10)
    assert a.load("DB").read_qps_peak == pytest.approx(2_000)
    assert loss.downstream_read_qps == pytest.approx(20_000)
    # The DB reads pool is 3 x 5K = 15K/s: 20K is 133%, so 1 - 15/20 = 25% of reads fail,
    # reads being 20/22 of requests: 22.7%.  It does not survive.
    assert loss.survivors_utilization == pytest.approx(20 / 15)
    assert not loss.survives
    assert loss.affected_share == pytest.approx(20 / 22 * 0.25)
    assert loss.data_loss == 0


def test_a_database_big_enough_survives_the_cache_loss():
    big = CACHED[:2] + [comp("DB", "database", "10K/s", write_capacity="4K/s", replicas=3)]
    loss = scenario(analyze(make_spec(big, ["API", "Cache", "DB"], ["API", "DB"])),
                    "Cache cluster loss")
    # 20K/s on 3 x 10K/s = 67%: it holds, nothing fails.
    assert loss.survives
    assert loss.survivors_utilization == pytest.approx(2 / 3)
    assert loss.affected_share == 0


def test_server_crash_picks_where_one_replica_hurts_most():
    spec = make_spec([comp("LB", "load_balancer", "50K/s", replicas=2)] + CACHED,
                     ["LB", "API", "Cache", "DB"], ["LB", "API", "DB"])
    crash = scenario(analyze(spec), "Server crash")
    # LB: 1 of 2 dies -> half of all requests fail until it is taken out (API: only 1/40).
    # The survivor carries 22K/s of 50K/s = 44%.  Defaults: 10 s detection + 30 s failover.
    assert crash.component == "LB"
    assert crash.affected_share == pytest.approx(0.5)
    assert crash.lasting_share == 0
    assert crash.survivors_utilization == pytest.approx(0.44)
    assert crash.recovery_seconds == 40 and crash.rto_met
    assert crash.data_loss == 0


def test_a_single_server_crash_is_an_outage_until_replaced():
    spec = make_spec([comp("API", "service", "100K/s", replicas=1)], ["API"], ["API"])
    crash = scenario(analyze(spec), "Server crash")
    assert crash.affected_share == 1.0 and crash.lasting_share == 1.0
    assert crash.survivors_utilization is None and not crash.survives
    assert crash.recovery_seconds is None and not crash.rto_met


def test_crash_overflow_when_survivors_cannot_carry_peak():
    spec = make_spec([comp("API", "service", "1K/s", replicas=25)], ["API"], ["API"])
    crash = scenario(analyze(spec), "Server crash")
    # 22K/s on 25 -> 88%; on 24 -> 91.7%: still fine.  On 23 replicas it would be 95.7%.
    assert crash.survives and crash.lasting_share == 0
    tight = make_spec([comp("API", "service", "1K/s", replicas=22)], ["API"], ["API"])
    crash = scenario(analyze(tight), "Server crash")
    # 22K/s on 21 replicas: 104.8%; 1 - 21/22 = 4.5% of requests keep failing.
    assert crash.survivors_utilization == pytest.approx(22 / 21)
    assert crash.lasting_share == pytest.approx(1 - 21 / 22)


def test_a_crash_of_a_component_already_over_capacity_says_what_it_adds_to_what_already_fails():
    """22K/s on 11 replicas of 1K/s: 200%, so half of all requests already fail at peak.  One dies:
    22K/s on 10 is 220%, 1 - 1/2.2 = 54.5% fail, 4.5 points more.  Said as such, never as if the
    crash alone left 4.5% failing."""
    from designkit.views.rows.reliability import _affected
    spec = make_spec([comp("API", "service", "1K/s", replicas=11)], ["API"], ["API"])
    crash = scenario(analyze(spec), "Server crash")
    assert crash.failing_before == pytest.approx(0.5)
    assert crash.failing_after == pytest.approx(1 - 1 / 2.2)
    assert crash.lasting_share == pytest.approx(crash.failing_after - crash.failing_before)   # one component
    # Until failover the dead replica's 1/11 fails and the other 10/11 fail as before, half of them:
    # 1/11 + 10/11 x 50% = 54.5%, the same as after it.  Never "9.1% of requests" beside "50% already".
    assert crash.failing_during == pytest.approx(1 / 11 + 10 / 11 * 0.5)
    assert _affected(crash) == "55% of requests until repaired (50% already fail at peak: over capacity)"
    within = scenario(analyze(make_spec([comp("API", "service", "1K/s", replicas=22)], ["API"], ["API"])),
                      "Server crash")
    assert within.failing_before == within.failing_after == 0 and "already" not in _affected(within)


@pytest.mark.parametrize("scale", ["10x", "100x", "1000x"])
def test_a_zone_outage_past_capacity_never_says_more_failing_than_there_are_requests(scale):
    """Across components the shares combine along paths (not by adding): what the outage adds and
    what already failed never sum past 100%, and the rounding never says 'already 100%' below it."""
    from designkit.views.rows.reliability import _affected
    for name in ("reference", "chat-system", "url-shortener"):
        zone = scenario(analyze(load_spec(name, {"scale": scale})), "Availability-zone outage")
        assert 0 < zone.failing_before <= zone.failing_after <= 1, (name, scale)
        assert zone.failing_before <= zone.failing_during <= 1, (name, scale)
        said = _affected(zone)
        shares = [float(x) for x in re.findall(r"([\d.]+)%", said)]
        assert all(share <= 100 for share in shares), said
        assert "already fail" in said, said
        assert not re.search(r"(?<!under )100%", said), said      # all told, never all of them but all


def test_database_primary_failure_by_hand():
    a = analyze(make_spec(CACHED, ["API", "Cache", "DB"], ["API", "DB"]))
    fail = scenario(a, "Database primary failure")
    # Until failover: every write (2/22 of requests) and the reads sent to the primary
    # (1/3 of the 10% of reads that reach the DB): 2/22 + 20/22 x 0.1/3 = 0.1212.
    assert fail.affected_share == pytest.approx(2 / 22 + 20 / 22 * 0.1 / 3)
    # Replication unstated -> async -> 1 s of writes: 2K at peak.
    assert fail.data_loss == 1.0
    assert fail.data_loss_writes == pytest.approx(2_000)
    # Two replicas then serve 2K reads/s of 10K/s.
    assert fail.survivors_utilization == pytest.approx(0.2)
    assert fail.recovery_seconds == 40


def test_sync_replication_loses_nothing_and_no_replica_loses_everything():
    sync = CACHED[:2] + [comp("DB", "database", "5K/s", replicas=3, replication="sync",
                              detection_seconds=15, failover_seconds=60)]
    fail = scenario(analyze(make_spec(sync, ["API", "Cache", "DB"], ["API", "DB"])),
                    "Database primary failure")
    assert fail.data_loss == 0
    assert fail.recovery_seconds == 75 and not fail.rto_met  # 15 + 60 > the 60 s default RTO
    alone = CACHED[:2] + [comp("DB", "database", "5K/s", replicas=1)]
    fail = scenario(analyze(make_spec(alone, ["API", "Cache", "DB"], ["API", "DB"])),
                    "Database primary failure")
    assert fail.data_loss is None and fail.recovery_seconds is None and not fail.rto_met


def test_network_partition_cuts_off_the_primary():
    a = analyze(make_spec(CACHED, ["API", "Cache", "DB"], ["API", "DB"]))
    part = scenario(a, "Network partition")
    # One shard: its primary is on the cut-off side in the worst case; its writes (2/22 of
    # requests) are at risk; async -> 1 s of them lost.
    assert part.component == "DB"
    assert part.affected_share == pytest.approx(2 / 22)
    assert part.data_loss == 1.0


def test_zone_outage_by_hand():
    ok = make_spec([comp("API", "service", "12K/s", replicas=3)], ["API"], ["API"])
    zone = scenario(analyze(ok), "Availability-zone outage")
    # 22K/s on 3 x 12K = 61%; one zone takes 1 of 3: a third of requests fail until failover,
    # then 2 replicas run at 22/24 = 91.7%.
    assert zone.affected_share == pytest.approx(1 / 3)
    assert zone.lasting_share == 0
    assert zone.survivors_utilization == pytest.approx(22 / 24)
    assert zone.survives and zone.recovery_seconds == 40
    hot = make_spec([comp("API", "service", "10K/s", replicas=3)], ["API"], ["API"])
    zone = scenario(analyze(hot), "Availability-zone outage")
    # 22K/s on 2 x 10K: 110%, so 1 - 20/22 = 9.1% fail until capacity is added.
    assert zone.lasting_share == pytest.approx(1 - 20 / 22)
    assert not zone.survives


def test_zone_outage_takes_a_third_of_a_sharded_stores_primaries():
    store = [comp("DB", "database", "100K/s", replicas=3, shards=6, replication="sync")]
    spec = make_spec(store, [], ["DB"], reads="0/s")
    zone = scenario(analyze(spec), "Availability-zone outage")
    # 6 primaries round-robin over 3 zones: 2 are in the dead zone -> a third of the writes
    # fail until failover; every shard loses 1 of 3 copies (6 nodes).  Sync: nothing lost.
    assert zone.affected_share == pytest.approx(1 / 3)
    assert zone.nodes_lost == 6
    assert zone.data_loss == 0 and zone.lasting_share == 0


def test_region_outage_takes_everything():
    region = scenario(analyze(make_spec(CACHED, ["API", "Cache", "DB"], ["API", "DB"])),
                      "Region outage")
    assert region.affected_share == 1.0 and region.recovery_seconds is None
    assert not region.rto_met


def test_only_scenarios_that_apply_are_produced():
    services = make_spec([comp("API", "service", "1K/s", replicas=30)], ["API"], ["API"])
    assert [s.name for s in analyze(services).scenarios] == [
        "Server crash", "Availability-zone outage", "Region outage"]
    names = [s.name for s in analyze(make_spec(CACHED, ["API", "Cache", "DB"], ["API", "DB"])).scenarios]
    assert names == ["Server crash", "Database primary failure", "Cache cluster loss",
                     "Network partition", "Availability-zone outage", "Region outage"]


def test_stated_slo_and_rto_are_used():
    spec = validate({
        "name": "Stated", "scale": {"reads": "10/s", "writes": "1/s", "record_size": "1 KB",
                                    "retention": "1 year"},
        "requirements": {"non_functional": [
            {"name": "Availability", "target": "99.99%", "rationale": "r"},
            {"name": "RTO", "target": "< 5 minutes", "rationale": "r"}]},
        "components": [comp("API", "service", "1K/s", replicas=2)],
        "read_path": ["API"], "write_path": ["API"]})
    a = analyze(spec)
    assert a.settings.slo == pytest.approx(0.9999)
    assert a.settings.rto_seconds == pytest.approx(300)
    assert a.read_path.budget.allowed_minutes_per_month == pytest.approx(4.383)
    assert analyze(spec, slo=0.95).settings.slo == 0.95


# --- properties -------------------------------------------------------------------------------

@given(st.integers(0, 60), st.integers(1, 60), st.floats(0, 1))
def test_more_replicas_never_lower_k_of_n(k, n, p):
    assert k_of_n(k, n + 1, p) >= k_of_n(k, n, p) - 1e-12


@settings(max_examples=200)
@given(st.sampled_from(["service", "database", "cache", "queue"]), st.floats(1, 1e5),
       st.integers(1, 40), st.integers(1, 10), st.floats(0.9, 1), st.floats(0, 1e6))
def test_more_replicas_never_lower_component_availability(kind, capacity, replicas, extra, p, load):
    def availability(n):
        c = Component.model_validate(comp("X", kind, capacity, replicas=n, availability=p))
        got = component_load(c, read_average=load / 2, read_peak=load, write_average=0,
                             write_peak=0)
        return component_availability(p, n, got.replicas_to_carry, c.shards)
    assert availability(replicas + extra) >= availability(replicas) - 1e-12


def test_a_store_with_no_copy_left_fails_what_was_hit_and_the_rest_as_before():
    """One copy of each of 4 shards, 20K reads/s on 4 x 2.5K/s: 200%, half of the reads already fail.
    A primary dies with nothing to fail over to: its shard's requests fail (a quarter), the other
    three shards' as before.  Per component 1/4 + 3/4 x before, never before + 1/4 (which counts
    the dead shard's reads twice); the writes failed nothing before, so all told
    failing_after = 1/4 + 3/4 x failing_before."""
    spec = make_spec([comp("API", "service", "100K/s", replicas=2),
                      comp("DB", "database", "2.5K/s", write_capacity="100K/s", replicas=1, shards=4)],
                     ["API", "DB"], ["API", "DB"])
    fail = scenario(analyze(spec), "Database primary failure")
    assert fail.recovery_seconds is None and fail.lasting_share == pytest.approx(0.25)
    assert fail.failing_before == pytest.approx(20 / 22 * 0.5)        # the reads' half, 20K of 22K/s
    assert fail.failing_after == pytest.approx(0.25 + 0.75 * fail.failing_before)
    assert fail.failing_during == pytest.approx(fail.failing_after)   # nothing fails over
