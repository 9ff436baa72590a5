"""Ranges as people say them: "~12K–48K QPS at peak, most likely ~23K", and the tornado's rows.

Plain text (spec names unescaped): the article renders the rows as Markdown, the JSON carries the
numbers.  One place says each kind of figure (``say``), so the table, the sentence and the chart
agree.
"""

from __future__ import annotations

import math

from ...model import quantities as q
from .table import Rows, rows
from ...model.ranges import WRITERS

INPUT_NAMES = {
    "users": "users", "daily_active_users": "daily active users", "daily_active_fraction": "daily active share",
    "requests_per_user_per_day": "requests per user a day", "reads_per_user_per_day": "extra reads per user a day",
    "read_write_ratio": "read:write ratio", "reads": "reads", "writes": "writes", "peak_factor": "peak factor",
    "record_size": "record size", "response_size": "response size", "retention": "retention",
    "cache_fraction": "cache share", "server_qps": "requests/s per server",
}
assert set(INPUT_NAMES) == set(WRITERS)   # every input that may be a range has a name


def say(value: float, unit: str) -> str:
    """One figure in its own unit: '~23K', '~1.4 TB', '$12K', '45 ms', '~80 million'."""
    if math.isnan(value):
        return "none"
    if math.isinf(value):
        return "never" if unit == "users" else "unbounded (overloaded)"
    if unit == "rate":
        return q.say_qps(value)
    if unit == "bytes":
        return q.say_bytes(value)
    if unit == "dollars":
        return q.say_dollars(float(f"{value:.2g}")) if value >= 100 else q.say_dollars(value)
    if unit == "seconds":
        return q.say_duration(value)
    if unit == "count":
        return f"{value:,.0f}"
    return q.say_count(value)


def say_input(field: str, value: float) -> str:
    """An input's value as the spec would write it."""
    if field == "read_write_ratio":
        return f"{q.say_count(value, approx=False) if value >= 1 else f'{value:.2g}'}:1"
    if field in ("daily_active_fraction", "cache_fraction"):
        return q.say_share(value)
    if field == "peak_factor":
        return q.say_times(value)
    if field in ("record_size", "response_size"):
        return q.say_bytes(value, approx=False)
    if field == "retention":
        return q.say_days(value)
    if field in ("reads", "writes", "server_qps"):
        return f"{q.say_qps(value)}/s"
    return q.say_count(value)


def say_range(low: str, high: str) -> str:
    """'~12K–48K', '~300–690 GB', '$240,000–$480,000', or '~900 GB – ~1.2 PB' across units."""
    if low == high:
        return low
    low_number, _, low_unit = low.partition(" ")
    high_number, _, high_unit = high.partition(" ")
    if low_unit == high_unit:
        return f"{low_number}–{high_number.lstrip('~')}" + (f" {low_unit}" if low_unit else "")
    return f"{low} – {high}"


def spread_line(s) -> str:
    """'QPS (peak): ~12K–48K (P10–P90), most likely ~23K', in the regime the samples are in."""
    return f"{s.label}: {spread_words(s)}"


def spread_words(s) -> str:
    """A spread without its figure's name: '~12K–48K (P10–P90), most likely ~23K' (a live chart
    names the figure beside it)."""
    likely = say(s.likely, s.unit)
    if s.unbounded >= 0.9:
        return f"unbounded in {q.say_share(s.unbounded)} of the cases sampled (a hop over capacity)"
    low, high = say(s.p10, s.unit), say(s.p90, s.unit)
    if s.unbounded > 0.1:
        return (f"{low} at P10, most likely {likely}; a hop is over capacity (no finite "
                f"value) in {q.say_share(s.unbounded)} of the cases sampled")
    if low == high:
        return f"{likely} across the ranges"
    return f"{say_range(low, high)} (P10–P90), most likely {likely}"


def inputs_line(ranges) -> str:
    """'users 50 million – 200 million (most likely 100 million), peak factor 2x–6x'."""
    parts = []
    for r in ranges:
        span = f"{say_input(r.field, r.low)} to {say_input(r.field, r.high)}"
        likely = f", most likely {say_input(r.field, r.likely)}" if r.pert else ""
        parts.append(f"{INPUT_NAMES[r.field]} {span}{likely}")
    return "; ".join(parts)


TORNADO_HEADER = ["Input", "Range", "Figure at the low end", "Figure at the high end", "Swing"]


def tornado_rows(tornado, ranges) -> Rows:
    """One row per input, widest swing first."""
    by_field = {r.field: r for r in ranges}
    body = []
    for swing in tornado.swings:
        r = by_field[swing.field]
        body.append([INPUT_NAMES[swing.field], f"{say_input(r.field, r.low)} to {say_input(r.field, r.high)}",
                     say(swing.at_low, tornado.unit), say(swing.at_high, tornado.unit),
                     say(swing.width, tornado.unit) if math.isfinite(swing.width) else "unbounded"])
    return rows(TORNADO_HEADER, body)


def tornado_line(tornado) -> str:
    """Which assumption matters most for one figure, said in a sentence."""
    moving = [s for s in tornado.swings if s.width > 0]
    if not moving:
        return f"{tornado.label} ({say(tornado.likely, tornado.unit)}) does not move with any of the ranges."
    top = moving[0]
    line = (f"{tornado.label} (most likely {say(tornado.likely, tornado.unit)}) moves most with the "
            f"{INPUT_NAMES[top.field]}: from {say(top.at_low, tornado.unit)} to {say(top.at_high, tornado.unit)}")
    if len(moving) > 1:
        line += f"; next, the {INPUT_NAMES[moving[1].field]}"
    still = [s for s in tornado.swings if s.width == 0]
    if still:
        line += f"; the {', '.join(INPUT_NAMES[s.field] for s in still)} do{'es' if len(still) == 1 else ''} not move it"
    return line + "."


def capacity_part(uncertainty) -> list[str]:
    """Section 1's ranges: what the spec gives as ranges and how far the capacity figures span."""
    from ...model import ranges as rg
    return [
        f"The spec gives ranges, not single values, for: {inputs_line(uncertainty.ranges)}. The block "
        f"above uses the likely values; sampled together ({rg.SAMPLES:,} points, independent inputs), "
        "the figures span:",
        [spread_line(s) for s in uncertainty.capacity],
    ]


def analysis_part(uncertainty) -> list:
    """Section 6's ranges: the analysis figures' spreads, then per figure which input moves it most."""
    from ...model import ranges as rg
    parts: list = [
        f"Across the spec's ranges ({inputs_line(uncertainty.ranges)}), sampled at {rg.ANALYSIS_SAMPLES} "
        "points of a Latin hypercube through the whole analysis:",
        [spread_line(s) for s in uncertainty.analysis],
        "Which assumption matters most: each input swung from its low end to its high end, the others at "
        "their likely values, widest swing first.",
    ]
    for tornado in uncertainty.tornadoes:
        parts.append((tornado.label, tornado_rows(tornado, uncertainty.ranges), tornado_line(tornado)))
    return parts
