"""Every computed table of designkit, once: its name, its section, its rows function, its title.

The live views in class (``live.views``) show each as a table of HTML cells; the article shows a
table where its section's Markdown places it, or, for a table registered to be appended, at the
end of its section.  To add a table, write its rows function (a ``Rows`` from ``Numbers``: the spec,
its capacity and its analysis, as in ``capacity`` or ``scaling``) and register it::

    TABLES.append(Table("pool_table", 6, lambda n: pool_rows(n.analysis), "Pools at peak"))

It then appears at the end of section 6 in the article (and its notebook, which emits that
Markdown) and among section 6's live views.  Every table says a figure with the same label
everywhere: the labels are the rows function's, and the article and the live views render the
same ``Rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import capacity, cost, headline, latency, reliability, scaling
from .interview import follow_up_rows, key_phrase_rows
from .table import Rows

PLACED, APPENDED, LIVE = "placed", "appended", "live"


@dataclass(frozen=True)
class Table:
    """One table: where it is shown and what it is made from."""

    name: str                                   # the live view's name (the section registry's)
    section: int                                # the section whose Markdown and live views show it
    rows: Callable[[Any], Rows]                 # its rows, from Numbers (spec, cap, analysis, prose)
    title: str | None = None                    # its heading, live and when appended to the article
    article: str = APPENDED                     # PLACED by its section's Markdown, APPENDED at its end, LIVE only
    css: str | None = None                      # the live view's class (default: dk-<name with dashes>)
    columns: Callable[[Rows], tuple[str, ...]] | None = None   # the live view's columns (default: all)
    numeric: tuple[int, ...] = ()               # the live view's right-aligned columns
    applies: Callable[[Any], bool] = lambda n: True   # False: nothing to show for these numbers

    @property
    def css_class(self) -> str:
        return self.css or "dk-" + self.name.replace("_", "-")


def _some(*names: str) -> Callable[[Rows], tuple[str, ...]]:
    return lambda rows: names


def _load_columns(rows: Rows) -> tuple[str, ...]:
    # "Replicas needed (70%)": the target is in the header's name
    return ("Component", "Peak QPS", "Nodes (shards × replicas)", "Throughput used (avg / peak)", rows.header[5],
            "Shards needed", "Full at")


TABLES: list[Table] = [
    Table("capacity_table", 1, lambda n: capacity.capacity_rows(n.cap), article=PLACED, css="dk-table-capacity"),
    Table("load_table", 2, lambda n: scaling.load_rows(n.analysis), article=PLACED, css="dk-table-load",
          columns=_load_columns, numeric=(1, 2)),
    Table("data_table", 4, lambda n: headline.data_rows(n.cap), article=LIVE, css="dk-table-data"),
    Table("decision_table", 5, lambda n: headline.decision_rows(n.analysis), article=LIVE,
          css="dk-table-decisions"),
    Table("threshold_table", 6, lambda n: scaling.threshold_rows(n.analysis), "Scaling thresholds",
          article=PLACED, css="dk-table-thresholds"),
    Table("queue_table", 6, lambda n: scaling.queueing_rows(n.analysis), "Queueing (M/M/c)", article=PLACED,
          css="dk-table-queueing",
          columns=_some("Component", "Servers", "Utilization", "P(wait)", "Response time", "Vs service time")),
    Table("tail_table", 6, lambda n: latency.path_rows(n.analysis), "Path percentiles at peak", article=PLACED,
          css="dk-table-tail"),
    Table("cost_table", 6, lambda n: cost.rows(n.analysis), "Monthly bill (AWS on-demand list prices)",
          article=PLACED, css="dk-table-cost", numeric=(2, 3, 4, 5, 6)),
    Table("paths", 7, lambda n: reliability.path_rows(n.analysis), "Availability", article=PLACED,
          css="dk-paths",
          columns=_some("Path", "Availability", "Down/year", "Down/month", "SLO (budget)", "Budget used")),
    Table("scenario_table", 7, lambda n: reliability.scenario_rows(n.analysis),
          "Failure scenarios (requests failing at peak)", article=PLACED, css="dk-table-scenarios",
          columns=_some("Scenario", "Affected", "Data loss", "Detection + failover", "RTO met?")),
    Table("phrases", 8, lambda n: key_phrase_rows(n.prose, n.analysis), "Key phrases, with this system's numbers",
          article=PLACED, css="dk-phrases"),
    Table("follow_ups", 8, lambda n: follow_up_rows(n.prose, n.analysis), "Follow-up questions",
          article=PLACED, css="dk-follow-ups"),
    Table("summary_table", 9, lambda n: headline.summary_rows(n.analysis), article=LIVE, css="dk-table-summary"),
]
"""Every table, in the order a section's live views list them when the section registry does not."""


def table(name: str) -> Table:
    """The table registered as ``name``."""
    for entry in TABLES:
        if entry.name == name:
            return entry
    raise KeyError(f"no table named {name!r}; tables: {', '.join(t.name for t in TABLES)}")


def appended(section: int) -> list[Table]:
    """The tables the article appends to one section, in registry order."""
    return [t for t in TABLES if t.section == section and t.article == APPENDED]
