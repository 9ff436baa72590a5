"""The monthly bill: one example worked by hand, overrides from the spec, 10x, dollars as text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from designkit.errors import SpecError
from designkit.model import analyze, load_spec
from designkit.model import quantities as q
from designkit.model.cost import DEFAULT_NODES, HOURS_PER_MONTH, price_table
from designkit.model.spec import read_raw, resolve, validate

HOURS = 30.4375 * 24      # 730.5 hours in an average month


def paste(**changes):
    """The paste-service example, with top-level fields replaced."""
    raw = read_raw(resolve("paste-service")) | changes
    return validate(raw, "paste-service.yaml")


def test_paste_service_bill_by_hand():
    """paste-service, priced with the default table (AWS on-demand, us-east-1).

    Traffic: 100 million reads and 10 million writes a month, 1.27 KB records kept 3 years.
    - Load Balancer: 2 x c5.large at $0.085/h x 730.5 h            = $124.185
    - Paste API: 3 x m5.large at $0.096/h                            = $210.384
    - Paste Cache: 2 x cache.r6g.large at $0.206/h (4 GB < 13 GiB)   = $300.966
    - Metadata DB: 2 x r5.large at $0.126/h, no disk declared        = $184.086
    - Paste Object Store: 10 M writes/month x 36 months x 1,270 bytes = 457.2 GB, one copy,
      at $0.023/GB = $10.5156; reads reaching it: the 20% the cache misses, 20 million a month
      at $0.40 per million = $8.00; 10 million writes at $5 per million = $50.00
    - Egress: 100 million reads x 1,270 bytes = 127 GB at $0.09/GB   = $11.43
    Total $899.5666; 110 million requests a month -> $8.1779 per million.
    """
    a = analyze(load_spec("paste-service"))
    bill = a.cost
    assert bill.line("Load Balancer").total == pytest.approx(124.185)
    assert bill.line("Paste API").total == pytest.approx(210.384)
    assert bill.line("Paste Cache").total == pytest.approx(300.966)
    assert bill.line("Metadata DB").total == pytest.approx(184.086)
    store = bill.line("Paste Object Store")
    assert store.compute == 0
    assert store.storage == pytest.approx(10.5156)
    assert store.requests == pytest.approx(58.00)
    assert bill.egress == pytest.approx(11.43)
    assert a.monthly_cost_total == pytest.approx(899.5666)
    assert a.cost_per_million_requests == pytest.approx(899.5666 / 110)


def test_paste_service_at_10x_runs_the_nodes_it_would_need():
    # Paste API at 10x: 4 x 110 million/month peak = 167.3/s today, 1,673/s at 10x; at 70% of
    # 100/s per server that is ceil(1673.1 / 70) = 24 servers.
    a = analyze(load_spec("paste-service"))
    api = a.cost_10x.line("Paste API")
    assert api.nodes == 24
    assert api.total == pytest.approx(24 * 0.096 * HOURS)
    assert a.cost_10x.egress == pytest.approx(10 * a.cost.egress)
    assert a.cost_10x.line("Paste Object Store").storage == pytest.approx(105.156)
    assert all(then.nodes >= now.nodes for now, then in zip(a.cost.lines, a.cost_10x.lines))
    assert a.monthly_cost_10x > a.monthly_cost_total


def test_prices_block_and_monthly_cost_replace_the_table():
    raw = read_raw(resolve("paste-service"))
    raw["prices"] = {"node_hour": {"service": "$0.20"}, "egress_gb": 0.05,
                     "storage_gb_month": {"object_store": "$0.01"}}
    for comp in raw["components"]:
        if comp["name"] == "Metadata DB":
            comp["monthly_cost"] = "$1,000"
    a = analyze(validate(raw, "paste-service.yaml"))
    assert a.cost.line("Paste API").total == pytest.approx(3 * 0.20 * HOURS)
    assert a.cost.line("Metadata DB").total == 1000
    assert a.cost.line("Paste Object Store").storage == pytest.approx(4.572)
    assert a.cost.egress == pytest.approx(127 * 0.05)
    assert a.cost.line("Load Balancer").total == pytest.approx(124.185)   # untouched: the default
    # A stated monthly cost grows with the component's nodes at 10x.
    db, db_then = a.cost.line("Metadata DB"), a.cost_10x.line("Metadata DB")
    assert db_then.total == pytest.approx(1000 * db_then.nodes / db.nodes)


def test_a_bigger_cache_node_costs_pro_rata():
    table = price_table(None)
    node = table.nodes["cache"]
    a = analyze(load_spec("reference"))         # Query Cache: 2 nodes of 64 GB
    expected = 2 * node.hourly * (64e9 / node.memory_bytes) * HOURS_PER_MONTH
    assert a.cost.line("Query Cache").total == pytest.approx(expected)


def test_a_cdn_prices_egress_at_the_cdn_rate():
    a = analyze(load_spec("video-streaming"))   # its prices: block sets CDN egress to $0.02/GB
    assert a.cost.egress_gb_price == 0.02
    assert a.cost.line("CDN").compute == 0


def test_every_kind_has_a_priced_node_naming_its_instance():
    from designkit.model.spec import COMPONENT_KINDS
    assert set(DEFAULT_NODES) == set(COMPONENT_KINDS)
    assert all(node.instance and node.hourly >= 0 for node in DEFAULT_NODES.values())


def test_bad_price_is_exit_2_naming_file_and_field(tmp_path):
    raw = read_raw(resolve("paste-service"))
    raw["prices"] = {"node_hour": {"service": "cheap"}}
    path = tmp_path / "priced.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "designkit", "analyze", str(path), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert str(path) in out.stderr and "prices.node_hour.service" in out.stderr
    assert "US dollars" in out.stderr and "Traceback" not in out.stderr


def test_unknown_kind_in_prices_is_refused():
    with pytest.raises(SpecError, match=r"prices\.node_hour"):
        paste(prices={"node_hour": {"mainframe": 1.0}})


def test_analyze_json_has_the_total_monthly_cost():
    out = subprocess.run([sys.executable, "-m", "designkit", "analyze", "paste-service", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    cost = json.loads(out.stdout)["cost"]
    assert cost["monthly_total"] == pytest.approx(899.5666)
    assert cost["per_million_requests"] == pytest.approx(899.5666 / 110)
    api = next(c for c in cost["components"] if c["component"] == "Paste API")
    assert api["nodes"] == 3 and api["nodes_10x"] == 24 and api["priced_as"].startswith("EC2 m5.large")


# --- dollars as text -----------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [(0.096, 0.096), ("$0.096", 0.096), ("$1,200", 1200.0),
                                         ("1200 USD", 1200.0), ("US$ 5", 5.0), (0, 0.0)])
def test_dollars_parse(text, value):
    assert q.parse_dollars(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["cheap", "-$5", "$", "5 EUR", True, None, "nan"])
def test_bad_dollars_say_what_was_expected(text):
    with pytest.raises(ValueError, match="expected"):
        q.parse_dollars(text)


@pytest.mark.parametrize("value, said", [(123456.7, "$123,457"), (42.5, "$42.50"), (0.0963, "$0.096"),
                                         (0, "$0"), (100, "$100")])
def test_dollars_said(value, said):
    assert q.say_dollars(value) == said


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_said_dollars_parse_back(value):
    said = q.say_dollars(value)
    if said.startswith("< "):                    # under a ten-thousandth of a dollar: said as a bound
        assert 0 < value < q.parse_dollars(said[2:])
        return
    assert "e" not in said and q.parse_dollars(said) == pytest.approx(value, rel=0.06, abs=0.006)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_any_text_is_dollars_or_a_clear_error(text):
    try:
        value = q.parse_dollars(text)
    except ValueError as exc:
        assert "expected" in str(exc)
    else:
        assert value >= 0


# --- live ----------------------------------------------------------------------------------

def test_live_section_6_shows_p99_against_target_and_the_bill():
    from designkit.live import live
    from designkit.live.scheduling import ManualScheduler
    from designkit.live.cells import TextView
    box = live("url-shortener", section=6, scheduler=ManualScheduler())
    def lines():
        return [line for view in box.views if isinstance(view, TextView) for line in view.text()]
    before = lines()
    assert any("Read path: p99 at peak at most" in line and "p99 &lt; 20 ms" in line for line in before)
    a = analyze(load_spec("url-shortener"))
    assert any(f"costs about {q.say_dollars(a.monthly_cost_total)} a month" in line for line in before)
    box.panel.set(reads=box.panel.controls["reads"].slider.value * 2) if "reads" in box.panel.controls \
        else box.panel.set(users=box.panel.controls["users"].slider.value * 2)
    box.panel.flush()
    after = lines()
    assert after != before and any("costs about $" in line for line in after)
