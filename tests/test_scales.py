"""Right at every scale: every table and sentence of every example holds from 0.01x to 1000x today.

Pure Python (rows only, no notebooks): each bundled example is loaded with ``-p scale=Nx``, and
the rows the article and the live views render are checked against invariants a reader relies on:
a component already full says so, a duration never exceeds its period, no availability claims
more nines than anyone can know, and "replicas/shards needed" agree with the scaling thresholds.
"""

from __future__ import annotations

import re

import pytest

from designkit.model import quantities as q
from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.views.prose.templating import render_spec
from designkit.model.spec import example_names, load_spec
from designkit.views.rows import reliability as rr
from designkit.views.rows import scaling as r
from designkit.views.rows.table import line_text
from designkit.views.rows.capacity import capacity_rows
from designkit.views.rows.interview import follow_up_rows, key_phrase_rows

SCALES = ("0.01x", "0.1x", "1x", "3x", "10x", "100x", "1000x")
CASES = [(name, scale) for name in example_names() for scale in SCALES]
PERIODS = {"Down/year": q.YEAR_DAYS, "Downtime/year": q.YEAR_DAYS, "Down/month": q.MONTH_DAYS,
           "Down/week": 7.0}
UNITS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "days": q.DAY_SECONDS}


def everything(spec, a):
    """Every table and phrase list the article and the live views render, as words."""
    tables = [capacity_rows(a.capacity), r.load_rows(a), r.strategy_rows(a), r.threshold_rows(a),
              r.queueing_rows(a), rr.availability_rows(a), rr.path_rows(a), rr.scenario_rows(a),
              key_phrase_rows(spec, a), follow_up_rows(spec, a)]
    lines = [line_text(line) for line in r.break_lines(a) + rr.recovery_lines(a)]
    return tables, lines


def seconds(said: str) -> float:
    """'32 s', '1.5 min', '3.4 days' back to seconds."""
    number, unit = said.split(" ")
    return float(number) * UNITS[unit]


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}@{s}" for n, s in CASES])
def case(request):
    name, scale = request.param
    spec = render_spec(load_spec(name, {"scale": scale}))   # prose figures said, as the notebooks do
    a = analyze(spec, estimate(spec.scale))
    return spec, a, *everything(spec, a)


def test_no_number_is_broken(case):
    _, _, tables, lines = case
    words = [c for t in tables for row in t.texts() for c in row] + lines
    for text in words:
        assert not re.search(r"\bnan\b|\binf\b|(?<![\w])-\d|~0(?![.\d])", text, re.IGNORECASE), text


def test_downtime_never_exceeds_its_period_nor_claims_false_precision(case):
    _, _, tables, _ = case
    for table in tables:
        for name, days in PERIODS.items():
            if name not in table.header:
                continue
            for said in (row[table.column(name)] for row in table.texts()):
                assert "µs" not in said and "ms" not in said, said          # under a second: "< 1 s"
                if said in ("< 1 s", "0 s") or said.startswith("all "):
                    continue
                assert seconds(said) <= days * q.DAY_SECONDS, (name, said)
        for said in (c for row in table.texts() for c in row):
            for decimals in re.findall(r"\d+\.(\d+)%", said):
                assert len(decimals) <= 5, said                               # never '99.9999999985%'


def test_a_full_component_says_so(case):
    _, a, tables, lines = case
    loads = {row[0]: row for row in r.load_rows(a).texts()}
    for load in a.loads:
        full_at = loads[load.name][-1]
        if load.breaking_limit is None:
            assert full_at == "never (no load)"
        elif load.break_multiplier <= 1:
            assert full_at.startswith("already full"), full_at
        else:
            assert not full_at.startswith("already") and float(full_at.split("x")[0].replace(",", "")) >= 1
    for bp, line in zip(a.break_points, lines):
        for multiple in re.findall(r"(?:fills? its current nodes|full) at ([\d.,]+)x", line):
            assert float(multiple.replace(",", "")) >= 1, line                # never "full at 0.14x"
        if bp.breaking and bp.breaking[0].multiplier <= 1:
            assert re.search(f"{re.escape(bp.breaking[0].component)} (is|are) already over capacity today", line), line
    ten = next(row for row in follow_up_rows(case[0], a).texts() if "10x" in row[0] or "10 times" in row[0])
    first = a.break_points[0].breaking
    if first and first[0].multiplier <= 1:
        assert "already over capacity" in ten[1], ten


def test_replicas_and_shards_needed_use_the_thresholds_of_the_scaling_table(case):
    _, a, *_ = case
    table = r.load_rows(a)
    due = {(t[0], t[1]) for t in r.threshold_rows(a).texts() if t[-1].endswith("(due now)")}
    for load, row in zip(a.loads, table.texts()):
        replicas = int(row[table.column(table.header[5])].split(" ")[0].replace(",", ""))
        more_replicas = replicas > load.replicas
        assert more_replicas == any((load.name, step) in due for step in ("add replicas", "read replicas")), row
        if load.shards_needed is not None:
            shards = int(row[table.column("Shards needed")].replace(",", ""))
            more_shards = shards > load.shards
            assert more_shards == any((load.name, step) in due
                                      for step in ("sharding", "cluster mode", "add cache shards")), row


def test_every_percent_and_multiple_is_a_number_a_person_says(case):
    _, _, tables, lines = case
    for text in [c for t in tables for row in t.texts() for c in row] + lines:
        for figure in re.findall(r"([\d][\d,.]*)x\b", text):
            assert float(figure.replace(",", "")) >= 0
        for figure in re.findall(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)%", text):
            assert len(figure.replace(",", "").replace(".", "").lstrip("0")) <= 7, text


def test_the_monitoring_answer_knows_where_the_busiest_component_stands(case):
    spec, a, *_ = case
    assert a.loads
    answer = next(row[1] for row in follow_up_rows(spec, a).texts() if "monitor" in row[0])
    busiest = max(load.utilization for load in a.loads)
    assert ("so alert at" in answer) == (busiest < a.settings.target_utilization), answer
    assert ("over capacity" in answer) == (busiest >= 1), answer


def test_downtime_and_availability_are_said_within_reason():
    year = q.YEAR_DAYS * 1440                              # 525,960 minutes
    assert q.say_downtime(0.0078, q.YEAR_DAYS) == "< 1 s"    # not "470 ms a year"
    assert q.say_downtime(52.6, q.YEAR_DAYS) == "53 min"
    assert q.say_downtime(500_000, q.YEAR_DAYS) == "347 days"   # two figures would say "350 days"
    assert q.say_downtime(year * 0.999, q.YEAR_DAYS) == "all year"  # not "370 days a year"
    assert q.say_downtime(44_000, q.MONTH_DAYS) == "all month"
    assert q.say_availability(0.999999999985) == "> 99.9999%"   # not "99.9999999985%"
    assert q.say_availability(0.9998) == "99.98%" and q.say_availability(0.9999985) == "99.99985%"
