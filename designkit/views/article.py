"""Markdown views: the article's sections, blocks and tables, filled from a spec and its numbers.

Pure string functions with no heavy imports, so the CLI can print them quickly; the section
notebooks call them and emit the result as an article fragment (see ``emit``).
"""

from __future__ import annotations

import re

from ..model import quantities as q
from ..model.capacity import Capacity
from ..sections import TITLES
from . import cost_rows, latency_rows, spread_rows, tables
from .phrase_rows import follow_up_rows, key_phrase_rows
from .rows import capacity_block, capacity_rows, count  # noqa: F401  (capacity_block: re-exported)
from .diagram import architecture_diagram, flows, horizontal_scaling_diagram
from .mermaid import mermaid_flowchart
from .markdown import anchor, callout, code, escape_html, figure, join, link, one_line, table, text

PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|\[(?:Component Name|Choice|Alt|Why|Scenario|System Name|"
                         r"Concept \d|Decision Area \d|Area \d|field(?:_\d)?|entity|related_entity|"
                         r"Primary function|Language/Framework|key challenge|main trade-off area|"
                         r"Common follow-up question|Next Component)\]")


def names_in(spec) -> frozenset[str]:
    """Capitalised words the spec's prose writes mid-sentence ('writes to Cassandra'): names, which
    keep their capital wherever they stand.  Code, schemas and URLs are not prose."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            value = re.sub(r"`[^`]*`|https?://\S+", " ", value)
            # a lone capitalised word ('to Cassandra with'), not part of a longer name ('the Timeline Service')
            for before, word in re.findall(r"(\S+) ([A-Z][a-z]+)(?=-|[.,;:)]*(?:\s+[a-z(]|\s*$))", value):
                if re.fullmatch(r"[a-z0-9][a-z0-9-]*[,;:)]?", before):
                    found.add(word)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("pseudocode", "schema_sql", "schema", "url"):
                    walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(spec.model_dump(exclude={"scale", "prices"}))
    return frozenset(found)


def in_sentence(phrase: str, names: frozenset[str]) -> str:
    """A heading-cased phrase as it reads mid-sentence: its first word in lower case unless the
    spec writes that word capitalised mid-sentence too ('After Kafka acks' -> 'after Kafka acks',
    'Cassandra with ...' stays); acronyms and CamelCase ('URL', 'ClickHouse') stay as written."""
    match = re.match(r"([A-Z][a-z]+)(?=[\s-]|$)", phrase)
    if match and match.group(1) not in names:
        return match.group(1).lower() + phrase[match.end():]
    return phrase


def plural(name: str) -> bool:
    """True when a heading joins two things ('Deduplication and storage'), so its verb is plural."""
    return bool(re.search(r"\band\b|&", name))


# --- capacity ---------------------------------------------------------------------------

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
        *capacity_ranges(spec),
    ])


def capacity_ranges(spec) -> list[str]:
    """Section 1's spread of the capacity figures over the spec's ranges (nothing without ranges)."""
    from ..model.sensitivity import uncertainty
    found = uncertainty(spec)
    if found is None:
        return []
    intro, lines = spread_rows.capacity_part(found)
    return [text(intro), "\n".join(f"- {text(line)}" for line in lines)]


def estimate_ranges(spec, analysis) -> list[str]:
    """Section 6's "What If the Estimates Are Off": spreads, and a tornado per headline figure."""
    from ..model.sensitivity import uncertainty
    found = uncertainty(spec)
    if found is None:
        return []
    intro, lines, why, *tornadoes = spread_rows.analysis_part(found)
    parts = ["### What If the Estimates Are Off", text(intro), "\n".join(f"- {text(line)}" for line in lines),
             text(why)]
    for label, rows, line in tornadoes:
        parts += [f"**{text(label)}**", table(spread_rows.TORNADO_HEADER, [[text(c) for c in r] for r in rows]),
                  text(line)]
    parts.append(figure("tornado", "Tornado chart: each ranged input swung from its low end to its high end"))
    return parts


def high_level_architecture(spec) -> str:
    """Section 2: the diagram drawn from components and flows, and their responsibilities."""
    return join([
        heading(2),
        callout("Interview context", '"Let me draw the high-level architecture first, then we can dive into '
                                     'specific components."'),
        code(architecture_diagram(spec)),
        "The same graph as a Mermaid flowchart (GitHub and JupyterLab draw it):",
        code(mermaid_flowchart(spec), "mermaid"),
        flows(spec),
        "### Component Responsibilities",
        table(["Component", "Responsibility", "Technology Choice"],
              [[f"**{text(c.name)}**", text(c.responsibility), text(c.technology)] for c in spec.components]),
    ])


def core_components(spec) -> str:
    """Section 3: challenge, options, approach, pseudocode, why-not and follow-up per component."""
    parts, words = [heading(3)], names_in(spec)
    for i, comp in enumerate(spec.core_components, 1):
        parts += [
            f"### 3.{i} {text(comp.name)}",
            callout("Interview context", f'"Let me explain how {text(in_sentence(comp.name, words))} '
                                         f'{"work" if plural(comp.name) else "works"}..."'),
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
    parts, words = [heading(5)], names_in(spec)
    for i, d in enumerate(spec.decisions, 1):
        parts += [
            f"### 5.{i} {text(d.area)}",
            callout("Interview context", f'"One key decision is {text(in_sentence(d.area, words))}..."'),
            table(["Option", "Trade-off"], [[f"**{text(o.name)}**", text(o.trade_off)] for o in d.options]),
            f"**We chose {text(in_sentence(d.choice, words))} because**: {text(d.rationale)}",
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

def high_level_architecture_with_load(spec, analysis) -> str:
    """Section 2 plus the load each component carries at peak."""
    parts = [high_level_architecture(spec)]
    if analysis.loads:
        parts += ["### Load at Peak",
                  f"Each component's share of the {q.say_qps(analysis.capacity.qps_peak)} peak QPS, and how "
                  "full its current nodes are:",
                  tables.load_table(analysis)]
    return join(parts)




def scalability(spec, analysis) -> str:
    """Section 6: horizontal scaling, computed strategies and thresholds, what breaks first, queueing."""
    cap = analysis.capacity
    parts = [
        heading(6),
        callout("Interview context", '"Let me discuss how this system scales..."'),
        "### Horizontal Scaling",
        code(horizontal_scaling_diagram(cap, analysis)),
        f"At {q.say_qps(cap.qps_peak)} peak QPS the app tier needs {count(cap.servers_needed, 'server')} of "
        f"{q.say_qps(cap.server_qps, approx=False)} requests/second each; the data tier needs the shards "
        "in the table below.",
    ]
    if analysis.loads:
        parts += [
            "### Scaling Strategies",
            tables.strategies_table(analysis),
            "### Scaling Thresholds",
            tables.thresholds_table(analysis) if analysis.thresholds else "No traffic reaches any component.",
            figure("scaling", "Utilization of each component as users grow, with today's scale and 10x marked"),
            "### What Breaks First",
            tables.envelope_text(analysis),
            tables.breaks_lines(analysis),
            "### Queueing and Latency",
            "Each pool is an M/M/c queue: response time stays near the service time until utilization nears "
            "the knee, then climbs steeply. That is why we scale out at "
            f"{q.say_share(analysis.settings.target_utilization)}, not at 100%.",
            tables.queueing_table(analysis),
            figure("latency", "M/M/c response time against utilization for the busiest components"),
            *tail_latency(analysis),
            *cost(analysis),
            *estimate_ranges(spec, analysis),
        ]
    parts += [
        "### Bottlenecks and Mitigations",
        table(["Bottleneck", "Symptom", "Mitigation"],
              [[text(b.bottleneck), text(b.symptom), text(b.mitigation)] for b in spec.bottlenecks]),
    ]
    return join(parts)


def tail_latency(analysis) -> list[str]:
    """Section 6's tail-latency part: percentiles per component and path, each path against its target."""
    return [
        "### Tail Latency",
        "The mean hides the slow requests users notice. In M/M/c a request waits with probability "
        "P(wait), and a waiting request waits an exponential time, so P(wait > t) = P(wait) · "
        "e^(−(cμ − λ)t); add the exponential service time and solve for the time 50%, 95% and 99% of "
        "requests stay within. A path takes the sum of its hops' times; each hop's time is a service "
        "time plus, sometimes, a wait, so the sum's distribution is known exactly and its percentiles "
        "are solved from it (hops independent), counting every hop, as a cache miss does. "
        "Queueing and service time only: no network round trips.",
        table(latency_rows.COMPONENT_HEADER, _said(latency_rows.component_rows(analysis))),
        path_latency_table(analysis),
        "\n".join(f"- {text(line)}" for line in latency_rows.path_lines(analysis)),
    ]


def path_latency_table(analysis) -> str:
    """Each path's p50/p95/p99 at peak against its target, as a Markdown table."""
    return table(latency_rows.PATH_HEADER, _said(latency_rows.path_rows(analysis)))


def cost(analysis) -> list[str]:
    """Section 6's cost part: the monthly bill per component, the total, per million requests, at 10x."""
    return [
        "### Cost",
        cost_rows.BASIS,
        table(cost_rows.HEADER, _bold_last(_said(cost_rows.rows(analysis)))),
        f"- {text(cost_rows.summary(analysis))}",
        figure("cost", "Monthly cost per component, today and at 10x"),
    ]


def _said(rows: list[list[str]]) -> list[list[str]]:
    """Computed cells that name spec components, made safe as Markdown like all spec text."""
    return [[text(cell) if cell else cell for cell in row] for row in rows]


def _bold_last(rows: list[list[str]]) -> list[list[str]]:
    """The rows with the last one (a total) in bold."""
    return rows[:-1] + [[f"**{cell}**" if cell else cell for cell in rows[-1]]] if rows else rows


def reliability(spec, analysis) -> str:
    """Section 7: failure scenarios, availability in series and parallel, recovery with computed times."""
    if not analysis.loads:
        return join([heading(7), "### Failure Scenarios", "_Add components to get failure scenarios._",
                      "### Recovery Procedures", "_Add components to get recovery times._"])
    return join([
        heading(7),
        callout("Interview context", '"For reliability, let\'s discuss failure scenarios..."'),
        "### Failure Scenarios",
        tables.scenarios_table(analysis),
        "### Availability",
        "Replicas of a component run in parallel (it is up while enough of them are); the components along "
        "a path run in series (the path is up only while all of them are).",
        tables.availability_table(analysis),
        tables.paths_table(analysis) if analysis.read_path or analysis.write_path else "",
        figure("availability", "Expected downtime a year per component and per path"),
        "### Recovery Procedures",
        tables.recovery_lines(analysis),
    ])


def key_phrases(spec, analysis) -> list[list[str]]:
    """The Key Phrases table's cells as Markdown: the spec's phrases, the computed ones in their place."""
    return [[text(c.text) for c in row] for row in key_phrase_rows(spec, analysis).rows]


def interview_tips(spec, analysis) -> str:
    """Section 8: the 45-minute plan, key phrases with live numbers, follow-ups including 10x."""
    return join([
        heading(8),
        "### Approach (45 minutes)",
        interview_timeline(spec),
        "### Key Phrases That Show Depth",
        tables.markdown_table(key_phrase_rows(spec, analysis), key_column=False),
        "### Common Follow-up Questions",
        tables.markdown_table(follow_up_rows(spec, analysis), key_column=False),
    ])
