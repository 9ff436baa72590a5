"""The registries: one entry adds a chart (article, notebook, moving handout, live views) or a table (article, live views)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from designkit import notebook as dk
from designkit.live.state import State
from designkit.live.views import section_views, view
from designkit.model import analyze, estimate
from designkit.model.numbers import Numbers
from designkit.model.spec import load_spec
from designkit.run import fragments
from designkit.sections import SECTIONS
from designkit.views.charts import registry
from designkit.views.rows import registry as tables
from designkit.views.rows.table import rows
from designkit.views.pages import article
from designkit.views.pages.full_article import article_at
from designkit.views.pages.scaled_figures import GridFigures


class DummyChart:
    """A chart the project does not have: one bar, peak QPS."""

    def __init__(self, analysis):
        self.fig = Figure(figsize=(2.0, 1.5), layout="constrained")
        self.ax = self.fig.subplots()
        self.bar = self.ax.bar([0], [0])[0]
        self.update(analysis)

    def update(self, analysis) -> None:
        self.bar.set_height(analysis.capacity.qps_peak)
        self.ax.set_ylim(0, analysis.capacity.qps_peak * 1.2)


@pytest.fixture
def dummy(monkeypatch):
    entry = registry.Chart("dummy", 4, DummyChart, inputs=lambda n: (n.analysis,),
                           changes_with=lambda n: n.cap.qps_peak, alt=lambda spec: f"Peak QPS of {spec.name}")
    monkeypatch.setattr(registry, "CHARTS", [*registry.CHARTS, entry])
    return entry


@pytest.fixture
def reference():
    spec = load_spec("reference")
    cap = estimate(spec.scale)
    return spec, cap, analyze(spec, cap)


def test_one_entry_adds_a_chart_everywhere(dummy, reference, monkeypatch):
    spec, cap, analysis = reference
    image = f"![Peak QPS of {spec.name}](figures/dummy.svg)"
    assert image in article.data_model(spec)                       # its section's Markdown ...
    assert article_at(spec, cap, analysis).count(image) == 1       # ... once in the whole article

    shown = []                                                     # the notebook: dk.emit draws it
    monkeypatch.setattr("IPython.display.display", lambda data, raw=False: shown.append(data))
    fragments.forget()
    dk.emit(4, dk.article.data_model(spec), spec)
    drawn = [d[fragments.FIGURE_MIME] for d in shown if fragments.FIGURE_MIME in d]
    assert [(d["name"], d["alt"]) for d in drawn] == [("dummy", f"Peak QPS of {spec.name}")]
    assert drawn[0]["svg"].lstrip().startswith("<?xml") and fragments.FRAGMENT_MIME in shown[-1]
    fragments.forget()

    grid = GridFigures(spec, analysis)                             # the handout that moves
    first = grid.draw(analysis, spec)
    assert "<svg" in first["dummy"] and set(first) >= {"capacity", "scaling", "dummy"}
    ten_x = load_spec("reference", {"scale": "10x"})
    assert grid.draw(analyze(ten_x, estimate(ten_x.scale)), ten_x)["dummy"] != first["dummy"]

    assert "dummy_chart" in section_views(4)                       # the live views of its section
    assert all("dummy_chart" not in section_views(s.number) for s in SECTIONS if s.number != 4)
    live = view("dummy_chart")(State.of({}, spec))
    assert isinstance(live.chart, DummyChart) and live.widget.value[:4] == b"\x89PNG"


def test_every_chart_has_one_alt_text_and_is_placed_by_its_section(reference):
    spec, cap, analysis = reference
    text = article_at(spec, cap, analysis)
    for entry in registry.CHARTS:
        if entry.article and entry.applies(Numbers(spec, cap, analysis)):
            assert text.count(f"(figures/{entry.name}.svg)") == 1, entry.name
            assert f"![{entry.alt(spec)}](figures/{entry.name}.svg)" in text
    assert [c.name for c in registry.CHARTS] == ["capacity", "load", "scaling", "latency", "availability", "cost",
                                                 "tornado"]
    with pytest.raises(KeyError, match="no chart named 'pie'"):
        registry.chart("pie")


def test_the_registry_is_read_without_matplotlib():
    import subprocess
    import sys
    code = ("import sys; from designkit.views.pages import article; from designkit.views.charts import registry; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_one_entry_adds_a_table_to_its_section_and_its_live_views(monkeypatch, reference):
    spec, cap, analysis = reference
    entry = tables.Table("peak_table", 5, lambda n: rows(["Figure", "Value"], [["QPS (peak)", f"{n.cap.qps_peak:.0f}"]]),
                         "Peak load")
    monkeypatch.setattr(tables, "TABLES", [*tables.TABLES, entry])
    five = article.key_design_decisions(spec)
    assert five.endswith(f"### Peak load\n\n| Figure | Value |\n|--------|-------|\n| QPS (peak) | {cap.qps_peak:.0f} |")
    assert article_at(spec, cap, analysis).count("### Peak load") == 1
    assert section_views(5)[-1] == "peak_table" and "peak_table" not in section_views(6)
    live = view("peak_table")(State.of({}, spec))
    assert live.table.text() == [["QPS (peak)", f"{cap.qps_peak:.0f}"]] and "dk-peak-table" in live.table.widget._dom_classes


def test_every_live_view_a_section_names_exists_and_placed_tables_are_in_the_article(reference):
    spec, cap, analysis = reference
    for section in SECTIONS:
        for name in section_views(section.number):
            assert callable(view(name)), name
    assert {t.name for t in tables.TABLES} <= {name for s in SECTIONS for name in section_views(s.number)}
    assert tables.appended(6) == [] and tables.table("paths").css_class == "dk-paths"
    with pytest.raises(KeyError, match="no table named 'pie'"):
        tables.table("pie")
