"""Practice questions as data: what a question holds, the bank of them, and how working says numbers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from . import quantities as q

TOLERANCE = 0.1            # within 10% is "right"
UNIT_KINDS = {             # a question's unit -> how its answers are read (see answers.parse_answer)
    "users": "count", "requests/day": "count", "servers": "count", "shards": "count",
    "requests/s": "rate", "bytes": "size", "bytes/s": "bandwidth",
    "availability": "share", "minutes": "minutes", "component": "name",
}
NOTHING = "nothing"        # the answer when no component breaks
# The slips a grader can name, by key: what the student probably did.
SLIPS = {
    "peak": "forgot the peak factor",
    "month": "took a 30-day month as 30 seconds",
    "bits": "used bits for bytes (1 byte = 8 bits)",
    "binary": "mixed decimal and binary units (1 KB = 1,000 bytes, 1 KiB = 1,024)",
    "replication": "forgot the replication factor",
}


@dataclass(frozen=True)
class Question:
    """One practice question: what is asked, from what, its answer and how to get there."""

    key: str                              # which figure: "qps_peak", "storage_total", ...
    section: int                          # the article section it belongs to (1, 6 or 7)
    text: str
    givens: tuple[tuple[str, str], ...]   # (label, value said the way the article says it)
    answer: float | str                   # SI units (requests/s, bytes, minutes) or a component
    unit: str                             # one of UNIT_KINDS
    said: str                             # the answer said: "~46K/s"
    formula: str
    working: tuple[str, ...]              # the steps, each ending in a number
    slips: tuple[tuple[float, str], ...] = ()   # (answer multiplier, SLIPS key)
    choices: tuple[str, ...] = ()         # component questions: the names to choose from
    tolerance: float | None = TOLERANCE

    @property
    def kind(self) -> str:
        """How answers to it are read: count, rate, size, bandwidth, share, minutes or name."""
        return UNIT_KINDS[self.unit]

    @property
    def hints(self) -> tuple[str, str, str]:
        """The hint ladder: the formula, then the first step, then the worked answer."""
        first = self.working[0]
        if len(self.working) == 1:   # a one-step working: show the step, keep its result back
            first = re.split(r" [=≈] ", first)[0] + " = ?"
        return (f"Formula: {self.formula}", f"First step: {first}",
                "Worked answer: " + "; ".join(self.working))

    def to_json(self) -> dict:
        """The ``--json`` object for other tools (answer in SI units, tolerance relative)."""
        return {
            "key": self.key, "section": self.section, "question": self.text,
            "givens": dict(self.givens), "answer": self.answer, "answer_said": self.said,
            "unit": self.unit, "tolerance": self.tolerance,
            "graded_on": "unavailability" if self.unit == "availability" else
                         ("name" if self.unit == "component" else "value"),
            "formula": self.formula, "working": list(self.working), "hints": list(self.hints),
            "slips": [{"multiplier": factor, "slip": SLIPS[key]} for factor, key in self.slips],
            "choices": list(self.choices),
        }


@dataclass(frozen=True)
class Bank:
    """The questions for one spec (and seed), in article order."""

    system: str
    seed: int | None
    questions: tuple[Question, ...]

    def section(self, number: int) -> tuple[Question, ...]:
        """The questions of one article section."""
        return tuple(x for x in self.questions if x.section == number)

    def get(self, key: str) -> Question | None:
        """The question about ``key``, if the spec has one."""
        return next((x for x in self.questions if x.key == key), None)


def said_equals(said: str, *operands: str, approx: bool = False) -> str:
    """'= 12', or '≈ 12' when the result (said '~12') or any operand shown is rounded, or ``approx``.

    A worked line says '=' only when the numbers it shows give exactly the result it shows.
    """
    rounded = approx or said.startswith("~") or any("~" in text for text in operands)
    return f"≈ {said.lstrip('~')}" if rounded else f"= {said}"


def plain_number(value: float) -> str:
    """A small exact-ish number in working: 86,400, 4, 0.2."""
    if value >= 1000:
        return f"{value:,.0f}" if value == int(value) else f"{value:,}"    # '1,826.25 days', never '1826.25'
    return f"{value:g}"


def said_rate(value: float) -> str:
    """A rate as the article says it: '~46K/s'."""
    return f"{q.say_qps(value)}/s"


def plural(count: int, word: str) -> str:
    """'1 server', '24 servers', '45,657 shards'."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def significant(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant figures, plainly written (no exponent, zeros dropped)."""
    if value == 0:
        return "0"
    places = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def precisely(value: float, say, enough=lambda shown: True, *, most: int = 15) -> tuple[str, float]:
    """``value`` said as ``say`` says it, with as few significant figures (two at least) as make
    ``enough(shown value)`` true: a ceiling worked from the shown figure must be the answer's.

    Returns (text, the value the text shows). '~' marks a text that is not exact.
    """
    said = say(value).lstrip("~")
    match = _LEADING.search(said)
    if match is None or value <= 0 or said.startswith(("<", ">")):   # a bound has no figure to refine
        return say(value), value
    unit = value / float(match.group(0).replace(",", "")) if float(match.group(0).replace(",", "")) else 1.0
    unit = 1000.0 ** round(math.log(unit, 1000)) if unit > 0 else 1.0
    for digits in range(2, most + 1):
        mantissa = significant(value / unit, digits)
        shown = float(mantissa.replace(",", "")) * unit
        if enough(shown) or digits == most:
            exact = math.isclose(shown, value, rel_tol=1e-12)
            text = said[:match.start()] + mantissa + said[match.end():]
            return (text if exact else "~" + text), shown
    raise AssertionError("unreachable")  # pragma: no cover


def ceiling_is(quotient: float, n: int) -> bool:
    """True when ``quotient`` rounds up to ``n`` (one at least) beyond doubt: not within float noise
    of a whole number, so a reader redoing the division gets ``n`` too."""
    return all(max(1, math.ceil(quotient * (1 + e))) == n for e in (-1e-12, 1e-12))


_LEADING = re.compile(r"\d[\d,]*(?:\.\d+)?")
