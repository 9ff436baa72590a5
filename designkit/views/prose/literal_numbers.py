"""The lint for frozen figures: prose that states, as a literal, a number the spec computes.

"~46K events/s" written into a requirement is right at today's scale and wrong at every other;
``frozen_figures(spec)`` finds such literals and names the figure to write instead.  To stay
free of false alarms it only looks at figures that change with traffic (their value at 10x
differs from today's) and only at literals of the same kind (a size against sizes, a percentage
against shares, "1.4x" against multiples, counts against counts and rates), equal once rounded
to the literal's own precision (at least two significant figures; a bare round count like
"100K members" to three, since it is more often a constant than a rounded rate).  Years,
durations ("24 hours"), compounds ("100K-row batches"), versions, ratios, code spans and bare
numbers under 100 ("up to 15 minutes", "48 workers") are left alone.
"""

from __future__ import annotations

import math
import re

from ...model import quantities as q
from ...model.spec import TRAFFIC_FIELDS
from .templating import EXPRESSION, prose_fields, render_text
from .figure_names import Figure, flat, namespace, numbers

SCALE_FACTOR = 10.0
LITERAL = re.compile(r"""
    (?<![\w.\-/:$#])
    (?P<approx>~\s?|about\s|around\s|roughly\s|nearly\s)?
    (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s?(?P<size>KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|bytes?)\b
      |\s?(?P<mag>K|M|B|thousand|million|billion|trillion)\b
      |(?P<pct>\s?%)
      |(?P<times>\s?x\b|\s?×|\s+times\b)
    )?
    """, re.VERBOSE)
RATE_CONTEXT = re.compile(r"^\s?(?:[\w-]+\s){0,3}?(?:\w+/s\b|/s\b|a second|per second|a day|per day|QPS)")
DURATION_WORD = re.compile(r"\s?(?:s|ms|µs|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|"
                           r"months?|years?)\b")
MAGNITUDES = {"K": 1e3, "M": 1e6, "B": 1e9, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
GROUPS = {"size": ("bytes",), "pct": ("share",), "times": ("times",), "count": ("count", "qps", "number", "users")}
SCALE_MULTIPLES = {10.0, 100.0, 1000.0}   # "at 10x" names a what-if, not a computed figure
READER_SCALES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 0.3, 0.1)
"""The scales a reader reaches (the handout's control, the lab's sliders), nearest to the spec's first."""
FALSE_CLAIMS = (
    (re.compile(r"\bfill\w*\b[^.;|]*?(?<![\d.,])(\d[\d,]*(?:\.\d+)?)%|(?<![\d.,])(\d[\d,]*(?:\.\d+)?)% full\b"),
     lambda m: float((m.group(1) or m.group(2)).replace(",", "")) > 100, "fills more than 100%"),
    (re.compile(r"(?<![\d.,])(\d[\d,]*) of (\d[\d,]*)\b(?! ?[%.\d])"),
     lambda m: float(m.group(1).replace(",", "")) > float(m.group(2).replace(",", "")), "says N of M with N > M"),
    (re.compile(r"(<\s*)?(?<![\d.,])(\d[\d,]*(?:\.\d+)?)x\b[^.;|]*?\b(?:margin|headroom|to spare)\b"),
     lambda m: bool(m.group(1)) or float(m.group(2).replace(",", "")) < 1, "says a multiple under 1x is a margin"),
)


def _significant(number: str) -> int:
    digits = number.replace(",", "").replace(".", "").lstrip("0")
    if "." not in number:
        digits = digits.rstrip("0")
    return max(1, len(digits))


def _round(value: float, figures: int) -> float:
    if value == 0:
        return 0.0
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


def literals(text: str):
    """(written form, group, value, significant figures) for each number in ``text`` worth checking.

    A round count said as an estimate ('~30K', '30K checks a second') keeps its two figures; a
    bare round count ('100K members') must match to three, as it is more often a constant.
    """
    masked = EXPRESSION.sub(lambda m: " " * len(m.group(0)), text)
    masked = re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), masked)
    for match in LITERAL.finditer(masked):
        after = masked[match.end():]
        if re.match(r"-[A-Za-z]|[.:]\d|\w", after):
            continue      # '24-hour', '1.2.3', '100:1', '5xx'
        number = float(match.group("number").replace(",", ""))
        sig = _significant(match.group("number"))
        if match.group("size"):
            unit = match.group("size").lower()
            unit = "bytes" if unit.startswith("byte") else unit
            yield match.group(0).strip(), "size", number * q.SIZE_UNITS[unit], sig
        elif match.group("mag"):
            if sig == 1 and not (match.group("approx") or RATE_CONTEXT.match(after)):
                sig = 3
            yield match.group(0).strip(), "count", number * MAGNITUDES[match.group("mag")], sig
        elif match.group("pct"):
            yield match.group(0).strip(), "pct", number / 100, sig
        elif match.group("times"):
            if number not in SCALE_MULTIPLES:
                yield match.group(0).strip(), "times", number, sig
        else:
            bare = match.group("number")
            if number < 100 or DURATION_WORD.match(after) or (re.fullmatch(r"\d{4}", bare) and 1900 <= number <= 2100):
                continue
            if sig == 1 and not (match.group("approx") or RATE_CONTEXT.match(after)):
                sig = 3
            yield match.group(0).strip(), "count", number, sig


def scaled(spec, factor: float = SCALE_FACTOR):
    """The spec with all its traffic multiplied by ``factor`` (the same fields ``scale=10x`` moves)."""
    moved = {name: getattr(spec.scale, name) * factor for name in TRAFFIC_FIELDS
             if getattr(spec.scale, name) is not None}
    return spec.model_copy(update={"scale": spec.scale.model_copy(update=moved)})


def split_figures(spec) -> tuple[dict[str, Figure], dict[str, Figure]]:
    """(figures that change with traffic, figures that do not): only the first can be frozen."""
    today, later = flat(numbers(spec)), flat(numbers(scaled(spec)))
    moving, fixed = {}, {}
    for name, fig in today.items():
        other = later.get(name)
        if not isinstance(fig, Figure) or fig.kind == "text":
            continue
        value = float(fig)
        if not math.isfinite(value) or value == 0:
            continue
        then = float(other) if isinstance(other, Figure) else math.nan
        (fixed if math.isclose(value, then, rel_tol=1e-9) else moving)[name] = fig
    return moving, fixed


def claims_turning_false(spec) -> list[str]:
    """One warning per prose field whose figures make it false at a scale a reader reaches.

    Each field with a ``{{ ... }}`` is said at 1x, 3x, 10x ... 1000x and 0.3x, 0.1x today's
    traffic and read for claims no scale may make: a share over 100% said as a fill ("fills
    7,134% of its disks") or "N of M" with N > M.  The warning names the nearest scale at which
    the field turns false; a conditional expression keeps it true (docs/figures.md).
    """
    fields = [(path, text) for path, text in prose_fields(spec) if "{{" in text]
    if not fields:
        return []
    found: dict[str, str] = {}
    for factor in READER_SCALES:
        names = namespace(numbers(scaled(spec, factor)))
        for path, text in fields:
            if path in found:
                continue
            said = render_text(text, names)
            for pattern, false, what in FALSE_CLAIMS:
                match = next((m for m in pattern.finditer(said) if false(m)), None)
                if match:
                    found[path] = (f"{path} {what} at {q.say_times(factor)} today's traffic "
                                   f"('{match.group(0)}'): guard it with a conditional expression")
                    break
    return [found[path] for path, _ in fields if path in found]


def frozen_figures(spec) -> list[str]:
    """One warning per literal in the prose that equals a computed figure at the spec's own scale,
    then one per prose field that turns false at a scale a reader reaches (``claims_turning_false``).

    A literal that also equals a figure that does not move with traffic (a peak factor, a node
    count) is ambiguous and left alone; so are the references' titles, which quote their sources.
    """
    moving, fixed = split_figures(spec)
    warnings = []
    for path, text in prose_fields(spec):
        if path.startswith("references"):
            continue
        for written, group, value, sig in literals(text):
            sig = max(2, sig)
            names = _matches(moving, group, value, sig)
            if names and not _matches(fixed, group, value, sig):
                also = f" (or {', '.join(names[1:3])})" if len(names) > 1 else ""
                warnings.append(f"{path} says '{written}': that is {names[0]}; write {{{{ {names[0]} }}}}{also}")
    return warnings + claims_turning_false(spec)


def _matches(figures: dict[str, Figure], group: str, value: float, sig: int) -> list[str]:
    """The figures the literal states once rounded to its precision, in registry order."""
    return [name for name, fig in figures.items()
            if fig.kind in GROUPS[group] and _round(float(fig), sig) == _round(value, sig)]
