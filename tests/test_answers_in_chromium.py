"""One grader in two languages: the handout's JavaScript reads and grades answers exactly as model.answers does.

The page's script (``views.pages.practice_appendix.SCRIPT``) re-implements ``model.answers`` for a
page with no kernel.  Hypothesis writes answers the way people type them (hedges, numbers with
commas and exponents, units and nouns of every kind, per-period suffixes, stray punctuation, junk),
and each one is graded by both: in Python, and by ``window.designkitPractice.check`` in Chromium.
They must agree on the level, the slip, and the message.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.model.answers import check
from designkit.model.practice import bank
from designkit.model.spec import load_spec
from designkit.views.pages.handout import render_handout

BANKS = [bank(load_spec("reference")), bank(load_spec("url-shortener", {"scale": "0.01x"}))]

HEDGES = st.sampled_from(["", "", "about ", "~", "≈ ", "roughly ", "around ", "just under ", "maybe ~", "± "])
NUMBERS = st.one_of(
    st.integers(0, 10**13).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.3g}"),
    st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.2f}"),
    st.tuples(st.floats(1, 9.99), st.integers(-3, 15)).map(lambda p: f"{p[0]:.2g} × 10^{p[1]}"),
    st.tuples(st.floats(1, 9.99), st.integers(-3, 15)).map(lambda p: f"{p[0]:.2g}e{p[1]}"),
    st.sampled_from(["-5", ".5", "1_000", "0", "007", "1.", "2,5", "1e400", "two", "three"]),
)
UNITS = st.sampled_from([
    "", "K", "k", "M", "million", "billion", "thousand", "B", "bn", "trillion",
    "B", "KB", "kB", "MB", "GB", "TB", "PB", "EB", "KiB", "MiB", "GiB", "TiB", "bytes", "bits", "Mb", "Mbit",
    "Gbps", "MBps", "MB/s", "GB/s", "Mbit/s", "/s", "/sec", " per second", "ps", " qps", "K qps", " rps", "K/s",
    "/day", " a day", " per day", "/d", " per hour", "/h", " per month", "/min",
    "%", " percent", " nines", "9s", " min", " minutes", " m", " h", " hours", " s", " seconds", " ms",
    " µs", " us", " days", " d", " weeks", " a month", " per month", " years",
])
NOUNS = st.sampled_from(["", "", " users", " requests", " reads", " writes", " of data", " servers", " shards",
                         " events", " messages", " copies", " people", " daily actives", " boxes"])
ENDS = st.sampled_from(["", "", ".", "?", "!", " ", "  "])
SAID = st.builds(lambda h, n, s, u, w, e: f"{h}{n}{s}{u}{w}{e}", HEDGES, NUMBERS, st.sampled_from(["", " ", ""]),
                 UNITS, NOUNS, ENDS)
JUNK = st.lists(st.sampled_from([*"0123456789 .,_-+eE×x*^/%~≈KMGTPkmgtpBbisdhQqy", "µ", "Mi", "per ", "a ",
                                  "nine", "\t", "\u00a0", "'", '"', "\\", "collector", "event store", "none"]),
                 max_size=12).map("".join)
ANSWERS = st.one_of(SAID, SAID, SAID, JUNK)


@pytest.mark.browser
def test_the_page_grades_every_answer_as_python_does(tmp_path):
    from _browser import chromium_page
    pages = []
    for i, b in enumerate(BANKS):
        page = tmp_path / f"handout-{i}.html"
        page.write_text(render_handout("# Design X\n", assets_dir=tmp_path, practice=b), encoding="utf-8")
        pages.append(page)
    with chromium_page() as page:
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        for questions, path in zip([b.questions for b in BANKS], pages):
            page.goto(path.as_uri())
            same = _agreement(page, questions)
            same()
        assert errors == []


def _agreement(page, questions):
    """A hypothesis test of ``questions``: batches of (question, typed answer) graded in the page and in Python."""
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.integers(0, len(questions) - 1), ANSWERS), min_size=1, max_size=40))
    def same(cases):
        got = page.evaluate("cases => cases.map(([i, t]) => window.designkitPractice.check(i, t))",
                            [list(c) for c in cases])
        for (i, text), js in zip(cases, got):
            want = check(questions[i], text)
            assert (js["level"], js.get("slip")) == (want.level, want.slip), (questions[i].key, text)
            assert js["message"] == want.message, (questions[i].key, text)
    return same
