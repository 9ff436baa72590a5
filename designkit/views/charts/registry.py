"""Every chart of designkit, once: its name, its chart class, what it is drawn from, what it changes with, its alt text.

The article, the notebooks (``dk.figure``), the handout that moves with traffic (``pages.scaled_figures``)
and the live views in class (``live.views``) all read this list; nothing else names a chart.  To add
one, write the chart class (a constructor that draws a ``matplotlib.figure.Figure`` into ``.fig`` and
an ``update(...)`` that moves its artists) and register it::

    CHARTS.append(Chart("queue", 6, "designkit.views.charts.queue:QueueChart",
                        inputs=lambda n: (n.analysis,), changes_with=lambda n: n.analysis.queueing,
                        alt=lambda spec: "Queue length against utilization"))

It then appears at the end of its section in the article (unless the section's Markdown already
places it), in that section's notebook output, in every point of the moving handout and among
the section's live views (``<name>_chart``).

Charts are drawn from ``Numbers``: the spec, its capacity and (when a chart asks) its analysis.
The live panel's ``State`` has the same three attributes.  The chart classes are imported only
when a chart is drawn, so reading this list (the article, the CLI) never loads matplotlib.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any



def _always(_numbers) -> bool:
    return True


@dataclass(frozen=True)
class Chart:
    """One chart: where it is drawn and what it is drawn from."""

    name: str                                   # figures/<name>.svg in the article; "<name>_chart" live
    section: int                                # the section whose Markdown and notebook show it
    cls: str | type                             # the chart class, or "module:Class" imported when first drawn
    inputs: Callable[[Any], tuple | None]       # what the class and its update take, read off the numbers
    changes_with: Callable[[Any], Hashable]     # equal for two numbers: the chart draws the same picture
    alt: Callable[[Any], str]                   # its alt text (plain text), from the spec
    applies: Callable[[Any], bool] = _always    # False: nothing to draw for these numbers (no ranges, no load)
    article: bool = True                        # in the article, its notebook and the moving handout
    live: bool = True                           # among its section's live views
    moves: bool = True                          # updated in place from one scale to the next (else drawn anew)

    def chart_class(self):
        if not isinstance(self.cls, str):
            return self.cls
        module, name = self.cls.split(":")
        return getattr(importlib.import_module(module), name)

    def make(self, numbers, **options):
        """The chart drawn from ``numbers`` (``options`` go to its constructor: a live chart's users range)."""
        return self.chart_class()(*self.inputs(numbers), **options)

    def update(self, chart, numbers) -> None:
        """Move ``chart``'s artists to ``numbers``."""
        chart.update(*self.inputs(numbers))


def _tornado_inputs(n) -> tuple:
    from ...model.sensitivity import uncertainty
    return (uncertainty(n.spec),)


def _latency_changes(n) -> tuple:
    """The busiest pools' operating points; a pool past 100% only by the whole percent its title says."""
    return tuple((qp.component, qp.point.servers, qp.point.service_seconds,
                  qp.point.utilization if qp.point.stable else round(qp.point.utilization * 100))
                 for qp in n.analysis.queueing)


def _availability_changes(n) -> tuple:
    a = n.analysis
    return (tuple((c.component, c.availability) for c in a.components),
            a.read_path.availability if a.read_path else None,
            a.write_path.availability if a.write_path else None, a.settings.slo)


CHARTS: list[Chart] = [
    Chart("capacity", 1, "designkit.views.charts.capacity:CapacityChart",
          inputs=lambda n: (n.cap,), changes_with=lambda n: n.cap,
          alt=lambda spec: f"Capacity of {spec.name}: requests per second and storage over retention"),
    Chart("load", 2, "designkit.views.charts.load:LoadChart",
          inputs=lambda n: (n.analysis,), changes_with=lambda n: (n.analysis.loads, n.analysis.settings),
          alt=lambda spec: "Each component's fullest limit at peak, green, amber or red by utilization",
          article=False),
    Chart("scaling", 6, "designkit.views.charts.scaling:ScalingChart",
          inputs=lambda n: (n.analysis,), changes_with=lambda n: (n.cap.users, n.analysis.loads),
          alt=lambda spec: "Utilization of each component as users grow, with today's scale and 10x marked",
          applies=lambda n: bool(n.analysis.loads)),
    Chart("latency", 6, "designkit.views.charts.latency:LatencyChart",
          inputs=lambda n: (n.analysis,), changes_with=_latency_changes,
          alt=lambda spec: "M/M/c response time against utilization for the busiest components",
          applies=lambda n: bool(n.analysis.loads)),
    Chart("availability", 7, "designkit.views.charts.availability:AvailabilityChart",
          inputs=lambda n: (n.analysis,), changes_with=_availability_changes,
          alt=lambda spec: "Expected downtime a year per component and per path",
          applies=lambda n: bool(n.analysis.loads)),
    Chart("cost", 6, "designkit.views.charts.cost:CostChart",
          inputs=lambda n: (n.analysis,), changes_with=lambda n: (n.analysis.cost, n.analysis.cost_10x),
          alt=lambda spec: "Monthly cost per component, today and at 10x",
          applies=lambda n: bool(n.analysis.loads)),
    Chart("tornado", 6, "designkit.views.charts.tornado:TornadoChart",
          inputs=_tornado_inputs, changes_with=lambda n: n.spec.scale.ranges,
          alt=lambda spec: "Tornado chart: each ranged input swung from its low end to its high end",
          applies=lambda n: bool(n.spec.scale.ranges) and bool(n.analysis.loads), live=False, moves=False),
]
"""Every chart, in the order the handout's grid and a section's live views list them."""


def chart(name: str) -> Chart:
    """The chart registered as ``name``."""
    for entry in CHARTS:
        if entry.name == name:
            return entry
    raise KeyError(f"no chart named {name!r}; charts: {', '.join(c.name for c in CHARTS)}")


def of_section(section: int) -> list[Chart]:
    """The article's charts of one section, in registry order."""
    return [c for c in CHARTS if c.section == section and c.article]
