"""Every text of every figure inside its drawing, at every step of the handout's control and in the article.

Measured where it is read: every figure of three bundled examples at every grid point (the handout's
frozen-layout SVGs) and the article's figures at 1000x (its widest labels) go inline into one page of one
Chromium, and each <text>'s box is compared with its <svg>'s box.
"""

import html

import pytest
from _browser import chromium_page

from designkit.assets import EXAMPLES_DIR
from designkit.model import analyze, estimate, load_spec
from designkit.views.charts.availability import AvailabilityChart
from designkit.views.charts.capacity import CapacityChart
from designkit.views.charts.cost import CostChart
from designkit.views.charts.latency import LatencyChart
from designkit.views.charts.scaling import ScalingChart
from designkit.views.charts.style import svg
from designkit.views.pages.scaled_figures import GridFigures
from designkit.views.pages.scaled_handout import GRID, scaled_specs

EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))
GRID_EXAMPLES = ("reference", "chat-system", "video-streaming")
"""Every grid point of these (the default, and the two with ranges and so a tornado: the widest labels
at x100 are theirs); the other examples' figures go in at 1000x, where their labels are widest."""
MARGIN = 1.0
"""Pixels every text keeps from the drawing's edge (a title flush with the edge reads as cut)."""

# Each text's distance inside its svg's box, smallest side first: negative is cut off.
INSIDE = """() => [...document.querySelectorAll('div[data-figure]')].flatMap(div => {
  const svg = div.querySelector('svg').getBoundingClientRect();
  return [...div.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return [div.dataset.figure, t.textContent,
            Math.min(b.left - svg.left, b.top - svg.top, svg.right - b.right, svg.bottom - b.bottom)];
  });
})"""


def _grid_svgs(name: str):
    """(key, svg) of every figure the handout stores for ``name``, at every grid point."""
    spec = load_spec(name)
    figures = GridFigures(spec, analyze(spec, estimate(spec.scale)))
    for factor, scaled in scaled_specs(spec, name, None, GRID):
        for figure, text in figures.draw(analyze(scaled, estimate(scaled.scale)), scaled).items():
            yield f"{name} handout x{factor:g} {figure}", text


def _article_svgs(name: str, scale: str):
    """(key, svg) of the article's five charts as the notebooks save them (svg: a tight box)."""
    spec = load_spec(name, {"scale": scale})
    cap = estimate(spec.scale)
    analysis = analyze(spec, cap)
    charts = {"capacity": CapacityChart(cap), "scaling": ScalingChart(analysis), "latency": LatencyChart(analysis),
              "availability": AvailabilityChart(analysis), "cost": CostChart(analysis)}
    for figure, chart in charts.items():
        yield f"{name} article {scale} {figure}", svg(chart.fig)


@pytest.mark.slow
@pytest.mark.browser
def test_no_figure_text_leaves_its_drawing_at_any_scale(tmp_path):
    figures = [pair for name in GRID_EXAMPLES for pair in _grid_svgs(name)]
    figures += [pair for name in EXAMPLES for pair in _article_svgs(name, "1000x")]
    assert len({key.split()[0] for key, _ in figures}) == 10
    assert any("tornado" in key for key, _ in figures)
    page = tmp_path / "figures.html"
    page.write_text("<!DOCTYPE html><meta charset='utf-8'><body>" + "".join(
        f'<div data-figure="{html.escape(key)}">{text[text.index("<svg"):]}</div>' for key, text in figures))
    with chromium_page() as browser:
        browser.goto(page.as_uri(), wait_until="domcontentloaded", timeout=300_000)
        texts = browser.evaluate(INSIDE)
    assert len(texts) > 20 * len(figures)
    cut = [(key, text, round(inside, 1)) for key, text, inside in texts if text.strip() and inside < MARGIN]
    assert cut == []
