"""The classroom path in a real browser: JupyterLab on a `designkit lab` working copy, headless Chromium.

Every section notebook is opened and run (Run All Cells).  In each, the users are moved to 10x,
by the keyboard (three arrow presses on the 1-2-5 slider) or by typing "10x" in the panel's box,
and the page is checked: the panel says what `designkit estimate -p scale=10x` says, the live views
carry no baseline figure, every computed output below the panel is marked as the spec's baseline,
no picture is broken, no readout, label or table cell is cut off (scrollWidth fits clientWidth),
no request fails and the console shows no error.  Then the same at 1280x720 in presentation mode
(20 px text, charts as wide as the output at twice the density), moving to 10x the other way.
Screenshots go to build/test-artifacts/lab/ (git-ignored).  The server listens on loopback with a
random token, makes no network call and is always stopped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _browser import chromium_page, open_and_run, shut_down_kernels
from playwright.sync_api import expect
from designkit.model import quantities as q
from designkit.model.capacity import estimate
from designkit.model.spec import load_spec
from designkit.sections import SECTIONS

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
    """Every failed request and console error of a page, from the moment it is watched."""

    def __init__(self, page):
        self.failed, self.errors = [], []
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: self.failed.append(f"failed {r.url} {r.failure}"))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


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


@pytest.mark.parametrize("section", [s.number for s in SECTIONS])
def test_notebook_follows_the_panel_to_10x_with_nothing_cut_or_broken(lab, section):
    base, token = lab
    notebook = SECTIONS[section - 1].filename
    system = load_spec("reference")
    cap = estimate(system.scale)
    baseline = [q.say_qps(cap.qps_peak), q.say_bytes(cap.storage_total_bytes)]      # "~46K", "~91 TB"
    ten_x = estimate_at({"scale": "10x"})
    first, second = ("keyboard", "typed") if section % 2 else ("typed", "keyboard")
    with chromium_page(viewport={"width": 1366, "height": 900}) as page:
        watch = Watch(page)
        try:
            open_and_run(page, base, token, notebook)
            nb = page.locator(VISIBLE)
            expect(nb.locator(".dk-qps-peak")).to_have_text(baseline[0], timeout=60_000)
            to_ten_x(page, first)
            check_page(page, section, baseline, ten_x, f"{notebook} ({first})")
            shoot(page, f"{section:02d}-normal")

            page.set_viewport_size({"width": 1280, "height": 720})
            nb.locator(".dk-reset").click()
            expect(nb.locator(".dk-qps-peak")).to_have_text(baseline[0], timeout=60_000)
            nb.locator(".dk-present-toggle").click()
            expect(nb.locator(".dk-live.dk-present")).to_have_count(1)
            to_ten_x(page, second)
            nb.locator(".dk-live .jupyter-widget-Collapse-header").first.click()   # the components' sliders
            expect(nb.locator(".dk-live .dk-readout[class*='availability']").first).to_be_visible()
            check_page(page, section, baseline, ten_x, f"{notebook} (presentation, {second})")
            facts = page.evaluate(PAGE_FACTS)
            assert facts["fonts"]["readouts"] and facts["fonts"]["labels"]
            for kind, sizes in facts["fonts"].items():
                assert all(size >= 18 for size in sizes), f"{notebook}: presentation {kind} at {sizes} px"
            for chart in facts["charts"]:
                assert chart["shown"] >= chart["room"] - 6, f"{notebook}: chart not as wide as its output {chart}"
                assert chart["natural"] >= 2 * 720 and chart["natural"] >= chart["shown"], chart
            shoot(page, f"{section:02d}-present")
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{section:02d}-failure.png"))
            raise
        finally:
            shut_down_kernels(base, token)
        assert not watch.failed, f"{notebook}: failed requests {watch.failed}"
        assert not watch.errors, f"{notebook}: console errors {watch.errors}"
