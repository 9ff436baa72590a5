"""The article as one self-contained HTML page for printing and class: no network, no untrusted script.

Markdown goes through mistune with raw HTML escaped; figures are embedded as data: URIs; links
are limited to http(s) and in-page anchors; a Content-Security-Policy backs all of it up.  Page
parts (the moving handout's control) may add trusted HTML and inline scripts, each allowed by
its sha256 hash in the policy and no other.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote, urlsplit

import mistune
import yaml
from mistune.util import safe_entity, striptags, unescape

from ..markdown import anchor, escape_html
from . import practice_appendix as practice_page

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_H1 = re.compile(r"^# +(.+?)(?: +#+)? *$", re.M)
_PLUGINS = ["table", "strikethrough"]
_FIGURE = re.compile(r"^figures/([a-z0-9][a-z0-9-]{0,63})(?:\.[0-9a-f]{8})?\.svg$")  # name[.hash].svg


@dataclass(frozen=True)
class PageParts:
    """Trusted additions to a page: HTML before and after <main>, CSS, and inline scripts (hashed into the CSP)."""

    before: str = ""
    after: str = ""
    css: str = ""
    scripts: tuple[str, ...] = ()
    connect: tuple[str, ...] = ()   # sources the scripts may fetch from (connect-src): only the preview's server


def csp(scripts: Sequence[str] = (), connect: Sequence[str] = ()) -> str:
    """The page's Content-Security-Policy: no network (unless ``connect`` names where scripts may
    fetch from), and only these inline scripts, by sha256 hash."""
    policy = CSP + (f"; connect-src {' '.join(connect)}" if connect else "")
    if not scripts:
        return policy
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
                      + "'" for js in scripts)
    return f"{policy}; script-src {hashes}"


class Slugger:
    """Unique GitHub-style ids within one document: repeats get -1, -2, ... like GitHub."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = result = anchor(text)
        while result in self.seen:
            self.seen[base] += 1
            result = f"{base}-{self.seen[base]}"
        self.seen[result] = 0
        return result


def render_handout(markdown: str, *, assets_dir: Path, parts: Sequence[PageParts] = (),
                   practice=None) -> str:
    """The article (front matter + Markdown) as a complete, self-contained HTML5 page.

    ``parts`` add trusted HTML and hashed scripts (the moving handout); ``practice`` (a
    ``model.practice.Bank``) appends the Practice appendix after the article and its one script.
    Raises ValueError for a figure that is not a PNG/SVG file inside `assets_dir`.
    """
    meta, body = split_front_matter(markdown)
    title = str(meta.get("title") or _first_h1(body) or "Handout")
    renderer = _HandoutRenderer(Path(assets_dir))
    content = mistune.create_markdown(renderer=renderer, plugins=_PLUGINS)(body)
    if practice is not None:   # the appendix follows <main>, which the moving handout rewrites
        parts = [PageParts(after=practice_page.appendix(practice, renderer.slugger.slug("Practice")),
                           css=practice_page.CSS, scripts=(practice_page.SCRIPT,)), *parts]
    return html_page(escape_html(html.unescape(title), attribute=True), CSS, content, parts)


def render_elements(markdown: str) -> list[str]:
    """The body as render_handout writes it, one string per top-level element; figures carry
    ``data-figure`` and no ``src`` (the moving handout fills them in)."""
    _, body = split_front_matter(markdown)
    return mistune.create_markdown(renderer=_ElementRenderer(None), plugins=_PLUGINS)(body)


def html_page(title: str, css: str, content: str, parts: Sequence[PageParts] = ()) -> str:
    """A complete page under the no-network CSP; ``title``, ``content`` and the parts are already HTML."""
    scripts = [js for part in parts for js in part.scripts]
    if any("</script" in js.lower() for js in scripts):
        raise ValueError("an inline script must not contain '</script'")
    connect = [source for part in parts for source in part.connect]
    return _PAGE.format(csp=csp(scripts, connect), title=title, css=css + "".join(part.css for part in parts),
                        before="".join(part.before for part in parts), content=content,
                        after="".join(part.after for part in parts)
                        + "".join(f"<script>{js}</script>\n" for js in scripts))


def split_front_matter(markdown: str) -> tuple[dict, str]:
    """The YAML front matter (loaded safely; {} when absent) and the Markdown after it."""
    match = _FRONT_MATTER.match(markdown)
    if not match:
        return {}, markdown
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a mapping (layout, title, permalink)")
    return meta, markdown[match.end():]


def heading_ids(markdown: str) -> list[str]:
    """The ids render_handout gives the headings, in order: to check a TOC's links resolve."""
    _, body = split_front_matter(markdown)
    tokens = mistune.create_markdown(renderer=None, plugins=_PLUGINS)(body)
    slugger = Slugger()
    return [slugger.slug(_plain(t)) for t in _walk(tokens) if t["type"] == "heading"]


def _walk(tokens: list[dict]):
    for token in tokens:
        yield token
        yield from _walk(token.get("children", []))


def _plain(token: dict) -> str:
    """A token's text as a reader sees it (entities decoded, markup dropped)."""
    if "raw" in token:
        return unescape(token["raw"]) if token["type"] == "text" else token["raw"]
    return "".join(_plain(child) for child in token.get("children", []))


def _first_h1(body: str) -> str | None:
    match = _H1.search(body)
    return match.group(1).strip() if match else None


class _HandoutRenderer(mistune.HTMLRenderer):
    """mistune's HTML with raw HTML escaped, GitHub heading ids, safe links, embedded figures."""

    def __init__(self, assets_dir: Path):
        super().__init__(escape=True)
        self.assets_dir = assets_dir
        self.slugger = Slugger()

    def render_token(self, token, state):
        if token["type"] == "heading":
            token = {**token, "attrs": {**token["attrs"], "id": self.slugger.slug(_plain(token))}}
        elif token["type"] == "paragraph" and [c["type"] for c in token["children"]] == ["image"]:
            image = token["children"][0]
            caption = image["attrs"].get("title")
            caption = f"<figcaption>{safe_entity(caption)}</figcaption>" if caption else ""
            return "<figure>" + self.render_token(image, state) + caption + "</figure>\n"
        return super().render_token(token, state)

    def text(self, text):
        """Entity references are decoded once, then everything is escaped: `&lt;` reads as `<`."""
        return safe_entity(text)

    def link(self, text, url, title=None):
        """http(s) and #anchor links stay links; any other scheme or path becomes plain text."""
        if url.startswith("#"):
            attrs = {"href": url, "title": title}
        elif url.lower().startswith(("http://", "https://")):
            attrs = {"href": url, "title": title, "rel": "noreferrer"}
        else:
            return text
        return "<a" + self.render_attrs(attrs) + ">" + text + "</a>"

    def image(self, text, url, title=None):
        figure = _FIGURE.match(unquote(url))
        attrs = {"src": embed_image(url, self.assets_dir) if self.assets_dir is not None else None,
                 "alt": striptags(text), "title": title, "data-figure": figure.group(1) if figure else None}
        return "<img" + self.render_attrs(attrs) + ">"

    def block_code(self, code, info=None):
        """Code and box-drawing diagrams; --cols lets print CSS shrink wide ones to fit A4."""
        cols = max([1, *map(len, code.splitlines())])
        lang = (info or "").split()[:1]
        attrs = {"class": "language-" + lang[0] if lang else None}
        return (f'<pre style="--cols: {cols}"><code' + self.render_attrs(attrs) + ">"
                + escape_html(code) + "</code></pre>\n")


class _ElementRenderer(_HandoutRenderer):
    """The same HTML, returned as a list with one string per top-level element."""

    def __call__(self, tokens, state):
        return [piece for piece in (self.render_token(token, state) for token in tokens) if piece.strip()]


def embed_image(path: str, assets_dir: Path) -> str:
    """A data: URI for a PNG or SVG file inside assets_dir; ValueError naming the path otherwise.

    `path` is the image reference as written in the Markdown (percent-escapes allowed).
    """
    local = unquote(path)
    if urlsplit(local).scheme or PurePosixPath(local).is_absolute() or PureWindowsPath(local).is_absolute():
        raise ValueError(f"image {path!r}: must be a relative path inside {assets_dir}")
    try:
        root = assets_dir.resolve(strict=True)
        file = (root / local).resolve(strict=True)
    except (OSError, ValueError):
        raise ValueError(f"image {path!r}: no such file in {assets_dir}") from None
    if not file.is_relative_to(root):
        raise ValueError(f"image {path!r}: escapes {assets_dir}")
    kind = IMAGE_TYPES.get(file.suffix.lower())
    if kind is None or not file.is_file():
        raise ValueError(f"image {path!r}: not a PNG or SVG file")
    return f"data:{kind};base64," + base64.b64encode(file.read_bytes()).decode("ascii")


CSS = """\
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --zebra: #f6f8fa; --accent: #0969da; }
html { color: var(--ink); background: #fff; }
body { margin: 0; font: 16px/1.6 "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.6em; }
h1 { font-size: 2em; margin-top: 0; }
h2 { font-size: 1.5em; padding-bottom: 0.3em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.2em; }
h4 { font-size: 1em; }
a { color: var(--accent); }
hr { border: 0; border-top: 1px solid var(--line); margin: 2rem 0; }
blockquote { margin: 1rem 0; padding: 0.5rem 1rem; color: var(--muted);
  border-left: 4px solid var(--accent); background: #f3f8ff; }
blockquote p { margin: 0.4em 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem;
  line-height: 1.15; white-space: pre; overflow-x: auto; padding: 0.8rem 1rem;
  background: var(--zebra); border: 1px solid var(--line); border-radius: 6px; }
pre code { font-size: inherit; }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--line); padding: 0.35rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
tbody tr:nth-child(even) { background: var(--zebra); }
figure { margin: 1.5rem 0; text-align: center; }
img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.9rem; }

@media print {
  @page { size: A4; margin: 12mm 14mm; }
  html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10pt; line-height: 1.4; }
  main { max-width: none; margin: 0; padding: 0; }
  h1, h2, h3, h4 { margin: 1.1em 0 0.4em; break-after: avoid; }
  h2 { break-before: page; }                      /* each section starts a page, and nothing else does */
  h2:first-of-type, h2#references { break-before: auto; }
  section.practice > h2 { break-before: page; }   /* the appendix too */
  hr { display: none; }
  p, ul, ol { margin: 0.5em 0; }
  p, li { orphans: 3; widows: 3; }
  pre, figure, blockquote, tr { break-inside: avoid; }   /* small blocks whole; a long table breaks between rows */
  thead { display: table-header-group; }
  pre { overflow: visible; border-radius: 0; padding: 2mm 3mm;
    font-size: clamp(5pt, calc(170mm / (var(--cols) * 0.61)), 8.5pt); }
  table { display: table; font-size: 8.5pt; }
  th, td { padding: 0.2rem 0.5rem; }
  figure { margin: 0.8rem 0; }
  img { max-height: 80mm; }
  a { color: inherit; }
  a[href^="http"]::after { content: " <" attr(href) ">"; color: var(--muted); font-size: 85%;
    word-break: break-all; }
}
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
{before}<main>
{content}</main>
{after}</body>
</html>
"""
