"""Scale inputs as ranges: parsing, sampling, propagation and the tornado, against hand-worked values.

The checks the issue names: a range on one input gives the exact percentiles of a monotone figure
(P10 of servers = servers at P10 of the input), a sum of two independent uniform inputs has its
known (triangular) distribution, the PERT sampler matches NumPy's own beta distribution, the
tornado's order matches a hand computation, and the same spec gives the same bytes in two processes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from designkit.errors import SpecError
from designkit.model import ranges as rg
from designkit.model.capacity import estimate
from designkit.model.sensitivity import uncertainty, with_values
from designkit.model.spec import load_spec

CHAT = "chat-system"


def test_string_forms_and_the_mapping_form():
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 100 million",
                            "peak_factor": {"low": "2x", "likely": "3x", "high": "5x"},
                            "read_write_ratio": "1:1 .. 3:2 .. 4:1"})
    by_field = {r.field: r for r in spec.scale.ranges}
    assert by_field["daily_active_users"] == rg.InputRange("daily_active_users", 30e6, 65e6, 100e6, pert=False)
    assert by_field["peak_factor"] == rg.InputRange("peak_factor", 2.0, 3.0, 5.0, pert=True)
    assert by_field["read_write_ratio"] == rg.InputRange("read_write_ratio", 1.0, 1.5, 4.0, pert=True)
    # The point figures use the likely values (the middle of a uniform range).
    assert spec.scale.daily_active_users == 65e6 and spec.scale.peak_factor == 3.0
    assert spec.scale.read_write_ratio == (1.5, 1.0)


PLAIN = {"daily_active_users": "50 million"}   # chat-system's own daily actives are a range


def test_a_single_value_stays_a_single_value():
    assert load_spec(CHAT, PLAIN).scale.ranges == ()
    assert uncertainty(load_spec(CHAT, PLAIN)) is None
    assert [r.field for r in load_spec(CHAT).scale.ranges] == ["daily_active_users"]   # the example's own


@pytest.mark.parametrize("field, value, expected", [
    ("peak_factor", "5x .. 2x", "low end (5x) is above the high end (2x)"),
    ("peak_factor", "2x .. 5 GB", "the high end '5 GB'"),                       # mixed units
    ("users", "50 million .. 2x", "the high end '2x'"),
    ("peak_factor", ".. 5x", "expected a range 'low .. high'"),                 # an empty end
    ("peak_factor", "2x .. ", "expected a range 'low .. high'"),
    ("peak_factor", "2x .. 3x .. 4x .. 5x", "expected a range"),
    ("peak_factor", {"low": "2x"}, "needs both low and high"),
    ("peak_factor", {"low": "2x", "high": "5x", "mode": "3x"}, "unknown key 'mode'"),
    ("peak_factor", {"low": "2x", "likely": "9x", "high": "5x"}, "likely value (9x) is outside"),
    ("replication_factor", "2 .. 3", "a design choice"),
    ("read_write_ratio", "1:0 .. 2:1", "writes on both ends"),
])
def test_bad_ranges_name_the_field_and_what_was_expected(field, value, expected):
    with pytest.raises(SpecError) as caught:
        load_spec(CHAT, {field: value})
    message = str(caught.value)
    assert f"scale.{field}" in message and expected in message


def test_the_ends_must_hold_together():
    # Daily actives up to 400 million while users are 300 million: the high ends contradict.
    with pytest.raises(SpecError, match=r"at the high ends of the ranges.*daily_active_users"):
        load_spec(CHAT, {"daily_active_users": "30 million .. 400 million"})


def test_cli_exits_2_naming_file_and_field(tmp_path):
    path = tmp_path / "mine.yaml"
    from designkit.model.source import resolve
    path.write_text(resolve(CHAT).read_text(encoding="utf-8").replace(
        "peak_factor: 3x", "peak_factor: 5x .. 2x"))
    out = subprocess.run([sys.executable, "-m", "designkit", "estimate", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(path) in out.stderr and "scale.peak_factor" in out.stderr and "above the high end" in out.stderr


def test_scale_multiplies_the_whole_range():
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 50 million .. 100 million", "scale": "10x"})
    (r,) = spec.scale.ranges
    assert (r.low, r.likely, r.high) == (300e6, 500e6, 1000e6)
    # users (not ranged) were multiplied as well, so the high end still fits under users
    assert spec.scale.users == 3000e6


# --- sampling -------------------------------------------------------------------------------

def test_pert_quantiles_match_numpys_beta():
    r = rg.InputRange("peak_factor", 2.0, 3.0, 8.0, pert=True)
    a, b = 1 + 4 * (3 - 2) / 6, 1 + 4 * (8 - 3) / 6
    drawn = 2 + 6 * np.random.default_rng(31).beta(a, b, 1_000_000)
    p = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    assert r.quantiles(p) == pytest.approx(np.quantile(drawn, p), rel=3e-3)


def test_latin_hypercube_covers_each_input_evenly_and_is_fixed():
    ranges = (rg.InputRange("users", 0.0, 0.5, 1.0, pert=False), rg.InputRange("peak_factor", 0.0, 0.5, 1.0, False))
    first, again = rg.sample(ranges, 1000), rg.sample(ranges, 1000)
    for field in ("users", "peak_factor"):
        assert sorted(first[field]) == pytest.approx((np.arange(1000) + 0.5) / 1000)   # one point per stratum
        assert list(first[field]) == list(again[field])
    assert abs(np.corrcoef(first["users"], first["peak_factor"])[0, 1]) < 0.1          # independent orders


def test_a_monotone_figure_of_one_input_maps_its_percentiles_exactly():
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 50 million .. 100 million"})
    found = uncertainty(spec)
    (r,) = spec.scale.ranges
    users10, users50, users90 = rg.percentiles(rg.sample(spec.scale.ranges)["daily_active_users"])
    servers = found.spread("servers_needed")
    for users, said in ((users10, servers.p10), (users50, servers.p50), (users90, servers.p90)):
        assert estimate(with_values(spec, {"daily_active_users": users}).scale).servers_needed == said


def test_a_sum_of_two_uniform_inputs_is_triangular(tmp_path):
    # Totals form: reads and writes each uniform on 100..200/s, so requests/s on average are their
    # sum, triangular on 200..400: P10 = 200 + 100 sqrt(0.2), P50 = 300, P90 = 400 - 100 sqrt(0.2).
    spec = load_spec("url-shortener", {"reads": "100/s .. 200/s", "writes": "100/s .. 200/s"})
    qps = uncertainty(spec).spread("qps_peak")
    peak = spec.scale.peak_factor
    edge = 100 * math.sqrt(0.2)
    assert [qps.p10 / peak, qps.p50 / peak, qps.p90 / peak] == pytest.approx([200 + edge, 300, 400 - edge], rel=0.01)


def test_tornado_order_matches_a_hand_computation():
    # App servers = ceil(DAU x requests x peak / 86,400 / 3K): DAU 30M..100M swings it from
    # ceil(30e6*100*3/86400/3000) = 35 to ceil(100e6*100*3/86400/3000) = 116; the peak factor 2x..5x
    # from ceil(50e6*100*2/86400/3000) = 39 to ceil(50e6*100*5/86400/3000) = 97.  DAU first.
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 50 million .. 100 million",
                            "peak_factor": "2x .. 3x .. 5x"})
    servers = next(t for t in uncertainty(spec).tornadoes if t.figure == "servers_needed")
    assert [(s.field, s.at_low, s.at_high) for s in servers.swings] == [
        ("daily_active_users", 35, 116), ("peak_factor", 39, 97)]
    assert servers.likely == 58


def test_same_spec_same_bytes_in_two_processes():
    command = [sys.executable, "-m", "designkit", "estimate", CHAT, "--json",
               "-p", "daily_active_users=30 million .. 50 million .. 100 million", "-p", "peak_factor=2x .. 5x"]
    first, second = (subprocess.run(command, capture_output=True, text=True, check=True).stdout for _ in range(2))
    assert first == second
    figures = json.loads(first)["ranges"]["figures"]
    assert figures["qps_peak"]["p10"] < figures["qps_peak"]["p50"] < figures["qps_peak"]["p90"]


# --- where it shows -------------------------------------------------------------------------

def test_prose_figures_keep_the_likely_value_and_offer_percentiles():
    from designkit.views.prose.templating import render_spec
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 50 million .. 100 million"})
    spec = spec.model_copy(update={"summary": "{{ qps_peak }} | {{ qps_peak.p10 }} | {{ qps_peak.p90 }}"})
    likely, low, high = render_spec(spec, CHAT).summary.split(" | ")
    qps = uncertainty(spec).spread("qps_peak")
    from designkit.model import quantities as q
    assert (likely, low, high) == (q.say_qps(qps.likely), q.say_qps(qps.p10), q.say_qps(qps.p90))
    plain = load_spec(CHAT, PLAIN).model_copy(update={"summary": "{{ qps_peak.p90 }} {{ qps_peak }}"})
    a, b = render_spec(plain, CHAT).summary.split()
    assert a == b                                   # without ranges, P90 is the value itself


def test_article_sections_say_the_ranges_and_the_tornado():
    from designkit.model.analysis import analyze
    from designkit.views.pages import article
    spec = load_spec(CHAT, {"daily_active_users": "30 million .. 50 million .. 100 million",
                            "peak_factor": "2x .. 3x .. 5x"})
    analysis = analyze(spec)
    one = article.requirements(spec, analysis.capacity)
    assert "The spec gives ranges" in one and "- QPS (peak): ~" in one and "(P10–P90), most likely" in one
    six = article.scalability(spec, analysis)
    assert "### What If the Estimates Are Off" in six and "figures/tornado.svg" in six
    assert "App servers at peak (most likely 58) moves most with the daily active users" in six
    plain = load_spec(CHAT, PLAIN)
    assert "ranges" not in article.requirements(plain, analyze(plain).capacity)
    assert "What If the Estimates" not in article.scalability(plain, analyze(plain))


@settings(max_examples=150, deadline=None)
@given(low=st.integers(1, 10**9), span=st.integers(0, 10**9), likely_at=st.floats(0, 1),
       spaces=st.sampled_from(["..", " .. ", "  ..  "]), with_likely=st.booleans())
def test_generated_count_ranges_parse(low, span, likely_at, spaces, with_likely):
    high = low + span
    likely = low + round(likely_at * span)
    text = f"{low}{spaces}{likely}{spaces}{high}" if with_likely else f"{low}{spaces}{high}"
    r = rg.parse("users", text, float)
    assert (r.low, r.high) == (low, high)
    assert r.likely == (likely if with_likely else (low + high) / 2) and r.pert == with_likely


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_is_a_range_or_a_clear_error(text):
    try:
        r = rg.parse("users", text, lambda t: float(str(t).replace(",", "")))
    except ValueError as exc:
        assert str(exc)
    else:
        assert r.low <= r.likely <= r.high


EXAMPLES = ("chat-system", "key-value-store", "notification-service", "paste-service", "rate-limiter", "reference",
            "social-timeline", "url-shortener", "video-streaming", "web-crawler")


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_sampled_figures_are_the_whole_analysiss_bit_for_bit(name):
    # ``figures`` works out only the loads, today's bill and the paths' p99 at peak; every figure is
    # the one the whole analysis gives, to the bit: at the spec's scale, at a hundredth and a hundred
    # times its traffic (a hop past 100%), and at a spread of sampled inputs.
    from designkit.model.analysis import analyze, scaled
    from designkit.model.sensitivity import CAPACITY_FIGURES, figures

    def figures_of(spec, analysis):                       # the same figures, read off the whole analysis
        cap = analysis.capacity
        out = {key: float(getattr(cap, key)) for key, _, _ in CAPACITY_FIGURES}
        for key in ("monthly_cost_total", "read_p99_peak_seconds", "write_p99_peak_seconds"):
            value = getattr(analysis, key)
            out[key] = math.nan if value is None else float(value)
        multiple = min((load.break_multiplier for load in analysis.loads), default=math.inf)
        if spec.scale.per_user and spec.scale.users:
            out["first_break_users"] = multiple * spec.scale.users
        else:
            out["first_break_qps"] = multiple * cap.qps_peak
        return out
    spec = load_spec(name)
    specs = [spec, *(spec.model_copy(update={"scale": scaled(spec.scale, f)}) for f in (0.01, 100.0))]
    ranges = spec.scale.ranges or (rg.InputRange("peak_factor", 1.5, 3.0, 8.0, pert=False),)
    samples = rg.sample(ranges, 8)
    specs += [with_values(spec, {f: samples[f][i] for f in samples}) for i in range(8)]
    seen_unbounded = False
    for changed in specs:
        fast, whole = figures(changed), figures_of(changed, analyze(changed))
        assert fast.keys() == whole.keys()
        assert all(same(fast[key], whole[key]) for key in whole), \
            {key: (fast[key], whole[key]) for key in whole if not same(fast[key], whole[key])}
        seen_unbounded |= math.isinf(whole.get("read_p99_peak_seconds", 0))
    assert seen_unbounded, "no sample put a hop past 100%"
