"""The grader's side of an assignment: what a hidden test records, and grading that recomputes.

A hidden test holds a *record* (the spec with its overrides applied, only the fields questions come
from, the seed, the question's key and a digest of its givens as the student saw them), never an
answer.  At grading time ``grade`` loads that
spec again, draws the same bank and grades with ``answers.check``: the same spoken forms and tiers
as ``designkit practice``, the worked answer in the feedback.  The record is packed (zlib and
base85) so it reads as one opaque string literal in a test cell.
"""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
import zlib
from dataclasses import dataclass
from functools import lru_cache

from ... import __version__
from ...errors import DesignkitError
from ...model import answers
from ...model.practice import bank
from ...model.questions import Question
from ...model.source import parse_yaml
from ...model.spec import validate

NUMBERS = ("name", "scale", "components", "read_path", "write_path")   # what the questions are drawn from

TIERS = ("order", "good", "right")       # cumulative: a right answer clears all three
TIER_SHARES = {tier: answers.POINTS[tier] - (answers.POINTS[TIERS[i - 1]] if i else 0.0)
               for i, tier in enumerate(TIERS)}   # otter's test cases: 1/4, 1/4, 1/2 of a question


class GradingError(DesignkitError):
    """A record that cannot be graded (damaged, or another designkit computes other givens)."""


@dataclass(frozen=True)
class Graded:
    """One answer graded: its level (answers.LEVELS or "invalid"), the share of the points, feedback."""

    level: str
    share: float
    feedback: str


def givens_digest(question: Question) -> str:
    """What the student read (key, text and givens), hashed: grading refuses a bank that differs."""
    asked = json.dumps([question.key, question.text, list(map(list, question.givens))], ensure_ascii=False)
    return hashlib.sha256(asked.encode("utf-8")).hexdigest()[:16]


def spec_text(data: dict, seed: int | None, source: str) -> str:
    """The spec a grader needs, as text: only the fields the questions come from (the prose left out)
    when that draws the very same bank, else all of it."""
    full = bank(validate(data, source), seed=seed)
    numbers = {key: data[key] for key in NUMBERS if key in data}
    for candidate in (numbers, data):
        try:
            text = json.dumps(candidate, ensure_ascii=False, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):
            continue
        try:
            if bank(validate(parse_yaml(text), source), seed=seed) == full:
                return text
        except DesignkitError:
            continue
    raise GradingError(f"{source}: cannot be recorded for grading (a value has no JSON form)")


def pack(spec_text: str, source: str, seed: int | None, question: Question) -> str:
    """The record for one question's hidden test (``spec_text``: overrides applied), as a string."""
    record = {"designkit": __version__, "source": source, "spec": spec_text,
              "seed": seed, "key": question.key, "asked": givens_digest(question)}
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return base64.b85encode(zlib.compress(raw, 9)).decode("ascii")


def unpack(record: str) -> dict:
    """The record's fields; GradingError when it is not a record ``pack`` wrote."""
    try:
        data = json.loads(zlib.decompress(base64.b85decode(record.encode("ascii"))).decode("utf-8"))
    except (ValueError, zlib.error, UnicodeError, AttributeError):
        raise GradingError("this test cell's record is damaged; write the assignment again "
                           "with `designkit assignment`") from None
    if not isinstance(data, dict) or not {"spec", "seed", "key", "asked"} <= set(data):
        raise GradingError("this test cell's record is incomplete; write the assignment again")
    return data


@lru_cache(maxsize=64)
def recompute(record: str) -> Question:
    """The question a record names, computed again from its spec and seed (once per record: otter
    runs three test cases on each)."""
    data = unpack(record)
    source = str(data.get("source") or "<assignment>")
    spec = validate(parse_yaml(data["spec"]), source)
    question = bank(spec, seed=data["seed"]).get(data["key"])
    if question is None or givens_digest(question) != data["asked"]:
        raise GradingError(f"designkit {__version__} asks question {data['key']!r} of {source} with other "
                           f"givens than the assignment showed (made with designkit {data.get('designkit')}); "
                           "grade with the designkit version that wrote it")
    return question


def grade(record: str, answer: object) -> Graded:
    """Grade a student's answer (text as spoken, or a number) against the recomputed question."""
    with warnings.catch_warnings():   # nbgrader scores any cell that writes to stderr 0
        warnings.simplefilter("ignore")
        question = recompute(record)
    if isinstance(answer, bool) or answer is None or answer is Ellipsis:
        text: object = ""
    elif isinstance(answer, (int, float)):
        text = repr(answer)
    else:
        text = answer
    try:
        verdict = answers.check(question, text)
    except (ArithmeticError, ValueError):   # "5e-324" underflows the slip search: no grade, never a crash
        verdict = answers.Verdict("invalid", f"{str(text).strip()!r} is too far out of range to grade.")
    if verdict.level == "invalid" and not str(text).strip():
        message = f"No answer given: the answer is {question.said}."
    elif verdict.level == "invalid":
        message = f"Not read as an answer ({verdict.message}): the answer is {question.said}."
    else:
        message = verdict.message
    working = "Working: " + "; ".join(question.working)
    return Graded(verdict.level, verdict.points, f"{message}\n{working}")


def score(record: str, answer: object, points: float = 1.0) -> float:
    """nbgrader's test cell: print the feedback, return the points earned (nbgrader's partial credit)."""
    graded = grade(record, answer)
    earned = round(points * graded.share, 6)
    print(f"{graded.feedback}\nPoints: {earned:g} of {points:g}")
    return earned


def require(record: str, answer: object, tier: str) -> None:
    """otter's test case for one tier: passes when the answer reaches ``tier`` (order, good, right);
    fails with the feedback otherwise, so each tier's points are partial credit."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
    graded = grade(record, answer)
    reached = TIERS.index(graded.level) if graded.level in TIERS else -1
    if reached < TIERS.index(tier):
        raise AssertionError(graded.feedback)
