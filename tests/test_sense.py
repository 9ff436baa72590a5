"""Sense at every scale: what every bundled example's article says stays true from 0.1x to 1000x.

The article text is built in-process (``views.pages.full_article.article_at``: the same part functions the
notebooks emit, no kernel), once per example and scale for the whole module, and read as a
careful reader would: no load over capacity said as a fill, no "N of M" with N > M, no users
beyond the world's population, no threshold past the design's envelope said as a milestone,
percentiles in order, number agreement, no "inf", "nan" or "unbounded" said as a number, and
every article says its envelope.  Property tests drive the sentence builders with counts 0, 1,
2 and huge.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.model.scaling import CELL_NODES, WORLD_POPULATION
from designkit.model.spec import example_names, load_spec
from designkit.views.rows import reliability as rr
from designkit.views.rows import scaling as r
from designkit.views.rows.table import line_text
from designkit.views.rows.wording import count, plural_name, say_load, verb
from designkit.views.pages.article import in_sentence, plural
from designkit.views.pages.full_article import article_at

SCALES = ("0.1x", "1x", "10x", "100x", "1000x")
CASES = [(name, scale) for name in example_names() for scale in SCALES]
MAGNITUDE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "K": 1e3, "M": 1e6, "B": 1e9}
NOUNS = ("server", "replica", "shard", "node", "survivor", "worker", "gateway", "component", "zone", "copy",
         "instance", "broker", "partition")
UNITS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


@pytest.fixture(scope="module")
def built():
    """(spec, analysis, article text) for every example at every scale, built once."""
    out = {}
    for name, scale in CASES:
        spec = load_spec(name, {"scale": scale})
        cap = estimate(spec.scale)
        a = analyze(spec, cap)
        out[name, scale] = spec, a, article_at(spec, cap, a)
    return out


@pytest.fixture(params=CASES, ids=[f"{n}@{s}" for n, s in CASES])
def case(request, built):
    return built[request.param]


def computed(a) -> list[str]:
    """Every sentence and cell the kit computes for sections 2, 6 and 7 and the interview tips."""
    tables = [r.load_rows(a), r.strategy_rows(a), r.threshold_rows(a), r.queueing_rows(a),
              rr.availability_rows(a), rr.path_rows(a), rr.scenario_rows(a)]
    lines = [line_text(line) for line in r.break_lines(a) + rr.recovery_lines(a)] + \
        [line_text(r.envelope_line(a)), r.ten_x_answer(a)] if a.loads else []
    return [c for t in tables for row in t.texts() for c in row] + lines


def number(said: str, magnitude: str | None = None) -> float:
    return float(said.replace(",", "")) * MAGNITUDE.get(magnitude or "", 1.0)


# --- the whole article ---------------------------------------------------------------------

def test_every_article_says_its_envelope(case):
    spec, a, text = case
    line = next(line for line in text.splitlines() if line.startswith("**Envelope**"))
    if a.envelope.reached:
        assert "past what the design holds" in line and "must change" in line, line
    else:
        assert line.startswith("**Envelope**: sized for up to"), line
        assert "must change" in line or "world's population" in line, line


def test_no_load_over_capacity_is_said_as_a_fill(case):
    _, _, text = case
    for sentence in re.split(r"(?<=[.;|])\s", text):
        for figure in re.findall(r"(\d[\d,]*(?:\.\d+)?)%", sentence):
            if re.search(r"\bfill", sentence):
                assert number(figure) <= 100, sentence       # "fills 10,372%": say "would need 100x"
            assert number(figure) < 1000 or "budget" in sentence, sentence


def test_no_n_of_m_with_n_over_m(case):
    _, _, text = case
    for n, m in re.findall(r"\b(\d[\d,]*) of (\d[\d,]*)\b(?! ?[%.\d])", text):
        assert number(n) <= number(m), f"{n} of {m}"


def test_no_count_of_users_beyond_the_worlds_population(case):
    _, a, text = case
    for line in computed(a):
        if "outnumber" in line:                    # the envelope saying the scale is past it
            continue
        for figure, magnitude in re.findall(r"(\d[\d,.]*) (thousand|million|billion|trillion)? ?users\b", line):
            assert number(figure, magnitude or None) <= WORLD_POPULATION * 1.05, line


def test_no_number_is_infinite_or_unbounded(case):
    _, _, text = case
    assert not re.search(r"\b(?:nan|inf|infinity)\b", text, re.IGNORECASE)
    assert not re.search(r"(?:at most|at|of|is|to) unbounded\b", text), re.search(r".{60}unbounded.{30}", text)


def test_percentiles_are_in_order(case):
    _, _, text = case
    section = text.split("### Tail Latency", 1)[-1].split("### Cost", 1)[0].replace("\\", "")
    checked = 0
    for row in re.findall(r"^\|(.+)\|$", section, re.MULTILINE):
        cells = [c.strip() for c in row.split("|")]
        said = [c for c in cells if re.fullmatch(r"\d[\d,.]* (?:µs|ms|s|min|h)", c)]
        if len(said) >= 3:
            p50, p95, p99 = (number(c.split()[0]) * UNITS[c.split()[1]] for c in said[:3])
            assert p50 <= p95 <= p99, row
            checked += 1
    assert checked or "unbounded" in section          # every table read, unless all of it is overloaded


def test_number_agreement(case):
    spec, _, text = case
    for comp in spec.components:                  # 'Coordinators break first', 'Event Store breaks first'
        if plural_name(comp.name):                # 'Storage Nodes get 1.2x the reads', "Coordinators' survivors"
            assert not re.search(rf"{re.escape(comp.name)} cannot carry peak even before the failure, its\b", text)
            assert not re.search(rf"\*\*{re.escape(comp.name)}\*\* \|[^\n]*(?:it runs|than it runs|0%: it cannot)", text)
            said = rf"{re.escape(comp.name)}\** (?:breaks|is|has|gets|holds|loses|survivors)\b"
            assert not re.search(said, text), re.search(rf".{{30}}{said}.{{30}}", text)
    nouns = "|".join(NOUNS)
    assert not re.search(rf"(?<![+\d.,])1 (?:{nouns})s\b", text), \
        re.search(rf".{{40}}(?<![+\d.,])1 (?:{nouns})s\b.{{20}}", text)
    singular = rf"(?<![\d.,])(?:[02-9]|\d[\d,]+) (?:{nouns})\b(?![-'’]| [a-z])"   # '40 gateway nodes' is fine
    assert not re.search(singular, text), re.search(rf".{{40}}{singular}.{{20}}", text)
    assert not re.search(r"\b1 \w+ then (?:serve|run)\b", text)
    assert not re.search(r"\b(?:[02-9]|\d{2,}) \w+s then (?:serves|runs)\b", text)
    assert not re.search(r"\b(?:its|their) (?:requests|reads|writes) (?:fills|is|needs|has)\b", text), \
        re.search(r".{40}\b(?:its|their) (?:requests|reads|writes) (?:fills|is|needs|has)\b", text)
    assert not re.search(r"\b(?:its|their) (?:disk|memory) (?:fill|are|need|have)\b", text)
    for comp in spec.components:                  # "Coordinators are already over capacity today: their requests"
        if plural_name(comp.name):
            assert not re.search(rf"{re.escape(comp.name)}\** (?:are already over capacity today|break first): its\b",
                                 text), comp.name
    for name in re.findall(r'Let me explain how (.+?) works\.\.\."', text):
        assert " and " not in name, name


def test_thresholds_past_the_envelope_say_so(case):
    _, a, _ = case
    for t, row in zip(a.thresholds, r.threshold_rows(a).texts()):
        beyond = not t.reached and not a.envelope.holds(t.multiplier)
        assert ("past the envelope" in row[-1]) == beyond, row
        if t.users is not None and not beyond and not t.reached:
            assert t.users <= WORLD_POPULATION * 1.0001, row
    for line in r.break_lines(a):
        text = line_text(line)
        factor = float(text.split("x", 1)[0].replace("At ", "").replace(",", ""))
        assert ("past the design's envelope" in text) == (not a.envelope.holds(factor)), text


def test_recovery_is_never_yes_while_survivors_are_overloaded(case):
    _, a, _ = case
    for s, row in zip(a.scenarios, rr.scenario_rows(a).texts()):
        if s.survivors_utilization is not None and s.survivors_utilization > 1:
            assert not row[-1].startswith("Yes"), row


def test_a_component_short_of_writes_or_disk_is_never_said_up(case):
    """No replica count carries writes past the primaries or data past the disks: 0%, not 99.9999%."""
    _, a, _ = case
    for c, load, row in zip(a.components, a.loads, rr.availability_rows(a).texts()):
        over = [lim for lim in load.limits if lim.metric in ("write_qps", "storage_bytes") and lim.utilization > 1]
        if over or load.replicas_to_carry > load.replicas:
            assert c.availability == 0 and row[4] == f"0%: {verb(c.component, 'it', 'they')} cannot carry peak", row
        else:
            assert c.availability > 0, row
    for path, row in zip([p for p in (a.read_path, a.write_path) if p], rr.path_rows(a).texts()):
        if any(a.load(name).short for name in path.path):
            assert path.availability == 0 and "SLO missed" in row[-1], row


def test_no_failure_is_recovered_in_time_by_what_could_not_carry_peak_before_it(case):
    """'RTO met: Yes' and 'holds' only where the component the failure lands on carried peak before."""
    _, a, _ = case
    for s, row in zip(a.scenarios, rr.scenario_rows(a).texts()):
        hit = s.downstream if s.name == "Cache cluster loss" else s.component
        if hit is not None and a.load(hit).short is not None:
            assert row[-1].startswith("No: ") and "even before the failure" in row[-1], row
            assert " holds at" not in row[1], row


def test_whole_counts_of_ten_thousand_and_more_carry_separators(case):
    """'23,241 servers', never '23241' beside '23,241' in the next paragraph."""
    _, a, text = case
    cells = computed(a) + [c for row in r.load_rows(a).texts() for c in row]
    blocks = re.findall(r"^```\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    for said in cells + [b for b in blocks if "Capacity" in b or "Server" in b or "App servers" in b]:
        assert not re.search(r"(?<![\d.,$/#-])\d{5,}(?![\d.,])", said), said


def test_whole_counts_of_a_thousand_and_more_carry_separators_in_computed_cells(case):
    """'1,019 carry peak, so at least 1,020', as the availability table says '1,019 to carry peak'."""
    _, a, _ = case
    for said in computed(a):
        assert not re.search(r"(?<![\d.,$/#-])\d{4,}(?![\d.,])", said), said


def test_thresholds_never_count_more_users_than_people(case):
    _, a, _ = case
    for row in r.threshold_rows(a).texts():
        users = re.fullmatch(r"~?(\d[\d,.]*) (thousand|million|billion|trillion)", row[3])
        if users:
            assert number(*users.groups()) <= WORLD_POPULATION * 1.05, row


def test_a_bill_past_the_envelope_says_so(case):
    from designkit.views.rows import cost as cost_rows
    _, a, _ = case
    said = cost_rows.summary(a)
    if a.cost.total > 0:
        assert ("past the design's envelope" in said) == (not a.envelope.holds(10.0)), said
        short = any(load.utilization > 1 or load.short for load in a.loads)
        assert ("cannot carry today's peak" in said) == (short and a.cost.total > 0 and
                                                        sum(x.billed_nodes for x in a.cost.lines) > 0), said


def test_over_capacity_utilization_is_said_as_a_multiple(case):
    _, a, _ = case
    for cell in computed(a):
        for figure in re.findall(r"(\d[\d,]*(?:\.\d+)?)%", cell):
            assert number(figure) < 1000 or "budget" in cell, cell


# --- the sentence builders, with counts 0, 1, 2 and huge -------------------------------------

COUNTS = st.one_of(st.sampled_from([0, 1, 2, 3, 10**6, 10**12]), st.integers(0, 10**15))


@given(COUNTS, st.sampled_from(NOUNS))
def test_count_agrees_in_number(n, noun):
    said = count(n, noun)
    assert said == f"{n:,} {noun}" if n == 1 else said == f"{n:,} {noun}s"


@given(st.floats(0, 1e7, allow_nan=False))
def test_a_load_is_a_share_up_to_ten_times_then_a_multiple(u):
    said = say_load(u)
    if u < 10:
        assert said.endswith("%") and number(said.rstrip("%").lstrip("< ")) <= 1000
    else:
        multiple = number(said.split("x")[0])
        assert said.endswith("x capacity") and abs(multiple - u) <= 0.06 * u


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 3, 1000]), st.sampled_from(["0.1x", "1x", "1000x"]))
def test_failure_rows_agree_with_any_number_of_replicas(replicas, scale):
    spec = load_spec("reference", {"scale": scale, "components.Event Log.replicas": str(replicas),
                                   "components.Event Store.replicas": str(replicas)})
    a = analyze(spec)
    for row in rr.scenario_rows(a).texts():
        impact = row[1]
        assert not re.search(r"\b1 (?:survivor|replica)s\b|\b1 \w+ then (?:serve|run)\b", impact), impact
        assert not re.search(r"\b(?:[02-9]|\d{2,}) \w+s then (?:serves|runs)\b", impact), impact
        for n, m in re.findall(r"\b(\d[\d,]*) of (\d[\d,]*)\b", impact):
            assert number(n) <= number(m), impact


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["reference", "url-shortener", "video-streaming", "chat-system"]),
       st.floats(0.01, 1000))
def test_the_envelope_line_has_one_wording_per_regime(name, factor):
    a = analyze(load_spec(name, {"scale": f"{factor}x"}))
    line = line_text(r.envelope_line(a))
    env = a.envelope
    assert env.multiplier > 0
    if env.reached:
        assert "past what the design holds" in line
    elif env.edges[0].population:
        assert "world's population" in line
    else:
        assert f"more than {CELL_NODES:,} nodes" in line
    users = re.findall(r"about (\d[\d.,]*) (thousand|million|billion|trillion)? ?users", line)
    for figure, magnitude in users:
        assert number(figure, magnitude or None) <= WORLD_POPULATION * 1.05, line


def test_the_envelope_is_where_a_component_needs_more_than_one_cluster():
    """Worked by hand for the reference: the Event Store holds ~2.74 PB (0.913 PB x 3 copies) on
    20 TB nodes, 137 nodes at full disks today; 10,000 / 137 = 73x, 7.3 billion users, under the
    world's 8.2 billion (82x)."""
    a = analyze(load_spec("reference"))
    store = a.load("Event Store").limit("storage_bytes")
    nodes_today = store.load / store.per_server
    assert nodes_today == pytest.approx(136.9, rel=0.01)
    assert a.envelope.multiplier == pytest.approx(CELL_NODES / nodes_today)
    assert a.envelope.edges[0].component == "Event Store"
    assert a.envelope.users == pytest.approx(100e6 * CELL_NODES / nodes_today)
    population = next(e for e in a.envelope.edges if e.population)
    assert population.multiplier == pytest.approx(WORLD_POPULATION / 100e6)
    # at 100x the design is past it, and a 10,000-node answer would be wrong: it needs ~14K nodes
    past = analyze(load_spec("reference", {"scale": "100x"}))
    assert past.envelope.reached and past.envelope.multiplier == pytest.approx(a.envelope.multiplier / 100)
    assert "about 14K nodes" in line_text(r.envelope_line(past))


@given(st.text(alphabet=st.sampled_from("abcdefgh ABC-"), min_size=1, max_size=20))
def test_a_phrase_in_a_sentence_changes_only_its_first_letter(phrase):
    said = in_sentence(phrase, frozenset({"Abc"}))
    assert said[1:] == phrase[1:] and said[0].lower() == phrase[0].lower()


def test_names_keep_their_capitals_and_joined_headings_take_a_plural_verb():
    names = frozenset({"Cassandra"})
    assert in_sentence("After Kafka acks", names) == "after Kafka acks"
    assert in_sentence("Cassandra with quorums", names) == "Cassandra with quorums"
    assert in_sentence("URL frontier", names) == "URL frontier"
    assert in_sentence("ClickHouse rollups", names) == "ClickHouse rollups"
    assert plural("Columnar storage and queries") and not plural("Durable ingestion")


# --- the lint: spec prose that turns false at a scale a reader reaches -----------------------

def test_the_lint_names_the_scale_at_which_unguarded_prose_turns_false():
    """The reference's disks are 71.3% full today and full at 1.4x: an unguarded "fills" is false
    from the next scale a reader reaches, 3x (3 x 71.3% = 214%); guarded, it is never flagged."""
    from designkit.views.prose.literal_numbers import claims_turning_false, frozen_figures
    spec = load_spec("reference")
    share = '{{ components["Event Store"].storage_share }}'
    unguarded = spec.model_copy(update={"summary": f"Five years of events fill {share} of the disks."})
    assert claims_turning_false(unguarded) == [
        "summary fills more than 100% at 3x today's traffic ('fill 214%'): guard it with a conditional expression"]
    assert claims_turning_false(unguarded)[0] in frozen_figures(unguarded)
    guarded = spec.model_copy(update={"summary": (
        f'Five years of events {{{{ ("fill " ~ {share[3:-3]}) if {share[3:-3]}|float <= 1 else "outgrow" }}}} '
        "the disks.")})
    assert claims_turning_false(guarded) == []
    shrinking = spec.model_copy(update={"summary": "{{ components['Event Store'].nodes / 10 }} of 100 nodes"})
    assert claims_turning_false(shrinking) == []                  # constant: true at every scale
    two = spec.model_copy(update={"summary": "{{ (writes_per_day / 1e8)|int }} of 50 shards"})
    assert claims_turning_false(two) == [                         # 10 of 50 today, 100 of 50 at 10x
        "summary says N of M with N > M at 10x today's traffic ('100 of 50'): guard it with a conditional "
        "expression"]


def test_the_lint_names_the_scale_at_which_a_margin_turns_into_a_shortfall():
    """'62^7 is 9.6x the codes ten years need, and that margin ...' is 0.96x at 10x: no margin at all."""
    from designkit.views.prose.literal_numbers import claims_turning_false
    spec = load_spec("url-shortener")
    margin = "{{ (62**7 / (writes_per_day * retention_days)|float)|multiple }}"
    unguarded = spec.model_copy(update={"summary": f"The space is {margin} the codes we need, a comfortable margin."})
    assert claims_turning_false(unguarded) == [
        "summary says a multiple under 1x is a margin at 10x today's traffic ('0.96x the codes we need, a "
        "comfortable margin'): guard it with a conditional expression"]


def test_no_bundled_example_has_prose_that_turns_false():
    from designkit.views.prose.literal_numbers import claims_turning_false
    for name in example_names():
        assert claims_turning_false(load_spec(name)) == [], name


@pytest.mark.parametrize("name, plural", [("Coordinators", True), ("Storage Nodes", True), ("Event Store", False),
                                          ("Redis", False), ("DNS", False), ("Consensus", False), ("Fan-out Queue", False)])
def test_a_component_name_takes_the_verb_its_last_word_asks_for(name, plural):
    assert plural_name(name) == plural
    assert verb(name, "breaks", "break") == ("break" if plural else "breaks")


def test_figures_in_prose_say_whole_numbers_with_separators():
    """'we need 40,000 gateways', '1,158 of them': an expression's whole number reads like every other
    count at every scale a reader reaches, never '40000' (nor '1630 min' for a day and more)."""
    from designkit.views.prose.figure_names import namespace, numbers
    from designkit.views.prose.literal_numbers import READER_SCALES, scaled
    from designkit.views.prose.templating import evaluate, expressions, prose_fields
    for name in example_names():
        spec = load_spec(name)
        fields = [(path, text) for path, text in prose_fields(spec) if "{{" in text]
        for factor in READER_SCALES:
            names = namespace(numbers(scaled(spec, factor)))
            for path, text in fields:
                for source in expressions(text):
                    said = evaluate(source[2:-2], names)
                    assert not re.search(r"(?<![\d.,])\d{4,}(?![\d.,])", said), (name, factor, path, said)


QUORUM_STORES = re.compile(r"\b(?:Cassandra|ScyllaDB|DynamoDB|Riak|QUORUM)\b")


def test_a_quorum_store_is_never_given_a_primary_to_lose(case):
    """Cassandra or ScyllaDB at RF=3 writes to a quorum of peers: no 'URL Store primary dies' row, no
    partition that 'keeps accepting writes its replicas never see', no async data loss."""
    spec, a, text = case
    for comp in spec.components:
        if comp.kind in ("database", "search") and QUORUM_STORES.search(comp.technology or ""):
            assert comp.name in a.leaderless, f"{comp.name} ({comp.technology}) is not replication: leaderless"
            assert f"Database primary failure ({comp.name})" not in text
            assert f"with {comp.name}'s primary" not in text


def test_a_partition_cuts_off_as_many_primaries_as_the_zone_holds(case):
    """'A zone is cut off with 22 of Event Store's 64 shard primaries', never 'with Event Store's primary'
    for a store of 64 shards; agreement follows the count."""
    spec, a, _ = case
    for s, row in zip(a.scenarios, rr.scenario_rows(a).texts()):
        if s.name != "Network partition" or s.component in a.leaderless:
            continue
        shards = a.load(s.component).shards
        assert ("'s primary:" in row[1]) == (shards == 1), row[1]
        if shards > 1:
            cut = -(-shards // a.settings.availability_zones)
            assert f"with {cut:,} of " in row[1] and f" {shards:,} shard primaries" in row[1], row[1]
            assert ("they keep" in row[1]) == (cut > 1), row[1]


def test_no_word_is_split_at_a_hyphen_by_a_folded_line():
    """YAML's folded '>-' joins lines with a space: 'a 31-million-' + 'follower' reads '31-million- follower'.
    ('over- or under-limiting' is the one kind of hyphen a space may follow.)"""
    from designkit.views.prose.templating import prose_fields
    for name in example_names():
        for path, text in prose_fields(load_spec(name)):
            for match in re.finditer(r"\w- (?!or |and |to )\w", text):
                raise AssertionError(f"{name}: {path}: {text[max(0, match.start() - 30):match.end() + 20]!r}")


def test_a_cache_that_already_runs_shards_is_never_told_to_move_to_cluster_mode(case):
    """'Redis Cluster (3 primaries)' adds cache shards; 'Cluster mode (shard the cache)' is for one shard."""
    _, a, _ = case
    sharded = {load.name for load in a.loads if load.kind == "cache" and load.shards > 1}
    for row in r.strategy_rows(a).texts() + r.threshold_rows(a).texts():
        if row[0] in sharded:
            assert "cluster mode" not in row[1].lower(), row
