"""The live views that are HTML: tables as one grid of cells, and lines of text, changed in place."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..views.markdown import escape_html
from .state import State


class CellTable:
    """A table as one HTML widget (a CSS grid of cells): a slider move that changes any of its cells
    sends one message, not one per cell (a section's tables change some 60 cells a move, and each
    message costs the kernel, the server and the browser a little)."""

    def __init__(self, header: list[str], css: str, numeric: tuple[int, ...] = ()):
        self.header, self.numeric = [escape_html(h) for h in header], numeric
        self.rows: list[list[str]] = []
        self.widget = w.HTML()
        self.widget.add_class("dk-table")
        self.widget.add_class(css)

    def _cell(self, j: int, markup: str, head: bool = False) -> str:
        kind = "dk-cell dk-head" if head else "dk-cell"
        # a figure keeps to one line; a figure with words after it ("$128K (~140 TB on gp3 ...)") wraps
        number = j in self.numeric and (head or " (" not in markup)
        return f'<div class="{kind}{" dk-num" if number else ""}">{markup}</div>'

    def set(self, rows: list[list[str]]) -> None:
        self.rows = [list(row) for row in rows]
        cells = [self._cell(j, f"<b>{h}</b>", head=True) for j, h in enumerate(self.header)]
        cells += [self._cell(j, cell) for row in self.rows for j, cell in enumerate(row)]
        self.widget.value = (f'<div class="dk-grid" style="grid-template-columns: repeat({len(self.header)}, auto)">'
                             + "".join(cells) + "</div>")

    def text(self) -> list[list[str]]:
        """The cells' HTML, row by row (for tests)."""
        return [list(row) for row in self.rows]


class TableView:
    """A CellTable filled by ``rows(state)``."""

    def __init__(self, header, rows: Callable[[State], list[list[str]]], css: str, state: State, *,
                 numeric: tuple[int, ...] = (), title: str | None = None):
        self.rows = rows
        self.table = CellTable(header, css, numeric)
        self.table.set(rows(state))
        parts = ([title_html(title)] if title else []) + [self.table.widget]
        self.widget = w.VBox(parts)

    def update(self, state: State) -> None:
        self.table.set(self.rows(state))


class TextView:
    """Lines of HTML in one widget, changed in place: headlines and phrases with live numbers."""

    def __init__(self, lines: Callable[[State], list[str]], css: str, state: State, *, title: str | None = None):
        self.lines = lines
        self.values: list[str] = []
        self.box = w.HTML()
        self.box.add_class("dk-lines")
        self.box.add_class(css)
        self.widget = w.VBox(([title_html(title)] if title else []) + [self.box])
        self.update(state)

    def update(self, state: State) -> None:
        self.values = list(self.lines(state))
        self.box.value = "".join(f'<div class="dk-line">{line}</div>' for line in self.values)

    def text(self) -> list[str]:
        return list(self.values)


def title_html(text: str) -> w.HTML:
    title = w.HTML(escape_html(text))
    title.add_class("dk-title")
    return title
