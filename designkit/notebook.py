"""The one import of a section notebook: ``from designkit import notebook as dk`` (d2l's way).

The cells show the method, and call the library for the rest through this one name: the model
(``dk.estimate``, ``dk.analyze``, ``dk.q`` to say a number, and ``dk.scaling``, ``dk.queueing``,
``dk.availability`` whose formulas the notebooks work by hand first), the views (``dk.article``,
the chart classes ``dk.CapacityChart`` ... ``dk.TornadoChart``, ``dk.tables``, ``dk.diagram``, ``dk.markdown``) and the
fragments contract with the build (``dk.emit``, ``dk.emit_figure``).  What designkit shows of the spec's numbers (``dk.md``,
``dk.emit``, ``dk.emit_figure``, ``dk.practice``) says it is the spec's baseline once the live
panel is above it (``dk.in_class``); nothing else in the kernel is touched.
"""

from __future__ import annotations

from .live import baseline
from .model import analyze, availability, estimate, queueing, scaling
from .model import quantities as q
from .model.spec import load_spec
from .run import fragments
from .views.pages import article
from .views.charts.availability import AvailabilityChart
from .views.charts.capacity import CapacityChart
from .views.charts.cost import CostChart
from .views.charts.latency import LatencyChart
from .views.charts.scaling import ScalingChart
from .views.diagrams import boxes as diagram
from .views.prose import templating as figures
from .views import markdown
from .views.rows import as_markdown as tables
from .views.charts.tornado import TornadoChart

__all__ = ["AvailabilityChart", "CapacityChart", "CostChart", "LatencyChart", "ScalingChart", "TornadoChart",
           "analyze", "article", "availability", "diagram", "emit", "emit_figure", "estimate", "in_class", "load",
           "markdown", "md", "practice", "q", "queueing", "scaling", "tables", "tornado"]


def load(spec, overrides=None):
    """The checked spec, its prose's ``{{ figures }}`` said at this scale (notebook 1 introduces it)."""
    return figures.render_spec(load_spec(spec, overrides), spec)


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


def emit(section: int, text: str) -> None:
    """``run.fragments.emit``: a fragment of the article, shown (after the baseline note in class)."""
    baseline.mark()
    fragments.emit(section, text)


def emit_figure(name: str, fig, alt: str) -> None:
    """``run.fragments.emit_figure``: a figure of the article, shown (after the baseline note in class)."""
    baseline.mark()
    fragments.emit_figure(name, fig, alt)


def practice(system, *, section: int, interactive: bool):
    """The section's estimation practice (``live.practice``), after the baseline note in class."""
    from .live.practice import practice as boxes

    baseline.mark()
    return boxes(system, section=section, interactive=interactive)


def tornado(system) -> TornadoChart | None:
    """The tornado chart of ``system``'s ranges (which assumption moves each figure most); None without ranges."""
    from .model.sensitivity import uncertainty
    found = uncertainty(system)
    return None if found is None else TornadoChart(found)
