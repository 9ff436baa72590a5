"""The views of a batch run: one sweep chart per swept field, and DIR/index.html linking every handout.

Both are computed from the batch's rows (numbers from ``estimate``/``analyze``, no notebook), and
both are deterministic: the same rows give the same SVG and the same page.  Spec text is data:
it is escaped in the page and in chart labels (no mathtext), and charts go in as data: URIs.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..charts.style import COLORS, bytes_axis, qps_axis
from ..markdown import escape_html
from ...model import quantities as q
from .handout import html_page

PANELS = (  # (title, metric attribute, y-axis labeller)
    ("Peak QPS", "peak_qps", qps_axis),
    ("Storage over retention (one copy)", "storage_bytes", bytes_axis),
    ("App servers at peak", "servers", None),
)


def _plain(text: str) -> str:
    """Spec text for a matplotlib label: '$' would start mathtext, so it is escaped."""
    return str(text).replace("$", r"\$")


def sweep_figure(field: str, values: list[str], series: list[tuple[str, list[tuple[int, object]]]]) -> Figure:
    """Peak QPS, storage and servers against the swept values; each point says what breaks first at 10x.

    series: (label, [(index into values, Metrics)]) per line; one line per spec and other-sweep point.
    """
    fig = Figure(figsize=(10.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 3)
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    positions = list(range(len(values)))
    for ax, (title, attribute, labeller) in zip(axes, PANELS):
        every = [getattr(m, attribute) for _, points in series for _, m in points]
        if every and min(every) > 0 and max(every) / min(every) >= 10:
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
        if labeller is not None:
            labeller(ax)
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: q.say_count(v, approx=False)))
        for number, (label, points) in enumerate(series):
            xs = [index for index, _ in points]
            ys = [getattr(m, attribute) for _, m in points]
            ax.plot(xs, ys, marker="o", color=cycle[number % len(cycle)], label=_plain(label) or None)
            if attribute == "servers":
                for x, y, (_, m) in zip(xs, ys, points):
                    ax.annotate(_plain(m.first_to_break or "nothing"), (x, y), textcoords="offset points",
                                xytext=(0, 6), ha="center", fontsize=7, rotation=15, color=COLORS["mark"])
        ax.set_xticks(positions, [_plain(v) for v in values])
        ax.set_xlim(-0.5, len(values) - 0.5)
        ax.set_xlabel(_plain(field))
        ax.set_title(title)
        ax.margins(y=0.25)
    if len(series) > 1:
        axes[0].legend(loc="upper left", frameon=False, fontsize=7)
    fig.suptitle(_plain(f"Sweep of {field}  (labels: first component to break at 10x today's traffic)"),
                 fontsize=9)
    return fig


def data_uri(svg_text: str) -> str:
    """An SVG as a data: URI, which the page's Content-Security-Policy allows and no script can run from."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode("utf-8")).decode("ascii")


def _e(text: object) -> str:
    """Spec text for the page, in an element or a quoted attribute."""
    return escape_html(text, attribute=True)


def _row(row) -> str:
    m, item = row.metrics, row.item
    href = quote(item.folder)
    if row.failure is None:
        spec = f'<a href="{_e(href)}/handout.html">{_e(m.name)}</a>'
        status = f'ok &middot; <a href="{_e(href)}/article.md">article.md</a>'
    else:
        spec = _e(m.name)
        status = f'<span class="failed">failed</span><div class="error">{_e(row.failure.message)}</div>'
    breaks = _e(m.first_to_break or "nothing")
    if row.failure is None:  # the moving handout, placed at 10x: where what breaks is explained
        breaks = f'<a href="{_e(href)}/handout.html#scale=10x">{breaks}</a>'
    cells = [spec, _e(item.label), _e(q.say_qps(m.peak_qps)), _e(q.say_bytes(m.storage_bytes)),
             _e(f"{m.servers:,}"), breaks, status]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def render_index(rows, figures: list[tuple[str, str]]) -> str:
    """The batch's index page: a table of every item (linking its handout) and the sweep charts (field, svg)."""
    failed = sum(1 for row in rows if row.failure is not None)
    title = f"designkit batch: {len(rows)} article{'s' if len(rows) != 1 else ''}"
    summary = f"{len(rows) - failed} ready" + (f", {failed} failed" if failed else "") + "."
    head = ("<tr><th>Spec</th><th>Sweep point</th><th>Peak QPS</th><th>Storage</th><th>Servers</th>"
            "<th>Breaks first at 10&times;</th><th>Status</th></tr>")
    body = "\n".join(_row(row) for row in rows)
    sweeps = "\n".join(
        f'<figure><img alt="{_e(f"Sweep of {field}: peak QPS, storage and servers")}" src="{data_uri(svg)}">'
        f"<figcaption>Sweep of <code>{_e(field)}</code></figcaption></figure>"
        for field, svg in figures)
    sweeps = f"<h2>Sweeps</h2>\n{sweeps}\n" if figures else ""
    content = (f"<h1>{_e(title)}</h1>\n<p>{_e(summary)} Each spec links to its handout; numbers are from "
               "<code>designkit estimate</code> and\n<code>designkit analyze</code> for the item's spec and "
               f"overrides.</p>\n<table>\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody>\n</table>\n{sweeps}")
    return html_page(_e(title), _CSS, content)


_CSS = """\
body { margin: 0; color: #1f2328; font: 15px/1.5 "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }
th, td { border: 1px solid #d1d9e0; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
tbody tr:nth-child(even) { background: #f6f8fa; }
a { color: #0969da; }
.failed { color: #c44e52; font-weight: bold; }
.error { font-size: 0.85em; color: #59636e; white-space: pre-wrap; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; }
figcaption { color: #59636e; font-size: 0.9em; }
@media print { main { max-width: none; padding: 0; } figure { break-inside: avoid; } }
"""

