"""A diagram true to the paths: the box drawing and the Mermaid flowchart have exactly the paths' connections.

The box diagram is read back the way a reader follows it: find the boxes, start at each arrow
head, follow the line characters (straight through a crossing) to the boxes at the other end.
The connections found must be the paths' connections, no more and no fewer, in every example.
"""

from __future__ import annotations

import re

import pytest

from _specs import comp, make_spec
from designkit.model.spec import example_names, load_spec
from designkit.views.pages.article import high_level_architecture
from designkit.views.diagrams.boxes import architecture_diagram
from designkit.views.diagrams.graph import CLIENTS, path_edges
from designkit.views.diagrams.mermaid import mermaid_flowchart, mermaid_text

LINKS = {"│": "UD", "─": "LR", "┼": "UDLR", "┌": "DR", "┐": "DL", "└": "UR", "┘": "UL", "├": "UDR",
         "┤": "UDL", "┬": "LRD", "┴": "LRU"}
MOVE = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
BACK = {"U": "D", "D": "U", "L": "R", "R": "L"}


def boxes(grid):
    """Every box: (top, bottom, left, right, its title words)."""
    found = []
    for y, line in enumerate(grid):
        for x0 in [m.start() for m in re.finditer("┌", line)]:
            x1 = line.find("┐", x0)
            if x1 < 0 or set(line[x0 + 1:x1]) != {"─"}:
                continue
            y1 = y + 1
            while y1 < len(grid) and at(grid, y1, x0) == "│" and at(grid, y1, x1) == "│":
                y1 += 1
            if at(grid, y1, x0) != "└" or at(grid, y1, x1) != "┘":
                continue
            words = [grid[i][x0 + 1:x1].strip() for i in range(y + 1, y1)]
            title = " ".join(w for w in words if w and not w.startswith("("))
            found.append((y, y1, x0, x1, title))
    return found


def at(grid, y, x):
    return grid[y][x] if 0 <= y < len(grid) and 0 <= x < len(grid[y]) else " "


def box_at(found, y, x, edge):
    """The box whose top (edge='top') or bottom border runs through (y, x)."""
    for top, bottom, x0, x1, title in found:
        if (top if edge == "top" else bottom) == y and x0 < x < x1:
            return title
    return None


def follow(grid, found, y, x, heading):
    """Boxes reached from (y, x) going upstream (``heading``, or sideways) along the lines: the arrow's sources."""
    ends, seen, todo = set(), set(), [(y, x, heading)]
    while todo:
        y, x, d = todo.pop()
        if (y, x, d) in seen:
            continue
        seen.add((y, x, d))
        end = box_at(found, y, x, "bottom" if d == "U" else "top")
        if end is not None and d in "UD":
            if d == heading:
                ends.add(end)
            continue
        c = at(grid, y, x)
        if c in "▼▲" or c not in LINKS:
            continue
        exits = set(LINKS[c]) - {BACK[d], BACK[heading]}   # upstream only: never along the flow
        if c == "│" and d in "LR":
            exits = {d}                      # a crossing: straight on
        for e in exits:
            dy, dx = MOVE[e]
            todo.append((y + dy, x + dx, e))
    return ends


def drawn_edges(diagram: str) -> set[tuple[str, str]]:
    """(from, to) for every arrow of a box diagram, read back from its characters."""
    grid = diagram.splitlines()
    found = boxes(grid)
    edges = set()
    for y, line in enumerate(grid):
        for x, c in enumerate(line):
            if c == "▼":
                target = box_at(found, y + 1, x, "top")
                edges |= {(source, target) for source in follow(grid, found, y - 1, x, "U")}
            elif c == "▲":
                target = box_at(found, y - 1, x, "bottom")
                edges |= {(source, target) for source in follow(grid, found, y + 1, x, "D")}
    return edges


def titled(spec, edges):
    """Path edges with the clients' box named as drawn."""
    return {("CLIENTS" if a == CLIENTS else a, b) for a, b in edges}


@pytest.mark.parametrize("name", example_names())
def test_the_box_diagram_draws_exactly_the_paths_connections(name):
    spec = load_spec(name)
    drawn = drawn_edges(architecture_diagram(spec))
    assert drawn == titled(spec, path_edges(spec)), name


def test_the_reference_no_longer_draws_connections_it_does_not_have():
    drawn = drawn_edges(architecture_diagram(load_spec("reference")))
    assert ("Query API", "Event Log") not in drawn and ("Query Cache", "Stream Processor") not in drawn
    assert ("Query Cache", "Event Store") in drawn and ("Stream Processor", "Event Store") in drawn


def test_cycles_and_skipped_rows_are_drawn():
    spec = make_spec([comp("Api", "service", 1000), comp("Cache", "cache", 1000, memory="1 GB"),
                      comp("Db", "database", 1000, storage="1 TB"), comp("Log", "queue", 1000)],
                     ["Api", "Cache", "Db"], ["Api", "Log", "Db", "Cache"])
    edges = path_edges(spec)
    assert ("Db", "Cache") in edges and ("Cache", "Db") in edges        # both ways: a cycle
    assert drawn_edges(architecture_diagram(spec)) == titled(spec, edges)


def test_the_article_carries_the_same_graph_as_a_mermaid_flowchart():
    spec = load_spec("reference")
    md = high_level_architecture(spec)
    chart = md.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert chart == mermaid_flowchart(spec) and chart.startswith("flowchart TD")
    ids = dict(re.findall(r'^\s+(\w+)[\[(]+"([^"<]+)', chart, re.MULTILINE))
    ids = {k: ("CLIENTS" if v == "Clients" else v) for k, v in ids.items()}
    arrows = {(ids[a], ids[b]) for a, b in re.findall(r"^\s+(\w+) --> (\w+)$", chart, re.MULTILINE)}
    assert arrows == titled(spec, path_edges(spec))


def test_mermaid_labels_cannot_break_out():
    name = 'Evil"] --> x[<script>alert(1)</script>'
    spec = make_spec([comp(name, "service", 1000)], [name], [name])
    chart = mermaid_flowchart(spec)
    label = chart.splitlines()[2]
    assert label == f'    c1["{mermaid_text(name)}<br/>t"]'
    assert '"' not in mermaid_text(name) and "<" not in mermaid_text(name) and "[" not in mermaid_text(name)
    assert mermaid_text("Query API (v2)") == "Query API (v2)" and mermaid_text("a&b") == "a#38;b"
    assert chart.splitlines()[-1] == "    clients --> c1"


# --- any paths, any names -------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NAMES = [f"Part {i}" for i in range(7)]
KINDS = ["service", "queue", "database", "cache", "gateway"]


@st.composite
def graphs(draw):
    """A spec of 2 to 7 components whose read and write paths are any two orderings of some of them."""
    n = draw(st.integers(2, 7))
    names = NAMES[:n]
    read = draw(st.permutations(names).map(lambda p: p[:draw(st.integers(1, n))]))
    write = draw(st.permutations(names).map(lambda p: p[:draw(st.integers(1, n))]))
    parts = [comp(name, draw(st.sampled_from(KINDS)), 1000, memory="1 GB", storage="1 TB") for name in names]
    return parts, list(read), list(write)


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_any_paths_are_drawn_exactly(graph):
    parts, read, write = graph
    on_paths = set(read) | set(write)
    spec = make_spec([p for p in parts if p["name"] in on_paths], read, write)
    assert drawn_edges(architecture_diagram(spec)) == titled(spec, path_edges(spec))


@given(st.text(min_size=1, max_size=40))
def test_any_name_is_a_safe_mermaid_label(name):
    said = mermaid_text(name)
    assert re.fullmatch(r"(?:[A-Za-z0-9 .,:/()+_-]|#\d+;)*", said)
    back = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), said)
    assert back == " ".join(name.split())


@pytest.mark.parametrize("name", example_names())
def test_horizontal_scaling_boxes_fit_their_labels_at_every_scale(name):
    """At 1000x 'Server 23241' wrapped to 'Server' over '23241': each box holds its label on one line,
    whatever the count and however it is said (the boxes grow, and the sketch with them)."""
    from designkit.model import analyze, estimate
    from designkit.views.diagrams.boxes import horizontal_scaling_diagram
    for scale in ("0.1x", "1x", "10x", "100x", "1000x"):
        spec = load_spec(name, {"scale": scale})
        cap = estimate(spec.scale)
        analysis = analyze(spec, cap)
        drawing = horizontal_scaling_diagram(cap, analysis).splitlines()
        shards = max((load.shards_needed or 1 for load in analysis.loads), default=1)
        labels = [label.strip() for line in drawing for label in re.findall(r"│([^│]*)│", line) if label.strip()]
        want = [f"Server {n:,}" for n in dict.fromkeys((1, 2, cap.servers_needed)) if n <= cap.servers_needed]
        want += [f"Shard {n:,}" for n in dict.fromkeys((1, shards))]
        assert labels == want, (name, scale)                         # each label whole, on one line
        tops = [line for line in drawing if "┌─" in line and "┐" in line]
        assert len({len(box) for line in tops for box in re.findall(r"┌─+┐", line)}) == 1   # boxes alike
