"""Markdown helpers: how spec text and computed values become safe Markdown (one place for each rule)."""

from __future__ import annotations

import re


def escape_html(value: str) -> str:
    """Escape what could open a tag or an entity; '>' alone is harmless and reads better raw."""
    return value.replace("&", "&amp;").replace("<", "&lt;")


def text(value: str) -> str:
    """Spec prose as Markdown: HTML-escaped (spec text is data), one line."""
    return re.sub(r"\s*\n\s*", " ", escape_html(value)).strip()


def table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table; pipes inside cells are escaped (callers escape spec text with ``text``)."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
                     + [line(row) for row in rows])


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
    """The GitHub-style anchor of a heading: '1. Requirements' -> '1-requirements'."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def figure(name: str, alt: str) -> str:
    """A Markdown image of a figure written beside the article."""
    safe = alt.replace("[", "(").replace("]", ")")
    return f"![{safe}](figures/{name}.svg)"


def join(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)
