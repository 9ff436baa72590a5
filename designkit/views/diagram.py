"""The article's box-drawing architecture diagram and data flows, drawn from the components and paths."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.capacity import Capacity
from .markdown import text

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
