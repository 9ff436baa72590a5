"""The contract between a section notebook and the build: fragments out, fragments back in.

A notebook calls ``emit(section, markdown)`` and ``emit_figure(name, fig, alt)``; each shows
up as ordinary rich output (Markdown, an SVG picture) and carries a private MIME type that
``collect`` reads back from the executed notebook. No file is written by a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAGMENT_MIME = "application/vnd.designkit.fragment+json"
FIGURE_MIME = "application/vnd.designkit.figure+json"


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


def emit(section: int, markdown: str) -> None:
    """Show a Markdown fragment in the notebook and mark it for the article."""
    from IPython.display import display
    display({"text/markdown": markdown, FRAGMENT_MIME: {"section": section, "markdown": markdown}}, raw=True)


def emit_figure(name: str, fig, alt: str) -> None:
    """Show a figure as SVG and mark it for the article as ``figures/<name>.svg``."""
    from IPython.display import display

    import base64

    from ..views.charts import png, svg
    image = svg(fig)
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
