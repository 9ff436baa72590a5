"""Each section's live views: the numbers it shows, in words, and the charts it redraws."""

from __future__ import annotations

import logging
import math
from typing import Any, Callable

import ipywidgets as w

from ..views import charts, cost_rows, latency_rows
from ..views.cost_chart import CostChart
from ..model import quantities as q
from ..model.quantities import say_share, say_times
from ..sections import SECTIONS, TITLES


from .panel import METRIC_WORDS, Panel, State, esc, say_users_at, utilization_badge
from .render import ChartView, TableView, TextView

log = logging.getLogger(__name__)


# --- the numbers each section shows (words only; the math is in capacity/analysis) -------------

def capacity_rows(state: State) -> list[list[str]]:
    """The capacity block of section 1, one row per figure."""
    cap = state.cap
    rows = []
    if cap.users is not None:
        rows.append(["Users", q.say_count(cap.users)])
    if cap.daily_active_users is not None:
        rows.append(["Daily active", q.say_count(cap.daily_active_users)])
    rows += [
        ["Requests/day", q.say_count(cap.requests_per_day)],
        ["QPS (average)", q.say_qps(cap.qps_average)],
        ["QPS (peak)", f"{q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)"],
        ["Reads/s", f"{q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak"],
        ["Writes/s", f"{q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak"],
        ["Storage per day", q.say_bytes(cap.storage_per_day_bytes)],
        [f"Storage over {q.say_days(cap.retention_days)}",
         f"{q.say_bytes(cap.storage_total_bytes)} ({q.say_bytes(cap.storage_replicated_bytes)} with "
         f"{cap.replication_factor}x replication)"],
        ["Bandwidth", f"{q.say_bandwidth(cap.ingress_bytes_per_second)} in, "
                      f"{q.say_bandwidth(cap.egress_bytes_per_second)} out"],
        ["Cache memory", q.say_bytes(cap.cache_memory_bytes)],
        ["App servers at peak", f"{cap.servers_needed} (each {q.say_qps(cap.server_qps, approx=False)}/s)"],
    ]
    return rows


def fullest(load) -> tuple[float, str]:
    """A component's fullest limit: (utilization at peak, what fills: requests, writes, disk...)."""
    lim = max(load.limits, key=lambda lim: lim.utilization)
    return lim.utilization, METRIC_WORDS.get(lim.metric, lim.metric)


def load_rows(state: State) -> list[list[str]]:
    """Per component: peak load, what it has, how full (coloured), what it needs, when it breaks."""
    a, cap = state.analysis, state.cap
    target = a.settings.target_utilization
    rows = []
    for load in a.loads:
        util, what = fullest(load)
        needed = f"{load.replicas_needed} replica{'s' if load.replicas_needed != 1 else ''}"
        if load.shards_needed is not None and load.shards_needed > load.shards:
            needed += f", {load.shards_needed} shards"
        have = f"{load.replicas}" + (f" x {load.shards} shards" if load.shards > 1 else "")
        rows.append([esc(load.name), q.say_qps(load.qps_peak) + "/s", have,
                     f"{utilization_badge(util, target)} {what}", needed,
                     say_users_at(load.break_multiplier, cap)])
    return rows


def threshold_rows(state: State) -> list[list[str]]:
    """Each scaling step, earliest first: who, what step, at which scale (due now in red)."""
    cap = state.cap
    rows = []
    for t in sorted(state.analysis.thresholds, key=lambda t: t.multiplier):
        when = say_users_at(t.multiplier, cap) + f" ({q.say_qps(t.qps)} QPS)"
        if t.reached:
            when = f'<span style="color:{charts.COLORS["bad"]};font-weight:600">due now</span> ({when})'
        rows.append([esc(t.component), esc(t.step), METRIC_WORDS.get(t.metric, t.metric), when])
    return rows


def break_lines(state: State) -> list[str]:
    """What breaks first at 10x and 100x today's scale, in words."""
    a, cap = state.analysis, state.cap
    lines = []
    for bp in a.break_points:
        scale = f"{bp.factor:g}x today"
        if cap.users is not None:
            scale += f" ({q.say_count(cap.users * bp.factor)} users)"
        if not bp.breaking:
            lines.append(f"At {scale}: <b>nothing breaks</b>.")
            continue
        first = bp.breaking[0]
        more = f", then {len(bp.breaking) - 1} more" if len(bp.breaking) > 1 else ""
        lines.append(f"At {scale}: <b>{esc(first.component)}</b> breaks first "
                     f"({METRIC_WORDS.get(first.metric, first.metric)} full at "
                     f"{say_users_at(first.multiplier, cap)}){more}.")
    return lines


def queue_rows(state: State) -> list[list[str]]:
    """The busiest pools' M/M/c operating points: utilization, chance to wait, response time."""
    points = sorted(state.analysis.queueing, key=lambda qp: -qp.point.utilization)[:5]
    target = state.analysis.settings.target_utilization
    rows = []
    for qp in points:
        p = qp.point
        response = f"{p.slowdown:.2g}x service time" if p.stable else "unbounded (queue grows)"
        rows.append([esc(qp.component), METRIC_WORDS.get(qp.metric, qp.metric), f"{p.servers}",
                     utilization_badge(p.utilization, target), say_share(min(p.wait_probability, 1.0)),
                     response])
    return rows


def _say_seconds(value) -> str:
    return "none" if value is None else q.say_seconds(value)


def scenario_rows(state: State) -> list[list[str]]:
    """The failure scenarios: who, requests failing during and after failover, data lost, recovery."""
    rows = []
    for s in state.analysis.scenarios:
        loss = "unbounded (no copy)" if s.data_loss is None else (
            "none" if s.data_loss == 0 else f"{q.say_seconds(s.data_loss)} of writes")
        if s.data_loss_writes:
            loss += f" (~{q.say_count(s.data_loss_writes, approx=False)} writes)"
        if s.recovery_seconds is None:
            recovery = "until repaired"
        else:
            ok = s.recovery_seconds <= s.rto_seconds
            colour = charts.COLORS["ok"] if ok else charts.COLORS["bad"]
            recovery = f'<span style="color:{colour};font-weight:600">{q.say_seconds(s.recovery_seconds)}</span>'
        survives = "yes" if s.survives else f'<span style="color:{charts.COLORS["bad"]}">no</span>'
        if s.survivors_utilization is not None:
            survives += f" ({say_share(s.survivors_utilization)} busy)"
        rows.append([esc(s.name), esc(s.component or "everything"), say_share(s.affected_share),
                     say_share(s.lasting_share), loss, recovery, survives])
    return rows


def path_lines(state: State) -> list[str]:
    """Availability of each path against the SLO, in minutes of downtime."""
    a = state.analysis
    lines = []
    for label, path in (("Read path", a.read_path), ("Write path", a.write_path)):
        if path is None:
            continue
        b = path.budget
        verdict = (f'<span style="color:{charts.COLORS["ok"]}">within</span>' if b.met else
                   f'<span style="color:{charts.COLORS["bad"]};font-weight:600">over</span>')
        lines.append(f"{label}: <b>{q.say_percent(round(path.availability, 6))}</b> available, "
                     f"down about {q.say_seconds(path.downtime.year * 60)} a year; {verdict} the "
                     f"{q.say_percent(b.slo)} SLO, which allows {q.say_seconds(b.allowed_minutes_per_month * 60)} "
                     f"a month (expected: {q.say_seconds(b.expected_minutes_per_month * 60)})")
    return lines


def first_break(state: State):
    """(component load, multiplier, what fills) for whatever fills first at any scale, or None."""
    loads = [load for load in state.analysis.loads if math.isfinite(load.break_multiplier)]
    if not loads:
        return None
    load = min(loads, key=lambda load: load.break_multiplier)
    lim = load.breaking_limit
    return load, load.break_multiplier, METRIC_WORDS.get(lim.metric, lim.metric)


def phrase_lines(state: State) -> list[str]:
    """Sentences to say in the interview, with today's numbers in them."""
    cap, a = state.cap, state.analysis
    s = state.spec.scale
    lines = []
    if cap.users is not None:
        lines.append(f'"We are designing for <b>{q.say_count(cap.users)}</b> users, '
                     f'<b>{q.say_count(cap.daily_active_users)}</b> of them active on a given day."')
    else:
        lines.append(f'"We are designing for <b>{q.say_qps(cap.read_qps_average)}</b> reads and '
                     f'<b>{q.say_qps(cap.write_qps_average)}</b> writes a second on average."')
    lines.append(f'"That is <b>{q.say_qps(cap.qps_average)} QPS</b> on average and '
                 f'<b>{q.say_qps(cap.qps_peak)}</b> at peak, {cap.peak_factor:g}x the average."')
    lines.append(f'"Storage grows <b>{q.say_bytes(cap.storage_per_day_bytes)}</b> a day: '
                 f'<b>{q.say_bytes(cap.storage_total_bytes)}</b> over {q.say_days(cap.retention_days)}, '
                 f'{q.say_bytes(cap.storage_replicated_bytes)} with {s.replication_factor} copies."')
    lines.append(f'"At peak that is <b>{cap.servers_needed}</b> app servers at '
                 f'{q.say_qps(cap.server_qps, approx=False)} requests a second each."')
    found = first_break(state)
    if found:
        load, multiplier, what = found
        when = "already over capacity" if multiplier <= 1 else f"full at {say_times(multiplier)} today"
        lines.append(f'"The first thing to fall over is the <b>{esc(load.name)}</b> ({what}): {when}, '
                     f'at {say_users_at(multiplier, cap)}."')
    first10 = a.first_to_break(10)
    lines.append(f'"At 10x, <b>{esc(first10)}</b> breaks first."' if first10 else
                 '"Nothing breaks at 10x today\'s scale."')
    if a.read_path is not None:
        lines.append(f'"Reads are up <b>{q.say_percent(round(a.read_path.availability, 6))}</b> of the time: '
                     f'about {q.say_seconds(a.read_path.downtime.year * 60)} down a year."')
    return lines


def data_rows(state: State) -> list[list[str]]:
    """Section 4: rows a day and over retention, record size, storage with and without copies."""
    cap = state.cap
    return [
        ["Rows written a day", q.say_count(cap.writes_per_day)],
        [f"Rows over {q.say_days(cap.retention_days)}", q.say_count(cap.writes_per_day * cap.retention_days)],
        ["Record size", q.say_bytes(cap.record_size_bytes)],
        ["Storage per day", q.say_bytes(cap.storage_per_day_bytes)],
        ["Storage over retention", q.say_bytes(cap.storage_total_bytes)],
        [f"With {cap.replication_factor} copies", q.say_bytes(cap.storage_replicated_bytes)],
        ["Reads/s at peak", q.say_qps(cap.read_qps_peak)],
        ["Writes/s at peak", q.say_qps(cap.write_qps_peak)],
    ]


def decision_rows(state: State) -> list[list[str]]:
    """Section 5: the numbers design decisions rest on."""
    cap = state.cap
    share = cap.reads_per_day / cap.requests_per_day if cap.requests_per_day else 0.0
    rows = [
        ["Read share", say_share(share)],
        ["Peak QPS", f"{q.say_qps(cap.qps_peak)} ({q.say_qps(cap.read_qps_peak)} reads, "
                     f"{q.say_qps(cap.write_qps_peak)} writes)"],
        [f"Storage over {q.say_days(cap.retention_days)}", q.say_bytes(cap.storage_total_bytes)],
        ["Cache memory (hot set)", q.say_bytes(cap.cache_memory_bytes)],
        ["App servers at peak", str(cap.servers_needed)],
    ]
    found = first_break(state)
    rows.append(["First to break", "nothing" if not found else
                 f"{esc(found[0].name)} ({found[2]}, at {say_users_at(found[1], cap)})"])
    return rows


def summary_rows(state: State) -> list[list[str]]:
    """Section 9: the headline numbers of the whole article."""
    cap, a = state.cap, state.analysis
    rows = []
    if cap.users is not None:
        rows.append(["Users", q.say_count(cap.users)])
    rows += [
        ["Peak QPS", q.say_qps(cap.qps_peak)],
        [f"Storage over {q.say_days(cap.retention_days)}", q.say_bytes(cap.storage_total_bytes)],
        ["App servers at peak", str(cap.servers_needed)],
        ["Breaks first at 10x", esc(a.first_to_break(10) or "nothing")],
    ]
    if a.read_path is not None:
        rows.append(["Read path availability", q.say_percent(round(a.read_path.availability, 6))])
    return rows


# --- the views of each section ---------------------------------------------------------------

def _capacity_chart(state: State) -> ChartView:
    return ChartView(charts.CapacityChart(state.cap), "dk-chart-capacity", lambda s: (s.cap,), lambda s: s.cap, state)


def _load_chart(state: State) -> ChartView:
    return ChartView(charts.LoadChart(state.analysis), "dk-chart-load", lambda s: (s.analysis,),
                     lambda s: (s.analysis.loads, s.analysis.settings), state)


def _load_table(state: State) -> TableView:
    return TableView(["Component", "Peak load", "Replicas", "Fullest at peak", "Needs (at 70%)", "Full at"],
                     load_rows, "dk-table-load", state, numeric=(1, 2))


def _scaling_chart(state: State) -> ChartView:
    return ChartView(charts.ScalingChart(state.analysis), "dk-chart-scaling", lambda s: (s.analysis,),
                     lambda s: (s.cap.users, s.analysis.loads), state)


def _latency_chart(state: State) -> ChartView:
    return ChartView(charts.LatencyChart(state.analysis), "dk-chart-latency", lambda s: (s.analysis,),
                     lambda s: s.analysis.queueing, state)


def _availability_chart(state: State) -> ChartView:
    return ChartView(charts.AvailabilityChart(state.analysis), "dk-chart-availability", lambda s: (s.analysis,),
                     lambda s: (s.analysis.components, s.analysis.read_path, s.analysis.write_path,
                                s.analysis.settings), state)


def tail_lines(state: State) -> list[str]:
    """Each path's p99 at peak against its target and where it is crossed, then the monthly bill."""
    return [esc(line) for line in latency_rows.path_lines(state.analysis)]


def tail_rows(state: State) -> list[list[str]]:
    """Each path's percentile bounds at peak, target, verdict and crossing, escaped for HTML."""
    return [[esc(cell) for cell in row] for row in latency_rows.path_rows(state.analysis)]


def cost_lines(state: State) -> list[str]:
    """The month's total, per million requests, and at 10x."""
    return [esc(cost_rows.summary(state.analysis))]


def cost_table_rows(state: State) -> list[list[str]]:
    """Per component: nodes and dollars a month today and at 10x, escaped for HTML."""
    return [[esc(cell) for cell in row] for row in cost_rows.rows(state.analysis)]


def _cost_chart(state: State) -> ChartView:
    return ChartView(CostChart(state.analysis), "dk-chart-cost", lambda s: (s.analysis,),
                     lambda s: (s.analysis.cost, s.analysis.cost_10x), state)


def _limit_count(state: State) -> int:
    return sum(len(load.limits) + 1 for load in state.analysis.loads)


VIEWS: dict[str, Callable[[State], Any]] = {
    "capacity_table": lambda s: TableView(["Capacity", ""], capacity_rows, "dk-table-capacity", s, capacity=14),
    "capacity_chart": _capacity_chart,
    "load_chart": _load_chart,
    "load_table": _load_table,
    "data_table": lambda s: TableView(["Data", ""], data_rows, "dk-table-data", s),
    "decision_table": lambda s: TableView(["The numbers behind the decisions", ""], decision_rows,
                                          "dk-table-decisions", s),
    "breaks": lambda s: TextView(break_lines, "dk-breaks", s, title="What breaks first"),
    "scaling_chart": _scaling_chart,
    "threshold_table": lambda s: TableView(["Component", "Step", "Limit", "Due at"], threshold_rows,
                                           "dk-table-thresholds", s, capacity=_limit_count(s),
                                           title="Scaling thresholds, earliest first"),
    "latency_chart": _latency_chart,
    "queue_table": lambda s: TableView(["Component", "Pool", "Servers", "Utilization", "Chance to wait", "Response"],
                                       queue_rows, "dk-table-queueing", s, capacity=5,
                                       title="Busiest pools (M/M/c)"),
    "tail_latency": lambda s: TextView(tail_lines, "dk-tail-latency", s, capacity=2,
                                       title="Tail latency against the target (upper bounds)"),
    "tail_table": lambda s: TableView(latency_rows.PATH_HEADER, tail_rows, "dk-table-tail", s, capacity=2,
                                      title="Path percentiles at peak"),
    "cost": lambda s: TextView(cost_lines, "dk-cost", s, capacity=1, title="Monthly cost"),
    "cost_chart": _cost_chart,
    "cost_table": lambda s: TableView(cost_rows.HEADER, cost_table_rows, "dk-table-cost", s,
                                      capacity=len(s.spec.components) + 2, numeric=(2, 3, 4, 5, 6),
                                      title="Monthly bill (AWS on-demand list prices)"),
    "paths": lambda s: TextView(path_lines, "dk-paths", s, capacity=2, title="Availability"),
    "availability_chart": _availability_chart,
    "scenario_table": lambda s: TableView(["Scenario", "Hits", "Failing", "After failover", "Data lost", "Recovery",
                                           "Survivors cope"], scenario_rows, "dk-table-scenarios", s,
                                          capacity=len(s.spec.components) + 6,
                                          title=f"Failure scenarios (recovery objective: "
                                                f"{q.say_seconds(s.analysis.settings.rto_seconds)}; "
                                                f"requests failing at peak)"),
    "phrases": lambda s: TextView(phrase_lines, "dk-phrases", s, capacity=8, title="Say it with numbers"),
    "summary_table": lambda s: TableView(["Headline numbers", ""], summary_rows, "dk-table-summary", s),
}
"""Every live view by the name the section registry (``designkit.sections``) gives it."""

SECTION_VIEWS: dict[int, list[Callable[[State], Any]]] = {
    s.number: [VIEWS[name] for name in s.live] for s in SECTIONS}


class LiveSection(w.VBox):
    """What ``live`` returns: the panel above one section's views (``.panel``, ``.views`` for code)."""

    def __init__(self, panel: Panel, section: int, views: list):
        self.panel, self.section, self.views = panel, section, views
        heading = w.HTML(f"<b>Live: {section}. {esc(TITLES[section - 1])}</b>")
        super().__init__([panel.widget, heading, *[view.widget for view in views]])
        self.add_class("dk-live")
        self.add_class(f"dk-section-{section}")


def live(spec: str = "reference", overrides: dict | None = None, *, section: int,
         scheduler: Callable | None = None) -> LiveSection:
    """The shared control panel and section ``section``'s live views, for ``display`` in a notebook."""
    if section not in SECTION_VIEWS:
        raise ValueError(f"section must be 1 to {len(SECTION_VIEWS)}, got {section!r}")
    panel = Panel(spec, overrides, scheduler=scheduler)
    views = [panel.add(factory(panel.state)) for factory in SECTION_VIEWS[section]]
    return LiveSection(panel, section, views)
