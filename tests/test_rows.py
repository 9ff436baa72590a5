"""One set of rows: the article and the live views say every computed figure in the same words.

The live views of sections 1, 6 and 7 are compared word for word with the article at the same
scale: at the spec's own scale against the built reference article, at other scales against the
article functions themselves (the notebooks only call them).  Also: rows are plain data, spec
text is escaped by each renderer, and Interview Tips never asks a question twice.
"""

from __future__ import annotations

import html
import re

import pytest

from _specs import comp, make_spec
from designkit.live.scheduling import ManualScheduler
from designkit.live.cells import TableView, TextView
from designkit.live.views import html_cell, live, plain
from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.model.scaling import needed_at
from designkit.model.spec import example_names, load_spec
from designkit.views.pages import article
from designkit.views.rows import as_markdown as tables
from designkit.views.rows import reliability as rr
from designkit.views.rows import scaling as r
from designkit.views.rows.table import Cell, STATUSES
from designkit.views.rows.capacity import capacity_rows
from designkit.views.rows.interview import SAME, follow_up_rows, key_phrase_rows

SECTION_PARTS = {1: "requirements", 6: "scalability", 7: "reliability"}
WORDED_VIEWS = {1: 1, 6: 7, 7: 2}   # the tables and lists (not charts) each section shows live (6: + tail latency, cost)


# --- reading the article back ---------------------------------------------------------------

def unmark(cell: str) -> str:
    """A Markdown cell's words: the bold around it, pipe escapes and HTML escapes undone."""
    cell = cell.strip()
    if len(cell) >= 4 and cell.startswith("**") and cell.endswith("**"):
        cell = cell[2:-2]
    return html.unescape(unescape_md(cell))


def unescape_md(text: str) -> str:
    """Markdown's backslash escapes undone: what a reader sees ('\\~150 million' reads '~150 million')."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def article_tables(md: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every pipe table of a Markdown text as (header, rows) of plain words."""
    found, block = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            block.append([unmark(c) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif block:
            found.append((block[0], block[2:]))
            block = []
    return found


def article_items(md: str) -> list[str]:
    """Every list item of a Markdown text, and the envelope paragraph, in plain words."""
    return [html.unescape(unescape_md(m.replace("**", "")))
            for m in re.findall(r"^(?:- |\d+\. |(?=\*\*Envelope\*\*))(.*)$", md, re.MULTILINE)]


def capacity_pairs(md: str) -> list[list[str]]:
    """The capacity block's lines as (label, value): 'Storage:' is ('Storage', '')."""
    block = md.split("### Capacity Estimation", 1)[1].split("```", 2)[1]
    pairs = []
    for line in block.splitlines()[1:]:
        if line.strip():
            label, _, value = line.removeprefix("- ").partition(":")
            pairs.append([label, value.strip()])
    return pairs


def section_markdown(md: str, number: int) -> str:
    """One section of a whole article, from its heading to the next."""
    start = md.index(f"\n## {number}. ")
    end = md.find("\n## ", start + 1)
    return md[start:end if end > 0 else None]


def assert_live_says_the_article(box, md: str) -> int:
    """Every live table and line of a section equals, word for word, its table or list in ``md``."""
    found = article_tables(md)
    checked = 0
    for view in box.views:
        if isinstance(view, TableView):
            header = [plain(h) for h in view.table.header]
            cells = [[plain(c) for c in row] for row in view.table.text()]
            if header == ["Capacity", ""]:
                assert cells == capacity_pairs(md)
                checked += 1
                continue
            same = [(h, rows) for h, rows in found if set(header) <= set(h)]
            assert same, header
            full_header, full_rows = same[0]
            picked = [[row[full_header.index(name)] for name in header] for row in full_rows]
            assert cells == picked, header
            checked += 1
        elif isinstance(view, TextView):
            items = article_items(md)
            for line in view.text():
                if plain(line).startswith("Today here is the sliders' setting"):
                    continue           # live only: what 'today' means beside the sliders
                assert plain(line) in items, plain(line)
            checked += 1
    return checked


def live_box(spec, overrides, section):
    return live(spec, overrides, section=section, scheduler=ManualScheduler())


# --- the same words ------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("section", sorted(SECTION_PARTS))
def test_live_views_say_the_built_article_word_for_word(reference_build, section):
    md = section_markdown(reference_build[0].article.read_text(encoding="utf-8"), section)
    assert assert_live_says_the_article(live_box("reference", None, section), md) == WORDED_VIEWS[section]


OTHER_SCALES = [{"users": "1 billion", "daily_active_users": "100 million"}, {"scale": "0.05x"}, {"scale": "300x"}]


@pytest.mark.parametrize("section,overrides", [   # fast loop: section 6's whole panel at one of the scales
    pytest.param(section, overrides, id=f"{section}-overrides{i}", marks=pytest.mark.slow if section == 6 and i else ())
    for section in sorted(SECTION_PARTS) for i, overrides in enumerate(OTHER_SCALES)])
def test_live_views_say_the_article_at_other_scales(section, overrides):
    spec = load_spec("reference", overrides)
    cap = estimate(spec.scale)
    part = getattr(article, SECTION_PARTS[section])
    md = part(spec, cap) if section == 1 else part(spec, analyze(spec, cap))
    assert assert_live_says_the_article(live_box("reference", overrides, section), md) == WORDED_VIEWS[section]


def test_live_views_follow_a_slider_in_the_article_s_words():
    box = live_box("reference", None, 7)
    box.panel.set(users=3e9, **{"Event Store.availability": 0.99})
    box.panel.flush()
    spec = load_spec("reference", box.panel.overrides())
    assert assert_live_says_the_article(box, article.reliability(spec, analyze(spec))) == WORDED_VIEWS[7]


def test_the_scenario_table_words_data_loss_once():
    a = analyze(load_spec("reference"))
    said = {row[0]: row[4] for row in rr.scenario_rows(a).texts()}
    assert said["Database primary failure (Event Store)"] == "Up to 1 s of writes (~720 at peak)"
    box = live_box("reference", None, 7)
    scenarios = next(v for v in box.views if isinstance(v, TableView) and "Data loss" in
                     [plain(h) for h in v.table.header])
    assert "Up to 1 s of writes (~720 at peak)" in [plain(c) for row in scenarios.table.text() for c in row]


# --- rows are data; each renderer escapes ----------------------------------------------------

def test_rows_are_plain_cells_with_known_statuses():
    spec = load_spec("reference", {"scale": "10x"})
    a = analyze(spec)
    for table in (capacity_rows(a.capacity), r.load_rows(a), r.strategy_rows(a), r.threshold_rows(a),
                  r.queueing_rows(a), rr.availability_rows(a), rr.path_rows(a), rr.scenario_rows(a),
                  key_phrase_rows(spec, a), follow_up_rows(spec, a)):
        assert all(len(row) == len(table.header) for row in table.rows)
        for cell in (c for row in table.rows for c in row):
            assert isinstance(cell, Cell) and cell.status in (None, *STATUSES)
            assert "**" not in cell.text and "<span" not in cell.text and "<b>" not in cell.text
    statuses = {c.status for row in r.load_rows(a).rows for c in row}
    assert "over" in statuses                                   # 10x: something is past full
    with pytest.raises(ValueError):
        Cell("x", "<b>")


def test_spec_text_in_rows_is_escaped_by_each_renderer():
    name = "<b>Api</b> | **x**"
    spec = make_spec([comp(name, "service", 1000, replicas=2)], [name], [name])
    a = analyze(spec)
    md = tables.load_table(a)
    assert "**&lt;b>Api&lt;/b> \\| \\*\\*x\\*\\*** " in md and "<b>" not in md  # no emphasis from a name
    cell = r.load_rows(a).rows[0][0]
    assert html_cell(cell) == "&lt;b&gt;Api&lt;/b&gt; | **x**"
    assert plain(html_cell(Cell(name, "over"))) == name


def test_needed_at_ten_times_is_worked_by_hand():
    # 22K requests/s at peak (20K reads + 2K writes) on a 1,000/s service at the 70% target:
    # today ceil(22,000 / 700) = 32 replicas; at 10x ceil(220,000 / 700) = 315.
    spec = make_spec([comp("Api", "service", 1000, replicas=2)], ["Api"], ["Api"])
    load = analyze(spec).load("Api")
    assert (load.replicas_needed, load.shards_needed) == (32, None)
    assert needed_at(load, 1) == (32, None) and needed_at(load, 10) == (315, None)


# --- no question twice ---------------------------------------------------------------------------

def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@pytest.mark.parametrize("name", example_names())
def test_interview_tips_never_ask_the_same_question_twice(name):
    for scale in ("1x", "10x"):
        spec = load_spec(name, {"scale": scale})
        a = analyze(spec)
        for table in (key_phrase_rows(spec, a), follow_up_rows(spec, a)):
            asked = [row[0] for row in table.texts()]
            assert len({_key(x) for x in asked}) == len(asked), asked
            for topic, pattern in SAME.items():
                assert sum(bool(pattern.search(x)) for x in asked) <= 1, (topic, asked)


def test_computed_rows_take_the_place_of_the_generic_ones():
    spec = load_spec("reference")
    a = analyze(spec)
    follow = follow_up_rows(spec, a).texts()
    questions = [q for q, _ in follow]
    assert '"What breaks first at 10x?"' in questions and '"What if scale increases 10x?"' not in questions
    assert '"What would you monitor?"' in questions and '"What metrics would you monitor?"' not in questions
    assert questions.index('"What breaks first at 10x?"') == 2               # where the spec asks it
    answer = dict(follow)['"What breaks first at 10x?"']
    assert answer.startswith("Event Store breaks first (disk full at 1.4x today's traffic)")
    phrases = [i for i, _ in key_phrase_rows(spec, a).texts()]
    assert phrases.count('"We need a lot of storage"') == 1 and phrases.index('"We need a lot of storage"') == 2
    assert dict(key_phrase_rows(spec, a).texts())['"We need a lot of storage"'].startswith('"500 GB a day')


# --- any spec text --------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(names)
def test_any_component_name_reads_back_from_the_article_and_the_live_cells(name):
    name = " ".join(name.split())
    spec = make_spec([comp(name, "service", 1000, replicas=2)], [name], [name])
    a = analyze(spec)
    md = tables.load_table(a)
    header, body = article_tables(md)[0]
    assert len(header) == len(r.load_rows(a).header) and all(len(row) == len(header) for row in body)
    assert body[0][0] == name                                       # the same words, escaped on the way
    assert "<" not in md.replace("&lt;", "")
    assert plain(html_cell(r.load_rows(a).rows[0][0])) == name
    assert "<" not in html_cell(Cell(name)).replace("&lt;", "")


@pytest.mark.parametrize("overrides, title", [
    (None, "At 10x today's scale, Event Store breaks first"),
    ({"scale": "10x"}, "Event Store is already over capacity today"),
    ({"scale": "0.01x"}, "Nothing breaks at 10x today's scale"),
])
def test_the_scaling_chart_title_holds_at_any_scale(overrides, title):
    """At 1 billion users the Event Store is 713% full: its chart must not say it 'breaks' at 10x."""
    from designkit.views.charts.scaling import ScalingChart
    spec = load_spec("reference", overrides)
    a = analyze(spec, estimate(spec.scale))
    assert r.breaks_title(a) == title
    chart = ScalingChart(a)
    assert chart.ax.get_title() == title
