"""``designkit analyze``: text tables, the JSON object, overrides, and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from designkit.cli import main

REQUIRED = {
    "availability": {"read_path", "write_path", "components", "downtime_minutes_per_year"},
    "thresholds": {"component", "step", "users", "qps"},
    "first_to_break": {"10x", "100x"},
    "scenarios": {"name", "component", "affected_share", "data_loss", "recovery_seconds"},
    "load": {"component", "qps_average", "qps_peak", "utilization", "replicas_needed"},
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def strict_json(text):
    """Parse JSON, refusing NaN and Infinity (which json.dumps would otherwise emit)."""
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def analyze_json(capsys, *argv):
    code, out, err = run(capsys, "analyze", *argv, "--json")
    assert code == 0, err
    return strict_json(out)


def test_text_output_has_the_template_sections(capsys):
    code, out, err = run(capsys, "analyze", "reference")
    assert code == 0 and err == ""
    for heading in ("### Load", "### Scaling Strategies", "### Scaling Thresholds",
                    "### What Breaks First", "### Queueing (M/M/c)", "### Availability",
                    "### Failure Scenarios", "### Recovery Procedures"):
        assert heading in out
    assert "| Component | Strategy | When to Apply |" in out
    assert "| Scenario | Impact | Mitigation | Affected | Data loss | Detection + failover | RTO met? |" in out
    # The computed thresholds, said the way people say them.
    assert "| **Collector API** | Horizontal scaling (add replicas) | QPS > ~50K: at 1.1x today's traffic (\\~110 million users) |" in out
    assert "**At 10x** (1 billion users): **Event Store** breaks first" in out


def test_json_has_the_required_keys(capsys):
    data = analyze_json(capsys, "reference")
    for key, fields in REQUIRED.items():
        assert key in data
        value = data[key]
        rows = value if isinstance(value, list) else [value]
        assert rows, key
        for row in rows:
            assert fields <= set(row), (key, fields - set(row))


def test_json_reference_numbers(capsys):
    data = analyze_json(capsys, "reference")
    assert data["first_to_break"] == {"10x": "Event Store", "100x": "Event Store"}
    load = {row["component"]: row for row in data["load"]}
    # 46,296 events/s at peak on 36 x 2K/s = 64.3%; 34 replicas keep it at 70%.
    assert load["Collector API"]["qps_peak"] == pytest.approx(1e9 / 86_400 * 4)
    assert load["Collector API"]["utilization"] == pytest.approx(1e9 / 86_400 * 4 / 72_000)
    assert load["Collector API"]["replicas_needed"] == 34
    assert set(data["availability"]["components"]) == {
        "Load Balancer", "Collector API", "Event Log", "Stream Processor", "Query API",
        "Query Cache", "Event Store"}
    year = data["availability"]["downtime_minutes_per_year"]
    assert year == pytest.approx((1 - data["availability"]["read_path"]) * 365.25 * 1440)
    collector = next(t for t in data["thresholds"] if t["component"] == "Collector API")
    assert collector["users"] == pytest.approx(108_864_000)
    assert collector["step"] == "add replicas"
    names = [s["name"] for s in data["scenarios"]]
    assert names == ["Server crash", "Database primary failure", "Cache cluster loss",
                     "Network partition", "Availability-zone outage", "Region outage"]
    region = data["scenarios"][-1]
    assert region["component"] is None and region["recovery_seconds"] is None


def test_overrides_change_the_analysis(capsys):
    base = analyze_json(capsys, "reference")
    bigger = analyze_json(capsys, "reference", "-p", "users=1 billion",
                          "-p", "daily_active_users=100 million")
    assert bigger["qps_peak"] == pytest.approx(base["qps_peak"] * 10)
    sharded = analyze_json(capsys, "reference", "-p", "components.Event Store.shards=46")
    store = next(row for row in sharded["load"] if row["component"] == "Event Store")
    # 46 x 3 x 20 TB = 2.76 PB holds the 2.739 PB: full at 1.008x, no longer now.
    assert store["breaks_at"] == pytest.approx(2.76e15 / 2.739375e15)


def test_totals_form_reports_qps_and_no_users(tmp_path, capsys):
    spec = tmp_path / "totals.yaml"
    spec.write_text(
        "name: Totals\n"
        "scale: {reads: 10K/s, writes: 1K/s, record_size: 1 KB, retention: 1 year}\n"
        "components:\n"
        "  - {name: API, kind: service, responsibility: r, technology: t, capacity: 1K/s, replicas: 40}\n"
        "read_path: [API]\nwrite_path: [API]\n", encoding="utf-8")
    data = analyze_json(capsys, str(spec))
    (t,) = data["thresholds"]
    # 70% of 40K = 28K; today's peak 22K -> 1.27x, at 28K system QPS.
    assert t["users"] is None
    assert t["qps"] == pytest.approx(28_000)
    assert t["multiplier"] == pytest.approx(28 / 22)
    code, out, _ = run(capsys, "analyze", str(spec))
    assert code == 0 and ": at 1.3x today's traffic (28K peak QPS)" in out


def test_no_components_still_works(tmp_path, capsys):
    spec = tmp_path / "bare.yaml"
    spec.write_text("name: Bare\nscale: {reads: 10/s, writes: 1/s, record_size: 1 KB, "
                    "retention: 1 year}\n", encoding="utf-8")
    data = analyze_json(capsys, str(spec))
    assert data["load"] == [] and data["thresholds"] == [] and data["scenarios"] == []
    assert data["first_to_break"] == {"10x": None, "100x": None}
    assert data["availability"]["read_path"] is None
    assert data["availability"]["components"] == {}
    code, out, _ = run(capsys, "analyze", str(spec))
    assert code == 0 and "No components in this spec" in out


@pytest.mark.parametrize("argv, expected", [
    (["no-such-spec.yaml"], "no-such-spec.yaml: no such file"),
    (["reference", "-p", "components.Event Store.replicas=zero"], "components.6.replicas"),
    (["reference", "-p", "components.Collector API.shards=2"], "components.1.shards: only data stores"),
    (["reference", "-p", "components.Nope.replicas=2"], "no component named 'Nope'"),
    (["reference", "-p", "users"], "expected field=value"),
])
def test_bad_input_exits_2_naming_file_and_field(capsys, argv, expected):
    code, out, err = run(capsys, "analyze", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("designkit analyze: error: ")
    assert expected in err
    assert "Traceback" not in err


def test_bad_yaml_file_names_the_file(tmp_path, capsys):
    spec = tmp_path / "broken.yaml"
    spec.write_text("name: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "analyze", str(spec))
    assert code == 2 and str(spec) in err and "not valid YAML" in err


def test_subprocess_run_and_lazy_imports():
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "designkit", "analyze", "reference", "--json"],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert strict_json(done.stdout)["system"] == "Analytics Event Collector"
    assert elapsed < 5  # well under 1 s on a laptop; generous for a loaded CI machine
    bad = subprocess.run([sys.executable, "-m", "designkit", "analyze", "nope.yaml"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, designkit.cli; "
         "print(sorted(m for m in ('designkit.model.analysis', 'designkit.model.scaling', "
         "'designkit.model.availability', 'designkit.model.failures', 'designkit.views.rows.as_markdown') if m in sys.modules))"],
        capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "[]"


def test_analysis_itself_is_fast():
    from designkit.model.analysis import analyze
    from designkit.model.spec import load_spec
    spec = load_spec("reference")
    started = time.perf_counter()
    for _ in range(10):
        analyze(spec)
    assert (time.perf_counter() - started) / 10 < 0.1
