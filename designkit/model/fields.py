"""The spec's field types: quantities as people write them, bounded, stored as plain floats; frozen models."""

from __future__ import annotations

from typing import Annotated

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema)

from . import limits as lim
from . import quantities as q


# --- quantity types: accept what people write, store plain floats --------------------

def _positive(parse):
    def check(value):
        number = parse(value)
        if number <= 0:
            raise ValueError(f"expected a positive value, got {value!r}")
        return number
    return check


def _non_negative(parse):
    def check(value):
        number = parse(value)
        if number < 0:
            raise ValueError(f"expected zero or more, got {value!r}")
        return number
    return check


def _qty(parse, description: str, example: str):
    schema = {"anyOf": [{"type": "number"}, {"type": "string"}],
              "description": description, "examples": [example]}
    return Annotated[float, BeforeValidator(parse), WithJsonSchema(schema)]


def _whole(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a whole number, got {value!r}")
    number = q.parse_count(value) if isinstance(value, str) else float(value)
    if not lim.finite(number) or number != int(number):
        raise ValueError(f"expected a whole number, got {value!r}")
    if number < 1:
        raise ValueError(f"expected a positive whole number, got {value!r}")
    return int(number)


def _text(value, one_line: bool = False):
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError("expected text, got an empty string")
    return lim.clean_text(value, one_line=one_line)


def _line(value):
    return _text(value, one_line=True)


def _seconds(value):
    return q.parse_duration_days(value) * q.DAY_SECONDS if isinstance(value, str) else _non_negative(
        lambda v: q._split(v, "a number of seconds")[0])(value)


Count = _qty(lim.bounded(_positive(q.parse_count), 0, lim.MAX_COUNT),
             "A count: 100, '10K', '100 million'", "100 million")
ExtraReads = _qty(lim.bounded(_non_negative(q.parse_count), 0, lim.MAX_COUNT),
                  "Per-user form: reads each daily active user makes on top of "
                  "requests_per_user_per_day (the dashboards of a write-only firehose)", "0.4")
Size = _qty(lim.bounded(_positive(q.parse_size), lim.MIN_SIZE, lim.MAX_SIZE, " bytes"),
            "Bytes: 500, '500 bytes', '1.27 KB', '2 MiB'", "500 bytes")
Days = _qty(lim.bounded(_positive(q.parse_duration_days), 0, lim.MAX_DAYS, " days"),
            "A duration: '5 years', '90 days'", "5 years")
Rate = _qty(lim.bounded(_non_negative(q.parse_rate), 0, lim.MAX_RATE, " per second"),
            "A rate: '400/s', '500 million/day'", "10 million/month")
PerSecond = _qty(lim.bounded(_positive(lambda v: q.parse_rate(v, bare_per_second=True)),
                             lim.MIN_RATE, lim.MAX_RATE, " per second"),
                 "Requests per second: 1000, '5K/s', '20K QPS'", "5K/s")
Factor = _qty(lim.bounded(_positive(q.parse_factor), 0, lim.MAX_FACTOR, "x"), "A multiplier: '4x'", "4x")
Share = _qty(q.parse_fraction, "A share: '20%', '99.9%', 0.2", "20%")
Seconds = _qty(lim.bounded(_seconds, 0, lim.MAX_SECONDS, " seconds"),
               "Seconds: 30, or a duration like '2 minutes'", "30")
Dollars = _qty(q.parse_dollars, "US dollars: 0.096, '$0.096', '$1,200'", "$0.096")
Whole = Annotated[int, BeforeValidator(_whole),
                  WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]})]
Replicas = Annotated[Whole, AfterValidator(lim.at_most(lim.MAX_REPLICAS, "replicas"))]
Shards = Annotated[Whole, AfterValidator(lim.at_most(lim.MAX_SHARDS, "shards"))]
Copies = Annotated[Whole, AfterValidator(lim.at_most(lim.MAX_REPLICATION, "copies"))]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
Line = Annotated[str, BeforeValidator(_line), WithJsonSchema({"type": "string", "minLength": 1})]


def _ratio(value):
    return q.parse_ratio(value)


Ratio = Annotated[tuple[float, float], BeforeValidator(_ratio),
                  WithJsonSchema({"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*$",
                                  "description": "Reads to writes, 'R:W': '100:1', '0:1'",
                                  "examples": ["100:1"]})]


class Model(BaseModel):
    """Frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class _FieldError(ValueError):
    """A cross-field error that belongs to one field of the model that raised it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"@{field}@ {message}")
