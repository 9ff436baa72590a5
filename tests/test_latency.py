"""Tail latency: M/M/c percentiles against textbook and hand-worked values, exact path percentiles, targets.

The Erlang C call centre is the textbook case (360 calls per 30 minutes, 240 s handling time,
55 agents); the M/M/1 percentile is worked by hand (its response time is exponential of rate
mu - lambda); a path's percentiles are checked against the Erlang closed form and a simulation of independent hops.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from designkit.model import analyze, load_spec, queueing
from designkit.model.scaling import WORLD_POPULATION
from designkit.model.latency import Pool, crossing, path_percentile
from designkit.model.spec import example_names, read_raw, resolve, validate
from designkit.model.targets import LatencyTarget, parse_latency_target
from designkit.errors import SpecError

# --- the call centre (Erlang C) ------------------------------------------------------------

CALLS_PER_SECOND = 360 / 1800        # 360 calls per half hour
HANDLING = 240.0                     # seconds per call
AGENTS = 55
UTILIZATION = CALLS_PER_SECOND * HANDLING / AGENTS   # 48 Erlangs on 55 agents


def test_call_centre_chance_of_waiting():
    assert queueing.erlang_c(AGENTS, CALLS_PER_SECOND * HANDLING) == pytest.approx(0.2387, abs=5e-5)


def test_call_centre_mean_wait():
    mean_wait = queueing.response_time(AGENTS, HANDLING, UTILIZATION) - HANDLING
    assert mean_wait == pytest.approx(8.18, abs=0.005)


def test_call_centre_answered_within_15_seconds():
    assert queueing.wait_within(AGENTS, HANDLING, UTILIZATION, 15) == pytest.approx(0.846, abs=5e-4)
    assert queueing.wait_within(AGENTS, HANDLING, UTILIZATION, 0) == pytest.approx(1 - 0.2387, abs=5e-5)


def test_wait_within_when_overloaded_and_for_long_waits():
    assert queueing.wait_within(4, 1.0, 1.0, 100) == 0.0
    assert queueing.wait_within(AGENTS, HANDLING, UTILIZATION, 1e6) == pytest.approx(1.0)


# --- M/M/1 by hand: R ~ Exponential(mu - lambda) ------------------------------------------

def test_mm1_percentiles_by_hand():
    # 10 ms service (mu = 100/s) at 50 requests/s: R is exponential with rate 50/s.
    # p99 = ln(100) / 50 = 92.1 ms; p50 = ln(2) / 50 = 13.9 ms.
    assert queueing.response_percentile(1, 0.01, 0.5, 0.99) == pytest.approx(0.0921034, rel=1e-6)
    assert queueing.response_percentile(1, 0.01, 0.5, 0.50) == pytest.approx(0.0138629, rel=1e-5)
    assert queueing.response_tail(1, 0.01, 0.5, 0.05) == pytest.approx(math.exp(-2.5), rel=1e-12)


def test_idle_pool_percentile_is_the_service_time_percentile():
    # No queueing: R = S, exponential with mean 1 ms: p95 = -ln(0.05) ms = 3.0 ms.
    assert queueing.response_percentile(8, 0.001, 0.0, 0.95) == pytest.approx(0.002995732, rel=1e-6)


def test_overloaded_pool_has_no_percentile():
    assert queueing.response_percentile(3, 0.01, 1.2, 0.99) == math.inf
    with pytest.raises(ValueError, match="percentile"):
        queueing.response_percentile(3, 0.01, 0.5, 99)


@settings(max_examples=60, deadline=None)
@given(servers=st.integers(1, 200), utilization=st.floats(0, 0.99),
       low=st.floats(0.01, 0.98), gap=st.floats(0.001, 0.5))
def test_percentiles_grow_with_the_percentile_and_solve_the_tail(servers, utilization, low, gap):
    high = min(low + gap, 0.9999)
    a = queueing.response_percentile(servers, 0.01, utilization, low)
    b = queueing.response_percentile(servers, 0.01, utilization, high)
    assert 0 < a <= b
    assert queueing.response_tail(servers, 0.01, utilization, b) == pytest.approx(1 - high, rel=1e-6, abs=1e-12)


# --- paths: exact percentiles of the sum of the hops ---------------------------------------

def _samples(pool: Pool, rng, n: int, multiplier: float = 1.0) -> np.ndarray:
    """Response times of an M/M/c pool: an exponential service plus, with probability C, a wait."""
    u = pool.utilization(multiplier)
    waits = queueing.erlang_c(pool.servers, u * pool.servers)
    drain = pool.servers * (1 - u) / pool.service_seconds
    wait = np.where(rng.random(n) < waits, rng.exponential(1 / drain, n), 0.0)
    return wait + rng.exponential(pool.service_seconds, n)


def _erlang_percentile(hops: int, rate: float, p: float) -> float:
    """The Erlang(hops, rate) percentile from its closed-form CDF, by bisection (independent of the kit)."""
    def cdf(t: float) -> float:
        x = rate * t
        return 1 - math.exp(-x) * math.fsum(x ** k / math.factorial(k) for k in range(hops))
    low, high = 0.0, 1.0
    while cdf(high) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < p else (low, middle)
    return (low + high) / 2


@pytest.mark.parametrize("hops", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("load", [0.0, 0.3, 0.9])
def test_identical_mm1_hops_are_erlang(hops, load):
    # An M/M/1 at utilization u responds in an exponential time of rate mu - lambda; n of them in
    # a row take an Erlang(n, mu - lambda) time.  (At u = 0.9 each hop's mean is 10 service times.)
    mu = 200.0
    chain = [Pool(f"hop{i}", "qps", 1, 1 / mu, load * mu, 0.0) for i in range(hops)]
    for p in (0.5, 0.95, 0.99, 0.999):
        assert path_percentile(chain, p) == pytest.approx(_erlang_percentile(hops, mu * (1 - load), p), rel=1e-7)


@given(pool=st.builds(
    lambda servers, service, util: Pool("hop", "qps", servers, service, util * servers / service, 0.0),
    st.integers(1, 64), st.floats(1e-4, 1.0), st.floats(0.0, 0.99)), p=st.sampled_from([0.5, 0.9, 0.99, 0.999]))
@settings(max_examples=100, deadline=None)
def test_a_path_of_one_hop_is_the_hop(pool, p):
    assert path_percentile([pool], p) == pytest.approx(pool.percentile(p), rel=1e-9)


MIXED_PATHS = [
    [Pool("lb", "qps", 2, 0.0002, 4000, 2000), Pool("api", "qps", 8, 0.005, 1200, 600),
     Pool("db", "read_qps", 3, 0.002, 1200, 600)],
    [Pool("a", "qps", 4, 0.002, 1500, 700), Pool("b", "qps", 1, 0.0005, 1200, 500),
     Pool("c", "qps", 16, 0.02, 600, 300), Pool("d", "qps", 2, 0.001, 1500, 100)],
    [Pool("fast", "qps", 1, 1e-5, 90_000, 0), Pool("slow", "qps", 40, 2.0, 19.0, 0),   # 5 orders apart
     Pool("same", "qps", 1, 1e-5, 90_000, 0)],
]


@pytest.mark.parametrize("chain", MIXED_PATHS, ids=["three", "four", "stiff"])
def test_path_percentiles_match_a_million_sample_simulation(chain):
    rng = np.random.default_rng(25)
    total = sum(_samples(pool, rng, 1_000_000) for pool in chain)
    for p in (0.5, 0.95, 0.99):
        assert path_percentile(chain, p) == pytest.approx(float(np.quantile(total, p)), rel=0.01)


def test_every_example_path_matches_a_simulation_of_its_hops():
    # The pools `analyze` builds for every bundled example, simulated hop by hop: each path figure
    # the article prints (p50/p95/p99 at peak and on an average second) within 1%.
    rng = np.random.default_rng(2025)
    checked = 0
    for name in example_names():
        a = analyze(load_spec(name))
        for path in a.latency.paths:
            chain = list(path.pools)
            share = path.average.p50 and chain[0].average_arrivals / chain[0].peak_arrivals
            for multiplier, said in ((1.0, path.peak), (share, path.average)):
                if not math.isfinite(said.p99):
                    continue
                total = sum(_samples(pool, rng, 400_000, multiplier) for pool in chain)
                simulated = np.quantile(total, [0.5, 0.95, 0.99])
                assert [said.p50, said.p95, said.p99] == pytest.approx(list(simulated), rel=0.015), name
                checked += 1
    assert checked >= 30


@given(hops=st.lists(st.builds(
    lambda servers, service, util: Pool("hop", "qps", servers, service, util * servers / service, 0.0),
    st.integers(1, 64), st.floats(1e-4, 1.0), st.floats(0.0, 0.99)), min_size=1, max_size=6),
    p=st.sampled_from([0.5, 0.95, 0.99]))
@settings(max_examples=100, deadline=None)
def test_path_percentile_lies_between_its_slowest_hop_and_the_union_bound(hops, p):
    exact = path_percentile(hops, p)
    slowest = max(h.percentile(p) for h in hops)
    union = math.fsum(h.percentile(1 - (1 - p) / len(hops)) for h in hops)
    assert slowest * (1 - 1e-9) <= exact <= union * (1 + 1e-9)


def test_an_overloaded_hop_makes_the_path_unbounded_and_an_empty_path_takes_no_time():
    chain = [Pool("ok", "qps", 2, 0.001, 100, 50), Pool("full", "qps", 1, 0.01, 150, 75)]
    assert path_percentile(chain, 0.99) == math.inf
    assert path_percentile([], 0.99) == 0.0


def test_single_hop_crossing_by_hand():
    # M/M/1, 10 ms service, 50/s today: p99 = ln(100) / (100 - 50 m) reaches 100 ms when
    # 100 - 50 m = ln(100) / 0.1, so m = (100 - 46.0517) / 50 = 1.07897.
    pool = Pool("only", "qps", 1, 0.01, 50.0, 25.0)
    m = crossing([pool], LatencyTarget(0.99, 0.1))
    assert m == pytest.approx(1.07897, rel=1e-4)
    assert crossing([pool], LatencyTarget(0.99, 0.001)) == 0.0   # 10 ms service alone misses 1 ms
    assert crossing([Pool("idle", "qps", 1, 0.01, 0.0, 0.0)], LatencyTarget(0.99, 1.0)) == math.inf


pool_strategy = st.builds(
    lambda servers, service, util: Pool("hop", "qps", servers, service, util * servers / service, 0.0),
    st.integers(1, 64), st.floats(1e-4, 1.0), st.floats(0.0, 0.99))


@given(hops=st.lists(pool_strategy, min_size=1, max_size=5), pct=st.sampled_from([0.5, 0.95, 0.99, 0.999]),
       seconds=st.floats(1e-3, 100.0))
@settings(max_examples=150, deadline=None)
def test_crossing_brackets_the_target_for_any_path(hops, pct, seconds):
    # The answer is within the target, and the target is missed one tolerance step beyond it.
    target = LatencyTarget(pct, seconds)
    m = crossing(hops, target)
    loads = [h.utilization() for h in hops if h.utilization() > 0]
    if path_percentile(hops, pct, 0.0) > seconds:
        assert m == 0.0
    elif not loads or not math.isfinite(1 / max(loads)):
        assert m == math.inf                 # no load, or too little for its reciprocal to be a float
    else:
        saturated = 1 / max(loads)
        assert 0 <= m < saturated
        assert path_percentile(hops, pct, m) <= seconds
        beyond = m * (1 + 2e-4) + 1e-12
        assert beyond >= saturated or path_percentile(hops, pct, beyond) > seconds


def test_reference_paths_have_ordered_percentiles_verdicts_and_crossings():
    a = analyze(load_spec("reference"))
    read, write = a.latency.read, a.latency.write
    assert read.target == LatencyTarget(0.95, 2.0)          # "Query latency: p95 < 2 s", path: read
    assert write.target == LatencyTarget(0.99, 0.1)         # "Ingest latency: p99 < 100 ms", path: write
    for path in (read, write):
        assert path.peak.p50 <= path.peak.p95 <= path.peak.p99
        assert path.average.p99 <= path.peak.p99
        assert path.met is True
        m = path.crossing_multiplier
        assert 1 < m < math.inf
        # Just below the crossing the path is within the target, just above it is not.
        assert path_percentile(list(path.pools), path.target.percentile, m * 0.999) <= path.target.seconds
        assert path_percentile(list(path.pools), path.target.percentile, m * 1.001) > path.target.seconds
        assert path.crossing_users == pytest.approx(a.capacity.users * m)
    assert a.read_p99_peak_seconds == read.peak.p99


def test_rate_limiter_meets_its_one_millisecond_target():
    # The case: the union bound said 1.4 ms ("missed even with no load"); the model's p99 is
    # 0.56 ms (read) and 0.63 ms (write), so the target is met and crossed at about 1.6x today.
    a = analyze(load_spec("rate-limiter"))
    assert a.latency.read.peak.p99 == pytest.approx(0.56e-3, rel=0.01)
    assert a.latency.write.peak.p99 == pytest.approx(0.63e-3, rel=0.01)
    for path in a.latency.paths:
        assert path.met is True and 1 < path.crossing_multiplier < 2


def test_idle_path_that_misses_its_target_is_said_so():
    chain = [Pool("slow", "qps", 1, 0.01, 10.0, 5.0), Pool("slower", "qps", 1, 0.02, 10.0, 5.0)]
    assert crossing(chain, LatencyTarget(0.99, 0.02)) == 0.0       # 30 ms of service alone


# --- latency targets ----------------------------------------------------------------------

@pytest.mark.parametrize("text, percentile, seconds", [
    ("p99 < 200 ms", 0.99, 0.2), ("p95 under 100ms", 0.95, 0.1), ("p99.9 < 1 s", 0.999, 1.0),
    ("P90 <= 2 seconds on a 5 Mbit/s connection", 0.9, 2.0), ("p50 within 300 µs", 0.5, 3e-4),
    ("p95 below 10 minutes from upload", 0.95, 600.0), ("p99 less than 5 s", 0.99, 5.0),
])
def test_targets_parse(text, percentile, seconds):
    assert parse_latency_target(text) == LatencyTarget(percentile, pytest.approx(seconds))


@pytest.mark.parametrize("text", ["p99 fast", "p99 < 20 parsecs", "p100 < 1 s", "p0 < 1 s",
                                  "p99 < 0 ms", "p99 > 200 ms", "p99"])
def test_malformed_targets_say_what_was_expected(text):
    with pytest.raises(ValueError, match="expected"):
        parse_latency_target(text)


def test_prose_targets_are_not_latency_targets():
    for text in ("99.9% monthly", "Events queryable within 2 minutes (p95)", "Zero loss", "pages < 1 s"):
        assert parse_latency_target(text) is None


UNITS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "seconds": 1.0, "min": 60.0, "h": 3600.0}


@settings(max_examples=200, deadline=None)
@given(pct=st.decimals(min_value="0.1", max_value="99.99", places=2),
       value=st.decimals(min_value="0.01", max_value="10000", places=2),
       cmp=st.sampled_from(["<", "<=", "≤", "under", "below", "within", "less than"]),
       unit=st.sampled_from(sorted(UNITS)), space=st.sampled_from(["", " ", "  "]),
       tail=st.text(max_size=20).map(lambda t: " " + t if t else ""))
def test_generated_targets_round_trip(pct, value, cmp, unit, space, tail):
    assume(float(value) * UNITS[unit] < 86_400)      # latency targets are said in µs to hours
    text = f"p{pct}{space}{cmp} {value}{space}{unit}{tail}"
    found = parse_latency_target(text)
    assert found.percentile == pytest.approx(float(pct) / 100)
    assert found.seconds == pytest.approx(float(value) * UNITS[unit])
    again = parse_latency_target(found.label)          # the label the article prints parses back
    assert again.percentile == found.percentile
    assert again.seconds == pytest.approx(found.seconds, rel=0.06)   # the label keeps two figures


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_prose_a_target_or_a_clear_error(text):
    try:
        found = parse_latency_target(text)
    except ValueError as exc:
        assert re.match(r"^\s*p\d", text, re.IGNORECASE)
        assert "expected" in str(exc)
        return
    assert found is None or (0 < found.percentile < 1 and found.seconds > 0)


# --- targets in a spec: bad input is exit 2, naming file and field ------------------------

def _with_requirement(tmp_path, requirement: dict):
    import yaml
    raw = read_raw(resolve("url-shortener"))
    raw["requirements"]["non_functional"].insert(0, {"name": "Latency", "rationale": "r", **requirement})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_malformed_target_in_a_spec_exits_2_naming_file_and_field(tmp_path):
    path = _with_requirement(tmp_path, {"target": "p99 quick"})
    out = subprocess.run([sys.executable, "-m", "designkit", "analyze", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert str(path) in out.stderr and "requirements.non_functional.0.target" in out.stderr
    assert "p99 < 200 ms" in out.stderr and "Traceback" not in out.stderr


def test_path_on_a_prose_target_is_refused():
    raw = read_raw(resolve("url-shortener"))
    items = raw["requirements"]["non_functional"]
    index = next(i for i, item in enumerate(items) if item["name"] == "Availability")   # prose
    items[index]["path"] = "read"
    with pytest.raises(SpecError, match=rf"non_functional\.{index}\.path: only a latency target"):
        validate(raw, "url-shortener.yaml")


def test_every_example_has_a_structured_target_on_each_path():
    for name in example_names():
        a = analyze(load_spec(name))
        assert a.latency.paths, name
        assert all(p.target is not None for p in a.latency.paths), name


# --- the article part and analyze --json --------------------------------------------------

def test_every_example_article_states_p99_against_its_target_and_its_monthly_cost():
    from designkit.views.pages import article
    for name in example_names():
        spec = load_spec(name)
        text = article.scalability(spec, analyze(spec))
        assert "### Tail Latency" in text and "### Cost" in text, name
        assert re.search(r"path: p99 at peak is [\d.]+ (µs|ms|s|min)", text), name
        assert re.search(r"target (of|is) p[\d.]+ &lt; ", text), name
        assert re.search(r"costs about \\\$[\d,.]+ a month", text), name   # Markdown: \$ is no math
        assert "figures/cost.svg" in text


def test_analyze_json_has_percentiles_per_component_and_path():
    import json
    out = subprocess.run([sys.executable, "-m", "designkit", "analyze", "url-shortener", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    a = analyze(load_spec("url-shortener"))
    components = {c["component"]: c for c in data["latency"]["components"]}
    assert set(components) == {c.name for c in load_spec("url-shortener").components}
    cache = a.latency.component("URL Cache")
    assert components["URL Cache"]["peak"]["p99"] == pytest.approx(cache.peak.p99)
    read = data["latency"]["paths"]["read"]
    assert read["peak"]["p99"] == pytest.approx(a.read_p99_peak_seconds)
    assert read["target"] == {"percentile": 0.99, "seconds": 0.02, "label": "p99 < 20 ms"}
    assert read["met"] is True and read["crosses_target_at"] > 1
    assert data["cost"]["monthly_total"] == pytest.approx(a.monthly_cost_total)


@pytest.mark.slow
def test_reference_article_states_p99_and_cost(reference_build):
    from designkit.model.quantities import say_dollars, say_duration
    from designkit.run.build import plain_figures
    result, _ = reference_build
    text = result.article.read_text(encoding="utf-8")
    a = analyze(load_spec("reference"))
    assert f"Write path: p99 at peak is {say_duration(a.write_p99_peak_seconds)} against a target " \
           "of p99 &lt; 100 ms, so the target is met at peak" in text
    assert f"costs about \\{say_dollars(a.monthly_cost_total)} a month" in text   # Markdown: \$ is no math
    assert "![Monthly cost per component, today and at 10x](figures/cost.svg)" in plain_figures(text)
    [svg] = [p.read_text(encoding="utf-8") for p in (result.out_dir / "figures").glob("cost.*.svg")]
    assert say_dollars(a.monthly_cost_total) in svg
    handout = result.handout.read_text(encoding="utf-8")
    assert "Tail Latency" in handout and say_dollars(a.monthly_cost_total) in handout


@pytest.mark.parametrize("seconds, said", [(2e-5, "20 µs"), (0.00093, "0.93 ms"), (0.0921, "92 ms"),
                                           (0.95, "0.95 s"), (45, "45 s")])
def test_latencies_are_said_in_the_unit_that_reads_best(seconds, said):
    from designkit.model.quantities import say_duration
    assert say_duration(seconds) == said


# --- the path sentences, in every regime ----------------------------------------------------

def _said_path(pools, target, users=1e6):
    from types import SimpleNamespace
    from designkit.model.latency import path_latency
    from designkit.views.rows import latency as latency_rows
    by_name = {p.component: p for p in pools}
    path = path_latency("read", [p.component for p in pools], by_name, target, users)
    return latency_rows.path_lines(SimpleNamespace(latency=SimpleNamespace(paths=(path,))))[0], path


@given(loads=st.lists(st.floats(0.0, 3.0), min_size=1, max_size=6),
       target_ms=st.one_of(st.none(), st.floats(0.01, 10_000)),
       users=st.one_of(st.none(), st.floats(1, 1e12)))
@settings(max_examples=200, deadline=None)
def test_path_sentence_fits_its_regime(loads, target_ms, users):
    pools = [Pool(f"Hop {i}", "qps", 2, 0.001, u * 2 / 0.001, 0.0) for i, u in enumerate(loads)]
    target = None if target_ms is None else LatencyTarget(0.99, target_ms / 1000)
    line, path = _said_path(pools, target, users)
    full = [p.component for p in pools if p.utilization() >= 1]
    assert "at most" not in line and "inf" not in line and "nan" not in line
    if full:
        verb = " is over capacity" if len(full) == 1 else " are over capacity"
        assert verb in line and all(name in line for name in full)
        assert "p99 at peak is" not in line
    else:
        assert "p99 at peak is " in line and "unbounded" not in line
    if target is None:
        assert line.endswith("(no latency target stated).")
    elif path.crossing_multiplier == 0:
        assert "service times alone exceed it" in line
    elif not math.isfinite(path.crossing_multiplier):
        assert "no load reaches the path" in line
    elif path.crossing_multiplier <= 1:
        assert "holds only up to" in line and "already past" not in line
        assert "up to <" not in line and "up to under" not in line    # '~160 million users (under 0.01x ...)'
        assert "met" not in line
    else:
        assert "is crossed at" in line and "met at peak" in line
    if users is not None and path.crossing_users and path.crossing_users > WORLD_POPULATION and "crossed" in line:
        assert "more users than people on Earth" in line
