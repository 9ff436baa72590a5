"""The architecture as a Mermaid flowchart: the same graph as the box diagram, for GitHub and JupyterLab.

Nodes get generated ids (``c1``, ``c2`` ...); component names and technologies are spec text, so
every character outside a small safe set is written as a Mermaid entity code (``#60;``), which
no label, link or HTML can break out of.
"""

from __future__ import annotations

import re

from .graph import CLIENTS, path_edges

_SAFE = re.compile(r"[A-Za-z0-9 .,:/()+_-]")


def mermaid_text(value: str) -> str:
    """Spec text as a quoted Mermaid label's content: unsafe characters as entity codes."""
    return "".join(ch if _SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in " ".join(value.split()))


def mermaid_flowchart(spec) -> str:
    """A top-down flowchart: the clients, every component, and an arrow for each path connection."""
    ids = {CLIENTS: "clients", **{c.name: f"c{i}" for i, c in enumerate(spec.components, 1)}}
    lines = ["flowchart TD", '    clients(["Clients"])']
    for c in spec.components:
        label = mermaid_text(c.name) + (f"<br/>{mermaid_text(c.technology)}" if c.technology else "")
        lines.append(f'    {ids[c.name]}["{label}"]')
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in path_edges(spec)]
    return "\n".join(lines)
