"""Markdown views: the article's sections, blocks and tables, filled from a spec and its numbers.

Pure string functions with no heavy imports, so the CLI can print them quickly; the section
notebooks call them and emit the result as an article fragment (see ``emit``).
"""

from __future__ import annotations

import re

from ..model import quantities as q
from ..model.capacity import Capacity
from ..sections import TITLES
from . import tables
from .diagram import architecture_diagram, flows, horizontal_scaling_diagram
from .markdown import anchor, escape_html, callout, code, figure, join, link, neutral, one_line, table, text

PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|\[(?:Component Name|Choice|Alt|Why|Scenario|System Name|"
                         r"Concept \d|Decision Area \d|Area \d|field(?:_\d)?|entity|related_entity|"
                         r"Primary function|Language/Framework|key challenge|main trade-off area|"
                         r"Common follow-up question|Next Component)\]")


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


def front_matter(spec) -> str:
    """Jekyll front matter, title, overview, interview-context callout and the table of contents."""
    title = f"Design {spec.name}"
    yaml_title = escape_html(one_line(title)).replace("\\", "\\\\").replace('"', '\\"')
    toc = "\n".join(f"{i}. [{name}](#{anchor(f'{i}. {name}')})" for i, name in enumerate(TITLES, 1))
    context = spec.interview_context
    focus = (f"This is a common system design question. Focus on {text(context.key_challenge)} and be "
             f"ready to discuss trade-offs around {text(context.main_trade_off)}.") if context else \
        "This is a common system design question."
    return join([
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
    return f"## {number}. {TITLES[number - 1]}"


def requirement_tables(spec) -> str:
    """The functional and non-functional requirement tables."""
    req = spec.requirements
    return join([
        "### Functional Requirements",
        table(["Requirement", "Description"],
              [[f"**{text(r.name)}**", text(r.description)] for r in req.functional]),
        "### Non-Functional Requirements",
        table(["Requirement", "Target", "Rationale"],
              [[f"**{text(r.name)}**", text(r.target), text(r.rationale)] for r in req.non_functional]),
    ])


def requirements(spec, cap: Capacity) -> str:
    """Section 1: questions, requirements, the capacity block and its chart."""
    return join([
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
    return join([
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
    return join(parts)


def interviewer_asks(qa) -> str:
    """The '> **Interviewer might ask**' block."""
    question = text(qa.question).strip('"')
    return f'> **Interviewer might ask**: "{question}"\n>\n> {text(qa.answer)}'


def data_model(spec) -> str:
    """Section 4: schema and access patterns."""
    model = spec.data_model
    if model is None:
        return join([heading(4), "_This spec has no data model yet._"])
    return join([
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
    return join(parts)


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
        "\n".join(f"- {link(r.title, r.url)}" for r in spec.references)
        or "- designkit spec (no references given)",
    ]
    return join(parts)


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
    """A computed table or list that names spec components: no name in it can open a tag or a link."""
    return neutral(markdown)


def high_level_architecture_with_load(spec, analysis) -> str:
    """Section 2 plus the load each component carries at peak."""
    parts = [high_level_architecture(spec)]
    if analysis.loads:
        parts += ["### Load at Peak",
                  f"Each component's share of the {q.say_qps(analysis.capacity.qps_peak)} peak QPS, and how "
                  "full its current nodes are:",
                  computed(tables.load_table(analysis))]
    return join(parts)




def scalability(spec, analysis) -> str:
    """Section 6: horizontal scaling, computed strategies and thresholds, what breaks first, queueing."""
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
    return join(parts)


def reliability(spec, analysis) -> str:
    """Section 7: failure scenarios, availability in series and parallel, recovery with computed times."""
    if not analysis.loads:
        return join([heading(7), "### Failure Scenarios", "_Add components to get failure scenarios._",
                      "### Recovery Procedures", "_Add components to get recovery times._"])
    return join([
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
    return join([
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
