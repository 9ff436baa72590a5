"""A table as data: ``Rows`` (a header and rows of ``Cell``) and phrase lines (``Line``).

A cell is text plus an optional status a view may show as a badge or colour, never HTML or Markdown.
Every computed table of the article and the live views is a ``Rows``; each view renders it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("ok", "warn", "over", "due", "bad", "key", "group", "item")
"""What a cell's status may say: ok/warn/over (a utilization against the target and 100%), due (a
step already past), bad (a target missed), key (emphasis), group/item (a heading and its rows)."""


@dataclass(frozen=True)
class Cell:
    """One cell or span: its words, and what a view may show beside them (see ``STATUSES``)."""

    text: str
    status: str | None = None

    def __post_init__(self):
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown cell status {self.status!r}")


Line = tuple[Cell, ...]


@dataclass(frozen=True)
class Rows:
    """A table as data: a header and rows of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def texts(self) -> list[list[str]]:
        """Every row's words, cell by cell."""
        return [[c.text for c in row] for row in self.rows]

    def column(self, name: str) -> int:
        """The index of the column headed ``name``."""
        return self.header.index(name)


def rows(header, body) -> Rows:
    """A ``Rows`` from a header and rows whose cells are ``Cell`` or plain text."""
    return Rows(tuple(header), tuple(tuple(c if isinstance(c, Cell) else Cell(str(c)) for c in row)
                                     for row in body))


def line_text(line: Line) -> str:
    """A phrase line's words."""
    return "".join(span.text for span in line)


def utilization_status(utilization: float, target: float) -> str:
    """'ok' below the target, 'warn' below 100%, 'over' at or past it."""
    return "ok" if utilization < target else ("warn" if utilization < 1 else "over")



