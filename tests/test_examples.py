"""The worked-examples gallery: every bundled spec is complete, specific, cited and consistent.

Each example must validate, fill every prose field of the article, avoid template
placeholders and text shared with other examples, cite real http(s) sources, put every
component on a path, and carry scale numbers that the hand arithmetic below reproduces.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.model.scaling import break_point, loads
from designkit.assets import EXAMPLES_DIR
from designkit.model.spec import (DEFAULT_QUESTIONS, DEFAULT_RED_FLAGS, example_names,
                            load_spec)

DAY = 86_400.0
MONTH_DAYS = 30.4375
YEAR_DAYS = 365.25

REQUIRED = {
    "reference", "url-shortener", "paste-service", "social-timeline", "chat-system",
    "rate-limiter", "web-crawler", "notification-service", "video-streaming", "key-value-store",
}
EXAMPLES = example_names()

PLACEHOLDERS = [
    (re.compile(r"\[[A-Z][A-Za-z0-9 _/-]*\]"), "bracketed template placeholder such as [Choice]"),
    (re.compile(r"\bTODO\b|\bTBD\b|\bFIXME\b|\bXXX\b"), "TODO/TBD marker"),
    (re.compile(r"\.\.\.|…"), "ellipsis"),
    (re.compile(r"\bOption [A-D]\b"), "generic 'Option A' name"),
    (re.compile(r"\b(Pro|Con) \d\b"), "generic 'Pro 1' / 'Con 1' text"),
    (re.compile(r"\bConcept \d\b|\bCore Feature \d\b|\bService [ABC]\b"), "template filler name"),
    (re.compile(r"\blorem ipsum\b", re.I), "lorem ipsum"),
]


def texts(value, path="spec"):
    """Every string inside a dumped spec, with where it sits."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from texts(item, f"{path}.{index}")


def sentences(text):
    """Sentences (and code lines) of at least 8 words, normalised for comparison."""
    for chunk in re.split(r"(?<=[.!?])\s+|\n+", text):
        words = re.findall(r"[a-z0-9']+", chunk.lower())
        if len(words) >= 8:
            yield " ".join(words)


@pytest.fixture(scope="module")
def specs():
    return {name: load_spec(name) for name in EXAMPLES}


# --- the gallery exists and loads --------------------------------------------------------

def test_gallery_has_the_required_examples():
    assert len(EXAMPLES) >= 9
    assert REQUIRED <= set(EXAMPLES), f"missing: {sorted(REQUIRED - set(EXAMPLES))}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_validates(name):
    spec = load_spec(name)
    assert spec.name and spec.scale


# --- every prose field is filled ---------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_every_prose_field_is_filled(name, specs):
    s = specs[name]
    assert s.summary and len(s.summary.split()) >= 25
    assert s.interview_context and s.interview_context.key_challenge and s.interview_context.main_trade_off

    req = s.requirements
    assert len(req.questions) >= 3 and list(req.questions) != list(DEFAULT_QUESTIONS)
    assert len(req.functional) >= 3
    assert len(req.non_functional) >= 4
    assert all(r.target and r.rationale for r in req.non_functional)

    assert 5 <= len(s.components) <= 8
    assert s.read_path and s.write_path

    assert 2 <= len(s.core_components) <= 3
    for core in s.core_components:
        assert core.challenge and core.approach and core.pseudocode
        assert len(core.options) >= 3, core.name
        assert all(o.pros and o.cons for o in core.options), core.name
        assert core.why_not.alternative and core.why_not.reason
        assert core.interviewer_asks.question and core.interviewer_asks.answer
        assert len(core.pseudocode.splitlines()) <= 15

    dm = s.data_model
    assert dm is not None
    assert re.search(r"\bCREATE\s+(TABLE|MATERIALIZED VIEW)\b", dm.schema_sql), "schema must be real DDL"
    assert len(dm.access_patterns) >= 3
    assert dm.database_choice.question and dm.database_choice.answer

    assert len(s.decisions) >= 3
    for decision in s.decisions:
        assert len(decision.options) >= 2
        assert decision.choice and decision.alternative and decision.rationale

    assert len(s.bottlenecks) >= 3

    tips = s.interview_tips
    assert 2 <= len(tips.deep_dives) <= 3
    assert 2 <= len(tips.key_phrases) <= 3
    assert 3 <= len(tips.follow_ups) <= 4

    take = s.takeaways
    assert len(take.concepts) == 3
    assert 2 <= len(take.trade_offs) <= 3
    assert take.red_flags and list(take.red_flags) != list(DEFAULT_RED_FLAGS)

    assert 3 <= len(s.references) <= 5


@pytest.mark.parametrize("name", EXAMPLES)
def test_components_are_real_and_on_a_path(name, specs):
    s = specs[name]
    on_paths = set(s.read_path) | set(s.write_path)
    for comp in s.components:
        assert comp.name in on_paths, f"{comp.name} is on neither path"
        assert comp.technology and comp.responsibility
        assert comp.detection_seconds is not None and comp.failover_seconds is not None, comp.name
        assert 0.9 <= comp.availability < 1, comp.name
        if comp.kind in ("database", "queue", "cache", "object_store"):
            assert comp.replication is not None, f"{comp.name}: say how it replicates"


@pytest.mark.parametrize("name", EXAMPLES)
def test_peak_load_runs_at_a_sane_utilisation(name, specs):
    """Today's peak must not already be past any scaling trigger (70% of throughput, 80% of
    cache memory, 100% of disk over retention), and the busiest pool should be doing real
    work, so that 'what breaks first at 10x' is a meaningful question."""
    s = specs[name]
    component_loads = loads(s, estimate(s.scale))
    for load in component_loads:
        for lim in load.limits:
            assert lim.step_multiplier >= 1, (
                f"{load.name}: {lim.metric} already at {lim.utilization:.0%} ({lim.step} due today)")
    busiest = max(load.utilization for load in component_loads)
    assert 0.3 <= busiest <= 0.7, f"busiest component at {busiest:.0%}"
    assert break_point(component_loads, 10).first is not None


@pytest.mark.parametrize("name", EXAMPLES)
def test_paths_meet_the_stated_availability_target(name, specs):
    """Replica counts must carry the SLO the spec's own requirements state."""
    report = analyze(specs[name]).to_json()["availability"]
    for path, budget in report["error_budget"].items():
        assert budget["met"], f"{path} uses {budget['consumed']:.0%} of its error budget"


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != "reference"])
def test_single_failures_recover_within_the_rto(name, specs):
    """A crashed server, a failed primary or a partition is detected and failed over within
    the recovery time objective, and a crash leaves enough replicas to carry peak."""
    for scenario in analyze(specs[name]).to_json()["scenarios"]:
        if scenario["name"] in ("Server crash", "Database primary failure", "Network partition",
                                "Availability-zone outage"):
            assert scenario["rto_met"], f"{scenario['name']} ({scenario['component']}) misses the RTO"
        if scenario["name"] == "Server crash":
            assert scenario["survives"], f"{scenario['component']} cannot lose one replica"


def test_url_shortener_loads_by_hand(specs):
    s = specs["url-shortener"]
    by_name = {load.name: load for load in loads(s, estimate(s.scale))}
    # Redirects: 1e9/day / 86,400 x 2 = 23,148/s reach the cache; 10% miss -> 2,315/s to Cassandra.
    assert by_name["URL Cache"].read_qps_peak == pytest.approx(23_148.15, abs=0.01)
    assert by_name["URL Store"].read_qps_peak == pytest.approx(2_314.81, abs=0.01)
    # Writes: 1e8/day / 86,400 x 2 = 2,315/s over 4 shards x 2.5K/s = 23%.
    assert by_name["URL Store"].limit("write_qps").utilization == pytest.approx(2_314.81 / 10_000, abs=1e-4)
    # Disk: 36.5 TB x 3 copies = 109.6 TB on 12 nodes x 12 TB = 144 TB -> 76%.
    assert by_name["URL Store"].storage_utilization == pytest.approx(3.6525e13 * 3 / 144e12)
    # The range allocator sees one lease per 10,000 codes: 0.23 leases/s.
    assert by_name["Code Range Allocator"].qps_peak == pytest.approx(0.2315, abs=1e-4)


# --- no placeholders, no shared filler ---------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_no_template_placeholders(name, specs):
    dumped = specs[name].model_dump(by_alias=True)
    for where, text in texts(dumped):
        for pattern, what in PLACEHOLDERS:
            match = pattern.search(text)
            assert match is None, f"{name}: {where} contains {what}: {match.group(0)!r}"


def test_no_sentence_is_shared_between_examples(specs):
    owners = defaultdict(set)
    for name, spec in specs.items():
        for _, text in texts(spec.model_dump(by_alias=True)):
            for sentence in sentences(text):
                owners[sentence].add(name)
    shared = {s: sorted(names) for s, names in owners.items() if len(names) > 1}
    assert not shared, "text repeated across examples:\n" + "\n".join(
        f"  {names}: {s}" for s, names in sorted(shared.items()))


def test_summaries_and_challenges_are_distinct(specs):
    summaries = [s.summary for s in specs.values()]
    challenges = [s.interview_context.key_challenge for s in specs.values()]
    assert len(set(summaries)) == len(summaries)
    assert len(set(challenges)) == len(challenges)


# --- references and traceable numbers ----------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_references_are_distinct_web_urls(name, specs):
    refs = specs[name].references
    urls = [r.url for r in refs]
    assert all(re.match(r"^https?://[^\s/]+\.[a-z]{2,}(/|$)", url) for url in urls), urls
    assert len(set(urls)) == len(urls)
    assert all(len(r.title.split()) >= 2 for r in refs)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_scale_number_says_where_it_comes_from(name):
    lines = (EXAMPLES_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("scale:")
    block = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        if line.strip() and not line.strip().startswith("#"):
            block.append(line)
    assert block, "empty scale block"
    for line in block:
        assert "#" in line, f"{name}: scale line without a source comment: {line.strip()!r}"


# --- hand-worked key figures ------------------------------------------------------------

def test_reference_figures():
    cap = estimate(load_spec("reference").scale)
    # 10 million DAU x 100 events = 1e9 writes a day (0:1); x 0.4 dashboard reads = 4e6 reads.
    assert cap.writes_per_day == pytest.approx(1e9)
    assert cap.reads_per_day == pytest.approx(4e6)
    assert cap.requests_per_day == pytest.approx(1.004e9)
    # 1.004e9 / 86,400 s = 11,620.37/s on average; x4 peak = 46,481.48/s (still ~12K and ~46K).
    assert cap.qps_average == pytest.approx(11_620.37, rel=1e-6)
    assert cap.qps_peak == pytest.approx(46_481.48, rel=1e-6)
    # 1e9 x 500 B = 5e11 B = 500 GB a day; x 5 x 365.25 days = 9.13125e14 B (~0.91 PB).
    assert cap.storage_per_day_bytes == pytest.approx(5e11)
    assert cap.storage_total_bytes == pytest.approx(9.13125e14)
    # 46,481.5 / 2,000 per server -> 23.2 -> 24 servers.
    assert cap.servers_needed == 24


def test_paste_service_figures():
    cap = estimate(load_spec("paste-service").scale)
    month_s = MONTH_DAYS * DAY                         # 2,629,800 s in an average month
    # 10e6 / 2,629,800 = 3.80 writes/s; 100e6 / 2,629,800 = 38.0 reads/s (primer: ~4 and ~40).
    assert cap.write_qps_average == pytest.approx(10e6 / month_s)
    assert cap.write_qps_average == pytest.approx(3.80, abs=0.01)
    assert cap.read_qps_average == pytest.approx(38.03, abs=0.01)
    # Storage a month = 10e6 x 1,270 B = 1.27e10 B = 12.7 GB (primer: 12.7 GB/month).
    assert cap.storage_per_day_bytes * MONTH_DAYS == pytest.approx(12.7e9)
    # Three years = 36 months x 12.7 GB = 457.2 GB (primer: ~450 GB in 3 years).
    assert cap.storage_total_bytes == pytest.approx(36 * 12.7e9)
    # Peak 4x: 15.2 writes/s and 152.1 reads/s.
    assert cap.write_qps_peak == pytest.approx(15.21, abs=0.01)
    assert cap.read_qps_peak == pytest.approx(152.1, abs=0.1)


def test_url_shortener_figures():
    cap = estimate(load_spec("url-shortener").scale)
    # Xu ch. 8: 100e6 / 86,400 = 1,157.4 writes/s; reads 10x = 11,574/s; peak 2x.
    assert cap.write_qps_average == pytest.approx(1_157.41, abs=0.01)
    assert cap.read_qps_average == pytest.approx(11_574.07, abs=0.01)
    assert cap.read_qps_peak == pytest.approx(23_148.15, abs=0.01)
    # 1e8 x 100 B = 10 GB a day; x 10 x 365.25 days = 3.6525e13 B (~36.5 TB, as in the book).
    assert cap.storage_per_day_bytes == pytest.approx(1e10)
    assert cap.storage_total_bytes == pytest.approx(3.6525e13)
    # Cache: 20% of 1e9 reads x 100 B = 20 GB.
    assert cap.cache_memory_bytes == pytest.approx(2e10)
    # 62^7 ~ 3.52e12 codes is ~10x the 365 billion the decade needs.
    assert 62 ** 7 / (cap.writes_per_day * 3652.5) == pytest.approx(9.6, abs=0.1)


def test_web_crawler_figures():
    cap = estimate(load_spec("web-crawler").scale)
    # Xu ch. 9: 1e9 pages / (30.4375 x 86,400 s) = 380.3 pages/s; peak 2x = 760.5.
    assert cap.write_qps_average == pytest.approx(380.26, abs=0.01)
    assert cap.write_qps_peak == pytest.approx(760.52, abs=0.01)
    # 1e9 x 500 KB = 500 TB a month; 60 months = 3e16 B = 30 PB (the book's figure).
    assert cap.storage_per_day_bytes * MONTH_DAYS == pytest.approx(5e14)
    assert cap.storage_total_bytes == pytest.approx(3e16)
    # Download bandwidth: 380.3 x 500 KB = 190 MB/s on average.
    assert cap.ingress_bytes_per_second == pytest.approx(1.9013e8, rel=1e-3)


def test_video_streaming_figures():
    cap = estimate(load_spec("video-streaming").scale)
    # Xu ch. 14: 5e6 DAU x 5.1 = 25.5e6 requests; 50:1 -> 25e6 views and 0.5e6 uploads a day.
    assert cap.reads_per_day == pytest.approx(25e6)
    assert cap.writes_per_day == pytest.approx(0.5e6)
    # 0.5e6 x 300 MB = 1.5e14 B = 150 TB a day (the book's figure).
    assert cap.storage_per_day_bytes == pytest.approx(1.5e14)
    # CDN bill: 25e6 views x 0.3 GB x $0.02 = $150,000 a day.
    assert cap.egress_bytes_per_second * DAY / 1e9 * 0.02 == pytest.approx(150_000)


def test_social_timeline_figures():
    cap = estimate(load_spec("social-timeline").scale)
    # Primer: 250e9 reads / 2,629,800 s = 95,064/s; 3x peak = 285,193/s (~300K QPS).
    assert cap.read_qps_average == pytest.approx(95_064.3, abs=0.1)
    assert cap.read_qps_peak == pytest.approx(285_192.8, abs=0.1)
    # 500e6 tweets / 86,400 = 5,787/s; 500e6 x 10 KB = 5 TB a day; 3 years = 5.48 PB.
    assert cap.write_qps_average == pytest.approx(5_787.04, abs=0.01)
    assert cap.storage_total_bytes == pytest.approx(5e12 * 3 * YEAR_DAYS)


def test_chat_system_figures():
    cap = estimate(load_spec("chat-system").scale)
    # 50e6 DAU x 100 = 5e9 requests; 3:2 -> 3e9 history reads and 2e9 messages a day.
    assert cap.requests_per_day == pytest.approx(5e9)
    assert cap.writes_per_day == pytest.approx(2e9)
    # 2e9 / 86,400 x 3 = 69,444 messages/s at peak; 2e9 x 200 B = 400 GB a day.
    assert cap.write_qps_peak == pytest.approx(69_444.4, abs=0.1)
    assert cap.storage_per_day_bytes == pytest.approx(4e11)
