"""The monthly bill: bills worked by hand to the cent, each unit (node-hours, messages, GB-months by
storage class and age, tiered egress), the fleet at any multiple, overrides, dollars as text."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from hypothesis import example, given, settings, strategies as st

from designkit.errors import SpecError
from designkit.model import analyze, load_spec
from designkit.model import quantities as q
from designkit.model.cost import HOURS_PER_MONTH, price_table
from designkit.model.prices import NODES as DEFAULT_NODES
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
    a = analyze(load_spec("video-streaming"))   # its prices: block sets CDN egress to $0.02/GB, every GB
    assert a.cost.egress_tiers == ((a.cost.egress_bytes / 1e9, 0.02),)
    assert a.cost.egress == pytest.approx(a.cost.egress_bytes / 1e9 * 0.02)
    assert a.cost.line("CDN").compute == 0 and a.cost.line("CDN").billed_nodes == 0


def test_every_kind_has_a_priced_node_naming_its_instance():
    from designkit.model.kinds import COMPONENT_KINDS
    assert set(DEFAULT_NODES) == set(COMPONENT_KINDS) | {"gpu"}
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

@pytest.mark.slow  # a whole section 6 panel (three charts)
def test_live_section_6_shows_p99_against_target_and_the_bill():
    from designkit.live import live
    from designkit.live.scheduling import ManualScheduler
    from designkit.live.cells import TextView
    box = live("url-shortener", section=6, scheduler=ManualScheduler())
    def lines():
        return [line for view in box.views if isinstance(view, TextView) for line in view.text()]
    before = lines()
    assert any("Read path: p99 at peak is" in line and "p99 &lt; 20 ms" in line for line in before)
    a = analyze(load_spec("url-shortener"))
    assert any(f"costs about {q.say_dollars(a.monthly_cost_total)} a month" in line for line in before)
    box.panel.set(reads=box.panel.controls["reads"].slider.value * 2) if "reads" in box.panel.controls \
        else box.panel.set(users=box.panel.controls["users"].slider.value * 2)
    box.panel.flush()
    after = lines()
    assert after != before and any("costs about $" in line for line in after)
    # The cost chart's share panel reaches its axes' right end: with no room left there its ink would
    # touch the figure's edge, and the live view would lay the figure out again on every move.
    from designkit.live.render import ChartView
    view = next(v for v in box.views if isinstance(v, ChartView) and type(v.chart).__name__ == "CostChart")
    for factor in (0.5, 5):
        box.panel.set(users=box.panel.controls["users"].slider.value * factor) if "users" in box.panel.controls \
            else box.panel.set(reads=box.panel.controls["reads"].slider.value * factor)
        box.panel.flush()
    assert view.layouts == 1 and view.renders >= 3


# --- small specs worked by hand: each unit --------------------------------------------------

def tiny(components, *, read_path=None, write_path=None, prices=None, **scale):
    """A one-system spec in the totals form, peak = average unless ``scale`` says otherwise."""
    raw = {"name": "Tiny", "scale": {"reads": "864 million/day", "writes": "86.4 million/day", "peak_factor": 1,
                                     "record_size": "1 KB", "retention": "365 days", "response_size": "1 KB"}
           | scale,
           "components": [{"responsibility": "r", "technology": "t"} | comp for comp in components],
           "read_path": read_path if read_path is not None else [components[0]["name"]],
           "write_path": write_path if write_path is not None else [components[0]["name"]]}
    if prices:
        raw["prices"] = prices
    return validate(raw, "tiny.yaml")


DB = {"name": "DB", "kind": "database", "capacity": "1K/s", "write_capacity": "500/s", "shards": 2, "replicas": 3}


def test_a_store_at_10x_is_sized_on_the_shards_it_will_have():
    """10K reads/s and 1K writes/s today, 100K and 10K at 10x.

    Writes: 10,000 / (500 x 70%) = 28.6 -> 29 shards.  Reads spread over every node:
    100,000 / (1,000 x 70%) = 142.9 -> 143 nodes, over 29 shards -> 5 replicas each (today's 3 is
    fewer).  29 x 5 = 145 nodes x $0.126 x 730.5 h = $13,346.235.  (Sizing the replicas on
    today's 2 shards, as the kit did, gave 72 per shard: 2,088 nodes.)
    """
    a = analyze(tiny([DB]))
    assert a.cost.line("DB").nodes == 6
    assert a.cost.line("DB").total == pytest.approx(552.258)          # 6 x 0.126 x 730.5
    then = a.cost_10x.line("DB")
    assert then.nodes == 145
    assert then.total == pytest.approx(13346.235)
    # the egress of 864M reads x 1 KB a day: 26,298 GB a month, two tiers by hand
    assert a.cost.egress == pytest.approx(10_000 * 0.09 + 16_298 * 0.085)
    assert a.cost.egress_tiers == (pytest.approx((10_000, 0.09)), pytest.approx((16_298, 0.085)))


def test_tiered_egress_by_hand_and_at_the_cdn_tiers():
    """10 million reads a day x 1 MB = 304,375 GB a month.

    EC2: 10,000 x $0.09 + 40,000 x $0.085 + 100,000 x $0.07 + 154,375 x $0.05 = $19,018.75.
    CloudFront: 10,000 x $0.085 + 40,000 x $0.08 + 100,000 x $0.06 + 154,375 x $0.04 = $16,225.
    """
    api = {"name": "API", "kind": "service", "capacity": "1K/s", "replicas": 200}
    plain = analyze(tiny([api], reads="10 million/day", response_size="1 MB"))
    assert plain.cost.egress_bytes / 1e9 == pytest.approx(304_375)
    assert plain.cost.egress == pytest.approx(19_018.75)
    assert [price for _, price in plain.cost.egress_tiers] == [0.09, 0.085, 0.07, 0.05]
    cdn = {"name": "CDN", "kind": "cdn", "capacity": "10K/s", "replicas": 2}
    edge = analyze(tiny([cdn, api], reads="10 million/day", response_size="1 MB", read_path=["CDN", "API"],
                        write_path=["API"]))
    assert edge.cost.egress == pytest.approx(16_225)
    # A flat price in the spec replaces the tiers: every GB at $0.05.
    flat = analyze(tiny([api], reads="10 million/day", response_size="1 MB", prices={"egress_gb": "$0.05"}))
    assert flat.cost.egress == pytest.approx(304_375 * 0.05)


def test_tiers_reach_past_the_last_boundary_of_cloudfront():
    from designkit.model.prices import CDN_EGRESS, EGRESS
    assert EGRESS.cost(0) == 0
    assert EGRESS.cost(5_000) == pytest.approx(450)
    assert CDN_EGRESS.cost(6_000_000) == pytest.approx(
        10_000 * .085 + 40_000 * .08 + 100_000 * .06 + 350_000 * .04 + 524_000 * .03 + 4_096_000 * .025
        + 880_000 * .02)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e8), st.floats(min_value=0, max_value=1e8))
def test_tiered_prices_split_the_amount_and_never_charge_more_for_the_next_gb(a, b):
    from designkit.model.prices import CDN_EGRESS, EGRESS, STORAGE
    for price in (EGRESS, CDN_EGRESS, STORAGE["s3_standard"]):
        assert sum(gb for gb, _ in price.split(a)) == pytest.approx(a)
        assert price.cost(a + b) <= price.cost(a) + price.cost(b) + 1e-6     # cheaper tiers come later
        lo, hi = min(t.dollars for t in price.tiers), max(t.dollars for t in price.tiers)
        assert lo * a - 1e-6 <= price.cost(a) <= hi * a + 1e-6


def test_object_storage_tiered_by_age_by_hand():
    """1 million writes a day of 1 MB, kept 365 days: 365,000 GB in the store (one copy).

    Standard for 73 days (20%): 73,000 GB = 50,000 x $0.023 + 23,000 x $0.022 = $1,656.
    Glacier Flexible Retrieval after that (80%): 292,000 GB x $0.0036 = $1,051.20.
    Requests: 30.4375 million PUTs x $5 = $152.1875; reads reach the API only.
    """
    api = {"name": "API", "kind": "service", "capacity": "1K/s", "replicas": 2}
    store = {"name": "Store", "kind": "object_store", "capacity": "1K/s",
             "tiering": [{"after": "73 days", "storage_class": "s3_glacier_flexible"}]}
    a = analyze(tiny([api, store], writes="1 million/day", reads="1 million/day", record_size="1 MB",
                     read_path=["API"], write_path=["API", "Store"]))
    line = a.cost.line("Store")
    assert [(part.storage_class, part.gb) for part in line.stored] == [
        ("S3 Standard", pytest.approx(73_000)), ("S3 Glacier Flexible Retrieval", pytest.approx(292_000))]
    assert [part.dollars for part in line.stored] == [pytest.approx(1_656), pytest.approx(1_051.2)]
    assert line.storage == pytest.approx(2_707.2)
    assert line.requests == pytest.approx(152.1875)
    assert line.billed_nodes == 0
    assert a.cost.by_part()["storage in S3 Glacier Flexible Retrieval"] == pytest.approx(1_051.2)
    # At 10x the data is ten times bigger: the Standard part reaches the third volume tier.
    later = a.cost_10x.line("Store").stored[0]
    assert later.dollars == pytest.approx(50_000 * .023 + 450_000 * .022 + 230_000 * .021)


def test_disk_storage_tiered_by_age_counts_every_copy():
    """A database keeping 3 copies: 1 KB x 86.4 million writes a day x 365 days x 3 = 94,608 GB.

    gp3 for 91.25 days (25%): 23,652 GB x $0.08 = $1,892.16; sc1 after (75%): 70,956 x $0.015 = $1,064.34.
    """
    db = DB | {"storage": "10 TB", "tiering": [{"after": "91.25 days", "storage_class": "ebs_sc1"}]}
    line = analyze(tiny([db])).cost.line("DB")
    assert [part.gb for part in line.stored] == [pytest.approx(23_652), pytest.approx(70_956)]
    assert line.storage == pytest.approx(1_892.16 + 1_064.34)


def test_a_tier_past_the_retention_holds_nothing():
    from designkit.model.cost import age_shares
    store = tiny([{"name": "S", "kind": "object_store", "capacity": "1K/s",
                   "tiering": [{"after": "90 days", "storage_class": "s3_standard_ia"},
                               {"after": "2 years", "storage_class": "s3_glacier_deep_archive"}]}])
    comp = store.components[0]
    assert age_shares(comp, 365) == (pytest.approx((None, 90 / 365)), pytest.approx(("s3_standard_ia", 275 / 365)),
                                     ("s3_glacier_deep_archive", 0.0))
    assert age_shares(comp, 30) == ((None, 1.0), ("s3_standard_ia", 0.0), ("s3_glacier_deep_archive", 0.0))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=1, max_value=3000), min_size=0, max_size=4, unique=True),
       st.floats(min_value=1, max_value=3650))
def test_age_shares_add_up_to_the_whole(afters, retention):
    from types import SimpleNamespace
    from designkit.model.cost import age_shares
    tiers = [SimpleNamespace(after=after, storage_class="s3_standard_ia") for after in sorted(afters)]
    shares = age_shares(SimpleNamespace(storage_class=None, tiering=tiers), retention)
    assert sum(share for _, share in shares) == pytest.approx(1.0)
    assert all(share >= 0 for _, share in shares)


def test_messages_are_priced_per_message_by_hand():
    """2 million writes a day, half of them SMS: 1 million x 30.4375 days x $0.0079 = $240,456.25."""
    api = {"name": "API", "kind": "service", "capacity": "1K/s", "replicas": 2}
    sms = {"name": "SMS", "kind": "other", "capacity": "100/s", "replicas": 3, "priced_as": "sms",
           "traffic_share": "50%"}
    mail = {"name": "Mail", "kind": "other", "capacity": "100/s", "replicas": 3, "priced_as": "email",
            "traffic_share": "50%"}
    spec = tiny([api, sms, mail], writes="2 million/day", reads="1 million/day", read_path=["API"],
                write_path=["API", "SMS", "Mail"])
    a = analyze(spec)
    line = a.cost.line("SMS")
    assert line.messages == pytest.approx(30_437_500)
    assert line.total == pytest.approx(240_456.25)
    assert line.compute == 0 and line.billed_nodes == 0
    assert a.cost.line("Mail").total == pytest.approx(30_437_500 * 0.0001)
    assert a.cost_10x.line("SMS").total == pytest.approx(2_404_562.5)
    assert a.cost.by_part()["messages"] == pytest.approx(240_456.25 + 3_043.75)
    cheaper = analyze(tiny([api, sms, mail], writes="2 million/day", reads="1 million/day", read_path=["API"],
                           write_path=["API", "SMS", "Mail"], prices={"message": {"sms": "$0.005"}}))
    assert cheaper.cost.line("SMS").total == pytest.approx(152_187.5)
    assert cheaper.cost.line("Mail").total == pytest.approx(3_043.75)


def test_gpu_workers_are_priced_per_gpu_hour():
    """10 g4dn.xlarge at $0.526 x 730.5 h = $3,842.43; the spec may set its own GPU price."""
    gpu = {"name": "Encoders", "kind": "service", "capacity": "10/s", "replicas": 10, "priced_as": "gpu"}
    a = analyze(tiny([gpu], reads="1 million/day", writes="1 million/day"))
    assert a.cost.line("Encoders").total == pytest.approx(3_842.43)
    assert "g4dn.xlarge" in a.cost.line("Encoders").instance
    own = analyze(tiny([gpu], reads="1 million/day", writes="1 million/day", prices={"node_hour": {"gpu": 0.4}}))
    assert own.cost.line("Encoders").total == pytest.approx(10 * 0.4 * HOURS)


def test_notification_service_pays_for_its_messages():
    """1 million SMS and 5 million e-mails a day (Xu ch. 10), at list prices: $255,675.00 a month."""
    a = analyze(load_spec("notification-service"))
    assert a.cost.line("SMS Gateway").total == pytest.approx(1e6 * 30.4375 * 0.0079)
    assert a.cost.line("Email Provider").total == pytest.approx(5e6 * 30.4375 * 0.0001)
    assert a.cost.line("Push Providers").total == 0
    assert a.cost.by_part()["messages"] == pytest.approx(255_675.0)


def test_every_price_names_its_source():
    from designkit.model import prices
    figures = [*prices.NODES.values(), *prices.STORAGE.values(), *prices.MESSAGES.values(), prices.EGRESS,
               prices.CDN_EGRESS]
    assert all(figure.source.startswith("https://") for figure in figures)
    flagged = {kind for kind, node in prices.NODES.items() if node.note}
    assert flagged == {"queue", "cache", "database", "search"}      # checked against third-party tables only


@pytest.mark.parametrize("change, field", [
    ({"prices": {"message": {"sms": "cheap"}}}, "prices.message.sms"),
    ({"prices": {"storage_gb_month": {"s3_glacier": 1}}}, "prices.storage_gb_month"),
    ({"prices": {"node_hour": {"gpu": "-$1"}}}, "prices.node_hour.gpu"),
])
def test_bad_prices_name_the_field(change, field):
    with pytest.raises(SpecError, match=field.replace(".", r"\.")):
        paste(**change)


@pytest.mark.parametrize("extra, field, said", [
    ({"tiering": [{"after": "90 days", "storage_class": "ebs_sc1"}]}, "tiering.0.storage_class", "s3_standard"),
    ({"storage_class": "s3_standard_ia"}, "storage_class", "only data stores"),
    ({"priced_as": "sms"}, "priced_as", "only stateless"),
    ({"tiering": [{"after": "1 year", "storage_class": "s3_standard_ia"},
                  {"after": "90 days", "storage_class": "s3_glacier_flexible"}]}, "tiering.1.after", "order of age"),
])
def test_bad_pricing_fields_of_a_component_name_the_field(extra, field, said):
    raw = read_raw(resolve("paste-service"))
    index = next(i for i, c in enumerate(raw["components"]) if c["name"] == (
        "Paste Cache" if "storage_class" in extra else "Paste Object Store" if "tiering" in extra else "Metadata DB"))
    raw["components"][index] |= extra
    with pytest.raises(SpecError, match=rf"components\.{index}\.{re.escape(field)}") as err:
        validate(raw, "paste-service.yaml")
    assert said in str(err.value)


def test_bad_tiering_is_exit_2_naming_file_and_field(tmp_path):
    raw = read_raw(resolve("paste-service"))
    index = next(i for i, c in enumerate(raw["components"]) if c["kind"] == "object_store")
    raw["components"][index]["tiering"] = [{"after": "soon", "storage_class": "s3_standard_ia"}]
    path = tmp_path / "tiered.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "designkit", "analyze", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert str(path) in out.stderr and f"components.{index}.tiering.0.after" in out.stderr
    assert "Traceback" not in out.stderr


# --- the table, the sentence and the chart say what is computed where ------------------------

def test_rows_name_each_unit_and_its_price():
    from designkit.views.rows import cost as cost_rows
    rows = {row[0]: row for row in cost_rows.rows(analyze(load_spec("notification-service"))).texts()}
    assert rows["SMS Gateway"][1] == "Twilio SMS to the US (carrier fees extra) at $0.0079 a message"
    assert rows["SMS Gateway"][2] == "–"                                   # no nodes billed
    assert rows["SMS Gateway"][5] == "$240,456 (~30 million messages)"
    assert rows["Push Providers"][5] == "$0 (~300 million messages)"
    assert rows["Preferences Store"][1] == "EC2 r5.large (2 vCPU, 16 GiB) at $0.126/h"
    assert rows["Notification Log"][4] == "$346 (~4.3 TB EBS gp3 SSD)"      # 4.32 TB x $0.08
    assert rows["Egress"][1] == "EC2 data transfer out to the internet: ~0.97 TB a month at $0.09/GB"
    video = {row[0]: row for row in cost_rows.rows(analyze(load_spec("video-streaming"))).texts()}
    assert video["Video Object Store"][4].endswith("(~14 PB S3 Standard, ~260 PB S3 Standard-IA)")
    assert "g4dn.xlarge" in video["Transcoding Workers"][1] and video["Transcoding Workers"][2] == "900"
    chat = {row[0]: row for row in cost_rows.rows(analyze(load_spec("chat-system"))).texts()}
    assert chat["Egress"][1] == ("EC2 data transfer out to the internet: ~0.91 PB a month in tiers: 10 TB at "
                                 "$0.09/GB, 40 TB at $0.085/GB, 100 TB at $0.07/GB, ~760 TB at $0.05/GB")


def test_summary_says_where_the_dollars_go():
    from designkit.views.rows import cost as cost_rows
    a = analyze(load_spec("reference"))
    parts = a.cost.by_part()
    assert sum(parts.values()) == pytest.approx(a.cost.total)
    said = cost_rows.summary(a)
    assert said.startswith(f"The design costs about {q.say_dollars(a.cost.total)} a month")
    assert said.endswith("Where it goes: storage in EBS st1 HDD 78%, compute 15%, storage in EBS gp3 SSD 7.2%, "
                         "egress under 1%.")


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["compute", "egress", "requests", "messages", "storage in S3 Standard"]),
                       st.floats(min_value=0, max_value=1e9), min_size=1))
@example({"compute": 501048325.0, "storage in S3 Standard": 999999999.9999999, "messages": 1e9})  # shares round equal
def test_shares_phrase_lists_each_part_once_largest_first(parts):
    from types import SimpleNamespace
    from designkit.views.rows.cost import shares_phrase
    total = sum(parts.values())
    if total <= 0:
        return
    said = shares_phrase(SimpleNamespace(by_part=lambda: parts, total=total))
    shown = [name for name in parts if f"{name} " in said]
    assert len(set(shown)) == len(shown)
    big = [name for name, value in sorted(parts.items(), key=lambda kv: -kv[1]) if value / total >= 0.01]
    in_order = sorted(big, key=said.index)
    assert [parts[name] for name in in_order] == sorted((parts[name] for name in big), reverse=True)
    small = [name for name, value in parts.items() if 0 < value / total < 0.01]
    if len(small) == 1:
        assert said.endswith(f"{small[0]} under 1%")
    elif small:
        assert said.endswith("the rest under 1%")


def test_no_egress_is_said_plainly():
    from designkit.views.rows.cost import egress_cell
    a = analyze(tiny([{"name": "API", "kind": "service", "capacity": "1K/s"}], reads="0/day", writes="1 million/day"))
    assert a.cost.egress == 0 and egress_cell(a.cost) == "nothing sent"


def test_chart_shows_each_part_of_the_bill_and_moves_with_it():
    from designkit.views.charts.cost import CostChart
    a = analyze(load_spec("video-streaming"))
    chart = CostChart(a)
    assert chart.parts == list(a.cost.by_part())
    widths = [bars[0].get_width() for bars in chart.segments]
    assert sum(widths) == pytest.approx(1.0)
    egress = chart.parts.index("egress")
    assert widths[egress] == pytest.approx(a.cost.egress / a.cost.total)
    legend = [text.get_text() for text in chart.share_ax.get_legend().get_texts()]
    assert "storage in S3 Standard-IA" in legend and "compute" in legend
    chart.update(analyze(load_spec("video-streaming", {"scale": "0.01x"})))
    assert [bars[0].get_width() for bars in chart.segments] != widths


def test_one_message_is_said_in_the_singular():
    from designkit.views.rows.cost import requests_cell
    from designkit.model.cost import CostLine
    line = CostLine("SMS", "other", "SMS", 1, 0.0, 0.0, 0.0079, None, messages=1.0, per_node=False,
                    message_price=0.0079)
    assert requests_cell(line) == "$0.0079 (1 message)"
    assert requests_cell(line.__class__(**{**line.__dict__, "messages": 2.0})) == "$0.0079 (2 messages)"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["priced_as", "storage_class"]), st.text(max_size=20))
def test_any_text_for_a_pricing_field_is_accepted_or_named(field, text):
    from designkit.model.prices import PRICED_AS, STORAGE_CLASSES
    raw = read_raw(resolve("paste-service"))
    index = next(i for i, c in enumerate(raw["components"]) if c["kind"] == (
        "service" if field == "priced_as" else "object_store"))
    raw["components"][index][field] = text
    try:
        spec = validate(raw, "paste-service.yaml")
    except SpecError as exc:
        assert f"components.{index}.{field}" in str(exc) and "paste-service.yaml" in str(exc)
    else:
        assert text in (PRICED_AS if field == "priced_as" else STORAGE_CLASSES)
        assert analyze(spec).cost.total > 0


def test_the_schema_carries_the_pricing_fields():
    from designkit.model.spec import json_schema
    text = json.dumps(json_schema())
    for word in ("priced_as", "storage_class", "tiering", "s3_glacier_flexible", "ebs_sc1", '"message"',
                 '"gpu"', '"sms"'):
        assert word in text, word

