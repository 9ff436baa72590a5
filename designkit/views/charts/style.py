"""The charts' house style and output: rcParams held per block, colours, byte-stable SVG and PNG.

Charts are ``matplotlib.figure.Figure`` objects (no pyplot, so nothing global and nothing displayed behind
your back; importing a chart module leaves the process's backend alone).  ``svg(fig)`` gives the same
bytes for the same numbers, so articles are reproducible.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ...model import quantities as q

STYLE = {
    "svg.hashsalt": "designkit",     # stable ids inside SVG files
    "svg.fonttype": "none",          # text stays text: small, crisp, deterministic
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.titley": 1.0,              # titles sit on the axes (none has ticks above): no search per draw
    "text.parse_math": False,        # spec text is drawn as written: '$5 / $10 tier' is not math
}
COLORS = {"read": "#4C72B0", "write": "#DD8452", "raw": "#55A868", "replicated": "#8172B3",
          "ok": "#55A868", "warn": "#E1A33A", "bad": "#C44E52", "mark": "#333333"}


@contextlib.contextmanager
def house_style(extra: dict | None = None):
    """The house style's rcParams (and ``extra``) for the block, the process's own back afterwards.

    rcParams are global, so one thread at a time holds the style (a re-entrant lock: matplotlib
    cannot draw in two threads at once anyway, the GIL sees to that); a thread's other charts and
    builds wait rather than draw in the wrong font.  Only STYLE's keys are saved and restored
    (``rc_context`` copies all ~300: a millisecond a call, too slow for live charts), and a nested
    block costs nothing.
    """
    global _depth
    style = {**STYLE, **(extra or {})}
    with _style_lock:
        keys = style if _depth == 0 else (extra or {})
        saved = {key: matplotlib.rcParams[key] for key in keys}
        matplotlib.rcParams.update({key: style[key] for key in keys})
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            matplotlib.rcParams.update(saved)


_depth = 0
_style_lock = threading.RLock()


def styled(method):
    """Run a chart method under the house style, whatever the kernel's global rcParams are."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with house_style():
            return method(*args, **kwargs)
    return wrapper


def svg(fig: Figure) -> str:
    """The figure as SVG text, byte-identical for identical figures.

    Saved through the figure's own canvas (a ``FigureCanvasBase``, which hands ``savefig`` to the SVG
    backend's canvas): the layout is solved with the SVG renderer's text metrics.  An Agg canvas would
    move lines by a thousandth of a point, and articles would no longer match earlier builds."""
    with house_style():
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": "designkit", "Format": None, "Type": None})
    return buffer.getvalue()


def png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes, with no timestamp in the metadata."""
    buffer = io.BytesIO()
    with house_style():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def qps_axis(ax) -> None:
    """Label an axis in spoken QPS: '12K', '1.2M'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_qps(v, approx=False)))


def bytes_axis(ax) -> None:
    """Label an axis in spoken sizes: '500 GB', '1 PB'."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_bytes(v, approx=False) if v else "0"))



