"""Figures in prose: ``{{ qps_peak }}`` in any prose field of a spec, rendered at the spec's own scale.

``render_spec(spec)`` returns a new frozen Spec whose every prose field has its ``{{ ... }}``
expressions replaced by figures said the way the article says numbers ("~46K"), so the article
code renders it unchanged.  Expressions run in Jinja2's ``ImmutableSandboxedEnvironment`` (spec
text is untrusted); only ``{{ ... }}`` is special: text without ``{{`` is left exactly as it is
(no ``{% %}`` blocks, no ``{# #}`` comments).  An unknown name, a syntax error or anything the
sandbox refuses is a ``SpecError`` naming the file, the field path and the expression.

Filters give other forms: ``exact``, ``per_hour``, ``per_day``, ``per_month``, ``percent``, ``bytes``
(optionally in a unit: ``bytes("TB")``) and ``multiple``.  The vocabulary is in ``figure_names``.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import math
import re
from collections.abc import Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel

from ...errors import SpecError
from ...model import quantities as q
from .figure_names import (
    COMPONENT_FIGURES,
    FIGURES,
    Entry,
    Figure,
    FigureError,
    Numbers,
    flat,
    namespace,
    numbers,
)

EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MAX_OUTPUT = 200          # characters one expression may produce
MAX_EXPRESSIONS = 1000    # figures in one prose field
MAX_EXPONENT = 64         # '**' beyond this is refused
NOT_PROSE = {("Spec", "name"), ("Spec", "scale"), ("Spec", "read_path"), ("Spec", "write_path"),
             ("CoreComponent", "pseudocode"), ("DataModel", "schema_sql"), ("Reference", "url")}
"""Fields that are names, numbers or code, never rendered: (model class, field)."""
COMPONENT_PROSE = ("responsibility", "technology")


# --- filters -----------------------------------------------------------------------------------

def _figure(value, filter_name: str, kinds: tuple[str, ...], never: bool = False) -> Figure:
    """value as a Figure of one of kinds; negative, NaN and (unless the filter says "never") infinite
    values are refused."""
    if not isinstance(value, Figure):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = Figure(float(value), kinds[0])
        else:
            raise FigureError(f"the {filter_name} filter takes a figure, got {type(value).__name__}")
    if value.kind not in kinds:
        raise FigureError(f"the {filter_name} filter takes a {' or '.join(kinds)} figure; "
                          f"{value.name or 'this'} is a {value.kind} figure")
    number = float(value)
    if math.isnan(number) or number < 0 or (math.isinf(number) and not never) or MAX_MAGNITUDE < number < math.inf:
        raise FigureError(f"the {filter_name} filter takes a finite figure of zero or more, got {number:.3g}")
    return value


def exact(value) -> str:
    """The number in full: 46,481 rather than ~46K; a share as an exact percentage."""
    fig = _figure(value, "exact", ("count", "qps", "number", "users", "bytes", "bandwidth", "share", "percent",
                                   "availability", "times", "days", "minutes", "seconds"), never=True)
    number = float(fig)
    if math.isinf(number):
        return "never"
    if fig.kind in ("share", "percent", "availability"):
        return q.say_percent(number)
    unit = {"bytes": " bytes", "bandwidth": " bytes/s", "times": "x", "days": " days", "minutes": " min",
            "seconds": " s"}.get(fig.kind, "")
    return f"{q.say_exact(number)}{unit}"


def per_hour(value) -> str:
    """A rate per second said per hour: ~46K/s -> '~170 million'."""
    return _per(value, "per_hour", 3600.0)


def per_day(value) -> str:
    """A rate per second said per day: ~12K/s -> '~1 billion'."""
    return _per(value, "per_day", q.DAY_SECONDS)


def per_month(value) -> str:
    """A rate per second said per (average) month: ~380/s -> '~1 billion'."""
    return _per(value, "per_month", q.MONTH_DAYS * q.DAY_SECONDS)


def _per(value, name: str, seconds: float) -> str:
    fig = _figure(value, name, ("qps", "bandwidth"))
    amount = float(fig) * seconds
    return q.say_bytes(amount) if fig.kind == "bandwidth" else q.say_count(amount)


def percent(value) -> str:
    """A share or a multiple as a percentage: 0.71 -> '71%', 1.4x -> '140%'."""
    fig = _figure(value, "percent", ("share", "percent", "times", "availability"))
    if fig.kind == "availability":
        return q.say_availability(float(fig))
    return q.say_share(float(fig))


def in_bytes(value, unit: str | None = None) -> str:
    """A size with its unit, in the writer's unit if given: bytes('TB') -> '~910 TB'."""
    fig = _figure(value, "bytes", ("bytes", "bandwidth"))
    if unit is None:
        return q.say_bytes(float(fig)) + ("/s" if fig.kind == "bandwidth" else "")
    if not isinstance(unit, str):
        raise FigureError(f"the bytes filter takes a unit like 'TB', got {unit!r}")
    try:
        said = q.say_bytes_in(float(fig), unit)
    except ValueError as exc:
        raise FigureError(str(exc)) from None
    return said + ("/s" if fig.kind == "bandwidth" else "")


def multiple(value) -> str:
    """A share or ratio as a multiple: 0.71 -> '0.71x', 4.0 -> '4x'."""
    fig = _figure(value, "multiple", ("times", "share", "percent"), never=True)
    return q.say_times(float(fig)) if not math.isinf(float(fig)) else "never"


FILTERS = {"exact": exact, "per_hour": per_hour, "per_day": per_day, "per_month": per_month, "percent": percent,
           "bytes": in_bytes, "multiple": multiple}


# --- the sandbox -------------------------------------------------------------------------------

SAFE_FILTERS = ("abs", "capitalize", "count", "d", "default", "first", "float", "int", "last", "length", "lower",
                "max", "min", "reverse", "round", "sort", "string", "sum", "title", "trim", "unique", "upper",
                "wordcount")
"""Jinja's own filters an expression may use: each does work and makes output in proportion to its
input.  Not ``format``, ``center``, ``indent``, ``replace``, ``join``, ``slice``, ``batch``, ``wordwrap``
(output without bound), ``list`` or ``map``, ``attr``, ``urlize``, and nothing random."""
MAX_SOURCE = 500          # characters of one expression
MAX_MAGNITUDE = 1e300     # any number an expression computes
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u206f\ufeff\ufff9-\ufffb]")
"""Characters no figure may say: controls, bidirectional marks and overrides, zero-width marks."""
_NOT_FINITE = re.compile(r"∞|\b(?:inf|nan)\b", re.IGNORECASE)
_EXPONENT = re.compile(r"\d[eE][+-]\d")   # how Python writes 1e-05 and 1e+300: never how a figure is said


def _number(value) -> float | None:
    """The value of a number or a figure (None for anything else, text figures included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if not isinstance(value, int) or abs(value) < 10 ** 308 else math.inf
    if isinstance(value, Figure) and value.kind != "text":
        return float(value.value)
    return None


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with bounded work: no calls, no attributes of text, lists or numbers,
    no repetition or %-formatting of text, and no number beyond MAX_MAGNITUDE."""

    intercepted_binops = frozenset({"*", "**", "+", "-", "/", "//", "%"})

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, (str, bytes, int, float, list, tuple, dict, set, frozenset)):
            return False      # 'x'.center(10**12), 'a'.replace(...), '{:>999999999}'.format(1)
        return super().is_safe_attribute(obj, attr, value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        raise SecurityError("calling a function or method is not allowed in a figure; use a filter")

    def call_binop(self, context, operator, left, right):
        if operator == "*" and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
            raise SecurityError("repeating text or lists is not allowed in a figure")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("formatting text with % is not allowed in a figure")
        a, b = _number(left), _number(right)
        if operator == "**":
            if b is None or abs(b) > MAX_EXPONENT:
                raise SecurityError(f"powers above {MAX_EXPONENT} are not allowed in a figure")
            if a is not None and abs(a) > 1 and b * math.log10(abs(a)) > math.log10(MAX_MAGNITUDE):
                raise SecurityError(f"the power comes to more than {MAX_MAGNITUDE:.0e}")
        result = super().call_binop(context, operator, left, right)
        value = _number(result)
        if value is not None and a is not None and b is not None and math.isfinite(a) and math.isfinite(b) \
                and (not math.isfinite(value) or abs(value) > MAX_MAGNITUDE):
            raise SecurityError(f"a number in the expression comes to more than {MAX_MAGNITUDE:.0e}")
        return result


@functools.cache
def environment() -> _Sandbox:
    """The one sandbox every expression runs in (strict: an undefined value is an error), with only
    the harmless Jinja filters (SAFE_FILTERS) beside designkit's own."""
    env = _Sandbox(undefined=StrictUndefined, autoescape=False)
    env.globals.clear()   # no range, lipsum, cycler...: the vocabulary is the figures alone
    kept = {name: env.filters[name] for name in SAFE_FILTERS}
    env.filters.clear()
    env.filters.update(kept | FILTERS)
    return env


@functools.lru_cache(maxsize=4096)
def _compile(source: str):
    """(names the expression uses, the compiled expression); raises TemplateSyntaxError."""
    env = environment()
    tree = env.parse("{{ " + source + " }}")
    outputs = [node for node in tree.body if isinstance(node, nodes.Output)]
    if len(tree.body) != 1 or len(outputs) != 1 or len(outputs[0].nodes) != 1:
        raise TemplateSyntaxError("expected one expression", 1)
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, float) and not math.isfinite(const.value):
            raise FigureError("a number in it is too large to be finite")
        if isinstance(const.value, (int, float)) and not isinstance(const.value, bool) \
                and abs(const.value) > MAX_MAGNITUDE:
            raise FigureError(f"a number in it is beyond {MAX_MAGNITUDE:.0e}")
    used = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
    used |= meta.find_undeclared_variables(tree)
    return frozenset(used), env.compile_expression(source, undefined_to_none=False)


def evaluate(source: str, names: dict[str, Any]) -> str:
    """Say one expression (the text between ``{{`` and ``}}``); raises FigureError for bad input."""
    if not source.strip():
        raise FigureError("empty expression")
    if len(source) > MAX_SOURCE:
        raise FigureError(f"{len(source):,} characters; an expression is at most {MAX_SOURCE}")
    try:
        used, compiled = _compile(source)
    except TemplateSyntaxError as exc:
        raise FigureError(f"syntax error: {exc.message}") from None
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise FigureError(f"cannot be read: {type(exc).__name__}") from None
    for name in sorted(used):
        if name not in names:
            close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise FigureError(f"unknown name {name!r}{hint} (`designkit figures SPEC` lists them)")
        if isinstance(names[name], Entry):
            entry = names[name]
            raise FigureError(f"{name} has no value for this spec ({entry.about})")
    try:
        result = compiled(**names)
        said = str(result)
    except SecurityError as exc:
        raise FigureError(f"not allowed: {exc}") from None
    except UndefinedError as exc:
        raise FigureError(f"undefined: {exc}") from None
    except FigureError:
        raise
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError, NameError,
            RecursionError, MemoryError, TemplateError) as exc:
        raise FigureError(f"cannot evaluate: {type(exc).__name__}: {str(exc)[:100]}") from None
    _refuse_odd_number(result)
    if isinstance(result, float) and ("e" in said or "E" in said):
        said = q.say_exact(result)    # a plain number says itself in plain digits, never '1e-05'
    elif isinstance(result, int) and not isinstance(result, bool) and abs(result) >= 1000:
        said = f"{result:,}"          # a whole number carries separators, as every count does: '40,000'
    if len(said) > MAX_OUTPUT:
        raise FigureError(f"the figure says {len(said):,} characters; at most {MAX_OUTPUT} are allowed")
    if _NOT_FINITE.search(said):
        raise FigureError("the figure comes to infinity or to no number at all")
    if _EXPONENT.search(said):
        raise FigureError(f"the figure says {said!r}, a number in exponent notation; say it with a filter "
                          "such as |exact or |bytes")
    hidden = _HIDDEN.search(said)
    if hidden:
        raise FigureError(f"the figure says U+{ord(hidden.group()):04X}, a control, bidirectional or zero-width "
                          "character, which could hide or reorder the text around it")
    return said


def _refuse_odd_number(result) -> None:
    """No figure says a negative number, NaN or an infinity (a figure whose kind says "never" may)."""
    value = _number(result)
    if value is None:
        return
    if math.isnan(value):
        raise FigureError("the figure is not a number (NaN)")
    if value < 0:
        raise FigureError(f"the figure comes to a negative number ({value:.3g}); guard it with a condition, "
                          "e.g. {{ x - y if x > y else 0 }}")
    if math.isinf(value) and not (isinstance(result, Figure) and result.kind in ("times", "users")):
        raise FigureError(f"the figure comes to more than {MAX_MAGNITUDE:.0e}" if isinstance(result, int)
                          else "the figure comes to infinity")
    if math.isfinite(value) and value > MAX_MAGNITUDE:
        raise FigureError(f"the figure comes to more than {MAX_MAGNITUDE:.0e}")


_HEDGED = re.compile(r"\b(?:about|around|roughly|approximately|nearly|almost|some|circa|c\.)\s+$", re.IGNORECASE)
"""Words that already say "roughly": a figure right after them drops its own '~'."""


def render_text(text: str, names: dict[str, Any]) -> str:
    """``text`` with every ``{{ ... }}`` said; text without ``{{`` comes back unchanged."""
    if "{{" not in text:
        return text
    pieces, last = [], 0
    for start, end in _spans(text):
        said = evaluate(text[start + 2:end - 2], names)
        if said.startswith("~") and _HEDGED.search(text[max(last, start - 40):start]):
            said = said[1:]       # "about {{ x }}": "about 42 million", never "about ~42 million"
        pieces += [text[last:start], said]
        last = end
    return "".join(pieces) + text[last:]


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each ``{{ ... }}`` in one linear scan (a regex rescans to the end for every
    unclosed ``{{``); raises FigureError for one never closed or beyond MAX_EXPRESSIONS."""
    at, count = text.find("{{"), 0
    while at != -1:
        close = text.find("}}", at + 2)
        if close == -1:
            raise FigureError("'{{' is never closed by '}}'")
        count += 1
        if count > MAX_EXPRESSIONS:
            raise FigureError(f"more than {MAX_EXPRESSIONS} figures in one field")
        yield at, close + 2
        at = text.find("{{", close + 2)


# --- walking a spec's prose ----------------------------------------------------------------------

def _is_prose(model: BaseModel, field: str) -> bool:
    kind = type(model).__name__
    if kind == "Component":
        return field in COMPONENT_PROSE
    return (kind, field) not in NOT_PROSE


def prose_fields(spec) -> Iterator[tuple[str, str]]:
    """(field path, text) for every prose field: 'requirements.non_functional[1].target'."""
    def walk(value, path):
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, BaseModel):
            for field in type(value).model_fields:
                if _is_prose(value, field):
                    alias = type(value).model_fields[field].alias or field
                    yield from walk(getattr(value, field), f"{path}.{alias}" if path else alias)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{index}]")
    yield from walk(spec, "")


def expressions(text: str) -> list[str]:
    """The ``{{ ... }}`` expressions in a text, as written (with their braces)."""
    found = []
    with contextlib.suppress(FigureError):
        found = [text[start:end] for start, end in _spans(text)]
    return found


def render_spec(spec, source: str = "<spec>", *, analysis=None):
    """A new frozen Spec with every prose field's figures said at the spec's own scale.

    Raises ``SpecError`` naming ``source``, each field path and its expression when any
    expression is unknown, malformed or refused; nothing is half-rendered.
    """
    names = namespace(numbers(spec, analysis))
    problems: list[tuple[str, str]] = []

    def rebuild(value, path):
        if isinstance(value, str):
            try:
                return render_text(value, names)
            except FigureError as exc:
                problems.append((path, _problem(value, names, exc)))
                return value
        if isinstance(value, BaseModel):
            changes = {}
            for field in type(value).model_fields:
                if not _is_prose(value, field):
                    continue
                alias = type(value).model_fields[field].alias or field
                old = getattr(value, field)
                new = rebuild(old, f"{path}.{alias}" if path else alias)
                if new is not old:
                    changes[field] = new
            return value.model_copy(update=changes) if changes else value
        if isinstance(value, list):
            items = [rebuild(item, f"{path}[{index}]") for index, item in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value)) else value
        return value

    rendered = rebuild(spec, "")
    if problems:
        raise SpecError(source, problems)
    return rendered


def _problem(text: str, names: dict[str, Any], error: FigureError) -> str:
    """'{{ qps_peek }}: unknown name ...': the failing expression first, then what is wrong."""
    for written in expressions(text):
        try:
            evaluate(written[2:-2], names)
        except FigureError as exc:
            return f"{written}: {exc}"
    start = text.rfind("{{")
    return f"{text[start:start + 40]!r}: {error}"


def listing(spec) -> list[tuple[str, str, str]]:
    """(name, today's value as said, what it is) for every figure the spec may write."""
    n: Numbers = numbers(spec)
    rows = []
    for name, value in flat(n).items():
        entry = FIGURES.get(name) or COMPONENT_FIGURES[name.rsplit(".", 1)[1]]
        if isinstance(value, Entry) and name not in FIGURES:
            continue   # a component figure its kind does not have (a service's shards_needed)
        said = "(no value for this spec)" if isinstance(value, Entry) else str(value)
        rows.append((name, said, entry.about))
    return rows
