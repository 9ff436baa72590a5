"""Each section's live views: the article's own rows (``views.rows``) as HTML cells, and the charts it redraws.

A live table shows some columns of the article's table, in the article's words; a cell's status
becomes a badge or a colour.  Nothing here words a number: that is ``views.rows`` and friends.
"""

from __future__ import annotations

import html
import logging
import re
import weakref
from typing import Any, Callable

import ipywidgets as w

from ..views.markdown import escape_html
from ..views.charts.style import COLORS
from ..views.charts import registry
from ..views.charts.registry import Chart
from ..views.rows import registry as tables_registry
from ..views.rows.registry import Table
from ..views.rows import cost as cost_rows
from ..views.rows import latency as latency_rows
from ..views.rows import scaling as r
from ..views.rows.spread import spread_words
from ..views.rows.table import Cell, Line, Rows
from ..model import quantities as q
from ..model.spec import resolve
from ..sections import SECTIONS, TITLES


from .lifetime import close_tree
from .panel import Panel
from .sliders import USERS
from .state import State
from .cells import TableView, TextView
from .render import ChartView
from .bands import CapacityBands, CostBands, LatencyBands, ScalingBands

log = logging.getLogger(__name__)


# --- rows as HTML cells (the words are the rows'; only the colours are added here) ----------------

BADGES = {"ok": COLORS["ok"], "warn": COLORS["warn"], "over": COLORS["bad"]}


def html_cell(cell: Cell) -> str:
    """One cell or span as HTML: its text escaped, its status as a badge, colour or weight."""
    value = escape_html(cell.text)
    if cell.status in BADGES:
        return (f'<span style="background:{BADGES[cell.status]};color:white;padding:1px 7px;'
                f'border-radius:3px">{value}</span>')
    if cell.status in ("due", "bad"):
        return f'<span style="color:{COLORS["bad"]};font-weight:600">{value}</span>'
    if cell.status in ("key", "group"):
        return f"<b>{value}</b>"
    if cell.status == "item":
        return f'<span style="padding-left:1.2em">{value}</span>'
    return value


def html_line(line: Line) -> str:
    """A phrase line as HTML."""
    return "".join(html_cell(span) for span in line)


def plain(markup: str) -> str:
    """The words of a cell's HTML, tags dropped (what a reader sees; for tests and comparisons)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


class Columns:
    """Some columns of a ``Rows`` function's table, by header name, as HTML cells."""

    def __init__(self, make: Callable[[State], Rows], names: tuple[str, ...] | None, state: State):
        first = make(state)
        self.make = make
        self.index = list(range(len(first.header))) if names is None else [first.column(n) for n in names]
        self.header = [first.header[i] for i in self.index]

    def __call__(self, state: State) -> list[list[str]]:
        return [[html_cell(row[i]) for i in self.index] for row in self.make(state).rows]


def table_view(make: Callable[[State], Rows], css: str, state: State, names: tuple[str, ...] | None = None,
               **options) -> TableView:
    """A live table of the article's rows: ``names`` picks columns (all when None)."""
    columns = Columns(make, names, state)
    return TableView(columns.header, columns, css, state, **options)


def lines_view(make: Callable[[State], tuple[Line, ...]], css: str, state: State, **options) -> TextView:
    """A live list of the article's phrase lines."""
    return TextView(lambda s: [html_line(line) for line in make(s)], css, state, **options)


# --- the views of each section ---------------------------------------------------------------





def today_line(state: State) -> Line:
    """What 'today' means in the live views: the sliders' setting, not the spec's baseline."""
    cap = state.cap
    at = f"{q.say_count(cap.users)} users, " if cap.users is not None else ""
    return (Cell("Today", "key"), Cell(f" here is the sliders' setting ({at}{q.say_qps(cap.qps_peak)} peak QPS); "
                                          "10x and 100x are multiples of it, not of the spec's baseline."))


def break_lines(state: State) -> tuple[Line, ...]:
    """What breaks first, after what 'today' means here and the design's envelope."""
    return (today_line(state), r.envelope_line(state.analysis), *r.break_lines(state.analysis))


def tail_lines(state: State) -> list[str]:
    """Each path's p99 at peak against its target and where it is crossed, then the monthly bill."""
    return [escape_html(line) for line in latency_rows.path_lines(state.analysis)]


def cost_lines(state: State) -> list[str]:
    """The month's total, per million requests, and at 10x; with the spec's ranges, the total's spread."""
    lines = [escape_html(cost_rows.summary(state.analysis))]
    spread = (state.analysis_spreads or {}).get("monthly_cost_total")
    if spread is not None:
        lines.append(escape_html(f"This month's total across the spec's ranges: {spread_words(spread)}."))
    return lines




VIEWS: dict[str, Callable[[State], Any]] = {
    "breaks": lambda s: lines_view(break_lines, "dk-breaks", s, title="What breaks first"),
    "tail_latency": lambda s: TextView(tail_lines, "dk-tail-latency", s, title="Tail latency against the target"),
    "cost": lambda s: TextView(cost_lines, "dk-cost", s, title="Monthly cost"),
}
"""The live text views by the name the section registry (``designkit.sections``) gives them; the tables
are the table registry's (``views.rows.registry``), the charts the chart registry's
(``views.charts.registry``), as ``<name>_chart``."""

CHART_OPTIONS: dict[str, Callable[[State], dict]] = {"scaling": lambda s: {"users": users_span(s)}}
"""What a live chart is built with beyond its numbers (the scaling chart spans the users slider's range)."""


ANALYSIS_BANDS = {"cost": CostBands, "latency": LatencyBands}
"""The live charts that band analysis figures when the spec gives ranges (``State.analysis_spreads``):
the cost chart the month's total, the latency chart each path's p99 at peak."""


def users_span(state: State) -> tuple[float, float] | None:
    """The users slider's range, widened to the spec's own users (None for a totals-form spec)."""
    users = state.spec.scale.users
    return (min(USERS[0], users), max(USERS[1], users)) if users is not None else None


def chart_view(entry: Chart, state: State) -> ChartView:
    """A registered chart as a live view: redrawn when what it changes with changes."""
    options = CHART_OPTIONS.get(entry.name, lambda s: {})(state)
    css = f"dk-chart-{entry.name}"
    if entry.name == "capacity" and state.spreads is not None:      # the spec's ranges: P10–P90 bands too
        return ChartView(CapacityBands(state.cap, state.spreads), css, lambda s: (s.cap, s.spreads),
                         lambda s: (s.cap, s.spreads), state)
    if entry.name in ANALYSIS_BANDS and state.analysis_spreads is not None:   # the month's total, the paths' p99
        return ChartView(ANALYSIS_BANDS[entry.name](state.analysis, state.analysis_spreads), css,
                         lambda s: (s.analysis, s.analysis_spreads),
                         lambda s: (entry.changes_with(s), s.analysis_spreads, s.analysis.read_p99_peak_seconds,
                                    s.analysis.write_p99_peak_seconds), state)
    chart = entry.make(state, **options)
    if entry.name == "scaling" and state.first_break is not None:  # the spec's ranges: when it breaks
        return ChartView(ScalingBands(chart, state.first_break), css, lambda s: (s.analysis, s.first_break),
                         lambda s: (s.cap.users, s.analysis.loads, s.first_break), state)
    return ChartView(chart, css, entry.inputs, entry.changes_with, state)


def registered_table(entry: Table, state: State) -> TableView:
    """A registered table as a live view: the article's rows as HTML cells."""
    columns = entry.columns(entry.rows(state)) if entry.columns else None
    return table_view(entry.rows, entry.css_class, state, columns, numeric=entry.numeric, title=entry.title)


def view(name: str) -> Callable[[State], Any]:
    """The live view called ``name``: a text view, a registered table, or a registered chart (``<name>_chart``)."""
    if name in VIEWS:
        return VIEWS[name]
    tables = {t.name: t for t in tables_registry.TABLES}
    if name in tables:
        return lambda state: registered_table(tables[name], state)
    charts = {f"{c.name}_chart": c for c in registry.CHARTS if c.live}
    if name not in charts:
        raise KeyError(f"no live view named {name!r}")
    entry = charts[name]
    return lambda state: chart_view(entry, state)


def section_views(section: int) -> list[str]:
    """The names of section ``section``'s live views: the section registry's, then any registered table
    or chart of the section it does not name."""
    named = list(SECTIONS[section - 1].live)
    more = [t.name for t in tables_registry.TABLES if t.section == section]
    more += [f"{c.name}_chart" for c in registry.CHARTS if c.live and c.section == section]
    return named + [name for name in more if name not in named]


class LiveSection(w.VBox):
    """What ``live`` returns: the panel above one section's views (``.panel``, ``.views`` for code)."""

    def __init__(self, panel: Panel, section: int, views: list):
        self.panel, self.section, self.views = panel, section, views
        heading = w.HTML(f"<b>Live: {section}. {escape_html(TITLES[section - 1])}</b>")
        super().__init__([panel.widget, heading, *[view.widget for view in views]])
        self.add_class("dk-live")
        self.add_class(f"dk-section-{section}")
        panel.attach(self)

    def close(self) -> None:
        """Close the panel, the views and this box: every widget of the section, freed in the kernel."""
        self.panel.close()
        close_tree(self)


_SHOWN: dict[tuple, weakref.ref] = {}
"""The live section last made for each (spec, overrides, section): running its cell again replaces it."""


def live(spec: str = "reference", overrides: dict | None = None, *, section: int,
         scheduler: Callable | None = None, prepare: bool | None = None) -> LiveSection:
    """The shared control panel and section ``section``'s live views, for ``display`` in a notebook
    (``prepare``: work out nearby scales while idle; by default only on the kernel's own loop)."""
    if section not in range(1, len(SECTIONS) + 1):
        raise ValueError(f"section must be 1 to {len(SECTIONS)}, got {section!r}")
    key = (str(resolve(spec)), repr(sorted((overrides or {}).items())), section)
    before = _SHOWN.get(key, lambda: None)()
    if before is not None:          # the cell run again: ipywidgets would keep the old one (~30 MB) forever
        before.close()
        del before                  # or this frame keeps it through the collection below, and it is frozen
    panel = Panel(spec, overrides, scheduler=scheduler, prepare=prepare)
    views = [panel.add(view(name)(panel.state)) for name in section_views(section)]
    box = LiveSection(panel, section, views)
    _SHOWN[key] = weakref.ref(box)
    panel.ahead.built()             # after the old one was closed: its garbage goes in this collection
    return box
