"""Capacity estimates against hand-worked values, and their invariants."""

import pytest
from hypothesis import given, strategies as st

from designkit.model.capacity import JSON_KEYS, estimate
from designkit.model.spec import load_spec, validate

DAY = 86_400
MONTH = 30.4375 * DAY


def scale_of(**scale):
    base = {"record_size": "500 bytes", "retention": "5 years"}
    return validate({"name": "T", "scale": {**base, **scale}}).scale


def test_reference_matches_the_template():
    cap = estimate(load_spec("reference").scale)
    # 10 million daily actives x 100 events = 1 billion writes a day (0:1), plus 0.4 dashboard
    # reads each = 4 million reads: 1.004 billion requests, still "~1 billion".
    assert cap.writes_per_day == pytest.approx(1e9)
    assert cap.reads_per_day == pytest.approx(4e6)
    assert cap.requests_per_day == pytest.approx(1.004e9)
    # 1.004e9 / 86,400 s = 11,620 QPS ("~12K"); x4 peak = 46,481 ("~46K").
    assert cap.qps_average == pytest.approx(11_620.37, rel=1e-4)
    assert cap.qps_peak == pytest.approx(46_481.48, rel=1e-4)
    # 1e9 writes x 500 B = 500 GB a day; x 1826.25 days = 913 TB, "~0.9-1 PB".
    assert cap.storage_per_day_bytes == pytest.approx(5e11)
    assert cap.storage_total_bytes == pytest.approx(9.13125e14)
    assert 0.9e15 <= cap.storage_total_bytes <= 1e15
    # Reads: 4e6 x 20% x 20 KB = 16 GB of cache; 46.3/s x 20 KB = 0.93 MB/s out.
    assert cap.cache_memory_bytes == pytest.approx(1.6e10)
    assert cap.egress_bytes_per_second == pytest.approx(4e6 / DAY * 2e4)
    # 46,481 / 2,000 per server -> 24 servers.
    assert cap.servers_needed == 24


def test_reads_per_user_add_to_the_split_requests():
    # 1M DAU x 10 requests at 1:1 = 5M reads + 5M writes; + 1M x 2 extra reads = 7M reads.
    cap = estimate(scale_of(users="2 million", daily_active_users="1 million", requests_per_user_per_day=10,
                            read_write_ratio="1:1", reads_per_user_per_day=2))
    assert cap.reads_per_day == pytest.approx(7e6)
    assert cap.writes_per_day == pytest.approx(5e6)
    assert cap.requests_per_day == pytest.approx(12e6)
    assert cap.storage_per_day_bytes == pytest.approx(5e6 * 500)   # only writes are stored


def test_reads_per_user_belong_to_the_per_user_form():
    from designkit.errors import SpecError
    with pytest.raises(SpecError, match="reads_per_user_per_day"):
        scale_of(reads="10/s", writes="1/s", reads_per_user_per_day=2)
    with pytest.raises(SpecError, match=r"scale\.reads_per_user_per_day: expected zero or more"):
        scale_of(users="2 million", daily_active_users="1 million", requests_per_user_per_day=10,
                 read_write_ratio="1:1", reads_per_user_per_day=-1)


def test_paste_service_worked_example():
    """10 million pastes and 100 million reads a month of 1.27 KB (system-design-primer)."""
    cap = estimate(scale_of(reads="100 million/month", writes="10 million/month", record_size="1.27 KB"))
    assert cap.write_qps_average == pytest.approx(1e7 / MONTH)      # 3.80 ~ "4 writes/s"
    assert round(cap.write_qps_average) == 4
    assert cap.read_qps_average == pytest.approx(1e8 / MONTH)       # 38.0 ~ "40 reads/s"
    assert round(cap.read_qps_average, -1) == 40
    assert cap.storage_per_day_bytes * 30.4375 == pytest.approx(12.7e9)  # 12.7 GB a month
    assert cap.users is None and cap.daily_active_users is None


def test_read_heavy_per_user_form():
    # 1M DAU x 50 requests = 50M/day; 100:1 -> 49.5M reads, 0.495M writes.
    cap = estimate(scale_of(users="10 million", daily_active_fraction="10%", requests_per_user_per_day=50,
                            read_write_ratio="100:1", peak_factor="3x", response_size="2 KB",
                            cache_fraction="20%", server_qps=500))
    assert cap.daily_active_users == pytest.approx(1e6)
    assert cap.reads_per_day == pytest.approx(50e6 * 100 / 101)
    assert cap.writes_per_day == pytest.approx(50e6 / 101)
    assert cap.read_qps_peak == pytest.approx(50e6 * 100 / 101 / DAY * 3)
    # Egress: reads/s x 2 KB; cache: 20% of a day's reads x 2 KB.
    assert cap.egress_bytes_per_second == pytest.approx(50e6 * 100 / 101 / DAY * 2000)
    assert cap.cache_memory_bytes == pytest.approx(0.2 * 50e6 * 100 / 101 * 2000)
    assert cap.ingress_bytes_per_second == pytest.approx(50e6 / 101 / DAY * 500)
    # Peak 50e6/86400*3 = 1736 QPS / 500 -> 4 servers.
    assert cap.servers_needed == 4


def test_defaults_are_documented_values():
    cap = estimate(scale_of(reads="1000/s", writes="0/s"))
    assert cap.peak_factor == 2.0 and cap.server_qps == 1000 and cap.replication_factor == 3
    assert cap.servers_needed == 2
    assert cap.cache_memory_bytes == pytest.approx(0.2 * 1000 * DAY * 500)


def test_json_has_exactly_the_documented_keys():
    assert list(estimate(load_spec("reference").scale).to_json()) == list(JSON_KEYS)


per_user = st.fixed_dictionaries({
    "users": st.integers(1_000, 10**10),
    "daily_active_fraction": st.floats(0.001, 1.0),
    "requests_per_user_per_day": st.integers(1, 10_000),
    "read_write_ratio": st.tuples(st.integers(0, 1000), st.integers(0, 1000))
        .filter(lambda rw: sum(rw) > 0).map(lambda rw: f"{rw[0]}:{rw[1]}"),
    "peak_factor": st.floats(1.0, 20.0),
    "record_size": st.integers(1, 10**7),
    "retention": st.integers(1, 3650),
})


@given(per_user)
def test_estimate_invariants(scale):
    cap = estimate(scale_of(**scale))
    assert cap.qps_peak >= cap.qps_average
    assert cap.read_qps_peak >= cap.read_qps_average and cap.write_qps_peak >= cap.write_qps_average
    assert cap.reads_per_day + cap.writes_per_day == pytest.approx(cap.requests_per_day)
    assert cap.servers_needed >= 1


@given(per_user, st.integers(2, 10))
def test_storage_grows_linearly_with_retention(scale, factor):
    one = estimate(scale_of(**scale))
    more = estimate(scale_of(**{**scale, "retention": scale["retention"] * factor}))
    assert more.storage_total_bytes == pytest.approx(one.storage_total_bytes * factor)
    assert more.storage_per_day_bytes == pytest.approx(one.storage_per_day_bytes)
