"""The contract between a section notebook and the build: fragments out, fragments back in.

A notebook calls ``emit(section, markdown)`` and ``emit_figure(name, fig, alt)``; each shows
up as ordinary rich output (Markdown, an SVG picture) and carries a private MIME type that
``collect`` reads back from the executed notebook. No file is written by a notebook.

The article keeps ``figures/<name>.svg`` links; what the notebook *shows* has each figure the
kernel has emitted inlined as a data URI, so an executed notebook shows its pictures wherever
it is opened (JupyterLab, nbconvert HTML, a mail attachment).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

FRAGMENT_MIME = "application/vnd.designkit.fragment+json"
FIGURE_MIME = "application/vnd.designkit.figure+json"
FIGURE_LINK = re.compile(r"(!\[[^\]\n]*\]\()figures/([A-Za-z0-9_.-]+)\.svg(\s+\"[^\"\n]*\")?\)")

_shown: dict[str, str] = {}
"""SVG text of every figure this kernel emitted, by name (a notebook emits a figure before the
section that links it)."""


@dataclass(frozen=True)
class Fragment:
    """A piece of Markdown for one section of the article."""

    section: int
    markdown: str


@dataclass(frozen=True)
class FigureFile:
    """A figure to write beside the article as ``figures/<name>.svg``."""

    name: str
    alt: str
    svg: str


def svg_data_uri(svg: str) -> str:
    """An SVG picture as a ``data:`` URI (base64, so no character of it needs escaping)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def inline_figures(markdown: str, figures: dict[str, str]) -> str:
    """``markdown`` with each ``figures/<name>.svg`` image link whose SVG is known made a data URI."""
    def replace(match: re.Match) -> str:
        svg = figures.get(match.group(2))
        if svg is None:
            return match.group(0)
        return f"{match.group(1)}{svg_data_uri(svg)}{match.group(3) or ''})"
    return FIGURE_LINK.sub(replace, markdown)


def shown(name: str) -> bool:
    """True when this kernel emitted the figure ``name`` since it was last reset."""
    return name in _shown


def forget() -> None:
    """Forget the figures emitted (a kernel reused for another notebook is reset)."""
    _shown.clear()


def emit(section: int, markdown: str) -> None:
    """Show a Markdown fragment in the notebook (figures inlined) and mark it for the article."""
    from IPython.display import display
    display({"text/markdown": inline_figures(markdown, _shown),
             FRAGMENT_MIME: {"section": section, "markdown": markdown}}, raw=True)


def emit_figure(name: str, fig, alt: str) -> None:
    """Show a figure as SVG and mark it for the article as ``figures/<name>.svg``."""
    from IPython.display import display

    from ..views.charts.style import png, svg
    image = svg(fig)
    _shown[name] = image
    # The PNG twin is for JupyterLab, which shows no SVG from an untrusted (not re-run) notebook.
    display({"image/svg+xml": image, "image/png": base64.b64encode(png(fig)).decode("ascii"), "text/plain": alt,
             FIGURE_MIME: {"name": name, "alt": alt, "svg": image}}, raw=True)


def collect(nb) -> tuple[list[Fragment], list[FigureFile]]:
    """The fragments and figures an executed notebook emitted, in order."""
    fragments, figures = [], []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FRAGMENT_MIME in data:
                item = data[FRAGMENT_MIME]
                fragments.append(Fragment(int(item["section"]), item["markdown"]))
            if FIGURE_MIME in data:
                item = data[FIGURE_MIME]
                figures.append(FigureFile(item["name"], item["alt"], item["svg"]))
    return fragments, figures
