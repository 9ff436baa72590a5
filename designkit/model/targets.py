"""Latency targets as numbers: 'p99 < 200 ms' -> LatencyTarget(0.99, 0.2).

A non-functional requirement whose ``target`` starts with a percentile (``p99``, ``P95``,
``p99.9``) is a latency target and must read ``p<percentile> <comparison> <time>``, where the
comparison is ``<``, ``<=``, ``≤``, ``under``, ``below``, ``within`` or ``less than`` and the time
is a number with ``us``/``µs``, ``ms``, ``s``, ``min`` or ``h`` (words too: '2 seconds').  Free text may
follow ('p99 < 200 ms for a home page').  Any other target is prose and is not parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import quantities as q

EXPECTED = ("a latency target like 'p99 < 200 ms', 'p95 under 100ms' or 'p99.9 < 1 s' "
            "(p<percentile>, then <, <=, under, below or within, then a time in µs, ms, s, min or h)")

_UNITS = {"us": 1e-6, "µs": 1e-6, "μs": 1e-6, "microsecond": 1e-6, "microseconds": 1e-6,
          "ms": 1e-3, "msec": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
          "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
          "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
          "h": 3600.0, "hour": 3600.0, "hours": 3600.0}
_STARTS = re.compile(r"^\s*p\d", re.IGNORECASE)
_TARGET = re.compile(
    r"^\s*p(?P<pct>\d{1,2}(?:\.\d+)?)\s*"
    r"(?P<cmp><=|<|≤|under\b|below\b|within\b|less\s+than\b)\s*"
    r"(?P<value>\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>µs|μs|[a-z]+)(?![a-z])",
    re.IGNORECASE)


@dataclass(frozen=True)
class LatencyTarget:
    """A percentile of response time and the time it must stay under."""

    percentile: float   # 0.99 for p99
    seconds: float

    @property
    def name(self) -> str:
        """'p99', 'p99.9': how the percentile is written."""
        return f"p{self.percentile * 100:.10g}"

    @property
    def label(self) -> str:
        """'p99 < 200 ms': the target as the article says it."""
        return f"{self.name} < {q.say_duration(self.seconds)}"


def is_latency_target(text: str) -> bool:
    """True when ``text`` starts with a percentile, so it must parse as a latency target."""
    return bool(_STARTS.match(text or ""))


def parse_latency_target(text: str) -> LatencyTarget | None:
    """The latency target ``text`` states, None for prose; ValueError naming what was expected."""
    if not isinstance(text, str) or not is_latency_target(text):
        return None
    match = _TARGET.match(text)
    if not match:
        raise ValueError(f"expected {EXPECTED}, got {text!r}")
    percentile = round(float(match["pct"]) / 100, 12)
    if not 0 < percentile < 1:
        raise ValueError(f"expected a percentile above p0 and below p100, got {text!r}")
    unit = match["unit"].lower()
    if unit not in _UNITS:
        raise ValueError(f"expected a time unit (µs, ms, s, min or h) after the number, got "
                         f"{match['unit']!r} in {text!r}")
    seconds = float(match["value"]) * _UNITS[unit]
    if not seconds > 0:
        raise ValueError(f"expected a positive time, got {text!r}")
    return LatencyTarget(percentile, seconds)
