"""The moving handout's figures at every grid point: the article's charts, drawn small and fast.

One set of charts is built at the spec's own scale and updated in place for each point (the
classes' ``update``); the layout is solved once and then frozen, so a point costs one draw and
no layout, unless a label of that point would leave the figure (wider tick labels at x10): then
that point is laid out again, from the spec's own layout, so a point's SVG does not depend on
which points came before it (forked workers draw shares of the grid).  A chart whose inputs did
not change reuses its last SVG.  The SVG is slimmed for
embedding: no XML prologue or metadata, coordinates to 0.1 pt, no group ids nothing refers to.
"""

from __future__ import annotations

import io
import re

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation

from ..charts import registry
from ...model.numbers import Numbers
from ..charts.style import house_style

_NO_AUTOLAYOUT = {"figure.autolayout": False, "figure.constrained_layout.use": False}
"""So set_layout_engine(None) means no engine, whatever a user's matplotlibrc says."""

_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_GROUP_ID = re.compile(r'<g id="[^"]*"')
_GEOMETRY = re.compile(r'( (?:d|x|y|width|height|transform)=")([^"]*)"')
_DECIMAL = re.compile(r"(-?\d+\.\d)\d+")


def slim(svg_text: str) -> str:
    """SVG text for an <img> data: URI: same picture, fewer bytes, one short line per element."""
    text = _METADATA.sub("", _PROLOGUE.sub("", svg_text))
    text = _GROUP_ID.sub("<g", text)
    text = _GEOMETRY.sub(lambda m: m.group(1) + _DECIMAL.sub(r"\1", m.group(2)) + '"', text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _draw(fig) -> str:
    """One draw of the figure as SVG, no tight bounding box (the layout is already solved)."""
    with house_style():
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "designkit", "Format": None,
                                                    "Type": None})
    return slim(buffer.getvalue())


def _lay_out(fig) -> None:
    """Solve the figure's constrained layout for what it shows now, and keep it (no engine after)."""
    with house_style(_NO_AUTOLAYOUT):
        fig.set_layout_engine("constrained")
        fig.get_layout_engine().execute(fig)   # solve the constrained layout (no draw) ...
        fig.set_layout_engine(None)            # ... and keep it ("none" would still draw twice per save)


class _MeasuringCanvas(FigureCanvasAgg):
    """An Agg canvas that only measures: one renderer for a figure's layouts and spill checks (the
    metrics a fresh renderer would give, but matplotlib's text-extent cache holds across points), and
    ``draw_idle`` a no-op, as on the plain canvas the charts were made on (their ``update`` asks for one)."""

    def draw_idle(self, *args, **kwargs):
        pass


def _spills(fig, margin: float = 1.0) -> bool:
    """Whether some text or legend reaches within ``margin`` points of the figure's edge, or past it
    (their extents measured with the figure's Agg renderer, nothing drawn)."""
    with house_style():
        box = fig.get_tightbbox(fig.canvas.get_renderer())   # inches
    edge = margin / 72
    return box.x0 < edge or box.y0 < edge or box.x1 > fig.get_figwidth() - edge or box.y1 > fig.get_figheight() - edge


class GridFigures:
    """The article's charts (``charts.registry``), built once from the spec's own numbers and redrawn
    for each grid point."""

    def __init__(self, spec, analysis):
        numbers = Numbers(spec, analysis=analysis)
        self.entries = [c for c in registry.CHARTS if c.article]
        self.charts = {c.name: c.make(numbers) for c in self.entries if c.moves}
        self.last: dict[str, tuple] = {}
        for chart in self.charts.values():
            _MeasuringCanvas(chart.fig)
            for ax in chart.fig.axes:
                ax.minorticks_off()                  # fewer artists per draw; the major ticks carry the labels
                for axis in (ax.xaxis, ax.yaxis):    # '0.001' not mathtext '10^-3': half an availability draw
                    if isinstance(axis.get_major_formatter(), LogFormatterSciNotation):
                        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            _lay_out(chart.fig)
        self.base = {name: [ax.get_position() for ax in chart.fig.axes] for name, chart in self.charts.items()}

    def draw(self, analysis, spec=None) -> dict[str, str]:
        """Slim SVG of each chart for this analysis (same components as the first one); a chart whose
        numbers did not change (its ``changes_with``) reuses its last SVG.  With the grid point's
        ``spec``, also the charts drawn whole when they apply (the tornado, for a spec with ranges:
        not a chart that moves, and only specs with ranges pay for it)."""
        numbers = Numbers(spec, analysis=analysis)
        out = {}
        for entry in self.entries:
            if not entry.moves:
                if spec is not None and entry.applies(numbers):
                    out[entry.name] = _draw(entry.make(numbers).fig)   # laid out as it draws
                continue
            key = entry.changes_with(numbers)
            last = self.last.get(entry.name)
            if last is not None and last[0] == key:
                out[entry.name] = last[1]
                continue
            fig = self.charts[entry.name].fig
            for ax, position in zip(fig.axes, self.base[entry.name]):
                ax.set_position(position)
                ax.set_in_layout(True)           # set_position takes an axes out of the layout; the re-layout needs it
            entry.update(self.charts[entry.name], numbers)
            if _spills(fig):                   # a label wider than the layout made room for
                _lay_out(fig)
            out[entry.name] = _draw(fig)
            self.last[entry.name] = (key, out[entry.name])
        return out
