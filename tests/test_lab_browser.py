"""The classroom path in a real browser: JupyterLab on a `designkit lab` working copy, headless Chromium.

Every section notebook is opened and run (Run All Cells), one after the other in one page, as a
student goes from one to the next (the lab loads once).  In each, the users are moved to 10x,
by the keyboard (three arrow presses on the 1-2-5 slider) or by typing "10x" in the panel's box,
and the page is checked: the panel says what `designkit estimate -p scale=10x` says, the live views
carry no baseline figure, every computed output below the panel is marked as the spec's baseline,
no picture is broken, no readout, label or table cell is cut off (scrollWidth fits clientWidth),
no request fails and the console shows no error.

Then `designkit lab --present` as a class gets it on a 1280x720 projector (one more JupyterLab
session, with the settings and workspace `run.present` writes): in every notebook the users slider
and the section's first live chart (or first view) are on the screen together, no text on it is
under 18 px (chart text: at the width the chart is shown, ``live.style.PRESENT_CHART_PX`` or more),
no word is broken inside a table cell or wider than it, nothing in the panel scrolls sideways (the
components' sliders open), no toast, sidebar or status bar shows, and 10x by the other route checks
as above.  Screenshots go to build/test-artifacts/lab/ (git-ignored).  The server listens on loopback with a
random token, makes no network call and is always stopped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from _browser import chromium_page, open_and_run, shut_down_kernels
from playwright.sync_api import expect
from designkit.model import quantities as q
from designkit.model.capacity import estimate
from designkit.model.spec import load_spec
from designkit.sections import SECTIONS
from designkit.live.style import PRESENT_CHART_PX, PRESENT_MIN_PX

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts" / "lab"
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# Text cut off inside the live area: any visible element whose content is wider than its box.
CLIPPED = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const found = [];
  const selectors = ['.dk-live .widget-html-content', '.dk-live .widget-label', '.dk-live .widget-button',
                     '.dk-live .widget-toggle-button', '.dk-live .dk-control', '.dk-live .dk-table',
                     '.dk-live .dk-cell', '.dk-live .dk-line',
                     '.dk-live .dk-summary', '.dk-live .dk-bar', '.dk-live'];
  for (const el of nb.querySelectorAll(selectors.join(','))) {
    if (!el.offsetParent || el.clientWidth === 0) continue;          // hidden: a closed accordion
    if (el.scrollWidth > el.clientWidth + 1)
      found.push(`${el.className.split(' ').slice(-1)}: "${el.textContent.trim().slice(0, 50)}" ` +
                 `${el.scrollWidth} > ${el.clientWidth}`);
  }
  return found;
}"""

# Outputs below the panel that show the spec's numbers (a table, a picture, the baseline peak
# QPS or storage) without the baseline note.
UNLABELLED = """(figures) => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = [...nb.querySelectorAll('.jp-Cell')];
  const live = cells.findIndex(c => c.querySelector('.dk-live'));
  const found = [];
  for (const cell of cells.slice(live + 1)) {
    const area = cell.querySelector('.jp-OutputArea');
    if (!area || !area.children.length) continue;
    const text = area.innerText;
    const shows = area.querySelector('table, img') || figures.some(f => text.includes(f));
    const first = area.querySelector('.jp-OutputArea-child');
    if (shows && !(first && first.querySelector('.dk-baseline-note'))) found.push(text.slice(0, 80));
  }
  return {live, found};
}"""

PAGE_FACTS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const live = nb.querySelector('.dk-live');
  const size = sel => [...live.querySelectorAll(sel)].filter(e => e.offsetParent)
                        .map(e => parseFloat(getComputedStyle(e).fontSize));
  return {
    broken: [...nb.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth === 0)
              .map(i => i.alt || i.src.slice(0, 60)),
    headless: nb.innerText.includes('Headless'),
    liveText: live.innerText,
    fonts: {readouts: size('.dk-readout .widget-html-content'), labels: size('.dk-control .widget-label'),
            tables: size('.dk-table .widget-html-content')},
    charts: [...live.querySelectorAll('img.dk-chart')].map(i => ({
      natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
      room: i.parentElement.getBoundingClientRect().width})),
  };
}"""


def estimate_at(overrides: dict) -> dict:
    """What `designkit estimate --json` says for the reference with these overrides."""
    argv = [sys.executable, "-m", "designkit", "estimate", "reference", "--json"]
    for key, value in overrides.items():
        argv += ["-p", f"{key}={value}"]
    return json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


class Watch:
    """Every failed request and console error of a page, from the moment it is watched; ``since(mark)``:
    those after ``mark`` (a ``mark()``), for one notebook of a page that shows several in turn."""

    def __init__(self, page):
        self.failed, self.errors = [], []
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: self.failed.append(f"failed {r.url} {r.failure}"))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def mark(self) -> tuple[int, int]:
        return len(self.failed), len(self.errors)

    def since(self, mark: tuple[int, int] = (0, 0)) -> tuple[list[str], list[str]]:
        """Failed requests and console errors after ``mark``; a request cut short by opening the next
        notebook (a page load, or the close of the last notebook's tab) is not a failure."""
        failed = [f for f in self.failed[mark[0]:] if not f.endswith("net::ERR_ABORTED")]
        return failed, self.errors[mark[1]:]


@contextmanager
def step(page, base: str, token: str, shot: str):
    """One notebook of a tour: a screenshot ``shot``-failure.png if it fails, its kernels shut down however it ends."""
    try:
        yield
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}-failure.png"))
        raise
    finally:
        shut_down_kernels(base, token)


def to_ten_x(page, how: str) -> None:
    """Move the users to 10x: three arrow presses on the 1-2-5 slider, or '10x' typed in the box."""
    nb = page.locator(VISIBLE)
    if how == "keyboard":
        handle = nb.locator(".dk-users .noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        expect(handle).to_be_focused()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
    else:
        box = nb.locator(".dk-scale-box input")
        box.scroll_into_view_if_needed()
        box.fill("10x")
        box.press("Enter")


def check_page(page, section: int, baseline: list[str], ten_x: dict, label: str) -> None:
    """The panel and live views say 10x; below them, the spec's numbers are marked; nothing is cut."""
    nb = page.locator(VISIBLE)
    expect(nb.locator(".dk-qps-peak")).to_have_text(q.say_qps(ten_x["qps_peak"]), timeout=60_000)
    expect(nb.locator(".dk-readout-users")).to_have_text(q.say_count(ten_x["users"]))
    if section == 1:
        expect(nb.locator(".dk-table-capacity")).to_contain_text(q.say_count(ten_x["requests_per_day"]))
    if section == 6:
        expect(nb.locator(".dk-table-thresholds")).to_contain_text("due now")
    page.wait_for_timeout(500)                   # the last chart frames land
    facts = page.evaluate(PAGE_FACTS)
    assert not facts["broken"], f"{label}: broken pictures {facts['broken']}"
    assert not facts["headless"], f"{label}: 'Headless' note on the page"
    stale = [figure for figure in baseline if figure in facts["liveText"]]
    assert not stale, f"{label}: the live views still say the baseline's {stale}"
    labels = page.evaluate(UNLABELLED, baseline)
    assert labels["live"] >= 0 and not labels["found"], f"{label}: outputs not marked baseline {labels['found']}"
    clipped = page.evaluate(CLIPPED)
    assert not clipped, f"{label}: cut off: {clipped}"


def shoot(page, name: str) -> None:
    """Keep two screenshots: the page at the panel, and the page at the section's first live view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nb = page.locator(VISIBLE)
    nb.locator(".dk-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}-panel.png"))
    nb.locator(".dk-live > :nth-child(3)").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / f"{name}-views.png"))


@pytest.fixture(scope="module")
def desk(lab):
    """One browser at a 1366x900 desk for the nine notebooks: the lab loads once, and each notebook is
    then opened alone in it (``open_and_run``), as a student goes from one to the next."""
    with chromium_page(viewport={"width": 1366, "height": 900}) as page:
        yield page, Watch(page)


@pytest.mark.parametrize("section", [s.number for s in SECTIONS])
def test_notebook_follows_the_panel_to_10x_with_nothing_cut_or_broken(lab, desk, section):
    base, token = lab
    page, watch = desk
    notebook = SECTIONS[section - 1].filename
    system = load_spec("reference")
    cap = estimate(system.scale)
    baseline = [q.say_qps(cap.qps_peak), q.say_bytes(cap.storage_total_bytes)]      # "~46K", "~91 TB"
    ten_x = estimate_at({"scale": "10x"})
    first = "keyboard" if section % 2 else "typed"
    mark = watch.mark()
    with step(page, base, token, f"{section:02d}"):
        open_and_run(page, base, token, notebook)
        nb = page.locator(VISIBLE)
        expect(nb.locator(".dk-qps-peak")).to_have_text(baseline[0], timeout=60_000)
        to_ten_x(page, first)
        check_page(page, section, baseline, ten_x, f"{notebook} ({first})")
        nb.locator(".dk-live .jupyter-widget-Collapse-header").first.click()   # the components' sliders
        expect(nb.locator(".dk-live .dk-readout[class*='availability']").first).to_be_visible()
        assert not page.evaluate(SCREEN_FACTS)["sideways"], f"{notebook}: the panel scrolls sideways"
        assert not page.evaluate(CLIPPED), f"{notebook}: cut off among the components' sliders"
        shoot(page, f"{section:02d}-normal")
    failed, errors = watch.since(mark)
    assert not failed, f"{notebook}: failed requests {failed}"
    assert not errors, f"{notebook}: console errors {errors}"


# --- designkit lab --present on a 1280x720 projector ------------------------------------------------

# Visible text under the minimum size in the notebook: every cell's (code aside: its editor is hidden
# anyway); JupyterLab's "Click to add a cell" footer, which no setting sizes, is not the lesson's.
SMALL_TEXT = """(least) => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const small = [], walker = document.createTreeWalker(nb, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el.offsetParent || el.closest('.jp-InputArea .cm-editor, .jp-Notebook-footer')) continue;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
    const size = parseFloat(style.fontSize);
    if (size < least) small.push(`${size}px "${text.slice(0, 40)}" (${el.className || el.tagName})`);
  }
  return small;
}"""

# A word of a table cell on two lines, or wider than its cell (words split at spaces and hyphens).
# Cells that JupyterLab typeset as math are MathJax's layout, not words (two '$' amounts in a row of
# the article's cost table are read as LaTeX by JupyterLab's Markdown: a defect of that output).
BROKEN_WORDS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const found = [];
  for (const cell of nb.querySelectorAll('.dk-cell, .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th')) {
    if (!cell.offsetParent || cell.querySelector('mjx-container')) continue;
    const edge = cell.getBoundingClientRect(), walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, words = /[^\\s\\-\u2010\u2013\u2014]+/g;
      let m;
      while ((m = words.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Set(rects.map(r => Math.round(r.top)));
        const box = range.getBoundingClientRect();
        const where = `in "${cell.textContent.trim().slice(0, 30)}" (${cell.className || cell.tagName})`;
        if (lines.size > 1) found.push(`"${m[0]}" broken over ${lines.size} lines ${where}`);
        else if (box.right > edge.right + 1 || box.left < edge.left - 1) found.push(`"${m[0]}" wider than its cell ${where}`);
      }
    }
  }
  return found;
}"""

# What could scroll sideways in the panel, the chrome that should be out of the way.
SCREEN_FACTS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const panel = nb.querySelector('.dk-panel');
  const sideways = [panel, ...panel.querySelectorAll('*')].filter(e => e.offsetParent &&
      e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => `${e.className.split(' ').slice(-1)} ${e.scrollWidth} > ${e.clientWidth}`);
  const shown = sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent && e.offsetWidth > 0).length;
  return {sideways, toasts: shown('.Toastify__toast'), statusbar: shown('#jp-main-statusbar'),
          sidebar: shown('#jp-left-stack'), panelHeight: panel.getBoundingClientRect().height,
          charts: [...nb.querySelectorAll('.dk-live img.dk-chart')].map(i => i.getBoundingClientRect().width)};
}"""

# The users slider's handle and the section's first chart (or first view) both inside the notebook's
# visible area, once the chart is scrolled into view inside the section's box.
TOGETHER = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const live = nb.querySelector('.dk-live'), area = nb.querySelector('.jp-WindowedPanel-outer');
  live.scrollIntoView({block: 'start'});
  const target = live.querySelector('img.dk-chart') || live.children[2];
  target.scrollIntoView({block: 'nearest'});
  const seen = area.getBoundingClientRect(), handle = live.querySelector('.dk-users .noUi-handle');
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  const inside = r => r.top >= seen.top - 1 && r.bottom <= Math.min(seen.bottom, innerHeight) + 1;
  const view = box(target), slider = box(handle);
  const chart = target.tagName === 'IMG';
  return {chart, slider, view, seen: box(area), ok: inside(slider) &&
          (chart ? inside(view) : view.top >= slider.bottom && view.top + 60 <= seen.bottom)};
}"""


@pytest.fixture(scope="module")
def present_lab(tmp_path_factory):
    """JupyterLab as `designkit lab reference --present` starts it: the working copy with its code
    hidden, the lab's settings and workspace from ``run.present``, DESIGNKIT_PRESENT=1."""
    from _browser import jupyterlab
    from designkit.run.lab import lab_environment, working_copy
    from designkit.run.present import present_mode
    scratch = tmp_path_factory.mktemp("present")
    root = scratch / "notebooks"
    working_copy("reference", root)
    argv = present_mode(root, [])
    env = dict(lab_environment(True, {}).items())
    with jupyterlab(root, scratch, env, settings={}, argv=tuple(argv)) as server:
        yield server


def test_present_mode_on_a_1280x720_projector(present_lab):
    from _browser import open_and_run
    base, token = present_lab
    system = load_spec("reference")
    cap = estimate(system.scale)
    baseline = [q.say_qps(cap.qps_peak), q.say_bytes(cap.storage_total_bytes)]
    ten_x = estimate_at({"scale": "10x"})
    with chromium_page(viewport={"width": 1280, "height": 720}) as page:
        watch = Watch(page)
        for section in SECTIONS:
            notebook, label = section.filename, f"{section.filename} (present)"
            with step(page, base, token, f"{section.number:02d}-present"):
                open_and_run(page, base, token, notebook, clone=True)
                nb = page.locator(VISIBLE)
                expect(nb.locator(".dk-live.dk-present")).to_have_count(1)
                expect(nb.locator(".dk-qps-peak")).to_have_text(baseline[0], timeout=60_000)
                page.wait_for_timeout(500)
                facts = page.evaluate(SCREEN_FACTS)
                assert facts["toasts"] == facts["statusbar"] == facts["sidebar"] == 0, f"{label}: chrome {facts}"
                assert facts["panelHeight"] <= 240, f"{label}: the bar is {facts['panelHeight']} px tall"
                assert all(width >= PRESENT_CHART_PX for width in facts["charts"]), f"{label}: {facts['charts']}"
                together = page.evaluate(TOGETHER)
                assert together["ok"], f"{label}: slider and first live view not on screen together {together}"
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{section.number:02d}-present.png"))
                small = page.evaluate(SMALL_TEXT, PRESENT_MIN_PX)
                assert not small, f"{label}: text under {PRESENT_MIN_PX} px: {small[:8]}"
                broken = page.evaluate(BROKEN_WORDS)
                assert not broken, f"{label}: {broken[:8]}"
                nb.locator(".dk-more-toggle").click()
                nb.locator(".dk-live .jupyter-widget-Collapse-header").first.click()   # the components' sliders
                expect(nb.locator(".dk-live .dk-readout[class*='availability']").first).to_be_visible()
                assert not page.evaluate(SCREEN_FACTS)["sideways"], f"{label}: the panel scrolls sideways"
                assert not page.evaluate(SMALL_TEXT, PRESENT_MIN_PX), f"{label}: small text among the sliders"
                page.screenshot(path=str(ARTIFACTS / f"{section.number:02d}-present-sliders.png"))
                nb.locator(".dk-more-toggle").click()
                to_ten_x(page, "typed" if section.number % 2 else "keyboard")
                check_page(page, section.number, baseline, ten_x, label)
                assert not page.evaluate(BROKEN_WORDS), f"{label}: at 10x"
        failed, errors = watch.since()
        assert not failed, f"failed requests {failed}"
        assert not errors, f"console errors {errors}"
