"""Markdown helpers: how spec text and computed values become safe Markdown (one place for each rule)."""

from __future__ import annotations

import re
import unicodedata


_SPACE_RUN = re.compile(r"\s+")                             # one pass: '\s*BREAK\s*' rescans long spaces
_BREAK_CHAR = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_ACTIVE = re.compile(r"([\\`*\[\]|$])")   # code, emphasis, links, cells; '$': no math in JupyterLab or GitHub
_TILDE = re.compile(r"(?<=\S)~|~(?![\d.])")                 # a tilde that could strike through ('~46K' cannot)
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # snake_case stays as written
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d{1,9})([.)]))")  # heading, quote, list, setext, ordered list
# A run of backslashes is matched from its start only (the lookbehind): tried from inside a long
# run with no bracket after it, the greedy run would fail again at every position (quadratic).
_UNESCAPED = re.compile(r"(?<!\\)(\\*)([|\[\]])")
_BRACKET = re.compile(r"(?<!\\)(\\*)([\[\]])")
_SCHEMES = ("http://", "https://")


def escape_html(value, *, attribute: bool = False) -> str:
    """The one HTML escape: text that opens no tag and no entity ('&', '<', '>'), and in a quoted
    attribute value (``attribute``) no quote either."""
    value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;").replace("'", "&#x27;") if attribute else value


def html_in_markdown(value: str) -> str:
    """``escape_html`` for Markdown text: a lone '>' is left raw (it opens nothing there, and reads
    better in article.md)."""
    return escape_html(value).replace("&gt;", ">")


def _fold(value: str) -> str:
    """Each run of white space that holds a line break (CR, LF, U+2028, ...) as one space."""
    return _SPACE_RUN.sub(lambda m: " " if _BREAK_CHAR.search(m.group()) else m.group(), value)


def one_line(value: str) -> str:
    """Line breaks of every kind (CR, LF, U+2028, ...) folded to one space, other controls dropped."""
    return _CONTROL.sub("", _fold(str(value))).strip()


def span(value: str) -> str:
    """A piece of a line, its spaces kept: HTML-escaped, on one line, and every character that opens
    code, emphasis, a link, an image, a table cell or math ('$1 / $2' in JupyterLab) backslash-escaped
    (every renderer the article meets, kramdown, GitHub, mistune, shows '\\$' as '$')."""
    value = _ACTIVE.sub(r"\\\1", html_in_markdown(_CONTROL.sub("", _fold(str(value)))))
    return _TILDE.sub(r"\\~", _EDGE_UNDERSCORE.sub(r"\\_", value))


def line_start(value: str) -> str:
    """A line that no leading block marker (#, >, -, 1.) can turn into a heading, quote or list."""
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), value)


def text(value: str) -> str:
    """Spec prose as Markdown that reads as written and can change no structure: one ``span``
    that starts a line safely (``line_start``)."""
    return line_start(span(one_line(value)))


def cell(value) -> str:
    """One table cell, whatever it holds: one line, and no pipe or bracket left unescaped, so no
    cell can end the row early or hold a link (spec text in it is escaped with ``text`` first)."""
    def escape(match):
        slashes = match.group(1)
        return match.group(0) if len(slashes) % 2 else slashes + "\\" + match.group(2)
    return _UNESCAPED.sub(escape, one_line(value))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table: every header and body cell goes through ``cell``; rows must match the header."""
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells under a header of {len(header)}: {header}")

    def line(cells):
        return "| " + " | ".join(cell(c) for c in cells) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
                     + [line(row) for row in rows])


def neutral(markdown: str) -> str:
    """Computed Markdown that names spec components: HTML-escaped, and no unescaped bracket, so a
    name can open no tag and make no link or image."""
    def escape(match):
        slashes = match.group(1)
        return match.group(0) if len(slashes) % 2 else slashes + "\\" + match.group(2)
    return _BRACKET.sub(escape, html_in_markdown(markdown))


def url(value: str) -> str:
    """A link destination that no character can end early: parentheses, brackets, spaces and
    backslashes percent-encoded (the link goes where it said)."""
    return re.sub(r"[()\[\]<>\\\s`*_|~\"']", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)


def link(label: str, target: str) -> str:
    """[label](target) for an http(s) or relative target; any other scheme gives the label alone."""
    scheme = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target)
    if (scheme and not target.lower().startswith(_SCHEMES)) or target.startswith("//"):
        return text(label)
    return f"[{text(label)}]({url(target)})"


def code(body: str, lang: str = "") -> str:
    """A fenced code block that no backticks inside the body can close early."""
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def callout(label: str, body: str) -> str:
    """A '> **Label**: body' block quote."""
    return f"> **{label}**: {body}"


def anchor(heading: str) -> str:
    """GitHub's id for a heading's text, the one rule the article's links and the handout's ids
    share: lower-case, punctuation dropped, spaces to hyphens ('1. Requirements' -> '1-requirements')."""
    kept = (c for c in heading.strip().lower() if c in "-_ " or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def figure(name: str, alt: str) -> str:
    """A Markdown image of a figure written beside the article."""
    safe = alt.replace("[", "(").replace("]", ")")
    return f"![{safe}](figures/{name}.svg)"


def join(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)
