"""Every example's article at 10x its own scale states the 10x figures and none of its 1x ones.

Each example is built at its own scale by its notebooks (``build --all-examples``, shared with
test_examples_build); the article at ``-p scale=10x`` is the in-process one (``views.pages.full_article.article_at``), which
equals the notebooks' article for every example at 1x (checked here) and for the reference at 10x
(test_moving_handout), without ten more notebook builds.  The figures to look for are said with
the article's own ``say_*`` functions from the model's numbers at each scale.
"""

import re

import pytest

from designkit.model import quantities as q
from designkit.model.analysis import analyze
from designkit.model.capacity import estimate
from designkit.model.kinds import holds_data
from designkit.model.spec import example_names, load_spec
from designkit.views.prose.templating import EXPRESSION, evaluate, prose_fields
from designkit.views.prose.figure_names import Figure, flat, namespace, numbers
from designkit.run.build import over_capacity, plain_figures, spec_warnings
from _specs import article_of

pytestmark = pytest.mark.slow
TEN = {"scale": "10x"}


@pytest.fixture(scope="module")
def articles(all_examples):
    """{(example, '1x' | '10x'): article text}: the 1x ones built by the notebooks, the 10x ones in-process."""
    built, done = all_examples
    assert done.returncode == 0, done.stderr[-3000:]
    texts = {(name, "1x"): (built / name / "article.md").read_text(encoding="utf-8") for name in example_names()}
    texts.update({(name, "10x"): article_of(name, TEN) for name in example_names()})
    return texts


@pytest.mark.parametrize("name", example_names())
def test_the_notebooks_article_is_the_in_process_one(articles, name):
    assert plain_figures(articles[name, "1x"]) == article_of(name)
    at_ten = load_spec(name, TEN)                         # what a build at 10x would warn about: only
    assert spec_warnings(at_ten) == over_capacity(at_ten)  # the components that 10x puts over capacity


def headline(name, overrides=None):
    """What the article must say for the spec's peak QPS, total storage, servers and shards."""
    spec = load_spec(name, overrides)
    cap = estimate(spec.scale)
    shards = {load.name: load.shards_needed for load in analyze(spec, cap).loads
              if holds_data(load.kind) and load.shards_needed}
    return {"qps_peak": q.say_qps(cap.qps_peak), "storage_total": q.say_bytes(cap.storage_total_bytes),
            "servers": cap.servers_needed, "shards": shards}


def said_at(name, overrides=None) -> set[str]:
    """Every figure of the spec's vocabulary, and every {{ expression }} of its prose, as the article
    says it at that scale (at 10x, "year one's {{ storage_per_day_bytes * 365.25 }}" is the 1x total)."""
    spec = load_spec(name, overrides)
    names = namespace(numbers(spec))
    said = {str(value) for value in flat(numbers(spec)).values() if isinstance(value, Figure)}
    return said | {evaluate(m.group(1), names) for _, text in prose_fields(spec) for m in EXPRESSION.finditer(text)}


def said(text: str, phrase: str) -> bool:
    """The figure ``phrase`` ('~46K', '~0.91 PB') appears as a whole, with or without its '~'."""
    core = re.escape(phrase.lstrip("~"))
    return re.search(rf"(?<![\w.,]){core}(?![\w.]|,\d)", text) is not None


def shards_cells(article: str) -> dict[str, str]:
    """Component -> the 'Shards needed' cell of the Load at Peak table."""
    lines = article.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| Component | Nodes"))
    column = [c.strip() for c in lines[head].strip("|").split("|")].index("Shards needed")
    cells = {}
    for line in lines[head + 2:]:
        if not line.startswith("|"):
            break
        row = [c.strip() for c in line.strip("|").split("|")]
        cells[row[0].strip("*")] = row[column]
    return cells


def without_references(article: str) -> str:
    """The article up to its list of references."""
    return re.split(r"^#+ References\s*$", article, flags=re.MULTILINE)[0]


def prose_of(article: str) -> str:
    """The article with its computed tables and code blocks left out: what the spec's prose says."""
    text = re.sub(r"```.*?```", "", article, flags=re.DOTALL)
    return "\n".join(line for line in text.splitlines() if not line.startswith("|"))


@pytest.mark.parametrize("name", example_names())
def test_the_10x_article_says_10x_figures_and_no_1x_ones(articles, name):
    one, ten = headline(name), headline(name, TEN)
    md1, md10 = articles[name, "1x"], articles[name, "10x"]
    own10 = without_references(md10)    # the sources' titles quote their own numbers
    assert "{{" not in md1 and "{{" not in md10
    # Each article states its own scale's figures...
    for md, figures in ((md1, one), (md10, ten)):
        assert f"QPS (peak):      {figures['qps_peak']} (" in md
        assert re.search(rf"^- [\w-]+ total: +{re.escape(figures['storage_total'])} \(", md, re.MULTILINE), name
        assert f"App servers:     {figures['servers']} at peak" in md
        cells = shards_cells(md)
        for comp, count in figures["shards"].items():
            assert cells[comp] == str(count), (name, comp, cells[comp], count)
    # ...and the 10x article never states the 1x peak QPS, total storage or servers, in tables or prose.
    assert one["qps_peak"] != ten["qps_peak"] and one["storage_total"] != ten["storage_total"]
    for key in ("qps_peak", "storage_total"):
        if one[key] in said_at(name, TEN):
            continue   # a 10x figure says the same (a 10x peak factor: the 1x peak is the 10x average)
        # Other quantities that equal it by arithmetic: a tenth of ten years' data at 10x ("Year one alone
        # is ~37 TB"), and the share of the data in one storage class ("(~5.5 PB S3 Standard)").
        figure = r"\\?~" + re.escape(one[key].lstrip("~"))          # Markdown may escape the '~'
        checked = re.sub(rf"Year one alone is {figure}|\({figure} S3 Standard\)", "", own10)
        assert not said(checked, one[key]), f"{name}: 10x article says the 1x {key} {one[key]}"
    assert not re.search(rf"(?<![\w.,]){one['servers']} (app )?servers\b", own10)
    for comp, count in one["shards"].items():
        if count != ten["shards"][comp]:
            assert not re.search(rf"(?<![\w.,]){count} shards\b", prose_of(own10)), (name, comp, count)


def test_prose_figures_follow_the_scale(articles):
    """The reference's hand-written sentences carry its numbers at each scale."""
    assert "a write-only firehose of ~46K events/s at peak" in articles["reference", "1x"]
    assert "a write-only firehose of ~460K events/s at peak" in articles["reference", "10x"]
    assert "At 1 billion users it ingests about 10 billion small writes a day" in articles["reference", "10x"]
