"""Markdown views: the article's sections, blocks and tables, filled from a spec and its numbers.

Pure string functions with no heavy imports, so the CLI can print them quickly; the section
notebooks call them and emit the result as an article fragment (see ``emit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import quantities as q
from .capacity import Capacity

SECTIONS = (
    "Requirements", "High-Level Architecture", "Core Components", "Data Model",
    "Key Design Decisions", "Scalability", "Reliability", "Interview Tips", "Key Takeaways",
)
PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|\[(?:Component Name|Choice|Alt|Why|Scenario|System Name|"
                         r"Concept \d|Decision Area \d|Area \d|field(?:_\d)?|entity|related_entity|"
                         r"Primary function|Language/Framework|key challenge|main trade-off area|"
                         r"Common follow-up question|Next Component)\]")


# --- text helpers ----------------------------------------------------------------------

def _html(value: str) -> str:
    """Escape what could open a tag or an entity; '>' alone is harmless and reads better raw."""
    return value.replace("&", "&amp;").replace("<", "&lt;")


def text(value: str) -> str:
    """Spec prose as Markdown: HTML-escaped (spec text is data), one line."""
    return re.sub(r"\s*\n\s*", " ", _html(value)).strip()


def table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table; pipes inside cells are escaped (callers escape spec text with ``text``)."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
                     + [line(row) for row in rows])


def code(body: str, lang: str = "") -> str:
    """A fenced code block that no backticks inside the body can close early."""
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"


def callout(label: str, body: str) -> str:
    """A '> **Label**: body' block quote."""
    return f"> **{label}**: {body}"


def anchor(heading: str) -> str:
    """The GitHub-style anchor of a heading: '1. Requirements' -> '1-requirements'."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def figure(name: str, alt: str) -> str:
    """A Markdown image of a figure written beside the article."""
    safe = alt.replace("[", "(").replace("]", ")")
    return f"![{safe}](figures/{name}.svg)"


def _join(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)


# --- capacity ---------------------------------------------------------------------------

def capacity_block(cap: Capacity) -> str:
    """The template's "Capacity Estimation" block, with this system's numbers."""
    lines = []
    if cap.users is not None:
        lines.append(f"Users:           {q.say_count(cap.users)}")
    if cap.daily_active_users is not None:
        lines.append(f"Daily active:    {q.say_count(cap.daily_active_users)}")
    lines += [
        f"Requests/day:    {q.say_count(cap.requests_per_day)}",
        f"QPS (average):   {q.say_qps(cap.qps_average)}",
        f"QPS (peak):      {q.say_qps(cap.qps_peak)} ({cap.peak_factor:g}x average)",
        f"Reads/s:         {q.say_qps(cap.read_qps_average)} average, {q.say_qps(cap.read_qps_peak)} peak",
        f"Writes/s:        {q.say_qps(cap.write_qps_average)} average, {q.say_qps(cap.write_qps_peak)} peak",
        "",
        "Storage:",
        f"- Per record:    {q.say_bytes(cap.record_size_bytes)}",
        f"- Daily growth:  {q.say_bytes(cap.storage_per_day_bytes)}",
        f"- {retention_adjective(cap.retention_days)} total:  {q.say_bytes(cap.storage_total_bytes)}"
        f" ({q.say_bytes(cap.storage_replicated_bytes)} with {cap.replication_factor}x replication)",
        "",
        "Bandwidth:",
        f"- Ingress:       {q.say_bandwidth(cap.ingress_bytes_per_second)} average",
        f"- Egress:        {q.say_bandwidth(cap.egress_bytes_per_second)} average",
        "",
        f"Cache memory:    {q.say_bytes(cap.cache_memory_bytes)} (hot share of a day's reads)",
        f"App servers:     {cap.servers_needed} at peak "
        f"(each handles {q.say_qps(cap.server_qps, approx=False)} requests/second)",
    ]
    return "\n".join(lines)


def retention_adjective(days: float) -> str:
    """'5-year', '90-day': the retention as an adjective."""
    number, unit = q.say_days(days).split(" ", 1)
    return f"{number}-{unit.rstrip('s')}"


# --- the architecture diagram ---------------------------------------------------------

BOX_WIDTH = 18  # inner width of one component box
ROW_MAX = 4     # boxes per row before a layer wraps


@dataclass(frozen=True)
class _Box:
    lines: tuple[str, ...]
    width: int


def layers(spec) -> list[list[str]]:
    """Components grouped into rows by their longest distance from the client along the paths."""
    depth: dict[str, int] = {}
    edges: dict[str, set[str]] = {c.name: set() for c in spec.components}
    for path in (spec.write_path, spec.read_path):
        for a, b in zip(path, path[1:]):
            edges[a].add(b)
    starts = [p[0] for p in (spec.write_path, spec.read_path) if p]
    for _ in range(len(edges) + 1):  # longest path by relaxation; paths are short
        changed = False
        for start in starts:
            if depth.get(start, -1) < 0:
                depth[start] = 0
                changed = True
        for a in list(depth):
            for b in sorted(edges[a]):
                if depth.get(b, -1) < depth[a] + 1 and depth[a] + 1 <= len(edges):
                    depth[b] = depth[a] + 1
                    changed = True
        if not changed:
            break
    rows: dict[int, list[str]] = {}
    off_path = max(depth.values(), default=-1) + 1
    for comp in spec.components:  # spec order within a row
        rows.setdefault(depth.get(comp.name, off_path), []).append(comp.name)
    result = []
    for level in sorted(rows):
        names = rows[level]
        result += [names[i:i + ROW_MAX] for i in range(0, len(names), ROW_MAX)]
    return result


def _wrap(value: str, width: int, max_lines: int) -> list[str]:
    words, lines, line = value.split(), [], ""
    for word in words:
        word = word[:width]
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def _box(title: str, subtitle: str, width: int) -> _Box:
    """A box with the title wrapped to two lines and an optional '(subtitle)' line."""
    body = _wrap(title, width, 2) + [f"({line})" for line in _wrap(subtitle, width - 2, 1)]
    top = "┌" + "─" * (width + 2) + "┐"
    mid = ["│ " + line.center(width) + " │" for line in body]
    bottom = "└" + "─" * (width + 2) + "┘"
    return _Box((top, *mid, bottom), width + 4)


def _row(boxes: list[_Box], total: int, gap: int = 3) -> tuple[list[str], list[int]]:
    """Lay boxes side by side, centred in ``total`` columns; return lines and box centres."""
    height = max(len(b.lines) for b in boxes)
    width = sum(b.width for b in boxes) + gap * (len(boxes) - 1)
    left = (total - width) // 2
    lines = [[" "] * total for _ in range(height)]
    centres, x = [], left
    for b in boxes:
        padded = list(b.lines[:-1]) + ["│" + " " * (b.width - 2) + "│"] * (height - len(b.lines)) + [b.lines[-1]]
        for y, line in enumerate(padded):
            lines[y][x:x + b.width] = list(line)
        centres.append(x + b.width // 2)
        x += b.width + gap
    return ["".join(line).rstrip() for line in lines], centres


def _connector(upper: list[int], lower: list[int], total: int) -> list[str]:
    """Lines joining box centres of one row to the next, as the template draws them."""
    if len(upper) == 1 and len(lower) == 1 and upper == lower:
        x = upper[0]
        return [" " * x + "│", " " * x + "▼"]
    drop = [" "] * total
    for x in upper:
        drop[x] = "│"
    lo, hi = min(upper + lower), max(upper + lower)
    bus = [" "] * total
    for x in range(lo, hi + 1):
        up, down = x in upper, x in lower
        if x == lo:
            bus[x] = "├" if up and down else ("└" if up else "┌")
        elif x == hi:
            bus[x] = "┤" if up and down else ("┘" if up else "┐")
        else:
            bus[x] = "┼" if up and down else ("┴" if up else ("┬" if down else "─"))
    arrows = [" "] * total
    for x in lower:
        arrows[x] = "▼"
    return ["".join(line).rstrip() for line in (drop, bus, arrows)]


def architecture_diagram(spec) -> str:
    """The high-level architecture in box characters: clients on top, components by path depth."""
    rows = [[_box(spec.component(n).name, spec.component(n).technology, BOX_WIDTH) for n in row]
            for row in layers(spec)]
    widest = max([sum(b.width for b in r) + 3 * (len(r) - 1) for r in rows] + [63])
    clients = _box("CLIENTS", "Web, Mobile, API consumers", widest - 4)
    out, centres = _row([clients], widest)
    for boxes in rows:
        lines, below = _row(boxes, widest)
        out += _connector(centres, below, widest) + lines
        centres = below
    return "\n".join(out)


def flows(spec) -> str:
    """The read and write paths as arrows under the diagram."""
    parts = []
    for label, path in (("Read path", spec.read_path), ("Write path", spec.write_path)):
        if path:
            parts.append(f"**{label}**: Client → " + " → ".join(text(n) for n in path))
    return "  \n".join(parts)


# --- the front matter and the sections that are prose ---------------------------------

def front_matter(spec) -> str:
    """Jekyll front matter, title, overview, interview-context callout and the table of contents."""
    title = f"Design {spec.name}"
    yaml_title = text(title).replace("\\", "\\\\").replace('"', '\\"')
    toc = "\n".join(f"{i}. [{name}](#{anchor(f'{i}. {name}')})" for i, name in enumerate(SECTIONS, 1))
    context = spec.interview_context
    focus = (f"This is a common system design question. Focus on {text(context.key_challenge)} and be "
             f"ready to discuss trade-offs around {text(context.main_trade_off)}.") if context else \
        "This is a common system design question."
    return _join([
        f'---\nlayout: simple\ntitle: "{yaml_title}"\npermalink: /system_design/design-{spec.slug}\n---',
        f"# {text(title)}",
        text(spec.summary) if spec.summary else "",
        callout("Interview context", focus),
        "---",
        "## Table of Contents\n\n" + toc,
        "---",
    ])


def heading(number: int) -> str:
    """The section heading, e.g. '## 1. Requirements'."""
    return f"## {number}. {SECTIONS[number - 1]}"


def requirement_tables(spec) -> str:
    """The functional and non-functional requirement tables."""
    req = spec.requirements
    return _join([
        "### Functional Requirements",
        table(["Requirement", "Description"],
              [[f"**{text(r.name)}**", text(r.description)] for r in req.functional]),
        "### Non-Functional Requirements",
        table(["Requirement", "Target", "Rationale"],
              [[f"**{text(r.name)}**", text(r.target), text(r.rationale)] for r in req.non_functional]),
    ])


def requirements(spec, cap: Capacity) -> str:
    """Section 1: questions, requirements, the capacity block and its chart."""
    return _join([
        heading(1),
        callout("Interview context", "Always start by clarifying requirements. Don't assume—ask questions "
                                     "to understand the scope."),
        "### Questions to Ask the Interviewer",
        "\n".join(f"- {text(item)}" for item in spec.requirements.questions),
        requirement_tables(spec),
        "### Capacity Estimation",
        code(capacity_block(cap)),
        figure("capacity", f"Capacity of {text(spec.name)}: requests per second and storage over retention"),
    ])


def high_level_architecture(spec) -> str:
    """Section 2: the diagram drawn from components and flows, and their responsibilities."""
    return _join([
        heading(2),
        callout("Interview context", '"Let me draw the high-level architecture first, then we can dive into '
                                     'specific components."'),
        code(architecture_diagram(spec)),
        flows(spec),
        "### Component Responsibilities",
        table(["Component", "Responsibility", "Technology Choice"],
              [[f"**{text(c.name)}**", text(c.responsibility), text(c.technology)] for c in spec.components]),
    ])


def core_components(spec) -> str:
    """Section 3: challenge, options, approach, pseudocode, why-not and follow-up per component."""
    parts = [heading(3)]
    for i, comp in enumerate(spec.core_components, 1):
        parts += [
            f"### 3.{i} {text(comp.name)}",
            callout("Interview context", f'"Let me explain how {text(comp.name.lower())} works..."'),
            "#### The Challenge",
            text(comp.challenge),
            "#### Options",
            table(["Option", "Pros", "Cons"],
                  [[text(o.name), text(", ".join(o.pros)), text(", ".join(o.cons))] for o in comp.options]),
            "#### Our Approach",
            text(comp.approach),
            code(comp.pseudocode),
            f"#### Why Not {text(comp.why_not.alternative)}?",
            text(comp.why_not.reason),
            interviewer_asks(comp.interviewer_asks),
            "---",
        ]
    return _join(parts)


def interviewer_asks(qa) -> str:
    """The '> **Interviewer might ask**' block."""
    question = text(qa.question).strip('"')
    return f'> **Interviewer might ask**: "{question}"\n>\n> {text(qa.answer)}'


def data_model(spec) -> str:
    """Section 4: schema and access patterns."""
    model = spec.data_model
    if model is None:
        return _join([heading(4), "_This spec has no data model yet._"])
    return _join([
        heading(4),
        callout("Interview context", '"For the database schema, let me think about the access patterns we '
                                     'need to support..."'),
        "### Schema Design",
        code(model.schema_sql, "sql"),
        "### Access Patterns",
        table(["Query", "Frequency", "Index Used"],
              [[text(a.query), text(a.frequency), text(a.index)] for a in model.access_patterns]),
        interviewer_asks(model.database_choice),
    ])


def key_design_decisions(spec) -> str:
    """Section 5: each decision with its options, then the summary table."""
    parts = [heading(5)]
    for i, d in enumerate(spec.decisions, 1):
        parts += [
            f"### 5.{i} {text(d.area)}",
            callout("Interview context", f'"One key decision is {text(d.area.lower())}..."'),
            table(["Option", "Trade-off"], [[f"**{text(o.name)}**", text(o.trade_off)] for o in d.options]),
            f"**We chose {text(d.choice)} because**: {text(d.rationale)}",
        ]
    parts += [
        "### Design Decisions Summary",
        table(["Decision", "Choice", "Alternative", "Rationale"],
              [[text(d.area), text(d.choice), text(d.alternative), text(d.rationale)] for d in spec.decisions]),
    ]
    return _join(parts)


def interview_timeline(spec) -> str:
    """The 45-minute approach block, with this system's deep dives."""
    dives = spec.interview_tips.deep_dives or ["Pick 2-3 areas to explore in detail"]
    dive_lines = "\n".join(f"           - {d}" for d in dives)
    return code(f"""0-5 min:   CLARIFY REQUIREMENTS
           - Ask about scale, latency, consistency needs
           - Identify must-have vs nice-to-have features

5-10 min:  CAPACITY ESTIMATION
           - Users, QPS, storage
           - Identify the scale we're designing for

10-25 min: HIGH-LEVEL DESIGN
           - Draw main components
           - Explain data flow
           - Discuss API design

25-40 min: DEEP DIVE
{dive_lines}
           - Discuss trade-offs for each decision
           - Address failure scenarios

40-45 min: WRAP UP
           - Summarize key decisions
           - Discuss future improvements
           - Answer remaining questions""")


def key_takeaways(spec) -> str:
    """Section 9: concepts, trade-offs, red flags, then the references."""
    t = spec.takeaways
    parts = [
        heading(9),
        "### Core Concepts",
        "\n".join(f"{i}. **{text(c.name)}**: {text(c.explanation)}" for i, c in enumerate(t.concepts, 1)),
        "### Trade-offs to Remember",
        table(["Trade-off", "When to choose A", "When to choose B"],
              [[text(x.trade_off), text(x.choose_a), text(x.choose_b)] for x in t.trade_offs]),
        "### Red Flags to Avoid",
        "\n".join(f"- {text(flag)}" for flag in t.red_flags),
        "---",
        "## References",
        "\n".join(f"- [{text(r.title).replace(']', '')}]({r.url})" for r in spec.references)
        or "- designkit spec (no references given)",
    ]
    return _join(parts)


# --- warnings -------------------------------------------------------------------------

def placeholders(spec) -> list[str]:
    """Field paths whose text is still a placeholder (TODO, [Component Name], ...)."""
    found = []

    def walk(value, path):
        if isinstance(value, str):
            if PLACEHOLDER.search(value):
                found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}")

    walk(spec.model_dump(by_alias=True), "")
    return found


def missing_prose(spec) -> list[str]:
    """Prose fields the article needs but the spec leaves empty."""
    checks = {
        "summary": spec.summary, "interview_context": spec.interview_context,
        "requirements.functional": spec.requirements.functional,
        "requirements.non_functional": spec.requirements.non_functional,
        "components": spec.components, "core_components": spec.core_components,
        "data_model": spec.data_model, "decisions": spec.decisions, "bottlenecks": spec.bottlenecks,
        "takeaways.concepts": spec.takeaways.concepts, "takeaways.trade_offs": spec.takeaways.trade_offs,
        "references": spec.references,
    }
    return [name for name, value in checks.items() if not value]


# --- the sections built on the analysis ------------------------------------------------

def computed(markdown: str) -> str:
    """A computed table or list that names spec components: HTML-escaped like all spec text."""
    return _html(markdown)


def high_level_architecture_with_load(spec, analysis) -> str:
    """Section 2 plus the load each component carries at peak."""
    from . import tables
    parts = [high_level_architecture(spec)]
    if analysis.loads:
        parts += ["### Load at Peak",
                  f"Each component's share of the {q.say_qps(analysis.capacity.qps_peak)} peak QPS, and how "
                  "full its current nodes are:",
                  computed(tables.load_table(analysis))]
    return _join(parts)


def horizontal_scaling_diagram(cap: Capacity, analysis) -> str:
    """The template's horizontal-scaling sketch with this system's server and shard counts."""
    shards = max((load.shards_needed or 1 for load in analysis.loads), default=1)
    small = 9
    servers = [_box(f"Server {n}", "", small) for n in (1, 2, cap.servers_needed)]
    shard_boxes = [_box(f"Shard {n}", "", small) for n in (1, shards)]
    width = 63
    lb, top = _row([_Box(("Load Balancer",), 13)], width)
    mid, mid_c = _row(servers, width, gap=6)
    low, low_c = _row(shard_boxes, width, gap=6)
    lines = lb + _connector(top, mid_c, width) + mid + _connector(mid_c, low_c, width) + low
    return "\n".join(lines)


def scalability(spec, analysis) -> str:
    """Section 6: horizontal scaling, computed strategies and thresholds, what breaks first, queueing."""
    from . import tables
    cap = analysis.capacity
    parts = [
        heading(6),
        callout("Interview context", '"Let me discuss how this system scales..."'),
        "### Horizontal Scaling",
        code(horizontal_scaling_diagram(cap, analysis)),
        f"At {q.say_qps(cap.qps_peak)} peak QPS the app tier needs {cap.servers_needed} servers of "
        f"{q.say_qps(cap.server_qps, approx=False)} requests/second each; the data tier needs the shards "
        "in the table below.",
    ]
    if analysis.loads:
        parts += [
            "### Scaling Strategies",
            computed(tables.strategies_table(analysis)),
            "### Scaling Thresholds",
            computed(tables.thresholds_table(analysis)) if analysis.thresholds else "No traffic reaches any component.",
            figure("scaling", "Utilization of each component as users grow, with today's scale and 10x marked"),
            "### What Breaks First",
            computed(tables.breaks_lines(analysis)),
            "### Queueing and Latency",
            "Each pool is an M/M/c queue: response time stays near the service time until utilization nears "
            "the knee, then climbs steeply. That is why we scale out at "
            f"{q.say_share(analysis.settings.target_utilization)}, not at 100%.",
            computed(tables.queueing_table(analysis)),
            figure("latency", "M/M/c response time against utilization for the busiest components"),
        ]
    parts += [
        "### Bottlenecks and Mitigations",
        table(["Bottleneck", "Symptom", "Mitigation"],
              [[text(b.bottleneck), text(b.symptom), text(b.mitigation)] for b in spec.bottlenecks]),
    ]
    return _join(parts)


def reliability(spec, analysis) -> str:
    """Section 7: failure scenarios, availability in series and parallel, recovery with computed times."""
    from . import tables
    if not analysis.loads:
        return _join([heading(7), "### Failure Scenarios", "_Add components to get failure scenarios._",
                      "### Recovery Procedures", "_Add components to get recovery times._"])
    return _join([
        heading(7),
        callout("Interview context", '"For reliability, let\'s discuss failure scenarios..."'),
        "### Failure Scenarios",
        computed(tables.scenarios_table(analysis)),
        "### Availability",
        "Replicas of a component run in parallel (it is up while enough of them are); the components along "
        "a path run in series (the path is up only while all of them are).",
        computed(tables.availability_table(analysis)),
        computed(tables.paths_table(analysis)) if analysis.read_path or analysis.write_path else "",
        figure("availability", "Expected downtime a year per component and per path"),
        "### Recovery Procedures",
        computed(tables.recovery_lines(analysis)),
    ])


def key_phrases(spec, analysis) -> list[list[str]]:
    """The spec's key phrases plus three said with this system's numbers."""
    cap = analysis.capacity
    rows = [[f'"{text(p.instead)}"', f'"{text(p.say)}"'] for p in spec.interview_tips.key_phrases]
    rows.append(['"Scale horizontally"',
                 f'"At {q.say_qps(cap.qps_peak)} peak QPS we\'d need {cap.servers_needed} servers assuming each '
                 f'handles {q.say_qps(cap.server_qps, approx=False)} requests/second"'])
    rows.append(['"We need a lot of storage"',
                 f'"{q.say_bytes(cap.storage_per_day_bytes)} a day is {q.say_bytes(cap.storage_total_bytes)} over '
                 f'{q.say_days(cap.retention_days)}, {q.say_bytes(cap.storage_replicated_bytes)} with '
                 f'{cap.replication_factor} copies"'])
    caches = [load for load in analysis.loads if load.kind == "cache"]
    if caches and cap.reads_per_day:
        comp = spec.component(caches[0].name)
        rows.append(['"Add caching"',
                     f'"Caching the hottest {q.say_percent(spec.scale.cache_fraction)} of a day\'s reads takes '
                     f'{q.say_bytes(cap.cache_memory_bytes)}; at a {q.say_percent(comp.hit_ratio or 0)} hit ratio '
                     f'it keeps all but {q.say_percent(round(1 - (comp.hit_ratio or 0), 6))} of '
                     f'{q.say_qps(cap.read_qps_peak)} peak reads off the database"'])
    return rows


def interview_tips(spec, analysis) -> str:
    """Section 8: the 45-minute plan, key phrases with live numbers, follow-ups including 10x."""
    from . import tables
    follow = [[f'"{text(f.question)}"', text(f.key_points)] for f in spec.interview_tips.follow_ups]
    if analysis.loads:
        first = analysis.first_to_break(10)
        bp = next(b for b in analysis.break_points if b.factor == 10)
        answer = (f"{text(first)} breaks first ({text(tables.METRIC_LABELS[bp.breaking[0].metric].lower())} "
                  f"full at {q.say_times(bp.breaking[0].multiplier)} today's traffic); "
                  + text(_next_step(analysis, first)) if first else "Nothing breaks at 10x: every current pool copes")
        follow.append(['"What if scale increases 10x?"', answer])
        busiest = max(analysis.loads, key=lambda load: load.utilization)
        follow.append(['"What metrics would you monitor?"',
                       f"Latency percentiles, error rates, saturation: {text(busiest.name)} runs at "
                       f"{q.say_share(busiest.utilization)} at peak today, so alert at "
                       f"{q.say_share(analysis.settings.target_utilization)}"])
    return _join([
        heading(8),
        "### Approach (45 minutes)",
        interview_timeline(spec),
        "### Key Phrases That Show Depth",
        table(["Instead of...", "Say..."], key_phrases(spec, analysis)),
        "### Common Follow-up Questions",
        table(["Question", "Key Points"], follow),
    ])


def _next_step(analysis, name: str) -> str:
    """'shard it (46 shards needed)'-style advice for the component that breaks first."""
    load = analysis.load(name)
    steps = [t.step for t in analysis.thresholds if t.component == name]
    step = steps[0] if steps else "add replicas"
    if load.shards_needed:
        return f"fix: {step} (it needs {load.shards_needed} shards at today's scale, ~{load.shards_needed * 10} at 10x)"
    return f"fix: {step} (it needs {load.replicas_needed} replicas today, ~{load.replicas_needed * 10} at 10x)"
