"""The handout that moves: the article precomputed on a 1-2-5 grid of traffic, in the one HTML file.

The in-process article must equal the notebook-built one (at 1x and at -p scale=10x), the page
at #scale=10x must read like the 10x article, and spec text must stay inert at every step.
"""

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from _browser import chromium_page
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.assets import EXAMPLES_DIR
from designkit.model import analyze, estimate, load_spec
from designkit.views.pages.handout import (
    CSP,
    PageParts,
    csp,
    html_page,
    render_elements,
    render_handout,
)
from designkit.run.build import plain_figures
from designkit.views.pages.scaled_handout import GRID, grid_points, json_script, payload, scale_name
from designkit.views.pages.scaled_figures import slim
from _specs import article_of


@pytest.fixture(scope="module")
def scaled_build(tmp_path_factory):
    """The reference article built by the notebooks with -p scale=10x (once for this module)."""
    from designkit.run.build import build
    return build("reference", tmp_path_factory.mktemp("scaled") / "out", {"scale": "10x"})


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The reference with <script> in its name, summary and a component's name, built once."""
    from designkit.run.build import build
    folder = tmp_path_factory.mktemp("hostile")
    source = (EXAMPLES_DIR / "reference.yaml").read_text()
    evil = source.replace("Load Balancer", "LB <script>window.__pwned=3</script>")
    evil = evil.replace("name: Analytics Event Collector", 'name: "Evil <script>window.__pwned=4</script>"')
    evil = evil.replace("summary: >-", "summary: >-\n  <img src=x onerror=window.__pwned=2> "
                                       "<script>window.__pwned=1</script> read me", 1)
    path = folder / "evil.yaml"
    path.write_text(evil)
    return build(path, folder / "out")


# --- the grid and its data, no notebook -------------------------------------------------------

def test_grid_is_one_two_five_from_a_hundredth_to_a_hundred():
    assert GRID == (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    assert [scale_name(f) for f in GRID[:3] + GRID[-2:]] == ["0.01x", "0.02x", "0.05x", "50x", "100x"]


@pytest.fixture(scope="module")
def reference_points():
    """The reference's grid points at 0.1x, 1x and 10x, drawn once for the tests that read them."""
    return grid_points(load_spec("reference"), "reference", grid=(0.1, 1.0, 10.0), workers=1)


def test_points_say_users_and_follow_the_traffic(reference_points):
    points = reference_points[1:]   # 1x and 10x
    assert [p.label for p in points] == ["×1 · 100 million users", "×10 · 1 billion users"]
    assert "QPS (peak):      ~46K" in points[0].markdown and "QPS (peak):      ~460K" in points[1].markdown
    assert points[0].markdown == article_of("reference")          # 1x is the spec itself
    assert points[1].markdown == article_of("reference", {"scale": "10x"})
    assert points[0].figures["capacity"] != points[1].figures["capacity"]
    for svg in points[1].figures.values():
        ET.fromstring(svg)  # each slim figure is still well-formed SVG


@pytest.mark.slow  # forks two worker processes
def test_forked_workers_give_the_same_points_as_one_process():
    """The build shares the grid between two forked workers; the page must not depend on it."""
    spec = load_spec("url-shortener")
    grid = (0.5, 1.0, 2.0, 5.0)
    assert grid_points(spec, "url-shortener", grid=grid, workers=2) == grid_points(spec, "url-shortener",
                                                                                  grid=grid, workers=1)


def test_payload_rebuilds_each_points_html_from_shared_blocks(reference_points):
    points = reference_points
    data = payload(points)
    assert data["start"] == 1
    for point, row in zip(points, data["points"]):
        rebuilt = ["".join(data["blocks"][b] for b in data["elements"][e]) for e in row["body"]]
        assert rebuilt == render_elements(point.markdown)
        for name, ids in row["figures"].items():
            assert "\n".join(data["lines"][i] for i in ids) == point.figures[name]
    shared = sum(len(data["elements"][e]) for row in data["points"] for e in row["body"])
    assert len(data["blocks"]) < shared / 2   # most blocks are the same at every scale, stored once


@pytest.mark.slow
def test_static_page_is_the_start_points_elements(reference_build):
    """The page without script is the article at 1x: the same elements the script starts from."""
    result, _ = reference_build
    markdown = result.article.read_text()
    page = result.handout.read_text()
    main = page.split("<main>\n", 1)[1].split("</main>", 1)[0]
    assert re.sub(r' src="data:[^"]*"', "", main) == "".join(render_elements(markdown))


def test_json_data_cannot_close_its_script():
    data = {"blocks": ["</script><script>alert(1)</script>", "<!-- x", "\u2028 & >"]}
    block = json_script(data, "d")
    inner = block.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == data


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_json_data_round_trips_any_text(text):
    block = json_script({"t": text}, "d")
    assert block.lower().count("</script") == 1 and block.lower().count("<script") == 1
    inner = block.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(inner) == {"t": text}


def test_csp_allows_each_inline_script_by_hash_and_nothing_else():
    scripts = ("console.log(1);", "console.log(2);")
    policy = csp(scripts)
    assert policy.startswith("default-src 'none'") and CSP in policy
    for js in scripts:
        digest = base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1]
    page = html_page("T", "", "<p>x</p>\n", [PageParts(scripts=scripts[:1]), PageParts(scripts=scripts[1:])])
    assert page.count("<script>") == 2 and policy in page
    with pytest.raises(ValueError, match="</script"):
        html_page("T", "", "", [PageParts(scripts=("a = '</SCRIPT>';",))])
    assert csp(()) == CSP and "<script" not in render_handout("# T\n", assets_dir=EXAMPLES_DIR)


def test_slim_svg_keeps_the_picture_and_drops_bytes():
    from designkit.views.charts.style import svg
    from designkit.views.charts.availability import AvailabilityChart
    spec = load_spec("reference")
    fig = AvailabilityChart(analyze(spec, estimate(spec.scale))).fig
    full = svg(fig)
    small = slim(full)
    root = ET.fromstring(small)
    assert root.tag.endswith("svg") and len(small) < 0.8 * len(full)
    assert "<metadata" not in small and not re.search(r"\d\.\d\d", " ".join(re.findall(r' d="[^"]*"', small)))
    texts = lambda svg: re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts(small) == texts(full)


# --- the notebook-built article equals the in-process one ----------------------------------

@pytest.mark.slow
def test_in_process_article_equals_the_notebooks_at_1x(reference_build):
    """Everything in article.md comes from the notebooks' fragments; the notebooks add nothing else."""
    assert article_of("reference") == plain_figures(reference_build[0].article.read_text())


@pytest.mark.slow
def test_in_process_article_equals_the_notebooks_at_10x(scaled_build):
    assert article_of("reference", {"scale": "10x"}) == plain_figures(scaled_build.article.read_text())


# --- in Chromium ------------------------------------------------------------------------------

def _watch(page):
    """Requests other than the page itself, console errors and page errors, as they happen."""
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def _elements(page) -> list[str]:
    """The text of each element of the article, in order (the whitespace between them is not the article)."""
    return page.eval_on_selector_all("main > *", "els => els.map(e => e.textContent)")


def _facts(page) -> dict:
    """Peak QPS, app servers, shards and what breaks first, as the page holds them (text_content: the
    moving page lets off-screen elements skip layout, which innerText would need)."""
    text = "\n".join(_elements(page))
    breaks = page.locator("h3#what-breaks-first ~ ul").first.text_content()   # after the envelope line
    return {"peak": re.search(r"QPS \(peak\): +(\S+)", text).group(1),
            "servers": re.search(r"App servers: +(\d[\d,]*)", text).group(1),
            "shards": re.findall(r"Shard (\d+)", text), "breaks": breaks,
            "sentence": re.search(r"At \S+ peak QPS the app tier needs [\d,]+ servers?", text).group(0)}


@pytest.mark.slow
@pytest.mark.browser
def test_page_at_10x_reads_like_the_10x_article(reference_build, scaled_build):
    url = reference_build[0].handout.resolve().as_uri()
    with chromium_page(java_script_enabled=False) as page:
        page.goto(scaled_build.handout.resolve().as_uri())
        want, want_text = _facts(page), _elements(page)
        page.goto(url)
        today, today_text = _facts(page), _elements(page)
        assert not page.locator("#designkit-moving").is_visible()   # no script: no control, the 1x article
    assert want["peak"] == "~460K" and today["peak"] == "~46K" and want != today
    with chromium_page() as page:
        seen = _watch(page)
        page.goto(url + "#scale=10x")
        assert _facts(page) == want
        assert _elements(page) == want_text          # every sentence, not only the four
        assert page.locator("#designkit-moving output").inner_text() == "×10 · 1 billion users"
        page.goto(url + "#scale=1x")
        page.reload()
        assert _elements(page) == today_text
        assert seen["errors"] == [] and seen["requests"] and all(u.startswith(url) for u in seen["requests"])


@pytest.mark.slow
@pytest.mark.browser
def test_keyboard_moves_text_figures_and_the_link(reference_build):
    url = reference_build[0].handout.resolve().as_uri()
    with chromium_page() as page:
        seen = _watch(page)
        page.goto(url)
        control = page.locator("#designkit-scale")
        assert control.is_visible() and control.input_value() == str(GRID.index(1.0))
        before, figures = _facts(page), page.eval_on_selector_all(
            "main img[data-figure]", "els => els.map(e => [e.dataset.figure, e.src.length])")
        assert [name for name, _ in figures] == ["capacity", "scaling", "latency", "cost", "availability"]
        srcs = lambda: page.eval_on_selector_all("main img[data-figure]", "els => els.map(e => e.src)")
        old = srcs()
        control.focus()
        page.keyboard.press("ArrowRight")
        assert page.evaluate("location.hash") == "#scale=2x"
        after = _facts(page)
        assert after["peak"] == "~93K" and after != before
        new = srcs()
        assert all(a != b for a, b in zip(old, new)) and all(s.startswith("data:image/svg+xml") for s in new)
        page.keyboard.press("End")
        assert page.evaluate("location.hash") == "#scale=100x" and _facts(page)["peak"] == "~4.6M"
        page.evaluate("location.hash = '#scale=0.01x'")
        page.wait_for_function("document.querySelector('#designkit-scale').value === '0'")
        assert _facts(page)["peak"] == "~460"
        page.click("a[href='#7-reliability']")          # an in-page link keeps the position
        assert control.input_value() == "0"
        page.emulate_media(media="print")              # printing prints the current position
        assert not control.is_visible() and page.locator("#designkit-moving output").is_visible()
        assert "~460" in page.locator("main pre").first.inner_text()
        images = page.eval_on_selector_all("main img[data-figure]", "els => els.map(e => e.naturalWidth)")
        assert all(width > 0 for width in images)      # every figure decoded
        assert seen["errors"] == [] and all(u.startswith(url) for u in seen["requests"])
        assert len(seen["requests"]) == 1


@pytest.mark.slow
@pytest.mark.browser
def test_script_in_a_spec_field_is_shown_not_run(hostile_build):
    page_html = hostile_build.handout.read_text()
    assert page_html.count("<script") == 4   # the moving and practice data blocks and their scripts, nothing else
    with chromium_page() as page:
        seen = _watch(page)
        page.goto(hostile_build.handout.resolve().as_uri() + "#scale=5x")
        assert page.locator("#designkit-moving output").inner_text().startswith("×5 ")
        for key in ("ArrowLeft", "ArrowLeft", "End", "Home"):
            page.locator("#designkit-scale").press(key)
            text = "\n".join(_elements(page))
            assert "<script>window.__pwned=1</script> read me" in text
            assert "LB <script>window.__pwned=3</script>" in text
            assert page.evaluate("window.__pwned") is None
        assert page.locator("main script, main img:not([data-figure])").count() == 0
        assert seen["errors"] == [] and len(seen["requests"]) == 1
