"""Scale inputs as ranges: "50 million .. 200 million users", sampled, and which assumption matters most.

A scale input may be a range instead of one value:

    users: 50 million .. 200 million                  # uniform between the ends
    users: 50 million .. 100 million .. 200 million   # low .. likely .. high: PERT
    peak_factor: {low: 2x, likely: 3x, high: 5x}       # the mapping form of the same

A range without a likely value is **uniform** between its ends, and its likely value is its
middle; one with a likely value is **PERT** (a beta distribution on [low, high] with its mode at
the likely value and shape parameters 1 + 4 (likely - low) / (high - low) and 1 + 4 (high -
likely) / (high - low)), as project planners use it.  Inputs are independent.  The spec's point
figures, and prose figures like ``{{ qps_peak }}``, use the likely values; ``propagate`` samples
the ranges and gives each headline figure its P10, P50 and P90; ``tornado`` swings one input at
a time from low to high with the others at their likely values.

Sampling is a Latin hypercube of ``SAMPLES`` points: each input's quantiles (i + 1/2) / N,
mapped through its inverse distribution, put in an order drawn from a fixed-seed SplitMix64
stream written here (not NumPy's generator, whose algorithms may change between releases), so
the same spec gives the same figures, byte for byte, on every machine.  On a monotone figure of
one input, the figure's P10 is the figure at the input's P10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SpecError

SAMPLES = 2000          # Latin-hypercube points for the capacity figures (microseconds each)
ANALYSIS_SAMPLES = 40   # of those, for figures that need the whole analysis (cost, breaks, p99)
SEED = 0x5EED_D35           # the fixed seed of the sampling order
PERCENTILES = (0.10, 0.50, 0.90)
PERT_GRID = 4001        # points of the PERT's cumulative distribution, inverted by interpolation

SEPARATOR = re.compile(r"\s*\.\.\s*")

# The scale inputs that may be ranges, and how a value is written back for the field's parser.
WRITERS = {
    "users": repr, "daily_active_users": repr, "requests_per_user_per_day": repr,
    "reads_per_user_per_day": repr, "daily_active_fraction": repr, "cache_fraction": repr,
    "reads": lambda v: f"{v!r}/s", "writes": lambda v: f"{v!r}/s", "server_qps": lambda v: f"{v!r}/s",
    "peak_factor": lambda v: f"{v!r}x", "record_size": lambda v: f"{v!r} bytes",
    "response_size": lambda v: f"{v!r} bytes", "retention": lambda v: f"{v!r} days",
    "read_write_ratio": lambda v: f"{v!r}:1",
}
NOT_RANGES = {"replication_factor": "the number of copies is a design choice, not an estimate: give one value"}


@dataclass(frozen=True)
class InputRange:
    """One scale input given as a range (a read:write ratio as reads per write)."""

    field: str
    low: float
    likely: float
    high: float
    pert: bool          # True: PERT with its mode at ``likely``; False: uniform, ``likely`` the middle

    def quantiles(self, probabilities):
        """The input's values at ``probabilities`` (a NumPy array in [0, 1])."""
        import numpy as np
        p = np.asarray(probabilities, dtype=float)
        if self.high == self.low:
            return np.full_like(p, self.low)
        if not self.pert:
            return self.low + p * (self.high - self.low)
        span = self.high - self.low
        a = 1 + 4 * (self.likely - self.low) / span
        b = 1 + 4 * (self.high - self.likely) / span
        x = np.linspace(0.0, 1.0, PERT_GRID)
        with np.errstate(divide="ignore"):
            log_density = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x)
        density = np.exp(np.where(np.isfinite(log_density), log_density, -np.inf))
        cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
        cumulative /= cumulative[-1]
        return self.low + np.interp(p, cumulative, x) * span


def is_range(value) -> bool:
    """True when a raw scale value is written as a range ('a .. b' or a mapping with low and high)."""
    return (isinstance(value, str) and SEPARATOR.search(value) is not None) or \
        (isinstance(value, dict) and ("low" in value or "high" in value))


def _ends(field: str, value) -> tuple[object, object | None, object]:
    """(low, likely or None, high) as written."""
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - {"low", "likely", "high"})
        if unknown:
            raise ValueError(f"a range has low, likely and high; unknown key {unknown[0]!r}")
        if "low" not in value or "high" not in value:
            raise ValueError("a range needs both low and high")
        return value["low"], value.get("likely"), value["high"]
    parts = SEPARATOR.split(value.strip())
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"expected a range 'low .. high' or 'low .. likely .. high', got {value!r}")
    return (parts[0], None, parts[1]) if len(parts) == 2 else (parts[0], parts[1], parts[2])


def _number(field: str, parsed) -> float:
    """A parsed field value as the number sampled (a ratio as reads per write)."""
    if field != "read_write_ratio":
        return float(parsed)
    reads, writes = parsed
    if writes == 0:
        raise ValueError("a range of read:write ratios needs writes on both ends (not 'N:0')")
    return reads / writes


def parse(field: str, value, parse_end) -> InputRange:
    """The range of ``field``; ``parse_end`` parses one end as the field's own type (ValueError if bad)."""
    if field in NOT_RANGES:
        raise ValueError(NOT_RANGES[field])
    if field not in WRITERS:
        raise ValueError("only scale inputs may be ranges")
    low_text, likely_text, high_text = _ends(field, value)
    numbers = {}
    for name, text in (("low", low_text), ("likely", likely_text), ("high", high_text)):
        if text is None:
            continue
        try:
            numbers[name] = _number(field, parse_end(text))
        except ValueError as exc:
            raise ValueError(f"the {name} end {text!r}: {exc}") from None
    low, high = numbers["low"], numbers["high"]
    if low > high:
        raise ValueError(f"the low end ({low_text}) is above the high end ({high_text})")
    likely = numbers.get("likely", (low + high) / 2)
    if not low <= likely <= high:
        raise ValueError(f"the likely value ({likely_text}) is outside {low_text} .. {high_text}")
    return InputRange(field, low, likely, high, pert="likely" in numbers)


def split(data: dict, source: str, parse_end) -> tuple[dict, tuple[InputRange, ...]]:
    """The raw spec with each ranged scale input replaced by its likely value, and the ranges.

    ``parse_end(field, text)`` parses one end as the field's type.  A bad range raises
    ``SpecError`` naming the file, the field and what was expected.
    """
    scale = data.get("scale") if isinstance(data, dict) else None
    if not isinstance(scale, dict) or not any(is_range(v) for v in scale.values()):
        return data, ()
    found, errors = [], []
    scale = dict(scale)
    for field, value in scale.items():
        if not is_range(value):
            continue
        try:
            item = parse(str(field), value, lambda text, f=field: parse_end(f, text))
        except ValueError as exc:
            errors.append((f"scale.{field}", str(exc)))
            continue
        found.append(item)
        scale[field] = WRITERS[item.field](item.likely)
    if errors:
        raise SpecError(source, errors)
    return {**data, "scale": scale}, tuple(found)


def multiplied(value, factor: float, parse_one):
    """A raw traffic range with both ends (and the likely value) times ``factor`` (for ``scale=10x``)."""
    low, likely, high = _ends("", value)
    out = {"low": parse_one(low) * factor, "high": parse_one(high) * factor}
    if likely is not None:
        out["likely"] = parse_one(likely) * factor
    return out


# --- sampling -----------------------------------------------------------------------------

def _splitmix(state: int) -> tuple[int, int]:
    """One SplitMix64 step: (next state, 64-bit output)."""
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return state, z ^ (z >> 31)


def _order(count: int, stream: int) -> list[int]:
    """A fixed pseudo-random permutation of range(count) for input number ``stream``."""
    state, keys = SEED + 7919 * stream, []
    for _ in range(count):
        state, key = _splitmix(state)
        keys.append(key)
    return sorted(range(count), key=keys.__getitem__)


def sample(ranges: tuple[InputRange, ...], count: int = SAMPLES) -> dict:
    """A Latin hypercube of ``count`` points: {field: array of values}, each input's order its own."""
    import numpy as np
    probabilities = (np.arange(count) + 0.5) / count
    return {r.field: r.quantiles(probabilities)[_order(count, i)] for i, r in enumerate(ranges)}


def percentiles(values) -> tuple[float, float, float]:
    """P10, P50 and P90 of ``values``, each one of the values (so a monotone figure maps exactly)."""
    import numpy as np
    finite = np.asarray(values, dtype=float)
    return tuple(float(np.quantile(finite, p, method="inverted_cdf")) for p in PERCENTILES)
