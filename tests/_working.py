"""An independent checker for practice working: each worked line's arithmetic redone on the numbers
it shows, as intervals (a shown number stands for everything that rounds to it).

A line is one or more steps separated by '; '.  A step is 'label: expression = result',
'expression ≈ result' or 'expression, rounded up = N'; a step that starts with an operator
('× 4 at peak ≈ 46K/s') continues from the previous step's result.  Words between numbers are
read past; units scale the numbers (K, million, KB, %, min ...), so both sides are compared in
the same units.  '=' must hold exactly on the shown numbers, '≈' within their rounding, and
'rounded up = N' (or a step 'rounded up: N' after one) must be the ceiling of the shown numbers'
result.  A bound ('> 99.9999%') is no number to work with.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "million": 1e6, "billion": 1e9, "trillion": 1e12,
          "byte": 1.0, "bytes": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15, "EB": 1e18}
_TIME = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "min": 60.0, "minutes": 60.0, "h": 3600.0}
NUMBER = re.compile(
    r"(?P<approx>~)?(?P<digits>\d[\d,]*(?:\.\d+)?|\.\d+)"
    r"(?:(?P<si>[KMBT])(?![A-Za-z])|\s?(?P<bytes>[KMGTPE]B|bytes|byte)\b|\s(?P<words>million|billion|trillion)\b)?"
    r"(?P<per>/s)?(?P<pct>%)?(?P<times>x(?![A-Za-z]))?"
    r"(?:\s(?P<time>s|ms|µs|min|minutes|h)\b)?")
_OPS = {"×": "*", "÷": "/", "+": "+", "−": "-"}


class WorkingError(AssertionError):
    """A worked step whose arithmetic does not hold."""


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float

    def __add__(self, o):
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o):
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __mul__(self, o):
        c = (self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi)
        return Interval(min(c), max(c))

    def __truediv__(self, o):
        if o.lo <= 0 <= o.hi:
            raise WorkingError("division by something that may be zero")
        return self * Interval(1 / o.hi, 1 / o.lo)

    def overlaps(self, o, rel=1e-9) -> bool:
        slack = rel * max(abs(self.lo), abs(self.hi), abs(o.lo), abs(o.hi))
        return self.lo <= o.hi + slack and o.lo <= self.hi + slack


def number(match: re.Match, approx: bool = False) -> tuple[float, Interval]:
    """(the shown value, the interval of values that are shown that way), in base units;
    ``approx`` (a result after '≈') takes it as rounded to two significant figures at most."""
    digits = match["digits"].replace(",", "")
    value = float(digits)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    ulp = 10.0 ** -decimals
    if (approx or match["approx"] or match["times"]) and value > 0:   # two significant figures
        ulp = max(ulp, 10.0 ** (math.floor(math.log10(value)) - 1))
    unit = 1.0
    for part in ("si", "bytes", "words"):
        if match[part]:
            unit *= _SCALE[match[part]]
    if match["pct"]:
        unit /= 100
    if match["time"]:
        unit *= _TIME[match["time"]]
    return value * unit, Interval((value - ulp / 2) * unit, (value + ulp / 2) * unit)


def _tokens(text: str):
    i = 0
    while i < len(text):
        ch = text[i]
        m = NUMBER.match(text, i)
        if m and (i == 0 or not text[i - 1].isalnum()):
            yield ("num", number(m))
            i = m.end()
        elif ch in _OPS or ch in "()":
            yield (_OPS.get(ch, ch), None)
            i += 1
        elif ch == "/" and i + 1 < len(text) and text[i + 1].isdigit():
            yield ("/", None)
            i += 1
        else:
            i += 1


class _Parser:
    """+ − lowest, × ÷ / next, parentheses; each value a (point, interval) pair."""

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.at = 0

    def peek(self):
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self):
        self.at += 1
        return self.tokens[self.at - 1]

    def expr(self):
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[0]
            right = self.term()
            left = (left[0] + right[0], left[1] + right[1]) if op == "+" else (left[0] - right[0], left[1] - right[1])
        return left

    def term(self):
        left = self.atom()
        while self.peek() in ("*", "/"):
            op = self.take()[0]
            right = self.atom()
            left = (left[0] * right[0], left[1] * right[1]) if op == "*" else (left[0] / right[0], left[1] / right[1])
        return left

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return value
        if kind == "(":
            inner = self.expr()
            if self.take()[0] != ")":
                raise WorkingError("unbalanced parentheses")
            return inner
        raise WorkingError(f"expected a number, found {kind!r}")


def evaluate(text: str, previous=None):
    """(point, interval) of an expression; a leading operator continues from ``previous``."""
    tokens = list(_tokens(text))
    if not tokens:
        raise WorkingError(f"no arithmetic in {text!r}")
    if tokens[0][0] in ("*", "/", "+", "-"):
        if previous is None:
            raise WorkingError(f"{text!r} continues from nothing")
        tokens.insert(0, ("num", previous))
    parser = _Parser(tokens)
    result = parser.expr()
    if parser.at != len(parser.tokens):
        raise WorkingError(f"left over in {text!r}: {parser.tokens[parser.at:]}")
    return result


_RELATION = re.compile(r"\s(=|≈)\s")
_RESULT = "× 1"                    # a step that is only the previous result


def check_step(step: str, previous=None):
    """Check one step; returns its result (point, interval) for the next step, or None."""
    bare = re.fullmatch(r"rounded up: ([\d,]+)\b.*", step)
    if bare:                       # 'rounded up: 24 servers' after a step: the ceiling of its result
        step = f"{_RESULT}, rounded up = {bare.group(1)}"
    if ": " in step:
        label, rest = step.rsplit(": ", 1)
        if not NUMBER.search(rest) and not rest.startswith(("×", "÷")):
            return previous
        step = rest
    if step.startswith("the largest "):
        return previous
    relations = list(_RELATION.finditer(step))
    if not relations:
        if re.search(r"[×÷]", step):
            raise WorkingError(f"{step!r}: arithmetic with no result")
        return previous            # a statement ('every request is a write: 1 billion a day')
    rel = relations[-1]
    lhs, rhs = step[:rel.start()], step[rel.end():]
    result = NUMBER.search(rhs)
    if result is None:
        raise WorkingError(f"{step!r}: no number after {rel.group(1)}")
    shown, shown_range = number(result, approx=rel.group(1) == "≈")
    if lhs.endswith(", rounded up"):
        point, span = evaluate(lhs[: -len(", rounded up")], previous)
        n = shown
        if n != int(n) or not (span.lo <= n + 1e-9 and n - 1 < span.hi):
            raise WorkingError(f"{step!r}: {n:g} is not the ceiling of {span.lo:.6g}..{span.hi:.6g}")
        ceiling = max(1, math.ceil(point * (1 - 1e-12)))   # a count of nodes: one at least
        if ceiling != n:
            raise WorkingError(f"{step!r}: on the numbers shown, rounding up gives {ceiling}")
        return (n, Interval(n, n))
    point, span = evaluate(lhs, previous)
    if rel.group(1) == "=":
        if not math.isclose(point, shown, rel_tol=1e-6) or result["approx"]:
            raise WorkingError(f"{step!r}: says '=' but the numbers shown give {point:.6g}, not {shown:.6g}")
    elif not span.overlaps(shown_range):
        raise WorkingError(f"{step!r}: the left side is {span.lo:.6g}..{span.hi:.6g}, "
                           f"the result {shown_range.lo:.6g}..{shown_range.hi:.6g}")
    return (shown, shown_range)


def check_working(lines) -> int:
    """Check every step of every line; the number of steps with arithmetic checked."""
    previous, checked = None, 0
    for line in lines:
        if re.search(r"[<>]", line):
            raise WorkingError(f"{line!r}: a bound ('>' or '<') is no number to work with")
        for step in line.split("; "):
            before = previous
            previous = check_step(step, previous)
            checked += previous is not before
    return checked
