"""The graph the read and write paths draw: its connections, and their layout in rows for the box diagram.

One source for both pictures of the architecture (``boxes`` and ``mermaid``): a connection is
drawn if and only if some path has it.  The layout puts each component on the row of its
longest distance from the clients; a connection that closes a cycle is drawn pointing up, and
one that skips rows passes through narrow "pass" slots in the rows between.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENTS = ""  # the clients' node (no component has an empty name)


def path_edges(spec) -> tuple[tuple[str, str], ...]:
    """Every connection a path has, the clients to each path's first component, in path order."""
    found: list[tuple[str, str]] = []
    for path in (spec.read_path, spec.write_path):
        chain = [CLIENTS, *path] if path else []
        for a, b in zip(chain, chain[1:]):
            if a != b and (a, b) not in found:
                found.append((a, b))
    return tuple(found)


@dataclass(frozen=True)
class Segment:
    """One drawn piece of a connection between two adjacent rows: upper and lower node, and the flow."""

    upper: str
    lower: str
    up: bool   # True: the flow goes from the lower node to the upper one (a cycle's closing edge)


@dataclass(frozen=True)
class Layout:
    """Rows of node names (components, CLIENTS, pass slots starting with NUL) and the segments between."""

    rows: tuple[tuple[str, ...], ...]
    segments: tuple[Segment, ...]

    @staticmethod
    def is_pass(node: str) -> bool:
        """True for a slot a connection passes through on its way to a lower row."""
        return node.startswith("\0")


def _back_edges(edges) -> set[tuple[str, str]]:
    """The edges that close a cycle, found depth first from the clients in path order."""
    out: dict[str, list[str]] = {}
    for a, b in edges:
        out.setdefault(a, []).append(b)
    back, state = set(), {}
    stack = [(CLIENTS, iter(out.get(CLIENTS, [])))]
    state[CLIENTS] = "open"
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            state[node] = "done"
            stack.pop()
        elif state.get(child) == "open":
            back.add((node, child))
        elif child not in state:
            state[child] = "open"
            stack.append((child, iter(out.get(child, []))))
    return back


def layout(spec) -> Layout:
    """The box diagram's rows and the segments between them, from the paths alone."""
    edges = path_edges(spec)
    back = _back_edges(edges)
    drawn = [(b, a, True) if (a, b) in back else (a, b, False) for a, b in edges]
    rank = {CLIENTS: 0}
    for _ in range(len(edges) + 1):   # longest path over the acyclic drawn edges
        for upper, lower, _up in drawn:
            if upper in rank and rank.get(lower, -1) < rank[upper] + 1:
                rank[lower] = rank[upper] + 1
    names = [c.name for c in spec.components]
    off = max(rank.values()) + 1
    for name in names:
        rank.setdefault(name, off)
    rows: dict[int, list[str]] = {}
    for name in [CLIENTS, *names]:
        rows.setdefault(rank[name], []).append(name)
    segments = []
    for i, (upper, lower, up) in enumerate(drawn):
        chain = [upper] + [f"\0{i}.{r}" for r in range(rank[upper] + 1, rank[lower])] + [lower]
        for r, node in enumerate(chain[1:-1], rank[upper] + 1):
            rows[r].append(node)
        segments += [Segment(a, b, up) for a, b in zip(chain, chain[1:])]
    ordered = [rows[0]]
    for r in range(1, max(rows) + 1):   # barycentre order: each node under the nodes that feed it
        above = {n: i / max(1, len(ordered[-1]) - 1) for i, n in enumerate(ordered[-1])}
        start = {n: i for i, n in enumerate(rows.get(r, []))}

        def key(node):
            feeds = [above[s.upper] for s in segments if s.lower == node and s.upper in above]
            return (sum(feeds) / len(feeds) if feeds else 2.0, start[node])
        ordered.append(sorted(rows.get(r, []), key=key))
    return Layout(tuple(tuple(row) for row in ordered if row), tuple(segments))
