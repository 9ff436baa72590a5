"""Markdown views: the article's sections, blocks and tables, filled from a spec and its numbers.

Pure string functions with no heavy imports, so the CLI can print them quickly; the section
notebooks call them and emit the result as an article fragment (see ``emit``).
"""

from __future__ import annotations

import functools
import re

from ...model import quantities as q
from ...model.analysis import Analysis
from ...model.capacity import Capacity
from ...model.numbers import Numbers
from ...sections import TITLES
from ..rows import cost as cost_rows
from ..rows import latency as latency_rows
from ..rows import spread as spread_rows
from ..rows import as_markdown as tables
from ..rows.interview import follow_up_rows, key_phrase_rows
from ..rows.capacity import capacity_block
from ..rows.wording import count
from ..diagrams.boxes import architecture_diagram, flows, horizontal_scaling_diagram
from ..diagrams.mermaid import mermaid_flowchart
from ..charts import registry
from ..rows import registry as table_registry
from ..markdown import anchor, callout, code, figure, html_in_markdown, join, link, one_line, table, text

PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|\[(?:Component Name|Choice|Alt|Why|Scenario|System Name|"
                         r"Concept \d|Decision Area \d|Area \d|field(?:_\d)?|entity|related_entity|"
                         r"Primary function|Language/Framework|key challenge|main trade-off area|"
                         r"Common follow-up question|Next Component)\]")


def chart_figure(name: str, spec=None) -> str:
    """The Markdown image of the registered chart ``name``, with its alt text (``charts.registry``)."""
    return figure(name, text(registry.chart(name).alt(spec)))


def with_registered(section: int):
    """A section part that ends with what the registries add to its section: the tables registered to
    be appended (``rows.registry``) and the charts (``charts.registry``) it does not place itself, the
    ones that apply to these numbers.  A table or chart added to a registry is in the article at once."""
    def wrap(part):
        @functools.wraps(part)
        def written(spec, *numbers):
            markdown = part(spec, *numbers)
            charts = [c for c in registry.of_section(section) if f"(figures/{c.name}.svg" not in markdown]
            added = table_registry.appended(section)
            if not charts and not added:
                return markdown
            cap = next((n for n in numbers if isinstance(n, Capacity)), None)
            analysis = next((n for n in numbers if isinstance(n, Analysis)), None)
            drawn = Numbers(spec, cap, analysis)
            more = []
            for entry in added:
                if entry.applies(drawn):
                    more += [f"### {text(entry.title or entry.name)}", tables.prose_table(entry.rows(drawn))]
            more += [chart_figure(c.name, spec) for c in charts if c.applies(drawn)]
            return join([markdown, *more])
        return written
    return wrap


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


def front_matter(spec) -> str:
    """Jekyll front matter, title, overview, interview-context callout and the table of contents."""
    title = f"Design {spec.name}"
    yaml_title = html_in_markdown(one_line(title)).replace("\\", "\\\\").replace('"', '\\"')
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


@with_registered(1)
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
        chart_figure("capacity", spec),
        *capacity_ranges(spec),
    ])


def capacity_ranges(spec) -> list[str]:
    """Section 1's spread of the capacity figures over the spec's ranges (nothing without ranges)."""
    from ...model.sensitivity import uncertainty
    found = uncertainty(spec)
    if found is None:
        return []
    intro, lines = spread_rows.capacity_part(found)
    return [text(intro), "\n".join(f"- {text(line)}" for line in lines)]


def estimate_ranges(spec, analysis) -> list[str]:
    """Section 6's "What If the Estimates Are Off": spreads, and a tornado per headline figure."""
    from ...model.sensitivity import uncertainty
    found = uncertainty(spec)
    if found is None:
        return []
    intro, lines, why, *tornadoes = spread_rows.analysis_part(found)
    parts = ["### What If the Estimates Are Off", text(intro), "\n".join(f"- {text(line)}" for line in lines),
             text(why)]
    for label, rows, line in tornadoes:
        parts += [f"**{text(label)}**", tables.prose_table(rows), text(line)]
    parts.append(chart_figure("tornado", spec))
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


@with_registered(3)
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


@with_registered(4)
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


@with_registered(5)
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


@with_registered(9)
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

@with_registered(2)
def high_level_architecture_with_load(spec, analysis) -> str:
    """Section 2 plus the load each component carries at peak."""
    parts = [high_level_architecture(spec)]
    if analysis.loads:
        parts += ["### Load at Peak",
                  f"Each component's share of the {q.say_qps(analysis.capacity.qps_peak)} peak QPS, and how "
                  "full its current nodes are:",
                  tables.load_table(analysis)]
    return join(parts)




@with_registered(6)
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
            chart_figure("scaling", spec),
            "### What Breaks First",
            tables.envelope_text(analysis),
            tables.breaks_lines(analysis),
            "### Queueing and Latency",
            "Each pool is an M/M/c queue: response time stays near the service time until utilization nears "
            "the knee, then climbs steeply. That is why we scale out at "
            f"{q.say_share(analysis.settings.target_utilization)}, not at 100%.",
            tables.queueing_table(analysis),
            chart_figure("latency", spec),
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
        tables.prose_table(latency_rows.component_rows(analysis)),
        path_latency_table(analysis),
        "\n".join(f"- {text(line)}" for line in latency_rows.path_lines(analysis)),
    ]


def path_latency_table(analysis) -> str:
    """Each path's p50/p95/p99 at peak against its target, as a Markdown table."""
    return tables.prose_table(latency_rows.path_rows(analysis))


def cost(analysis) -> list[str]:
    """Section 6's cost part: the monthly bill per component, the total, per million requests, at 10x."""
    return [
        "### Cost",
        cost_rows.BASIS,
        tables.prose_table(cost_rows.rows(analysis)),
        f"- {text(cost_rows.summary(analysis))}",
        chart_figure("cost"),
    ]


@with_registered(7)
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
        chart_figure("availability", spec),
        "### Recovery Procedures",
        tables.recovery_lines(analysis),
    ])


def key_phrases(spec, analysis) -> str:
    """The Key Phrases table as Markdown: the spec's phrases, the computed ones in their place."""
    return tables.markdown_table(key_phrase_rows(spec, analysis), key_column=False)


@with_registered(8)
def interview_tips(spec, analysis) -> str:
    """Section 8: the 45-minute plan, key phrases with live numbers, follow-ups including 10x."""
    return join([
        heading(8),
        "### Approach (45 minutes)",
        interview_timeline(spec),
        "### Key Phrases That Show Depth",
        key_phrases(spec, analysis),
        "### Common Follow-up Questions",
        tables.markdown_table(follow_up_rows(spec, analysis), key_column=False),
    ])
