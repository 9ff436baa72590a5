"""Estimation practice: the bank's answers are the model's figures, grading boundaries and slips,
written answers read the way people write them, seeds, the terminal session, the notebook boxes
and the handout appendix in real Chromium."""

import base64
import hashlib
import io
import json
import math
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _specs import comp, make_spec
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit import cli
from designkit.model import quantities as q
from designkit.model.analysis import analyze
from designkit.model.answers import (
    LEVELS,
    AnswerError,
    check,
    level,
    parse_answer,
    slip,
)
from designkit.model.capacity import estimate
from designkit.model.practice import bank, vary
from designkit.model.questions import SLIPS
from designkit.model.spec import example_names, load_spec
from designkit.views.pages import practice_appendix as practice_page
from designkit.views.pages.handout import CSP, render_handout
from designkit.views.prose.practice_text import questions_markdown, session
from designkit.sections import SECTIONS

EXAMPLES = example_names()
ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts" / "lab"


def figures(spec):
    """Each question key -> the estimate/analyze figure it must equal."""
    cap = estimate(spec.scale)
    a = analyze(spec, cap)
    path = a.read_path or a.write_path
    fullest = min((load for load in a.loads if load.breaking_limit is not None),
                  key=lambda load: load.breaking_limit.break_multiplier)
    shards = max((load.shards_needed for load in a.loads if load.shards_needed), default=None)
    return {
        "daily_active_users": cap.daily_active_users, "requests_per_day": cap.requests_per_day,
        "qps_average": cap.qps_average, "qps_peak": cap.qps_peak,
        "read_qps_peak": cap.read_qps_peak, "write_qps_peak": cap.write_qps_peak,
        "storage_per_day": cap.storage_per_day_bytes, "storage_total": cap.storage_replicated_bytes,
        "ingress": cap.ingress_bytes_per_second, "egress": cap.egress_bytes_per_second,
        "cache_memory": cap.cache_memory_bytes, "servers": cap.servers_needed, "shards": shards,
        "first_to_break": a.first_to_break(10) or "nothing",
        "break_users": (cap.users if cap.users is not None else cap.qps_peak)
                       * fullest.breaking_limit.break_multiplier,
        "path_availability": path.availability if path else None,
        "downtime_month": path.downtime.month if path else None,
    }


# --- the bank is the model's numbers --------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("seed", [None, 5])
def test_every_answer_equals_the_estimate_or_analysis_figure(name, seed):
    spec = load_spec(name)
    questions = bank(spec, seed=seed)
    expected = figures(vary(spec, seed) if seed is not None else spec)
    assert len(questions.questions) >= 12
    for x in questions.questions:
        assert x.answer == expected[x.key], x.key
        assert x.section in (1, 6, 7) and x.givens and x.working
        if x.unit != "component":
            assert x.answer > 0 and x.tolerance == 0.1
            assert check(x, x.said).level == "right", (x.key, x.said)  # the said answer is right
    keys = [x.key for x in questions.questions]
    assert len(keys) == len(set(keys))
    assert {"requests_per_day", "qps_average", "qps_peak", "servers", "first_to_break"} <= set(keys)


def test_hand_worked_spec():
    """10K reads/s + 1K writes/s, peak 2x, 1 KB records, a year, three copies."""
    spec = make_spec([comp("API", "service", "10K/s", replicas=4)], ["API"], ["API"])
    b = bank(spec)
    assert b.get("requests_per_day").answer == pytest.approx(950.4e6)
    assert b.get("qps_average").answer == pytest.approx(11_000)
    assert b.get("qps_peak").answer == pytest.approx(22_000)
    assert b.get("storage_per_day").answer == pytest.approx(86.4e9)
    assert b.get("storage_total").answer == pytest.approx(86.4e9 * 365.25 * 3)
    assert b.get("ingress").answer == pytest.approx(1e6)
    assert b.get("servers").answer == 22                       # 22K/s over 1K/s each
    assert b.get("first_to_break").answer == "API"             # 22K/s on 4 x 10K/s: full at 1.8x
    assert b.get("break_users").unit == "requests/s"           # totals form: no users to scale
    assert b.get("break_users").answer == pytest.approx(40_000)
    assert dict(b.get("qps_peak").givens) == {"Requests a day": "~0.95 billion", "Peak factor": "2x average"}


def test_working_reads_like_the_article():
    x = bank(load_spec("reference")).get("qps_peak")
    assert x.working == ("~1 billion requests ÷ 86,400 s ≈ 12K/s", "× 4 at peak ≈ 46K/s")
    assert x.said == "~46K/s" and dict(x.givens)["Requests a day"] == "~1 billion"
    assert x.hints == ("Formula: peak QPS = requests a day ÷ 86,400 s × peak factor",
                       "First step: ~1 billion requests ÷ 86,400 s ≈ 12K/s",
                       "Worked answer: ~1 billion requests ÷ 86,400 s ≈ 12K/s; × 4 at peak ≈ 46K/s")
    one_step = bank(load_spec("reference")).get("qps_average")
    assert one_step.hints[1] == "First step: ~1 billion requests ÷ 86,400 s = ?"   # result held back
    total = bank(load_spec("reference")).get("storage_total")
    assert total.said == "~2.7 PB" and total.working[-1] == "× 3 copies ≈ 2.7 PB"


# --- grading ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (100, "right"), (110, "right"), (90, "right"), (110.01, "good"), (89.9, "good"),
    (200, "good"), (50, "good"), (200.5, "order"), (999, "order"), (1000, "off"),
    (49.9, "off"), (0, "off"),
])
def test_grading_boundaries(value, expected):
    assert level(value, 100) == expected


def test_order_of_magnitude_is_the_same_power_of_ten():
    assert level(1.0e4, 9.5e4) == "order"       # 9.5x apart, both 10^4
    assert level(9.9e3, 1.2e4) == "good"        # within 2x across a power of ten
    assert level(9.0e3, 2.1e4) == "off"         # 2.3x apart and not the same power


REF = bank(load_spec("reference"))


def written(value, unit):
    return f"{value / 1e15:.12g} PB" if unit == "PB" else f"{value:.12g}{unit}"


@pytest.mark.parametrize("key, factor, unit, expected_slip", [
    ("qps_peak", 1 / 4, "/s", "peak"),                        # the average, not the peak
    ("servers", 6 / 24, "", "peak"),                          # servers for the average
    ("storage_total", 1 / 3, "PB", "replication"),
    ("storage_total", 8, "PB", "bits"),
    ("storage_total", (1000 / 1024) ** 5, "PB", "binary"),    # 2.4 "PB": PiB written as PB
    ("ingress", 8, " B/s", "bits"),
    ("downtime_month", 30 / (30.4375 * 86400), " min", "month"),  # a 30-day month as 30 seconds
])
def test_slips_are_named(key, factor, unit, expected_slip):
    x = REF.get(key)
    answer = x.answer * factor
    verdict = check(x, written(answer, unit))
    assert verdict.level != "right" and verdict.slip == expected_slip, verdict
    assert SLIPS[expected_slip] in verdict.message


def test_a_right_answer_names_no_slip_and_unclear_ones_none():
    x = REF.get("qps_peak")
    assert check(x, "46K").slip is None and check(x, "46K").level == "right"
    assert check(x, "8K").slip is None                         # not a quarter of 46K, nor anything else
    assert slip(x, 11_574, x.answer) == "peak"


def test_availability_is_graded_on_downtime():
    x = REF.get("path_availability")
    down = 1 - x.answer
    assert check(x, f"{(1 - down) * 100:.10f}%").level == "right"
    assert check(x, f"{(1 - 1.5 * down) * 100:.10f}%").level == "good"
    assert check(x, f"{(1 - 20 * down) * 100:.10f}%").level == "off"   # a nine short
    assert "100% available" in check(x, "100%").message


def test_component_answers():
    x = REF.get("first_to_break")
    assert x.answer == "Event Store"
    assert check(x, "event store").level == "right" and check(x, " Event-Store. ").level == "right"
    off = check(x, "Collector API")
    assert off.level == "off" and "Event Store" in off.message and "1.4x" in off.message
    assert check(x, "the moon").level == "invalid" and "Collector API" in check(x, "the moon").message
    assert check(x, "").level == "invalid"


@pytest.mark.parametrize("text, message", [
    ("lots", "isn't a number"), ("", "Type an answer first"), ("   ", "Type an answer first"),
    ("0.9 PB", "is a size; this question asks for a rate"), ("5 years", "is a duration"),
    ("-46K", "can't be negative"), ("46K bananas/fortnight", "can't read that as a rate"),
])
def test_bad_answers_get_a_friendly_message(text, message):
    verdict = check(REF.get("qps_peak"), text)
    assert verdict.level == "invalid" and message in verdict.message and verdict.points == 0


def test_a_rate_where_a_size_belongs():
    verdict = check(REF.get("storage_total"), "46K/s")
    assert verdict.level == "invalid" and "is a rate; this question asks for a size" in verdict.message


# --- reading written answers ---------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, value", [
    ("46K", "rate", 46e3), ("50,000/s", "rate", 5e4), ("4.6e4", "rate", 4.6e4),
    ("4.6 × 10^4", "rate", 4.6e4), ("about 46K QPS", "rate", 46e3), ("~46K req/s", "rate", 46e3),
    ("4 billion/day", "rate", 4e9 / 86400), ("0.9 PB", "size", 0.9e15), ("about 1 PB", "size", 1e15),
    ("2 PiB", "size", 2 * 2**50), ("8 Pb", "size", 1e15), ("46 Mbps", "bandwidth", 5.75e6),
    ("5.8 MB/s", "bandwidth", 5.8e6), ("5.8 MBps", "bandwidth", 5.8e6), ("99.95%", "share", 0.9995),
    ("three nines", "share", 0.999), ("99.9", "share", 0.999), ("22 min", "minutes", 22),
    ("1.5 hours", "minutes", 90), ("30 s", "minutes", 0.5), ("22", "minutes", 22),
    ("1 billion requests/day", "count", 1e9), ("140 million users", "count", 1.4e8), ("24 servers", "count", 24),
])
def test_answers_written_the_way_people_write_them(text, kind, value):
    assert parse_answer(text, kind) == pytest.approx(value)


positive = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(positive, st.sampled_from(["{:.6g}", "{:,.3f}/s", "about {:.5e}", "~{:.6g} QPS", "{:.6g} per second"]))
def test_rates_round_trip(value, form):
    text = form.format(value)
    parsed = parse_answer(text, "rate")
    shown = float(re.search(r"\d[\d,]*\.?\d*(?:e[-+]?\d+)?", text).group().replace(",", ""))
    assert parsed == pytest.approx(shown, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=1.0, max_value=1e20, allow_nan=False))
def test_said_sizes_and_counts_read_back(value):
    """What say_* writes, the reader reads back to within its two-figure rounding."""
    assert parse_answer(q.say_bytes(value), "size") == pytest.approx(value, rel=0.06, abs=0.5)  # whole bytes
    assert parse_answer(q.say_count(value), "count") == pytest.approx(value, rel=0.06)
    assert parse_answer(q.say_qps(value) + "/s", "rate") == pytest.approx(value, rel=0.06)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), st.sampled_from([x.key for x in REF.questions]))
def test_any_text_gets_a_verdict_never_an_exception(text, key):
    verdict = check(REF.get(key), text)
    assert verdict.level in (*LEVELS, "invalid") and verdict.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.sampled_from(["count", "rate", "size", "bandwidth", "share", "minutes"]))
def test_the_parser_raises_only_answer_errors(text, kind):
    try:
        value = parse_answer(text, kind)
    except AnswerError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert math.isfinite(value) and value >= 0


# --- seeds ------------------------------------------------------------------------------------

def test_seeds_reproduce_differ_and_leave_global_random_alone():
    spec = load_spec("reference")
    random.seed(123)
    expected_next = random.Random(123).random()
    assert bank(spec, seed=7) == bank(spec, seed=7)
    assert random.random() == expected_next                 # no global random state used
    givens = {seed: [x.givens for x in bank(spec, seed=seed).questions] for seed in range(1, 6)}
    assert len({json.dumps(g) for g in givens.values()}) == 5
    plain = bank(spec)
    assert plain.get("qps_peak").said == "~46K/s" and plain.seed is None
    varied = vary(spec, 7).scale
    assert varied.users != spec.scale.users and varied.users == float(f"{varied.users:.2g}")
    assert varied.daily_active_users <= varied.users


# --- the terminal ---------------------------------------------------------------------------

def test_session_hints_retries_and_score():
    said = []
    replies = iter(["h", "h", "h", "h", "10 million", "lots", "", "1.2 billion", "s", "11.6K", "q"])
    verdicts = session(REF, lambda prompt: next(replies), said.append)
    text = "\n".join(said)
    assert "Formula: daily actives = users × share active each day" in text
    assert text.count("Worked answer:") == 2                  # the last rung repeats
    assert "'lots' isn't a number" in text and "Type an answer first" in text
    assert [v.level for v in verdicts] == ["right", "good", "order"]   # 1.2 billion is 20% over
    assert "Skipped: the answer is ~12K/s." in text
    assert "It looks like you forgot the peak factor (×4)." in text    # 11.6K for the peak QPS
    assert said[-1].strip() == (f"Score: 1.75 of {len(REF.questions)} (right 1, good estimate 1, "
                                f"right order of magnitude 1, off 0, skipped 1, "
                                f"not reached {len(REF.questions) - 4})")


def test_cli_interactive_from_stdin(monkeypatch, capsys):
    answers = ["10 million", "1 billion", "12K", "11.6K"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(answers) + "\n"))
    assert cli.main(["practice", "reference"]) == 0
    out = capsys.readouterr().out
    assert "Practice: Analytics Event Collector (17 questions)" in out
    assert "4/17. What is the peak QPS?" in out and "Peak factor:    4x average" in out
    assert "It looks like you forgot the peak factor (×4)." in out
    assert "Score: 3.25 of 17 (right 3, good estimate 0, right order of magnitude 1, off 0, skipped 0, not reached 13)" in out


@pytest.mark.slow  # four interpreters; the practice command runs in-process in the fast loop
def test_cli_subprocess_json_seed_and_bad_spec(tmp_path):
    run = [sys.executable, "-m", "designkit", "practice"]
    out = subprocess.run(run + ["url-shortener", "--json", "--seed", "3"], capture_output=True, text=True, check=True)
    questions = json.loads(out.stdout)
    expected = figures(vary(load_spec("url-shortener"), 3))
    assert [x["answer"] for x in questions] == [expected[x["key"]] for x in questions]
    for x in questions:
        assert {"question", "givens", "answer", "unit", "tolerance", "working"} <= set(x)
        assert isinstance(x["givens"], dict) and isinstance(x["working"], list)
    again = subprocess.run(run + ["url-shortener", "--json", "--seed", "3"], capture_output=True, text=True)
    assert again.stdout == out.stdout
    typed = subprocess.run(run + ["reference", "--seed", "2"], input="q\n", capture_output=True, text=True)
    assert typed.returncode == 0 and "seed 2" in typed.stdout and "Score: 0 of" in typed.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nscale: {users: lots}\n")
    failed = subprocess.run(run + [str(bad)], capture_output=True, text=True)
    assert failed.returncode == 2 and "scale.users" in failed.stderr and "Traceback" not in failed.stderr


# --- the notebook boxes -------------------------------------------------------------------------

def test_notebook_boxes_check_live():
    from designkit.live.practice import PracticeBoxes, practice
    boxes = practice(load_spec("reference"), section=1)
    assert isinstance(boxes, PracticeBoxes) and len(boxes.boxes) == len(REF.section(1))
    peak = next(b for b in boxes.boxes if b.question.key == "qps_peak")
    peak.text.value = "11.6K"
    assert "forgot the peak factor" in peak.result.value and "Score: 0.25 of 12" in boxes.score.value
    peak.text.value = "about 46K/s"
    assert "Right" in peak.result.value and "Score: 1 of 12" in boxes.score.value
    peak.text.value = "lots"
    assert "isn&#x27;t a number" in peak.result.value and "Score: 1 of 12" in boxes.score.value
    peak.hint_button.click()
    peak.hint_button.click()
    assert peak.hints.value.count("<br>") == 1 and "First step" in peak.hints.value


def test_headless_practice_creates_no_widget_and_lists_the_questions():
    from IPython.display import Markdown

    from designkit.live.practice import practice
    shown = practice("reference", section=7, interactive=False)
    assert isinstance(shown, Markdown)
    assert "What is the availability of the read path" in shown.data and "<input" not in shown.data


def test_notebooks_end_with_practice_before_the_check_cell():
    import nbformat

    from designkit.assets import NOTEBOOKS_DIR
    for name, section in (("01_requirements", 1), ("06_scalability", 6), ("07_reliability", 7)):
        nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        assert nb.cells[-2].source.endswith(f"practice(system, section={section}, interactive=interactive)")
        assert nb.cells[-1].source.startswith("# Checks")
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code")


# --- the handout appendix -----------------------------------------------------------------------

EVIL = 'Event </script><script>window.__pwned=1</script> Store & <b>"co"</b>'


def evil_spec(tmp_path):
    """The reference with its Event Store renamed to markup that tries to close the script."""
    from designkit.model.spec import read_raw, resolve, validate
    text = json.dumps(read_raw(resolve("reference"))).replace("Event Store", json.dumps(EVIL)[1:-1])
    return validate(json.loads(text), "evil")


def test_appendix_script_is_allowed_by_hash_and_data_cannot_close_it(tmp_path):
    spec = evil_spec(tmp_path)
    assert any(c.name == EVIL for c in spec.components)
    page = render_handout("# Design X\n\nText.\n", assets_dir=tmp_path, practice=bank(spec))
    assert page.count("<script") == 2 and page.count("</script") == 2
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"{CSP}; script-src 'sha256-{digest}'" in page
    data = re.search(r'<script type="application/json" id="practice-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in data and ">" not in data and "&" not in data
    assert EVIL in [name for _, name in json.loads(data)["questions"][REF.questions.index(REF.get("first_to_break"))]["choices"]]
    assert "Event &lt;/script&gt;&lt;script&gt;" in page                # escaped where it is HTML
    assert render_handout("# X\n", assets_dir=tmp_path, practice=bank(spec)) == \
        render_handout("# X\n", assets_dir=tmp_path, practice=bank(spec))
    assert "<script" not in render_handout("# X\n", assets_dir=tmp_path)   # no practice, no script


def test_questions_markdown_escapes_spec_text(tmp_path):
    md = questions_markdown(bank(evil_spec(tmp_path)).section(6))
    assert "</script>" not in md and "&lt;/script>" in md


def _page_cases():
    """(question index, typed answer) pairs covering every kind, level, slip and bad input."""
    cases = []
    for i, x in enumerate(REF.questions):
        cases += [(i, x.said), (i, ""), (i, "lots"), (i, "0.9 PB"), (i, "46K/s")]
        if x.unit != "component":
            for factor in (0.93, 1.7, 0.3, 6.0, 40, *(f for f, _ in x.slips)):
                value = (1 - (1 - x.answer) * factor) if x.unit == "availability" else x.answer * factor
                unit = {"bytes": " B", "bytes/s": " B/s", "requests/s": "/s", "minutes": " min"}.get(x.unit, "")
                cases.append((i, f"{value * 100:.12g}%" if x.unit == "availability" else f"{value:.12g}{unit}"))
        else:
            cases += [(i, "collector api"), (i, "nothing"), (i, "event")]
    return cases + [(3, "about 4.6 × 10^4"), (7, "46 Mbps"), (12, "six nines"), (13, "0.05 h")]


def _check_page(page, requests, errors):
    """Type answers into the boxes, then check the in-page grader against model.answers."""
    from playwright.sync_api import expect
    expect(page.locator(".practice-box").first).to_be_visible()
    index = next(i for i, x in enumerate(REF.questions) if x.key == "qps_peak")
    box = page.locator(f'[data-q="{index}"]')
    box.locator("input").fill("11.6K")
    box.locator("input").press("Enter")
    expect(box.locator(".practice-verdict")).to_have_text(
        "Right order of magnitude (4x too small): the answer is ~46K/s. "
        "It looks like you forgot the peak factor (×4).")
    expect(box.locator(".practice-verdict")).to_have_attribute("data-level", "order")
    box.locator("input").fill("0.9 PB")
    box.locator(".practice-check").click()
    expect(box.locator(".practice-verdict")).to_contain_text("is a size; this question asks for a rate")
    box.locator("input").fill("50,000/s")
    box.locator(".practice-check").click()
    expect(box.locator(".practice-verdict")).to_have_text("Right: the answer is ~46K/s.")
    box.locator(".practice-hint").click()
    expect(box.locator(".practice-hints")).to_have_text(
        "Formula: peak QPS = requests a day ÷ 86,400 s × peak factor")
    expect(page.locator(".practice-score")).to_have_text(f"Score: 1 of {len(REF.questions)} (1 answered)")
    for i, text in _page_cases():
        got = page.evaluate("([i, t]) => window.designkitPractice.check(i, t)", [i, text])
        want = check(REF.questions[i], text)
        assert (got["level"], got.get("slip")) == (want.level, want.slip), (REF.questions[i].key, text)
        if want.level != "invalid":
            assert got["message"] == want.message, (REF.questions[i].key, text)
    assert page.evaluate("window.__pwned") is None
    assert errors == []
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests


def _open(page, path):
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    return requests, errors


@pytest.mark.browser
def test_appendix_boxes_in_chromium_and_readable_without_javascript(tmp_path):
    from _browser import chromium_page
    from playwright.sync_api import expect
    handout = tmp_path / "handout.html"
    handout.write_text(render_handout("# Design X\n\n## Practice\n\nA heading of the same name.\n",
                                      assets_dir=tmp_path, practice=REF), encoding="utf-8")
    with chromium_page() as page:
        requests, errors = _open(page, handout)
        _check_page(page, requests, errors)
    with chromium_page(java_script_enabled=False) as page:
        page.goto(handout.as_uri())
        expect(page.locator("#practice-1")).to_have_text("Practice")
        assert page.locator(".practice-box:visible").count() == 0
        first = page.locator(".practice-q details").first
        expect(first.locator("summary")).to_have_text("Worked answer")
        first.locator("summary").click()
        expect(first).to_contain_text("Answer: 10 million")


@pytest.mark.browser
def test_evil_spec_text_stays_inert_in_chromium(tmp_path):
    from _browser import chromium_page
    from playwright.sync_api import expect
    handout = tmp_path / "handout.html"
    handout.write_text(render_handout("# X\n", assets_dir=tmp_path, practice=bank(evil_spec(tmp_path))))
    with chromium_page() as page:
        requests, errors = _open(page, handout)
        expect(page.get_by_text(f"How many shards does {EVIL} need?")).to_be_visible()
        assert page.evaluate("window.__pwned") is None and errors == []
        assert page.evaluate("typeof window.designkitPractice.check") == "function"


@pytest.mark.slow
@pytest.mark.browser
def test_the_built_handout_has_the_practice_appendix(reference_build):
    from _browser import chromium_page
    page_html = reference_build[0].handout.read_text(encoding="utf-8")
    assert page_html.count('class="practice-q"') == len(REF.questions)
    assert practice_page.script_hash() in page_html
    with chromium_page() as page:
        requests, errors = _open(page, reference_build[0].handout)
        _check_page(page, requests, errors)
    from playwright.sync_api import expect
    for scale, overrides in (("10x", {"scale": "10x"}), ("0.1x", {"scale": "0.1x"})):
        at = bank(load_spec("reference", overrides))          # the built page's grid point = -p scale=...
        with chromium_page() as page:
            page.goto(reference_build[0].handout.as_uri() + f"#scale={scale}")
            expect(page.locator(".practice-q")).to_have_count(len(at.questions))
            for i, x in enumerate(at.questions):
                expect(page.locator(f'[data-q="{i}"] details strong')).to_have_text(x.said)


def test_the_session_in_the_docs_is_a_real_one():
    """docs/practice.md shows a terminal session: replaying its answers prints exactly that."""
    from pathlib import Path
    docs = (Path(__file__).resolve().parents[1] / "docs" / "practice.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(Practice: .*?)\n```", docs, re.DOTALL).group(1)
    replies = iter(line[2:] for line in shown.splitlines() if line.startswith("> "))
    lines = []

    def ask(prompt):
        reply = next(replies, None)
        lines.append(prompt + (reply or ""))
        return reply

    session(bank(load_spec("reference")), ask, lambda text: lines.extend(text.split("\n")))
    assert "\n".join(lines).strip() == shown.strip()


@pytest.mark.slow
@pytest.mark.browser
def test_notebook_boxes_in_jupyterlab(lab):
    """Run notebook 1 in JupyterLab, type answers into its practice boxes, read the verdicts."""
    from playwright.sync_api import expect

    from _browser import chromium_page, open_and_run, shut_down_kernels
    base, token = lab
    with chromium_page(viewport={"width": 1400, "height": 1300}) as page:
        try:
            open_and_run(page, base, token, SECTIONS[0].filename)
            box = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .dk-practice-qps_peak")
            box.scroll_into_view_if_needed()
            answer = box.locator("input")
            answer.fill("11.6K")
            answer.press("Enter")
            expect(box.locator(".dk-practice-verdict")).to_contain_text(
                "It looks like you forgot the peak factor (×4).", timeout=30_000)
            answer.fill("about 46K/s")
            answer.press("Enter")
            expect(box.locator(".dk-practice-verdict")).to_have_text("Right: the answer is ~46K/s.", timeout=30_000)
            box.locator("button:has-text('Hint')").click()
            expect(box.locator(".dk-practice-hints")).to_contain_text("Formula: peak QPS", timeout=30_000)
            expect(page.locator(".dk-practice-score")).to_contain_text("Score: 1 of 12", timeout=30_000)
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "practice-failure.png"))
            raise
        finally:
            shut_down_kernels(base, token)


# --- the handout's practice follows its scale control ----------------------------------------

def _moving_handout(tmp_path, grid=(1.0, 10.0)):
    """A handout whose control moves between ``grid`` points, its practice following (no notebook)."""
    from designkit.views.pages.scaled_handout import MovingGrid
    moving = MovingGrid(load_spec("reference"), "reference", grid=grid, workers=1)
    practice = moving.practice()
    page = render_handout("# Design X\n\nText.\n", assets_dir=tmp_path, parts=[moving.parts()], practice=practice)
    path = tmp_path / "handout.html"
    path.write_text(page, encoding="utf-8")
    return path, practice


def test_moving_practice_carries_each_points_bank(tmp_path):
    _, practice = _moving_handout(tmp_path)
    assert [scale for scale, _, _ in practice.points] == ["1x", "10x"] and practice.start == 0
    ten = bank(load_spec("reference", {"scale": "10x"}))
    assert practice.points[1][2] == ten                                  # the 10x bank is -p scale=10x's
    data = practice_page.page_data(practice)
    assert [x["said"] for x in data["questions"]] == [x.said for x in REF.questions]
    base = {x["key"]: x for x in data["questions"]}

    def inflate(changed):          # what the page's script does: the start's question, then what differs
        return {**base.get(changed["key"], {}), **changed}

    shown = [[inflate(data["pool"][i]) for i in point["questions"]] for point in data["points"]]
    assert shown[0] == data["questions"]
    assert shown[1] == [practice_page.question_data(x) for x in ten.questions]
    assert [x["said"] for x in shown[1]] == [x.said for x in ten.questions]
    assert all(set(data["pool"][i]) == {"key"} for i in data["points"][0]["questions"])   # 1x: nothing differs
    qps = data["pool"][data["points"][1]["questions"][[x.key for x in ten.questions].index("qps_peak")]]
    assert "formula" not in qps and qps["said"] == "~460K/s"          # stored once, with the start's


@pytest.mark.browser
def test_handout_practice_follows_the_scale_control(tmp_path):
    """Move the handout to 10x: the practice asks and grades the 10x figures; back at 1x, the 1x ones."""
    from _browser import chromium_page
    from playwright.sync_api import expect
    path, _ = _moving_handout(tmp_path)
    ten = bank(load_spec("reference", {"scale": "10x"}))
    index = next(i for i, x in enumerate(REF.questions) if x.key == "qps_peak")
    with chromium_page() as page:
        requests, errors = _open(page, path)
        box = page.locator(f'[data-q="{index}"]')
        expect(box.locator("details strong")).to_have_text("~46K/s")
        box.locator("input").fill("46K")
        box.locator("input").press("Enter")
        expect(page.locator(".practice-score")).to_have_text(f"Score: 1 of {len(REF.questions)} (1 answered)")
        page.locator("#designkit-scale").focus()
        page.keyboard.press("ArrowRight")                                   # the control's next point: 10x
        expect(page.locator("#designkit-scale + output")).to_contain_text("×10")
        ten_index = next(i for i, x in enumerate(ten.questions) if x.key == "qps_peak")
        box = page.locator(f'[data-q="{ten_index}"]')
        expect(box.locator("details strong")).to_have_text("~460K/s")
        expect(box.locator(".practice-givens")).to_contain_text("~10 billion")
        expect(page.locator(".practice-scale")).to_contain_text("×10")
        expect(page.locator(".practice-score")).to_have_text("")           # a new set of questions
        assert page.locator(".practice-q").count() == len(ten.questions)
        box.locator("input").fill("116K")                                   # 10x the 1x average
        box.locator("input").press("Enter")
        expect(box.locator(".practice-verdict")).to_have_text(
            "Right order of magnitude (4x too small): the answer is ~460K/s. "
            "It looks like you forgot the peak factor (×4).")
        box.locator("input").fill("about 460K/s")
        box.locator(".practice-check").click()
        expect(box.locator(".practice-verdict")).to_have_text("Right: the answer is ~460K/s.")
        box.locator(".practice-hint").click()
        expect(box.locator(".practice-hints")).to_have_text(f"Formula: {ten.get('qps_peak').formula}")
        for i, x in enumerate(ten.questions):                             # the page grades like the model
            got = page.evaluate("([i, t]) => window.designkitPractice.check(i, t)", [i, x.said])
            assert got["level"] == check(x, x.said).level == "right", x.key
            assert page.locator(f'[data-q="{i}"] details li').all_text_contents() == list(x.working)
        page.locator("#designkit-scale").focus()
        page.keyboard.press("ArrowLeft")
        expect(page.locator(f'[data-q="{index}"] details strong')).to_have_text("~46K/s")
        assert errors == [] and all(url.startswith(("file:", "data:")) for url in requests)
    with chromium_page() as page:                                          # a #scale=10x link opens at 10x
        page.goto(path.as_uri() + "#scale=10x")
        expect(page.locator(f'[data-q="{ten_index}"] details strong')).to_have_text("~460K/s")


@pytest.mark.parametrize("text", ["5e-324", "1e-320", "1e308", "9e307 million"])
def test_answers_at_the_ends_of_the_float_range_are_graded_not_crashed(text):
    from designkit.model import answers
    for question in bank(load_spec("reference")).questions:
        verdict = answers.check(question, text)
        assert verdict.level in ("right", "good", "order", "off", "invalid")
