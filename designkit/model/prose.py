"""The spec's prose: requirements, components' write-ups, decisions, tips, takeaways and references."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator)

from .fields import Model, Text, _FieldError, _text
from .targets import parse_latency_target

DEFAULT_QUESTIONS = (
    "What's the expected scale? (users, QPS, data size)",
    "What are the latency requirements?",
    "Is consistency or availability more important?",
    "What features are must-have vs nice-to-have?",
)
DEFAULT_RED_FLAGS = (
    "Don't skip requirements clarification",
    "Don't dive into code before architecture",
    "Don't ignore failure scenarios",
    "Don't forget to discuss trade-offs",
)


# --- prose ----------------------------------------------------------------------------

class InterviewContext(Model):
    key_challenge: Text
    main_trade_off: Text


class Functional(Model):
    name: Text
    description: Text


class NonFunctional(Model):
    name: Text
    target: Text
    rationale: Text
    path: Literal["read", "write", "both"] | None = Field(
        None, description="A latency target ('p99 < 200 ms'): the path it holds for (default: both)")

    @model_validator(mode="after")
    def _latency_target(self):
        try:
            found = parse_latency_target(self.target)
        except ValueError as exc:
            raise _FieldError("target", str(exc)) from None
        if found is None and self.path is not None:
            raise _FieldError("path", "only a latency target (one starting 'p99 <') holds for a path; "
                                      f"this target is prose: {self.target!r}")
        return self

    @property
    def latency(self):
        """The parsed latency target (``targets.LatencyTarget``), or None when the target is prose."""
        return parse_latency_target(self.target)


class Requirements(Model):
    questions: list[Text] = list(DEFAULT_QUESTIONS)
    functional: list[Functional] = []
    non_functional: list[NonFunctional] = []


class Option(Model):
    name: Text
    pros: list[Text]
    cons: list[Text]


class WhyNot(Model):
    alternative: Text
    reason: Text


class QA(Model):
    question: Text
    answer: Text


class CoreComponent(Model):
    name: Text
    challenge: Text
    options: list[Option]
    approach: Text
    pseudocode: Text
    why_not: WhyNot
    interviewer_asks: QA

    @model_validator(mode="after")
    def _short_pseudocode(self):
        lines = self.pseudocode.splitlines()
        if len(lines) > 15:
            raise _FieldError("pseudocode", f"expected at most 15 lines, got {len(lines)}")
        return self


class AccessPattern(Model):
    query: Text
    frequency: Text
    index: Text


class DataModel(Model):
    schema_sql: Text = Field(alias="schema")
    access_patterns: list[AccessPattern]
    database_choice: QA

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class DecisionOption(Model):
    name: Text
    trade_off: Text


class Decision(Model):
    area: Text
    options: list[DecisionOption]
    choice: Text
    alternative: Text
    rationale: Text


class Bottleneck(Model):
    bottleneck: Text
    symptom: Text
    mitigation: Text


class KeyPhrase(Model):
    instead: Text
    say: Text


class FollowUp(Model):
    question: Text
    key_points: Text


class InterviewTips(Model):
    deep_dives: list[Text] = []
    key_phrases: list[KeyPhrase] = []
    follow_ups: list[FollowUp] = []


class Concept(Model):
    name: Text
    explanation: Text


class TradeOff(Model):
    trade_off: Text
    choose_a: Text
    choose_b: Text


class Takeaways(Model):
    concepts: list[Concept] = []
    trade_offs: list[TradeOff] = []
    red_flags: list[Text] = list(DEFAULT_RED_FLAGS)


class Reference(Model):
    title: Text
    url: Annotated[str, BeforeValidator(lambda v: _url(v)),
                   WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})]


def _url(value):
    text = _text(value)
    if not re.match(r"^https?://[^\s<>\"']+$", text):
        raise ValueError(f"expected an http(s) URL, got {text!r}")
    return text
