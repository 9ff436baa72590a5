"""Written answers to practice questions: read the way people write them, graded with slips named.

Accepted: "46K", "50,000/s", "4.6e4", "4.6 × 10^4", "0.9 PB", "about 1 PB", "46K QPS", "5.8 MB/s",
"46 Mbps" (bits), "99.95%", "three nines", "22 min".  Grading: within the tolerance (10%) "right",
within 2x "good estimate", the same power of ten "right order of magnitude", else "off";
availabilities are graded on their unavailability (99.9% against 99.99% is 10x off, not 0.09%).
Bad input ("lots", an empty box, a size where a rate belongs) gives a friendly message, never
an exception.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from . import quantities as q
from .questions import NOTHING, SLIPS, Question

LEVELS = ("right", "good", "order", "off")
LEVEL_WORDS = {"right": "Right", "good": "Good estimate", "order": "Right order of magnitude",
               "off": "Off", "invalid": "Not an answer yet"}
POINTS = {"right": 1.0, "good": 0.5, "order": 0.25, "off": 0.0, "invalid": 0.0}
GOOD_FACTOR = 2.0
SLIP_WINDOW = 0.05          # an answer within 5% of a slip's multiple is taken as that slip
BINARY_WINDOW = 0.02        # decimal/binary multiples are close together: be stricter
EXAMPLES = {"count": "140 million", "rate": "46K/s", "size": "0.9 PB", "bandwidth": "5.8 MB/s",
            "share": "99.95%", "minutes": "22 min", "name": "a component's name"}
WANTED = {"count": "a count", "rate": "a rate (requests per second)", "size": "a size in bytes",
          "bandwidth": "a bandwidth (bytes per second)", "share": "an availability (a percentage)",
          "minutes": "a duration (minutes)", "name": "a component's name"}
FOUND = {"bandwidth": "a bandwidth", "rate": "a rate", "size": "a size", "share": "a percentage",
         "minutes": "a duration", "count": "a plain count"}

_APPROX = re.compile(r"^(?:about|around|roughly|approximately|approx\.?|nearly|almost|circa|ca\.|"
                     r"some|just under|just over|under|over|maybe|~|≈|≃|±)\s*", re.IGNORECASE)
_TIMES_TEN = re.compile(r"\s*[x×*]\s*10\s*\^\s*([-+]?\d+)")
_NOUNS = re.compile(r"\b(?:users?|people|daily actives?|actives?|requests?|reqs?|req|events?|reads?|"
                    r"writes?|queries|messages?|ops|servers?|machines?|nodes?|instances?|boxes|"
                    r"shards?|partitions?|of (?:data|storage)|storage|data|copies)\b", re.IGNORECASE)
_PER_DAY = re.compile(r"\s*(?:/|\bper\b|\ba\b|\beach\b)\s*(?:day|d)\s*$", re.IGNORECASE)
_PER_SECOND = re.compile(r"\s*(?:/\s*s(?:ec(?:ond)?)?|\bper\s+s(?:ec(?:ond)?)?|\ba\s+second|ps)\s*$", re.IGNORECASE)
_PER_MONTH = re.compile(r"\s*(?:/|\bper\b|\ba\b|\beach\b)\s*(?:month|mo)\s*$", re.IGNORECASE)
_NUM = re.compile(r"^\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_BITS = re.compile(r"^(?:([KMGTP])(i?)b|([kKmMgGtTpP]?)(i?)bits?)$")  # "Mb", "Mbit": bits
SHORT_SECONDS = {"ms": 1e-3, "msec": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
                 "µs": 1e-6, "us": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6}
_NINES = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


class AnswerError(ValueError):
    """A written answer that cannot be read as the question's kind; the message says why."""


@dataclass(frozen=True)
class Verdict:
    """How an answer did: its level, a sentence for the student, and the slip if one shows."""

    level: str              # one of LEVELS, or "invalid" (nothing was graded)
    message: str
    value: float | str | None = None
    slip: str | None = None

    @property
    def points(self) -> float:
        """1 right, 1/2 good estimate, 1/4 right order of magnitude, 0 off."""
        return POINTS[self.level]


# --- reading answers ------------------------------------------------------------------------

MAX_ANSWER = 200   # characters of a written answer


def shown(text: str) -> str:
    """A written answer quoted in a message: 'like this', escaped as JSON escapes it (the page's
    script says it the same way)."""
    return "'" + json.dumps(text.strip(), ensure_ascii=False)[1:-1] + "'"


def clean(text: str) -> str:
    """Drop hedges ("about", "~") and tidy "4.6 × 10^4" into "4.6e4"."""
    text = text.strip().rstrip(".?!").strip()
    previous = None
    while previous != text:
        previous, text = text, _APPROX.sub("", text).strip()
    return _TIMES_TEN.sub(r"e\1", text)


def _split(text: str) -> tuple[float, str]:
    match = _NUM.match(text)
    if not match:
        raise AnswerError("no number")
    number = float(match.group(1).replace(",", "").replace("_", ""))
    if not math.isfinite(number):
        raise AnswerError("no number")
    return number, match.group(2)


def _count(text: str) -> float:
    text = _NOUNS.sub(" ", _PER_DAY.sub("", text)).strip()
    return q.parse_count(text)


def _rate(text: str) -> float:
    text = re.sub(r"\s+", " ", _NOUNS.sub(" ", text)).strip()
    text = re.sub(r"\s*/\s*", "/", text)
    return q.parse_rate(text, bare_per_second=True)


def _size(text: str) -> float:
    text = _NOUNS.sub(" ", text).strip()
    number, unit = _split(text)
    bits = _BITS.match(unit.strip())
    if bits:
        prefix = (bits.group(1) or bits.group(3) or "").lower()
        binary = bits.group(2) or bits.group(4) or ""
        return q.parse_size(f"{number} {prefix}{binary}b" if prefix else str(number)) / 8
    return q.parse_size(text)


def _bandwidth(text: str) -> float:
    text = _NOUNS.sub(" ", text).strip()
    if text.endswith("bps"):
        text = text[:-2] + "it"   # "46 Mbps" -> "46 Mbit"
    elif text.endswith("Bps"):
        text = text[:-2]          # "5.8 MBps" -> "5.8 MB"
    else:
        text = _PER_SECOND.sub("", text)
    return _size(text)


def _share(text: str) -> float:
    lowered = text.lower()
    nines = re.match(r"^(\d|two|three|four|five|six|seven)\s*(?:nines|9s)$", lowered)
    if nines:
        n = int(nines.group(1)) if nines.group(1).isdigit() else _NINES[nines.group(1)]
        return 1 - 10.0 ** -n
    number, unit = _split(text)
    if unit.strip() == "" and 1 < number <= 100:
        return number / 100     # "99.95": a percentage without its sign
    return q.parse_fraction(text)


def _minutes(text: str) -> float:
    text = _PER_MONTH.sub("", text).strip()
    number, unit = _split(text)
    unit = unit.strip().lower()
    if unit in ("", "m"):
        return number
    if unit in SHORT_SECONDS:
        return number * SHORT_SECONDS[unit] / 60
    if unit not in q.DURATION_UNITS:
        raise AnswerError(f"unknown unit {unit!r}")
    return number * q.DURATION_UNITS[unit] * 1440


_READERS = {"count": _count, "rate": _rate, "size": _size, "bandwidth": _bandwidth,
            "share": _share, "minutes": _minutes}


def parse_answer(text: object, kind: str) -> float:
    """A written answer as a number in the kind's SI unit; AnswerError with a friendly message."""
    example = EXAMPLES[kind]
    if not isinstance(text, str) or not text.strip():
        raise AnswerError(f"Type an answer first, e.g. '{example}'.")
    if len(text) > MAX_ANSWER:   # every reader below stays linear on what is left
        raise AnswerError(f"That answer is {len(text):,} characters long; write the number the way you "
                          f"would say it, e.g. '{example}'.")
    cleaned = clean(text)
    try:
        value = _READERS[kind](cleaned)
    except ValueError:
        found = _kind_of(cleaned, kind)
        if found:
            raise AnswerError(f"{shown(text)} is {FOUND[found]}; this question asks for "
                              f"{WANTED[kind]}, e.g. '{example}'.") from None
        if not _NUM.match(cleaned) and not re.match(r"^\w+\s*(?:nines|9s)$", cleaned.lower()):
            raise AnswerError(f"{shown(text)} isn't a number: write it the way you would say it, "
                              f"e.g. '{example}'.") from None
        raise AnswerError(f"{shown(text)}: I can't read that as {WANTED[kind]}; "
                          f"write it like '{example}'.") from None
    if value < 0:
        raise AnswerError(f"{shown(text)}: it can't be negative.")
    if not math.isfinite(value):
        raise AnswerError(f"{shown(text)} is too large to be an answer; write it like '{example}'.")
    return value


def _kind_of(text: str, wanted: str) -> str | None:
    """What else the text reads as (a size where a rate belongs), for a better message."""
    for kind in ("size", "bandwidth", "rate", "share", "minutes"):
        if kind == wanted or (wanted == "bandwidth" and kind == "size"):
            continue
        try:
            if kind == "bandwidth" and not re.search(r"/|\bper\b|ps$", text, re.IGNORECASE):
                continue
            if kind == "rate" and not re.search(r"/|\bper\b|qps|rps", text, re.IGNORECASE):
                continue
            if kind == "share" and "%" not in text and "nine" not in text.lower():
                continue
            if kind == "minutes" and not _split(text)[1].strip():
                continue
            _READERS[kind](text)
            return kind
        except ValueError:
            continue
    return None


def normalize_name(text: str) -> str:
    """A component name compared loosely: case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


# --- grading --------------------------------------------------------------------------------

def level(value: float, answer: float, tolerance: float = 0.1) -> str:
    """right (within tolerance), good (within 2x), order (same power of ten) or off."""
    if answer <= 0:
        raise ValueError("practice answers are positive")
    if value <= 0:
        return "off"
    if abs(value - answer) <= tolerance * answer * (1 + 1e-9):
        return "right"
    if answer / GOOD_FACTOR * (1 - 1e-12) <= value <= answer * GOOD_FACTOR * (1 + 1e-12):
        return "good"
    if math.floor(math.log10(value) + 1e-12) == math.floor(math.log10(answer) + 1e-12):
        return "order"
    return "off"


def slip(question: Question, value: float, answer: float) -> str | None:
    """The SLIPS key whose multiple of the answer ``value`` matches most closely, if any."""
    if value <= 0:
        return None
    best = None
    for factor, key in question.slips:
        window = BINARY_WINDOW if key == "binary" else SLIP_WINDOW
        ratio = value / (answer * factor)
        if not 0 < ratio < math.inf:       # a value so far off that the ratio under- or overflows
            continue
        miss = abs(math.log(ratio))
        if miss <= math.log1p(window) and (best is None or miss < best[0]):
            best = (miss, key)
    return best[1] if best else None


def check(question: Question, text: object) -> Verdict:
    """Grade one written answer; bad input comes back as an "invalid" verdict with a message."""
    if question.unit == "component":
        return _check_name(question, text)
    try:
        value = parse_answer(text, question.kind)
    except AnswerError as exc:
        return Verdict("invalid", str(exc))
    answer = float(question.answer)
    if question.unit == "availability":
        got, want = 1 - value, 1 - answer   # graded on unavailability
        if got <= 0:
            return Verdict("off", f"Off: nothing is 100% available; the answer is {question.said}.", value)
    else:
        got, want = value, answer
    grade = level(got, want, question.tolerance or 0.1)
    found = slip(question, got, want) if grade != "right" else None
    message = f"{LEVEL_WORDS[grade]}: the answer is {question.said}."
    if grade in ("good", "order"):
        message = f"{LEVEL_WORDS[grade]} ({_how_far(got, want)}): the answer is {question.said}."
    if found:
        message += " " + slip_sentence(question, found)
    return Verdict(grade, message, value, found)


def slip_sentence(question: Question, key: str) -> str:
    """'It looks like you forgot the peak factor (×4).'"""
    factor = {k: f for f, k in question.slips}[key]
    times = 1 / factor
    extra = f" (×{times:g})" if key in ("peak", "replication") and times == round(times) else ""
    return f"It looks like you {SLIPS[key]}{extra}."


def _how_far(got: float, want: float) -> str:
    ratio = got / want
    return f"{q.say_times(ratio)} the answer" if ratio >= 1 else f"{q.say_times(1 / ratio)} too small"


def _check_name(question: Question, text: object) -> Verdict:
    if not isinstance(text, str) or not text.strip():
        return Verdict("invalid", f"Type a component's name first (or '{NOTHING}').")
    given = normalize_name(clean(text))
    names = {normalize_name(name): name for name in question.choices}
    names |= {normalize_name(word): NOTHING for word in (NOTHING, "none", "no component", "nothing breaks")}
    chosen = names.get(given)
    if chosen is None:
        close = [name for key, name in names.items() if given and given in key and name != NOTHING]
        chosen = close[0] if len(close) == 1 else None
    if chosen is None:
        listed = ", ".join(question.choices)
        return Verdict("invalid", f"{shown(text)} isn't one of this system's components: {listed} "
                                  f"(or '{NOTHING}').")
    if chosen == question.answer:
        return Verdict("right", f"Right: {question.said}.", chosen)
    return Verdict("off", f"Off: the answer is {question.said} ({question.working[0]}).", chosen)


def score(verdicts) -> tuple[float, int]:
    """(points, questions graded): invalid answers do not count."""
    graded = [v for v in verdicts if v.level != "invalid"]
    return sum(v.points for v in graded), len(graded)
