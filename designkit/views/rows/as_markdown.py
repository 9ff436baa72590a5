"""Markdown views of the computed rows: the Scalability and Reliability tables and lists.

The rows are worked out once in the other modules of ``views.rows``; this module
only writes them as Markdown (pipe tables and short lists, spec text escaped).  The article and
the ``designkit analyze`` text output are both built from these.
"""

from __future__ import annotations


from ...model import quantities as q
from ...model.analysis import Analysis
from ...model.quantities import say_availability, say_duration, say_share
from . import reliability as rr
from . import scaling as r
from ..rows.table import Line, Rows
from ..markdown import line_start, one_line, span, table, text


# --- writing rows as Markdown ------------------------------------------------------------------

def markdown_table(rows: Rows, *, key_column: bool = True) -> str:
    """A pipe table of ``rows``: every cell escaped, the first column bold when it names the row."""
    body = [[f"**{span(one_line(c.text))}**" if key_column and j == 0 and c.text else span(one_line(c.text))
             for j, c in enumerate(row)] for row in rows.rows]   # a cell starts no block: no line_start
    return table(list(rows.header), body)


def prose_table(rows: Rows) -> str:
    """A pipe table of rows whose cells are sentences and spec names: each cell escaped like spec
    prose (``text``), a 'key' cell (a total) bold."""
    def said(c) -> str:
        if not c.text:
            return c.text
        return f"**{text(c.text)}**" if c.status == "key" else text(c.text)
    return table(list(rows.header), [[said(c) for c in row] for row in rows.rows])


def _inline(value: str) -> str:
    """Spec or computed words inside a line: escaped like all spec text, spaces kept."""
    return span(value)


def markdown_line(line: Line) -> str:
    """One phrase line: its spans escaped, 'key' (and 'over') spans bold."""
    return line_start("".join(f"**{_inline(s.text)}**" if s.status in ("key", "over") else _inline(s.text)
                              for s in line))


def markdown_list(lines, *, numbered: bool = False) -> str:
    """A Markdown list of phrase lines ('- ' or '1. ')."""
    return "\n".join((f"{i}. " if numbered else "- ") + markdown_line(line)
                     for i, line in enumerate(lines, 1))


# --- the tables --------------------------------------------------------------------------------

def load_table(a: Analysis) -> str:
    """Load, utilization and what each component needs to keep peak at the target."""
    return markdown_table(r.load_rows(a))


def strategies_table(a: Analysis) -> str:
    """The template's Scaling Strategies: Component | Strategy | When to Apply, computed."""
    return markdown_table(r.strategy_rows(a))


def thresholds_table(a: Analysis) -> str:
    """Every scaling threshold: the trigger, and the users and system QPS at which it is due."""
    return markdown_table(r.threshold_rows(a))


def breaks_lines(a: Analysis) -> str:
    """What breaks first at 10x and 100x today's scale, as a short Markdown list."""
    return markdown_list(r.break_lines(a))


def envelope_text(a: Analysis) -> str:
    """The design's envelope, as one paragraph: the scale it is sized for, what changes beyond."""
    return markdown_line(r.envelope_line(a))


def queueing_table(a: Analysis) -> str:
    """M/M/c operating points: how close each pool runs to the knee of its latency curve."""
    return markdown_table(r.queueing_rows(a))


def availability_table(a: Analysis) -> str:
    """Each component's k-of-n availability and the downtime it implies alone."""
    return markdown_table(rr.availability_rows(a))


def paths_table(a: Analysis) -> str:
    """Read and write path availability, downtime and error budget."""
    return markdown_table(rr.path_rows(a))


def scenarios_table(a: Analysis) -> str:
    """The template's Failure Scenarios, derived from the components, with computed columns."""
    return markdown_table(rr.scenario_rows(a))


def recovery_lines(a: Analysis) -> str:
    """The template's Recovery Procedures, with this system's detection and failover times."""
    return markdown_list(rr.recovery_lines(a), numbered=True)


# --- the whole report ------------------------------------------------------------------------

def _tail_latency(a: Analysis) -> str:
    from . import latency as rows
    return "\n\n".join([prose_table(rows.component_rows(a)), prose_table(rows.path_rows(a)), *rows.path_lines(a)])


def _cost(a: Analysis) -> str:
    from . import cost as cost_rows
    return prose_table(cost_rows.rows(a)) + "\n\n" + cost_rows.summary(a)


def report(a: Analysis) -> str:
    """``designkit analyze`` text output: every table under the template's section names."""
    cap, st = a.capacity, a.settings
    who = f" at {q.say_count(cap.users)} users" if cap.users is not None else ""
    lines = [
        f"Scaling and reliability: {a.name}",
        "",
        f"Peak load {q.say_qps(cap.qps_peak)} QPS{who}. Scale out at "
        f"{say_share(st.target_utilization)} utilization (caches at "
        f"{say_share(st.memory_threshold)} memory); SLO {say_availability(st.slo)}, RTO "
        f"{say_duration(st.rto_seconds)}; QPS figures are at peak.",
    ]
    if not a.loads:
        lines += ["", "No components in this spec: add components, read_path and write_path "
                      "to get scaling and reliability numbers."]
        return "\n".join(lines)
    sections = [
        ("Load", load_table(a)),
        ("Scaling Strategies", strategies_table(a)),
        ("Scaling Thresholds", thresholds_table(a) if a.thresholds else "No traffic reaches any component."),
        ("What Breaks First", envelope_text(a) + "\n\n" + breaks_lines(a)),
        ("Queueing (M/M/c)", queueing_table(a)),
        ("Tail Latency", _tail_latency(a)),
        ("Cost (AWS on-demand list prices)", _cost(a)),
        ("Availability", availability_table(a) + ("\n\n" + paths_table(a)
                                                  if a.read_path or a.write_path else "")),
        ("Failure Scenarios", scenarios_table(a)),
        ("Recovery Procedures", recovery_lines(a)),
    ]
    for title, body in sections:
        lines += ["", f"### {title}", "", body]
    # a terminal is not a Markdown renderer: undo escape_html (its exact inverse, '&' last)
    return "\n".join(lines).replace("&lt;", "<").replace("&amp;", "&")
