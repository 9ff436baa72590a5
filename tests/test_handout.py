"""The handout: one self-contained, escaped, printable HTML page of the article."""

import base64
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designkit.views.markdown import anchor
from designkit.views.pages.handout import CSP, heading_ids, render_elements, render_handout

WIDE_LINE = "x" * 110  # wider than A4 at the normal code size: print CSS must shrink it

ARTICLE = f"""\
---
layout: simple
title: "Design Tiny <URL>"
permalink: /system_design/design-tiny-url
---

# Design Tiny URL

Shortens long links. <script>window.__pwned = 1</script> is text here.

Escaped upstream: &lt;script&gt;window.__pwned = 5&lt;/script&gt; &amp; Q&A.

> **Interview context**: focus on the key space and on read latency.

---

## Table of Contents

1. [Requirements](#1-requirements)
2. [High-Level Architecture](#2-high-level-architecture)
3. [Core Components](#3-core-components)
4. [Data Model](#4-data-model)
5. [Key Design Decisions](#5-key-design-decisions)

---

## 1. Requirements

| Requirement | Description |
|-------------|-------------|
| **Shorten** | <img src=x onerror="window.__pwned = 2"> returns a code |
| **Redirect** | <script>window.__pwned = 3</script> |

### Capacity Estimation

![Capacity](figures/capacity.svg "Storage over five years")

![QPS](figures/qps.png)

```
QPS (average):   ~12K
{WIDE_LINE}
```

---

## 2. High-Level Architecture

```
┌──────────┐      ┌──────────┐
│  Client  │ ───▶ │   API    │
└──────────┘      └──────────┘
```

---

## 3. Core Components

### 3.1 Short Code Generation

#### Options

| Option | Pros | Cons |
|--------|------|------|
| Counter | Short | Guessable |

### 3.2 Redirects

#### Options

| Option | Pros | Cons |
|--------|------|------|
| 301 | Cacheable | No analytics |

---

## 4. Data Model

```sql
CREATE TABLE links (code VARCHAR(8) PRIMARY KEY, url TEXT NOT NULL);
```

---

## 5. Key Design Decisions

### Design Decisions Summary

1. **Detection**: health checks every 10s
2. **Failover**: promote a replica

---

## References

- [Base62 explained](https://example.org/base62?a=1&b=2)
- [Evil](javascript:window.__pwned=4)
- [Data](data:text/html;base64,PHNjcmlwdD4=)
- [Local](file:///etc/passwd)
- [Placeholder](URL)
"""

H2_TEXTS = ["Table of Contents", "1. Requirements", "2. High-Level Architecture", "3. Core Components",
            "4. Data Model", "5. Key Design Decisions", "References"]


@pytest.fixture
def assets(tmp_path):
    """An article folder with the two figures the sample references, drawn by matplotlib."""
    from matplotlib.figure import Figure

    folder = tmp_path / "article"
    (folder / "figures").mkdir(parents=True)
    fig = Figure(figsize=(4, 2))
    fig.add_subplot().plot([1, 2, 3], [1, 4, 9])
    fig.savefig(folder / "figures" / "capacity.svg", metadata={"Date": None})
    tiny = Figure(figsize=(0.5, 0.5))
    tiny.savefig(folder / "figures" / "qps.png", dpi=20, metadata={"Software": None})
    return folder


@pytest.fixture
def page_html(assets):
    return render_handout(ARTICLE, assets_dir=assets)


def ids_in(html):
    return re.findall(r'\bid="([^"]*)"', html)


@pytest.mark.parametrize("heading, expected", [
    ("1. Requirements", "1-requirements"),
    ("2. High-Level Architecture", "2-high-level-architecture"),
    ("3.1 Short Code Generation", "31-short-code-generation"),
    ("Design Decisions Summary", "design-decisions-summary"),
    ("Why Not [Alternative]?", "why-not-alternative"),
    ("Approach (45 minutes)", "approach-45-minutes"),
    ("Q & A: read_path", "q--a-read_path"),
])
def test_anchor_is_githubs_slug(heading, expected):
    assert anchor(heading) == expected


def test_every_toc_link_resolves(page_html):
    toc = re.findall(r"\]\(#([^)]+)\)", ARTICLE)
    assert len(toc) == 5
    assert set(toc) <= set(ids_in(page_html))


def test_repeated_headings_get_github_suffixes(page_html):
    assert ids_in(page_html).count("options") == 1 and "options-1" in ids_in(page_html)
    assert heading_ids(ARTICLE) == ids_in(page_html)


def test_front_matter_is_stripped_and_its_title_used(page_html):
    assert "<title>Design Tiny &lt;URL&gt;</title>" in page_html
    body = page_html.split("<body>", 1)[1]
    assert "permalink" not in body and "layout: simple" not in body
    assert '<h1 id="design-tiny-url">Design Tiny URL</h1>' in body


def test_without_front_matter_the_h1_is_the_title(assets):
    assert "<title>Design C#</title>" in render_handout("# Design C# #\n\nText.\n", assets_dir=assets)


def test_raw_html_in_paragraphs_and_table_cells_is_escaped(page_html):
    assert "<p>Shortens long links. &lt;script&gt;window.__pwned = 1&lt;/script&gt; is text here.</p>" in page_html
    assert "<td>&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt; returns a code</td>" in page_html
    assert "<td>&lt;script&gt;window.__pwned = 3&lt;/script&gt;</td>" in page_html
    assert "<script" not in page_html.lower() and "onerror=" not in page_html.replace("onerror=&quot;", "")


def test_entities_from_upstream_escaping_are_decoded_once(page_html):
    assert "<p>Escaped upstream: &lt;script&gt;window.__pwned = 5&lt;/script&gt; &amp; Q&amp;A.</p>" in page_html


def test_only_http_and_anchor_links_stay_links(page_html):
    assert '<a href="https://example.org/base62?a=1&amp;b=2" rel="noreferrer">Base62 explained</a>' in page_html
    assert '<a href="#4-data-model">Data Model</a>' in page_html
    for text in ("Evil", "Data", "Local", "Placeholder"):
        assert f"<li>{text}</li>" in page_html
    hrefs = re.findall(r'href="([^"]*)"', page_html)
    assert hrefs and all(h.startswith(("#", "https://")) for h in hrefs)


def test_figures_are_embedded_as_data_uris(page_html, assets):
    sources = re.findall(r'\bsrc="([^"]*)"', page_html)
    assert len(sources) == 2 and not any("http" in s for s in sources)
    for src, name, kind in zip(sources, ["capacity.svg", "qps.png"], ["image/svg+xml", "image/png"]):
        prefix = f"data:{kind};base64,"
        assert src.startswith(prefix)
        assert base64.b64decode(src[len(prefix):]) == (assets / "figures" / name).read_bytes()
    assert "<figcaption>Storage over five years</figcaption>" in page_html


@pytest.mark.parametrize("path", [
    "../secret.png", "figures/../../secret.png", "figures/%2e%2e/%2e%2e/secret.png", "ABSOLUTE",
    "figures/link.png", "figures/missing.png", "https://example.org/x.png", "figures/notes.txt",
])
def test_images_outside_assets_dir_or_missing_raise(assets, path):
    secret = assets.parent / "secret.png"
    secret.write_bytes((assets / "figures" / "qps.png").read_bytes())
    (assets / "figures" / "link.png").symlink_to(secret)
    (assets / "figures" / "notes.txt").write_text("not an image")
    path = str(secret) if path == "ABSOLUTE" else path
    with pytest.raises(ValueError, match=re.escape(repr(path))):
        render_handout(f"# T\n\n![x]({path})\n", assets_dir=assets)


def test_a_symlink_that_stays_inside_is_embedded(assets):
    (assets / "figures" / "same.png").symlink_to(assets / "figures" / "qps.png")
    assert 'src="data:image/png;base64,' in render_handout("![x](figures/same.png)", assets_dir=assets)


def test_page_is_self_contained_and_locked_down(page_html):
    assert page_html.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page_html
    assert CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert page_html.count("<style>") == 1 and "@media print" in page_html and "url(" not in page_html
    assert "<link" not in page_html and "<iframe" not in page_html


def test_rendering_is_deterministic(assets):
    assert render_handout(ARTICLE, assets_dir=assets) == render_handout(ARTICLE, assets_dir=assets)


def test_module_imports_nothing_heavy():
    code = ("import sys, designkit.views.pages.handout; "
            "print([m for m in ('matplotlib', 'nbconvert', 'nbformat', 'jupyter_client', 'ipywidgets') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.browser
def test_handout_reads_and_prints_in_chromium(page_html, assets):
    from playwright.sync_api import expect

    from _browser import chromium_page

    handout = assets / "handout.html"
    handout.write_text(page_html, encoding="utf-8")
    # 680 px is A4's width inside 15 mm margins: the print checks below see the printed width.
    with chromium_page(viewport={"width": 680, "height": 900}) as page:
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(handout.as_uri())

        expect(page.locator("h1")).to_have_text("Design Tiny URL")
        expect(page.locator("h2")).to_have_text(H2_TEXTS)
        for heading in page.locator("h1, h2").all():
            expect(heading).to_be_visible()
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        assert len(images) == 2 and all(complete and width > 0 for complete, width in images)

        page.click('a[href="#4-data-model"]')
        expect(page.locator('[id="4-data-model"]')).to_be_in_viewport()
        assert page.evaluate("location.hash") == "#4-data-model" and page.evaluate("scrollY") > 0

        expect(page.get_by_text("<script>window.__pwned = 1</script> is text here.")).to_be_visible()
        expect(page.get_by_text('<img src=x onerror="window.__pwned = 2"> returns a code')).to_be_visible()
        expect(page.get_by_text("Escaped upstream: <script>window.__pwned = 5</script> & Q&A.")).to_be_visible()
        page.click("text=returns a code")
        assert page.evaluate("window.__pwned") is None

        page.emulate_media(media="print")
        breaks = page.eval_on_selector_all("h2", "hs => hs.map(h => getComputedStyle(h).breakBefore)")
        assert breaks == ["auto", "page", "page", "page", "page", "page", "auto"]
        overflowing = page.eval_on_selector_all(
            "pre", "ps => ps.filter(p => p.scrollWidth > p.clientWidth).map(p => p.textContent)")
        assert page.locator("pre").count() == 3 and overflowing == []
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000

        assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests

        # The CSP is live: even script run from outside cannot fetch anything.
        violated = page.evaluate("""() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective));
            setTimeout(() => resolve("no violation"), 5000);
            const img = new Image(); img.src = "https://example.invalid/pixel.png"; document.body.append(img);
        })""")
        assert violated == "img-src"


# --- '$' is a dollar, never math ------------------------------------------------------------------

_DOLLAR_TEXT = st.lists(st.sampled_from(["$", "$1,234", "$0.085/h", " ", "a", "($4.94 per million)", "\\", "\\$",
                                         "*", "_", "|", "5", "$$", "x$y"]), min_size=1).map("".join)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_DOLLAR_TEXT, min_size=2, max_size=2), line=_DOLLAR_TEXT.filter(str.strip))
def test_dollars_are_escaped_and_the_handout_shows_them_as_written(cells, line):
    """JupyterLab (MathJax), GitHub and kramdown read two '$' in a row or paragraph as math: every '$'
    the views emit is '\\$', which mistune (the handout), kramdown and GitHub all show as '$'."""
    from html import unescape

    from designkit.views.markdown import span, table, text
    markdown = table(["Cost", "Other"], [[span(c) for c in cells]]) + "\n\n" + text(line)
    assert re.search(r"(?<!\\)\$", markdown.replace("\\\\", "")) is None   # no bare '$' left
    html = "".join(render_elements(markdown))
    shown = [unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<td>(.*?)</td>", html)
             + re.findall(r"<p>(.*?)</p>", html)]
    said = lambda s: " ".join(s.split())      # as a browser shows it: runs of spaces as one
    assert [said(s) for s in shown] == [said(c) for c in cells] + [said(line)]


def test_the_cost_table_escapes_every_dollar():
    from _specs import article_of
    article = article_of("reference")
    assert "\\$151,001" in article and re.search(r"(?<!\\)\$", article) is None
