"""The article's box-drawing architecture diagram and data flows, drawn from the components and paths."""

from __future__ import annotations

from dataclasses import dataclass

from ...model.capacity import Capacity
from .graph import CLIENTS, layout
from ..markdown import text

BOX_WIDTH = 18  # inner width of one component box
ROW_MAX = 4     # boxes per row before a layer wraps


@dataclass(frozen=True)
class _Box:
    lines: tuple[str, ...]
    width: int


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


def _bus(upper: list[int], lower: list[int], total: int) -> list[str]:
    """Lines joining every box centre of one row to every one of the next (the scaling sketch)."""
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


UP_PORT = 4     # a cycle's upward connection leaves a box this far right of its centre

_CHARS = {
    frozenset("UD"): "│", frozenset("LR"): "─", frozenset("UDLR"): "┼", frozenset("DR"): "┌",
    frozenset("DL"): "┐", frozenset("UR"): "└", frozenset("UL"): "┘", frozenset("UDR"): "├",
    frozenset("UDL"): "┤", frozenset("LRD"): "┬", frozenset("LRU"): "┴", frozenset("U"): "│",
    frozenset("D"): "│", frozenset("L"): "─", frozenset("R"): "─",
}
_STEP = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
_BACK = {"U": "D", "D": "U", "L": "R", "R": "L"}


def _slot(title: str, subtitle: str, height: int) -> _Box:
    """A component's box, or (empty title) a one-column slot a connection passes through."""
    if title:
        return _box(title, subtitle, BOX_WIDTH)
    return _Box(("│",) * height, 1)


def _place(boxes: list[_Box], total: int, gap: int = 3) -> tuple[list[str], list[int]]:
    """Boxes side by side, centred in ``total`` columns, all as tall as the tallest; and their centres."""
    height = max(len(b.lines) for b in boxes)
    width = sum(b.width for b in boxes) + gap * (len(boxes) - 1)
    lines = [[" "] * total for _ in range(height)]
    centres, x = [], (total - width) // 2
    for b in boxes:
        if b.width == 1:
            padded = ["│"] * height
        else:
            padded = list(b.lines[:-1]) + ["│" + " " * (b.width - 2) + "│"] * (height - len(b.lines)) + [b.lines[-1]]
        for y, line in enumerate(padded):
            lines[y][x:x + b.width] = list(line)
        centres.append(x + b.width // 2)
        x += b.width + gap
    return ["".join(line).rstrip() for line in lines], centres


PORTS = (0, 4, -4, 8, -8, 2, -2, 6, -6)  # where lines meet a box, from its centre: one per line


def _nets(segments) -> list[tuple[tuple, tuple, bool]]:
    """Group one gap's segments into lines: a star (one upper node, many lower, or the reverse) or one edge."""
    by_upper: dict[tuple[str, bool], list] = {}
    for s in segments:
        by_upper.setdefault((s.upper, s.up), []).append(s)
    nets, single = [], []
    for (node, up), group in by_upper.items():
        if len(group) > 1:
            nets.append(((node,), tuple(s.lower for s in group), up))
        else:
            single.append(group[0])
    by_lower: dict[tuple[str, bool], list] = {}
    for s in single:
        by_lower.setdefault((s.lower, s.up), []).append(s)
    nets += [(tuple(s.upper for s in group), (node,), up) for (node, up), group in by_lower.items()]
    return nets


def _order(lines: list) -> list:
    """Bent lines top to bottom: one that drops at x runs above one that rises at x, or they would touch."""
    ordered, left = [], sorted(lines, key=lambda n: (min(n[0] | n[1]), n[2]))
    while left:
        free = [n for n in left if not any(m is not n and n[1] & m[0] for m in left)]
        pick = free[0] if free else left[0]
        ordered.append(pick)
        left.remove(pick)
    return ordered


def _gap(lines: list[tuple[set[int], set[int], bool]], total: int,
         passing: tuple[set[int], set[int]] = (set(), set())) -> list[str]:
    """The text between two rows of boxes: each line from its upper xs to its lower xs, arrowed at its end.

    ``passing``: xs of pass slots in the upper and the lower row, where a connection goes on (no arrow).
    """
    straight = [n for n in lines if len(n[0] | n[1]) == 1]
    bent = _order([n for n in lines if len(n[0] | n[1]) > 1])
    height = len(bent) + 2
    flags: dict[tuple[int, int], dict[int, set[str]]] = {}

    def link(y, x, direction, net):
        dy, dx = _STEP[direction]
        flags.setdefault((y, x), {}).setdefault(net, set()).add(direction)
        flags.setdefault((y + dy, x + dx), {}).setdefault(net, set()).add(_BACK[direction])

    arrows = {}
    for k, (tops, bottoms, up) in enumerate(bent + straight):
        track = k + 1 if k < len(bent) else height - 1
        for x in tops:
            for y in range(0, track):
                link(y, x, "D", k)
            if up and x not in passing[0]:
                arrows[(0, x)] = "▲"
        for x in bottoms:
            for y in range(track, height - 1):
                link(y, x, "D", k)
            if not up and x not in passing[1]:
                arrows[(height - 1, x)] = "▼"
        xs = tops | bottoms
        for x in range(min(xs), max(xs)):
            link(track, x, "R", k)
    grid = [[" "] * total for _ in range(height)]
    for (y, x), by_net in flags.items():
        if len(by_net) > 1:
            grid[y][x] = "│"   # two lines cross here without meeting (no two lines share a port)
        else:
            grid[y][x] = _CHARS[frozenset(next(iter(by_net.values())))]
    for (y, x), arrow in arrows.items():
        grid[y][x] = arrow
    return ["".join(line).rstrip() for line in grid]


def _ports(nets, above: dict[str, int], below: dict[str, int], is_pass) -> list[tuple[set[int], set[int], bool]]:
    """Each line's xs where it meets its boxes: no two lines share an x in one gap, so lines only cross.

    A pass slot has one x (its own); a box gives each line the first free port from its centre.
    """
    taken: set[int] = {x for uppers, lowers, _ in nets for n, x in
                       [(n, above[n]) for n in uppers] + [(n, below[n]) for n in lowers] if is_pass(n)}
    placed = []
    for uppers, lowers, up in nets:
        own: set[int] = set()

        def port(node, centre):
            if is_pass(node):
                own.add(centre)
                return centre
            x = next((centre + o for o in PORTS if centre + o in own or centre + o not in taken), centre)
            taken.add(x)
            own.add(x)
            return x
        placed.append(({port(n, above[n]) for n in uppers}, {port(n, below[n]) for n in lowers}, up))
    return placed


def architecture_diagram(spec) -> str:
    """The high-level architecture in box characters: clients on top, one line for each path connection.

    A line is a star (one box to several, or several to one) or a single connection; lines never
    share a port, so where two of them meet they cross (drawn '│' through the other).
    """
    plan = layout(spec)
    height = max((len(_box(c.name, c.technology, BOX_WIDTH).lines) for c in spec.components), default=3)
    rows = [[_slot(spec.component(n).name, spec.component(n).technology, height) if not plan.is_pass(n)
             else _slot("", "", height) for n in row] for row in plan.rows[1:]]
    widest = max([sum(b.width for b in r) + 3 * (len(r) - 1) for r in rows] + [63])
    out, centres = _place([_box("CLIENTS", "Web, Mobile, API consumers", widest - 4)], widest)
    above = {CLIENTS: centres[0]}
    for names, boxes in zip(plan.rows[1:], rows):
        lines, xs = _place(boxes, widest)
        below = dict(zip(names, xs))
        gap = [s for s in plan.segments if s.upper in above and s.lower in below]
        nets = _ports(_nets(gap), above, below, plan.is_pass)
        passing = ({x for n, x in above.items() if plan.is_pass(n)}, {x for n, x in below.items() if plan.is_pass(n)})
        out += _gap(nets, widest, passing) if nets else [""]
        out += lines
        above = below
    return "\n".join(out)


def flows(spec) -> str:
    """The read and write paths as arrows under the diagram."""
    parts = []
    for label, path in (("Read path", spec.read_path), ("Write path", spec.write_path)):
        if path:
            parts.append(f"**{label}**: Client → " + " → ".join(text(n) for n in path))
    return "  \n".join(parts)


# --- the front matter and the sections that are prose ---------------------------------


def horizontal_scaling_diagram(cap: Capacity, analysis) -> str:
    """The template's horizontal-scaling sketch with this system's server and shard counts."""
    shards = max((load.shards_needed or 1 for load in analysis.loads), default=1)
    # one box per distinct server and shard: 1 server is one box, never "Server 1, Server 2, Server 1"
    server_labels = [f"Server {n:,}" for n in dict.fromkeys((1, 2, cap.servers_needed)) if n <= cap.servers_needed]
    shard_labels = [f"Shard {n:,}" for n in dict.fromkeys((1, shards))]
    small = max(9, *map(len, server_labels + shard_labels))   # every label on one line, whatever its count
    servers = [_box(label, "", small) for label in server_labels]
    shard_boxes = [_box(label, "", small) for label in shard_labels]
    width = max(63, 3 * (small + 4) + 2 * 6)                   # three boxes and their gaps fit
    lb, top = _place([_Box(("Load Balancer",), 13)], width)
    mid, mid_c = _place(servers, width, gap=6)
    low, low_c = _place(shard_boxes, width, gap=6)
    lines = lb + _bus(top, mid_c, width) + mid + _bus(mid_c, low_c, width) + low
    return "\n".join(lines)


def layers(spec) -> list[list[str]]:
    """Components grouped into rows by their longest distance from the clients along the paths."""
    plan = layout(spec)
    rows = [[n for n in row if not plan.is_pass(n)] for row in plan.rows[1:]]
    return [row for row in rows if row]
