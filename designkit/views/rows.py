"""The computed tables and phrase lists as plain rows: worked out once, rendered by every view.

A ``Rows`` is a header and rows of ``Cell`` (text plus an optional status a view may show as a
badge or colour: never HTML or Markdown).  A phrase list is a tuple of ``Line`` (spans of
cells; a "key" span is emphasised).  The Markdown article (``tables``, ``article``), the
handout (which renders article.md) and the live widgets (``live.views``) all render these,
so every view says a number in the same words.  Reliability rows live in ``reliability_rows``,
interview phrases in ``phrase_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import quantities as q
from ..model.capacity import Capacity
from ..model.quantities import say_duration, say_share, say_times
from ..model.scaling import CELL_NODES, STEPS, STORE_KINDS, WORLD_POPULATION, needed_at

if TYPE_CHECKING:
    from ..model.analysis import Analysis

METRIC_LABELS = {"qps": "QPS", "read_qps": "Read QPS", "write_qps": "Write QPS",
                 "storage_bytes": "Data", "memory_bytes": "Cache memory"}
METRIC_WORDS = {"qps": "requests", "read_qps": "reads", "write_qps": "writes",
                "storage_bytes": "disk", "memory_bytes": "memory"}
STRATEGIES = {"add replicas": "Horizontal scaling (add replicas)", "read replicas": "Read replicas",
              "sharding": "Sharding", "cluster mode": "Cluster mode (shard the cache)"}
STATUSES = ("ok", "warn", "over", "due", "bad", "key", "group", "item")
"""What a cell's status may say: ok/warn/over (a utilization against the target and 100%), due (a
step already past), bad (a target missed), key (emphasis), group/item (a heading and its rows)."""


@dataclass(frozen=True)
class Cell:
    """One cell or span: its words, and what a view may show beside them (see ``STATUSES``)."""

    text: str
    status: str | None = None

    def __post_init__(self):
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown cell status {self.status!r}")


Line = tuple[Cell, ...]


@dataclass(frozen=True)
class Rows:
    """A table as data: a header and rows of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def texts(self) -> list[list[str]]:
        """Every row's words, cell by cell."""
        return [[c.text for c in row] for row in self.rows]

    def column(self, name: str) -> int:
        """The index of the column headed ``name``."""
        return self.header.index(name)


def rows(header, body) -> Rows:
    """A ``Rows`` from a header and rows whose cells are ``Cell`` or plain text."""
    return Rows(tuple(header), tuple(tuple(c if isinstance(c, Cell) else Cell(str(c)) for c in row)
                                     for row in body))


def line_text(line: Line) -> str:
    """A phrase line's words."""
    return "".join(span.text for span in line)


def utilization_status(utilization: float, target: float) -> str:
    """'ok' below the target, 'warn' below 100%, 'over' at or past it."""
    return "ok" if utilization < target else ("warn" if utilization < 1 else "over")


def count(n: int, noun: str) -> str:
    """'1 survivor', '2 survivors', '4,566 shards'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def plural_name(name: str) -> bool:
    """True for a name that reads as many ('Coordinators', 'Storage Nodes'): its last word ends in
    a lower-case s, not -ss, -us or -is ('Redis', 'Consensus', 'DNS' stay singular)."""
    last = name.split()[-1] if name.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and not last.isupper()


def verb(name: str, singular: str, plural: str) -> str:
    """The verb that agrees with a component's name: verb('Coordinators', 'is', 'are') -> 'are'."""
    return plural if plural_name(name) else singular


def possessive(name: str) -> str:
    """"Event Store's", "Storage Nodes'": a name that ends in s takes only the apostrophe."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def where(multiplier: float, cap: Capacity) -> str:
    """Where a multiple of today's traffic lands: users (never more than people on Earth), or
    peak QPS in the totals form."""
    if cap.users is not None:
        users = cap.users * multiplier
        if users > WORLD_POPULATION:
            return "more users than people on Earth"
        return f"{q.say_count(users)} users"
    return f"{q.say_qps(cap.qps_peak * multiplier)} peak QPS, {say_times(multiplier)} today"


def scale_at(multiplier: float, cap: Capacity) -> str:
    """Where a multiple already said beside it lands: users, or peak QPS in the totals form."""
    return where(multiplier, cap) if cap.users is not None else f"{q.say_qps(cap.qps_peak * multiplier)} peak QPS"


def say_load(utilization: float) -> str:
    """A load against what the current nodes sustain or hold: '71%', '223%', and from ten times
    over, how many times the capacity it needs ("710x capacity"), never "71,338%"."""
    if utilization < 10:
        return say_share(utilization)
    return f"{say_times(utilization)} capacity"


def past_envelope(a: Analysis, multiplier: float) -> bool:
    """True when ``multiplier`` x today's traffic is beyond the design's envelope."""
    return not a.envelope.holds(multiplier)


def _edge_said(a: Analysis, edge, *, today: bool) -> str:
    """What runs out at an edge of the envelope, for a sentence."""
    if edge.population:
        if today:
            return (f"its {q.say_count(a.capacity.users, approx=False)} users outnumber the people on Earth "
                    f"(about {q.say_count(WORLD_POPULATION, approx=False)})")
        return "there would be more users than people on Earth"
    if today:
        return (f"{edge.component} would need about {q.say_count(CELL_NODES / edge.multiplier, approx=False)} "
                f"nodes, more than the {CELL_NODES:,} one cluster runs")
    return f"{edge.component} would need more than {CELL_NODES:,} nodes, the most one cluster runs: split it into cells or regions"


def _scale_said(a: Analysis, multiplier: float) -> str:
    """'about 7.3 billion users, 73x today's traffic', or peak QPS in the totals form."""
    cap = a.capacity
    if cap.users is not None:
        return f"about {q.say_count(cap.users * multiplier, approx=False)} users, {say_times(multiplier)} today's traffic"
    return f"about {q.say_qps(cap.qps_peak * multiplier, approx=False)} peak QPS, {say_times(multiplier)} today's traffic"


def envelope_line(a: Analysis) -> Line:
    """The design's envelope: the scale it is sized for and what must change beyond it.

    One wording per regime: no traffic (nothing bounds it), past it today, bounded by the world's
    population, bounded by a component that would outgrow one cluster.
    """
    env = a.envelope
    head = Cell("Envelope", "key")
    if not env.edges:
        return (head, Cell(": no traffic reaches any component, so nothing bounds this design's scale."),)
    edge, m = env.edges[0], env.multiplier
    if env.reached:
        return (head, Cell(": "), Cell("this traffic is past what the design holds", "over"),
                Cell(f" (it holds up to {_scale_said(a, m)}): {_edge_said(a, edge, today=True)}, so the design must "
                     "change before it can carry it."))
    if edge.population:
        rest = [e for e in env.edges if not e.population]
        then = "" if not rest else f"; {rest[0].component} would be the first to outgrow one cluster, past that"
        return (head, Cell(f": sized for up to the world's population ({_scale_said(a, m)}) with no component "
                           f"over {CELL_NODES:,} nodes{then}."),)
    return (head, Cell(f": sized for up to {_scale_said(a, m)}; beyond that it must change: "
                       f"{_edge_said(a, edge, today=False)}."),)


def _metric(metric: str, value: float) -> str:
    return q.say_bytes(value) if metric.endswith("_bytes") else q.say_qps(value)


# --- capacity ---------------------------------------------------------------------------------

def retention_adjective(days: float) -> str:
    """'5-year', '90-day': the retention as an adjective."""
    number, unit = q.say_days(days).split(" ", 1)
    return f"{number}-{unit.rstrip('s')}"


def capacity_rows(cap: Capacity) -> Rows:
    """The template's capacity block: (label, value), with 'group' headings and their 'item' rows."""
    body = []
    if cap.users is not None:
        body.append(["Users", q.say_count(cap.users)])
    if cap.daily_active_users is not None:
        body.append(["Daily active", q.say_count(cap.daily_active_users)])

    def group(name, items):
        body.append([Cell(name, "group"), ""])
        body.extend([Cell(label, "item"), value] for label, value in items)

    body += [
        ["Requests/day", q.say_count(cap.requests_per_day)],
        ["QPS (average)", q.say_qps(cap.qps_average)],
        ["QPS (peak)", f"{q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)"],
        ["Reads/s", f"{q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak"],
        ["Writes/s", f"{q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak"],
    ]
    group("Storage", [
        ("Per record", q.say_bytes(cap.record_size_bytes)),
        ("Daily growth", q.say_bytes(cap.storage_per_day_bytes)),
        (f"{retention_adjective(cap.retention_days)} total",
         f"{q.say_bytes(cap.storage_total_bytes)} ({q.say_bytes(cap.storage_replicated_bytes)} with "
         f"{cap.replication_factor}x replication)"),
    ])
    group("Bandwidth", [
        ("Ingress", f"{q.say_bandwidth(cap.ingress_bytes_per_second)} average"),
        ("Egress", f"{q.say_bandwidth(cap.egress_bytes_per_second)} average"),
    ])
    body += [
        ["Cache memory", f"{q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)"],
        ["App servers", f"{cap.servers_needed} at peak "
                        f"(each handles {q.say_qps(cap.server_qps, approx=False)} requests/second)"],
    ]
    return rows(["Capacity", ""], body)


def capacity_block(cap: Capacity) -> str:
    """The template's "Capacity Estimation" block: the capacity rows, aligned as the template has them."""
    lines = []
    for label, value in capacity_rows(cap).rows:
        if label.status == "group":
            lines += ["", f"{label.text}:"]
            continue
        if label.status != "item" and lines and lines[-1].startswith("- "):
            lines.append("")
        name = ("- " if label.status == "item" else "") + f"{label.text}:"
        lines.append(f"{name:<17}{value.text}" if len(name) < 17 else f"{name} {value.text}")
    return "\n".join(lines)


# --- load and scaling -------------------------------------------------------------------------

def _nodes(load) -> str:
    return str(load.replicas) if load.shards_needed is None else f"{load.shards} × {load.replicas}"


def full_at(load, cap: Capacity, envelope=None) -> Cell:
    """When a component's current nodes are full: already ('over'), at some users, past the
    design's envelope, or never."""
    lim = load.breaking_limit
    if lim is None:
        return Cell("never (no load)")
    m = lim.break_multiplier
    what = METRIC_WORDS[lim.metric]
    if m <= 1:
        return Cell(f"already full ({what} at {say_load(lim.utilization)})", "over")
    if envelope is not None and not envelope.holds(m):
        return Cell(f"{say_times(m)} today ({what}; past the design's envelope)")
    return Cell(f"{say_times(m)} today ({what}, at {where(m, cap)})")


def load_rows(a: Analysis) -> Rows:
    """Load, utilization and what each component needs to keep peak at the target."""
    target = a.settings.target_utilization
    body = []
    for load in a.loads:
        held = "—"
        for metric in ("storage_bytes", "memory_bytes"):
            lim = load.limit(metric)
            if lim is not None:
                held = Cell(f"{q.say_bytes(lim.load)} of {q.say_bytes(lim.capacity, approx=False)} "
                            f"({say_load(lim.utilization)})",
                            utilization_status(lim.utilization, lim.threshold))
        per_shard = "" if load.shards_needed is None else " per shard"
        body.append([load.name, _nodes(load), q.say_qps(load.qps_average), q.say_qps(load.qps_peak),
                     Cell(f"{say_load(load.utilization_average)} / {say_load(load.utilization)}",
                          utilization_status(load.utilization, target)),
                     f"{load.replicas_needed}{per_shard}",
                     "—" if load.shards_needed is None else str(load.shards_needed),
                     held, full_at(load, a.capacity, a.envelope)])
    return rows(["Component", "Nodes (shards × replicas)", "Average QPS", "Peak QPS",
                 "Throughput used (avg / peak)", f"Replicas needed ({say_share(target)})", "Shards needed",
                 "Data held", "Full at"], body)


def _when(t, a: Analysis) -> str:
    trigger = f"{METRIC_LABELS[t.metric]} > {_metric(t.metric, t.limit)}"
    if t.reached:
        return f"{trigger}: already past (due at {where(t.multiplier, a.capacity)})"
    if past_envelope(a, t.multiplier):
        return f"{trigger}: only past the design's envelope ({say_times(t.multiplier)} today's traffic)"
    return f"{trigger} (at {where(t.multiplier, a.capacity)})"


def strategy_rows(a: Analysis) -> Rows:
    """The template's Scaling Strategies: Component | Strategy | When to Apply, computed."""
    body = []
    for load in a.loads:
        mine = [t for t in a.thresholds if t.component == load.name]
        if not mine:
            step = "read replicas" if load.kind in STORE_KINDS else "add replicas"
            body.append([load.name, STRATEGIES[step], "No traffic reaches it today"])
            continue
        for step in STEPS:
            due = [t for t in mine if t.step == step]
            if due:
                status = "due" if any(t.reached for t in due) else None
                body.append([load.name, STRATEGIES[step],
                             Cell(" or ".join(_when(t, a) for t in due), status)])
    return rows(["Component", "Strategy", "When to Apply"], body)


def threshold_rows(a: Analysis) -> Rows:
    """Every scaling threshold: the trigger, and the users and system QPS at which it is due."""
    body = []
    for t in a.thresholds:
        users = "—" if t.users is None else q.say_count(t.users)
        vs = Cell(f"{say_times(t.multiplier)} (due now)", "due") if t.reached else say_times(t.multiplier)
        if not t.reached and past_envelope(a, t.multiplier):
            users = "—" if t.users is None else "past the envelope"
            vs = f"{say_times(t.multiplier)} (past the envelope)"
        body.append([t.component, t.step, f"{METRIC_LABELS[t.metric]} > {_metric(t.metric, t.limit)}",
                     users, q.say_qps(t.qps), vs])
    return rows(["Component", "Step", "Trigger", "Users", "System peak QPS", "Vs today"], body)


def break_lines(a: Analysis) -> tuple[Line, ...]:
    """What breaks first at 10x and 100x today's scale; a component already full says so."""
    cap = a.capacity
    lines = []
    for bp in a.break_points:
        head = (Cell(f"At {say_times(bp.factor)}", "key"), Cell(f" ({scale_at(bp.factor, cap)})"))
        past = (Cell(f" This is past the design's envelope ({say_times(a.envelope.multiplier)} today's "
                     "traffic): it must change before then."),) if past_envelope(a, bp.factor) else ()
        if not bp.breaking:
            lines.append(head + (Cell(": nothing breaks; every component's current nodes still cope."),) + past)
            continue
        first, rest = bp.breaking[0], bp.breaking[1:]
        what = METRIC_WORDS[first.metric]
        if first.multiplier <= 1:
            util = a.load(first.component).breaking_limit.utilization
            said = f" {verb(first.component, 'is', 'are')} already over capacity today: " + (
                f"its {what} is at {say_load(util)} of its current nodes" if util < 10 else
                f"its {what} needs {say_times(util)} what its current nodes have")
            status = "over"
        else:
            fills = "fill" if what.endswith("s") else "fills"     # its requests fill, its disk fills
            said = (f" {verb(first.component, 'breaks', 'break')} first: its {what} {fills} its current nodes at "
                    f"{say_times(first.multiplier)} today's traffic ({scale_at(first.multiplier, cap)})")
            status = "key"
        text = [Cell(": "), Cell(first.component, status), Cell(said)]
        if rest:
            text.append(Cell("; then " + ", ".join(
                f"{b.component} ({'already full' if b.multiplier <= 1 else say_times(b.multiplier)})"
                for b in rest)))
        lines.append(head + tuple(text) + (Cell("."),) + past)
    return tuple(lines)


def breaks_title(a: Analysis) -> str:
    """The scaling chart's title: what breaks first at 10x, or what is already over capacity today."""
    bp = next(b for b in a.break_points if b.factor == 10)
    if not bp.breaking:
        return "Nothing breaks at 10x today's scale"
    first = bp.breaking[0]
    if first.multiplier <= 1:
        return f"{first.component} {verb(first.component, 'is', 'are')} already over capacity today"
    return f"At 10x today's scale, {first.component} {verb(first.component, 'breaks', 'break')} first"


def ten_x_answer(a: Analysis) -> str:
    """The answer to 'what breaks first at 10x?', with the fix sized at 10x."""
    bp = next(b for b in a.break_points if b.factor == 10)
    if not bp.breaking:
        return "Nothing breaks at 10x: every current pool copes"
    first = bp.breaking[0]
    what = METRIC_WORDS[first.metric]
    if first.multiplier <= 1:
        said = f"{first.component} {verb(first.component, 'is', 'are')} already over capacity today ({what})"
    else:
        said = (f"{first.component} {verb(first.component, 'breaks', 'break')} first ({what} full at "
                f"{say_times(first.multiplier)} today's traffic)")
    load = a.load(first.component)
    steps = [t.step for t in a.thresholds if t.component == first.component]
    step = steps[0] if steps else "add replicas"
    replicas, shards = needed_at(load, 10)
    it = verb(first.component, "it needs", "they need")
    if load.shards_needed is not None:
        need = f"{it} {count(load.shards_needed, 'shard')} at today's scale, {shards:,} at 10x"
    else:
        need = f"{it} {count(load.replicas_needed, 'replica')} today, {replicas:,} at 10x"
    env = a.envelope
    if env.reached:
        return (f"{said}, and more nodes no longer fix it: today's traffic is past the design's envelope "
                f"({say_times(env.multiplier)} of it): {_edge_said(a, env.edges[0], today=True)}")
    if past_envelope(a, 10):
        return (f"{said}; fix: {step} ({need}); but 10x is past the design's envelope "
                f"({say_times(env.multiplier)} today's traffic): {_edge_said(a, env.edges[0], today=False)}")
    return f"{said}; fix: {step} ({need})"


def queueing_rows(a: Analysis) -> Rows:
    """M/M/c operating points: how close each pool runs to the knee of its latency curve."""
    target = a.settings.target_utilization
    body = []
    for qp in a.queueing:
        p = qp.point
        if p.stable:
            response, slowdown = say_duration(p.response_seconds), say_times(p.slowdown)
        else:
            response, slowdown = Cell("unbounded (overloaded)", "over"), Cell("∞", "over")
        body.append([qp.component, f"{p.servers} ({METRIC_LABELS[qp.metric]})",
                     say_duration(p.service_seconds),
                     Cell(say_load(p.utilization), utilization_status(p.utilization, target)),
                     say_share(min(p.wait_probability, 1.0)), response, slowdown])
    return rows(["Component", "Servers", "Service time", "Utilization", "P(wait)",
                 "Response time", "Vs service time"], body)
