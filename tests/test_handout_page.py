"""The moving handout as a reader meets it in Chromium: in-page links, the #scale= fragment, printing.

One handout of the reference, made in-process (the article the notebooks write, the grid's figures
at 1x as its figures), read in one browser for the whole module.
"""

import re

import pytest
from _browser import chromium_page
from _specs import article_of

from designkit.model import load_spec
from designkit.views.pages.handout import render_handout
from designkit.views.pages.scaled_handout import MovingGrid

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """The reference's handout with its scale control, written to a file: its path."""
    folder = tmp_path_factory.mktemp("handout")
    grid = MovingGrid(load_spec("reference"), "reference", workers=1)
    one = next(p for p in grid.points() if p.scale == "1x")
    (folder / "figures").mkdir()
    for name, svg in one.figures.items():
        (folder / "figures" / f"{name}.svg").write_text(svg)
    page = render_handout(article_of("reference"), assets_dir=folder, parts=[grid.parts()],
                          practice=grid.practice())
    path = folder / "handout.html"
    path.write_text(page)
    return path


@pytest.fixture(scope="module")
def page():
    """One Chromium page for the module; console and page errors are collected in ``page.errors``."""
    with chromium_page(viewport={"width": 1280, "height": 720}) as page:
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        yield page


# Each Contents link clicked in turn: [href, heading's top, the bar's bottom] once the scroll settled.
CLICK_EACH = """async () => {
  const links = [...document.querySelectorAll("#table-of-contents + ol a[href^='#']")];
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const out = [];
  for (const a of links) {
    window.scrollTo(0, 0);
    await frame();
    a.click();
    await frame(); await frame();
    const heading = document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
    out.push([a.getAttribute("href"), heading.getBoundingClientRect().top,
              document.getElementById("designkit-moving").getBoundingClientRect().bottom]);
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1280, 420])   # at 420 px the bar wraps to more lines
def test_contents_links_land_below_the_sticky_bar(handout, page, width):
    page.set_viewport_size({"width": width, "height": 720})
    page.goto(handout.as_uri() + "#scale=10x")
    landed = page.evaluate(CLICK_EACH)
    assert len(landed) >= 9
    assert [href for href, top, bar in landed if not bar <= top < 720] == []
    assert all(bar > 30 for _, _, bar in landed)        # the bar is there, sticky, above each heading
    assert page.evaluate("location.hash") == landed[-1][0]
    assert page.locator("#designkit-scale").input_value() == "9"   # x10 kept
    assert page.errors == []


@pytest.mark.parametrize("fragment, shows, says", [
    ("1000x", "100x", "1000x is outside this handout's range (×0.01 to ×100): showing ×100"),
    ("1e9x", "100x", "1e9x is outside this handout's range (×0.01 to ×100): showing ×100"),
    ("0.001x", "0.01x", "0.001x is outside this handout's range (×0.01 to ×100): showing ×0.01"),
    ("0x", "1x", "“0x” is not a traffic scale (write it like #scale=10x): showing ×1"),
    ("-1x", "1x", "“-1x” is not a traffic scale (write it like #scale=10x): showing ×1"),
    ("abc", "1x", "“abc” is not a traffic scale (write it like #scale=10x): showing ×1"),
    ("%3Cb%3Ex", "1x", "“<b>x” is not a traffic scale (write it like #scale=10x): showing ×1"),
    ("0.01x", "0.01x", ""),
    ("3x", "2x", ""),                                      # between steps: the nearest, no warning
])
def test_a_fragment_the_control_cannot_show_is_said_and_corrected(handout, page, fragment, shows, says):
    page.goto("about:blank")                         # a new load, not a same-page fragment change
    page.goto(handout.as_uri() + "#scale=" + fragment)
    warn = page.locator("#designkit-moving .moving-warn")
    assert page.evaluate("location.hash") == "#scale=" + shows          # the URL says what the page shows
    assert page.locator("#designkit-moving output").inner_text().startswith("×" + shows[:-1] + " ·")
    assert (warn.inner_text() if says else warn.is_visible()) == (says or False)
    assert page.locator("main b").count() == 0                          # the fragment is text, never markup
    page.locator("#designkit-scale").press("ArrowLeft" if shows == "100x" else "ArrowRight")   # a move clears it
    assert not warn.is_visible()
    assert page.errors == []


def test_a_fragment_typed_while_reading_is_followed(handout, page):
    page.goto("about:blank")
    page.goto(handout.as_uri() + "#scale=10x")
    page.evaluate("location.hash = '#scale=1000x'")
    page.wait_for_function("location.hash === '#scale=100x'")
    assert "1000x is outside" in page.locator("#designkit-moving .moving-warn").inner_text()
    page.evaluate("location.hash = '#scale=5x'")
    page.wait_for_function("document.querySelector('#designkit-scale').value === '8'")
    assert not page.locator("#designkit-moving .moving-warn").is_visible()
    page.click("a[href='#7-reliability']")                                # an in-page link keeps the step
    assert page.locator("#designkit-scale").input_value() == "8" and page.errors == []


A4_HEIGHT = 841.89
TOP_MARGIN = 12 / 25.4 * 72      # the print CSS's @page margin, in points


def test_printed_each_section_starts_a_page_and_no_page_is_wasted(handout, page):
    """27 A4 pages before (a section's end, and a table pushed whole to the next page, left pages half
    empty); 23 measured with the print CSS of now.  Each of the nine sections and the Practice
    appendix begin at the top of a page, and only they force a break."""
    page.goto("about:blank")
    page.goto(handout.as_uri())
    starts = page.evaluate("""() => {
      const heads = [...document.querySelectorAll("main h2, section.practice h2")];
      const box = document.createElement("p");          // links make Chromium name each heading's place
      heads.forEach(h => { const a = document.createElement("a"); a.href = "#" + h.id; a.textContent = h.id;
                           box.appendChild(a); });
      document.body.appendChild(box);
      return heads.map(h => h.id);
    }""")
    pdf = page.pdf(format="A4")
    page.emulate_media(media="print")
    forced = page.evaluate("""() => [...document.querySelectorAll("body *")]
      .filter(e => getComputedStyle(e).breakBefore === "page").map(e => e.id || e.tagName)""")
    page.emulate_media(media="no-override")
    pages = [int(n) for n in re.findall(rb"(\d+) 0 obj\s*<</Type /Page\b", pdf)]
    assert len(re.findall(rb"/Type /Page\b", pdf)) == len(pages) <= 25
    where = {m.group(1).decode(): (pages.index(int(m.group(2))), float(m.group(3)))
             for m in re.finditer(rb"/([\w.-]+) \[(\d+) 0 R /XYZ [\d.]+ ([\d.]+) 0\]", pdf)}
    sections = [h for h in starts if re.match(r"\d-", h)] + ["practice"]
    assert len(sections) == 10 and forced == sections
    assert [h for h in sections if where[h][1] < A4_HEIGHT - TOP_MARGIN - 40] == []   # at the top of a page
    assert len({where[h][0] for h in sections}) == 10                                  # each on its own page
    assert where["references"][0] == where["9-key-takeaways"][0]   # references follow the last section
