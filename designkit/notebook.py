"""The one import of a section notebook: ``from designkit import notebook as dk`` (d2l's way).

The cells show the method, and call the library for the rest through this one name: the model
(``dk.estimate``, ``dk.analyze``, ``dk.q`` to say a number, and ``dk.scaling``, ``dk.queueing``,
``dk.availability`` whose formulas the notebooks work by hand first), the views (``dk.article``,
``dk.tables``, ``dk.diagram``, ``dk.markdown``, and the charts by name: ``dk.figure("scaling", system,
analysis)``) and the fragments contract with the build (``dk.emit``, ``dk.figure``).  What designkit shows of
the spec's numbers (``dk.md``, ``dk.emit``, ``dk.figure``, ``dk.practice``) says it is the spec's baseline once the live
panel is above it (``dk.in_class``); nothing else in the kernel is touched.
"""

from __future__ import annotations

from .live import baseline
from .model import analyze, availability, estimate, queueing, scaling
from .model import quantities as q
from .model.analysis import Analysis
from .model.numbers import Numbers
from .model.spec import load_spec
from .run import fragments
from .views.pages import article
from .views.charts import registry
from .views.diagrams import boxes as diagram
from .views.prose import templating
from .views import markdown
from .views.rows import as_markdown as tables

__all__ = ["analyze", "article", "availability", "diagram", "emit", "estimate", "figure", "in_class", "load",
           "markdown", "md", "practice", "q", "queueing", "scaling", "tables"]


def load(spec, overrides=None):
    """The checked spec, its prose's ``{{ figures }}`` said at this scale (notebook 1 introduces it)."""
    return templating.render_spec(load_spec(spec, overrides), spec)


def in_class(system, spec, overrides, *, section: int, interactive: bool) -> None:
    """In class: show the scale panel and ``section``'s live views, and mark later outputs of the
    spec's numbers as its baseline.  Headless (``interactive`` False): nothing, no widget."""
    if not interactive:
        baseline.unlabel()
        return
    from IPython.display import display

    from .live import live

    display(live(spec, overrides, section=section))
    baseline.label_baseline(system)


def md(text: str) -> baseline.Baseline:
    """Markdown of the spec's numbers, as a cell's result (after the baseline note in class)."""
    return baseline.Baseline(text)


def emit(section: int, text: str, system=None) -> None:
    """``run.fragments.emit``: a fragment of the article, shown (after the baseline note in class).

    A registered chart the fragment shows that no cell drew yet (a chart added to the registry,
    ``views.charts.registry``) is drawn from ``system`` and emitted first."""
    baseline.mark()
    missing = [c for c in registry.CHARTS if f"(figures/{c.name}.svg" in text and not fragments.shown(c.name)]
    if missing and system is None:
        raise ValueError(f"section {section} shows the charts {', '.join(c.name for c in missing)}: "
                         "pass the system to dk.emit to draw them")
    for entry in missing:
        figure(entry.name, system)
    fragments.emit(section, text)


def figure(name: str, system, numbers=None):
    """Draw the registered chart ``name`` from ``system`` (and its ``numbers``: the capacity or the
    analysis you computed) and emit it for the article, with the registry's alt text; the chart,
    or None when it has nothing to draw (a tornado without ranges)."""
    entry = registry.chart(name)
    drawn = Numbers(system, *_split(numbers))
    if not entry.applies(drawn):
        return None
    chart = entry.make(drawn)
    baseline.mark()
    fragments.emit_figure(name, chart.fig, entry.alt(system))
    return chart


def _split(numbers) -> tuple:
    """(capacity, analysis) from what a notebook passes: either, or neither."""
    if numbers is None:
        return None, None
    return (None, numbers) if isinstance(numbers, Analysis) else (numbers, None)


def practice(system, *, section: int, interactive: bool):
    """The section's estimation practice (``live.practice``), after the baseline note in class."""
    from .live.practice import practice as boxes

    baseline.mark()
    return boxes(system, section=section, interactive=interactive)
