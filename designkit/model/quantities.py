"""Quantities written the way people say them, and said back the same way.

Parsing: "100 million", "1.2 billion", "10K", "1.27 KB", "2 MiB", "5 years",
"10 million/month", "400/s", "4x", "10%", "100:1".  KB/MB/GB/TB/PB are decimal,
KiB/MiB/GiB/TiB/PiB binary; a month is 30.4375 days and a year 365.25 days.
Saying: two significant figures in a unit a person would use ("~12K", "~500 GB").

Every parser raises ``ValueError`` with a sentence saying what was expected; the
spec layer adds the file and field path.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

DAY_SECONDS = 86_400.0
MONTH_DAYS = 30.4375
YEAR_DAYS = 365.25

_NUMBER = r"[-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")

COUNT_WORDS = {
    "": 1.0,
    "k": 1e3, "thousand": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
    "t": 1e12, "trillion": 1e12,
}

SIZE_UNITS = {
    "b": 1.0, "byte": 1.0, "bytes": 1.0,
    "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15, "eb": 1e18,
    "kib": 2.0**10, "mib": 2.0**20, "gib": 2.0**30, "tib": 2.0**40, "pib": 2.0**50,
}

# Durations in days.
DURATION_UNITS = {
    "s": 1 / DAY_SECONDS, "sec": 1 / DAY_SECONDS, "secs": 1 / DAY_SECONDS,
    "second": 1 / DAY_SECONDS, "seconds": 1 / DAY_SECONDS,
    "min": 1 / 1440, "mins": 1 / 1440, "minute": 1 / 1440, "minutes": 1 / 1440,
    "h": 1 / 24, "hr": 1 / 24, "hrs": 1 / 24, "hour": 1 / 24, "hours": 1 / 24,
    "d": 1.0, "day": 1.0, "days": 1.0,
    "w": 7.0, "wk": 7.0, "week": 7.0, "weeks": 7.0,
    "mo": MONTH_DAYS, "month": MONTH_DAYS, "months": MONTH_DAYS,
    "y": YEAR_DAYS, "yr": YEAR_DAYS, "yrs": YEAR_DAYS, "year": YEAR_DAYS, "years": YEAR_DAYS,
}

# Rate periods in seconds ("per X").
RATE_PERIODS = {
    "s": 1.0, "sec": 1.0, "second": 1.0,
    "min": 60.0, "minute": 60.0,
    "h": 3600.0, "hr": 3600.0, "hour": 3600.0,
    "d": DAY_SECONDS, "day": DAY_SECONDS,
    "w": 7 * DAY_SECONDS, "wk": 7 * DAY_SECONDS, "week": 7 * DAY_SECONDS,
    "mo": MONTH_DAYS * DAY_SECONDS, "month": MONTH_DAYS * DAY_SECONDS,
    "y": YEAR_DAYS * DAY_SECONDS, "yr": YEAR_DAYS * DAY_SECONDS, "year": YEAR_DAYS * DAY_SECONDS,
}
_PER_SECOND_WORDS = {"qps", "rps", "tps", "ops"}


MAX_TEXT = 100   # characters of a written quantity ("10 million/month" is 16): parsing stays linear


def _short(text: object, expected: str) -> None:
    """Refuse a written quantity longer than MAX_TEXT before any pattern looks at it."""
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise ValueError(f"expected {expected}, got {len(text):,} characters ({text[:24]!r}...); "
                         f"a quantity is at most {MAX_TEXT} characters")


def _finite(value: float, text: object) -> float:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"expected a finite number, got {text!r}")
    return value


def _split(text: object, expected: str) -> tuple[float, str]:
    """Split "1.2 billion" into (1.2, "billion"); numbers pass through with no unit."""
    if isinstance(text, bool):
        raise ValueError(f"expected {expected}, got {text!r}")
    if isinstance(text, (int, float)):
        return _finite(float(text), text), ""
    if not isinstance(text, str):
        raise ValueError(f"expected {expected}, got {type(text).__name__} {text!r}")
    _short(text, expected)
    match = _NUMBER_RE.match(text)
    if not match:
        if text.strip().lower() in {"nan", "inf", "-inf", "+inf", "infinity", ".nan", ".inf"}:
            raise ValueError(f"expected a finite number, got {text!r}")
        raise ValueError(f"expected {expected}, got {text!r}")
    number = float(match.group(1).replace(",", "").replace("_", ""))
    return _finite(number, text), match.group(2)


def _words(unit: str) -> str:
    return re.sub(r"\s+", " ", unit.strip().lower())


def parse_count(text: object) -> float:
    """A plain count: 100, "10K", "100 million", "1.2 billion"."""
    expected = "a count like '100 million' or '10K'"
    number, unit = _split(text, expected)
    unit = _words(unit)
    if unit not in COUNT_WORDS:
        kind = _unit_kind(unit)
        hint = f" ({unit!r} is a {kind} unit)" if kind else ""
        raise ValueError(f"expected {expected}, got {text!r}{hint}")
    return number * COUNT_WORDS[unit]


def parse_size(text: object) -> float:
    """A size in bytes: 500, "500 bytes", "1.27 KB", "2 MiB" (KB decimal, KiB binary)."""
    expected = "a size like '500 bytes', '1.27 KB' or '2 MiB'"
    number, unit = _split(text, expected)
    key = _words(unit).replace(" ", "")
    if key == "":
        return number
    if key not in SIZE_UNITS:
        kind = _unit_kind(_words(unit))
        hint = f" ({unit!r} is a {kind} unit)" if kind and kind != "size" else ""
        raise ValueError(f"expected {expected}, got {text!r}{hint}")
    return number * SIZE_UNITS[key]


def parse_duration_days(text: object) -> float:
    """A duration in days: "5 years", "90 days", "6 months"; a bare number is days."""
    expected = "a duration like '5 years' or '90 days'"
    number, unit = _split(text, expected)
    unit = _words(unit)
    if unit == "":
        return number
    if unit not in DURATION_UNITS:
        kind = _unit_kind(unit)
        hint = f" ({unit!r} is a {kind} unit)" if kind and kind != "duration" else ""
        raise ValueError(f"expected {expected}, got {text!r}{hint}")
    return number * DURATION_UNITS[unit]


def parse_rate(text: object, *, bare_per_second: bool = False) -> float:
    """A rate in events per second: "400/s", "10 million/month", "500 million per day".

    A bare number is per second only where the field says so (``bare_per_second``).
    """
    expected = "a rate like '400/s', '500 million/day' or '10 million/month'"
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if bare_per_second:
            return _finite(float(text), text)
        raise ValueError(f"expected {expected} (say per what), got {text!r}")
    if not isinstance(text, str):
        raise ValueError(f"expected {expected}, got {type(text).__name__} {text!r}")
    _short(text, expected)
    lowered = text.strip().lower()
    match = re.match(r"^(.*?)\s*(?:/|\bper\b|\ba\b)\s*([a-z]+)\s*$", lowered)
    if match:
        amount, period = match.group(1), match.group(2)
        period = period[:-1] if period.endswith("s") and period[:-1] in RATE_PERIODS else period
        if period not in RATE_PERIODS:
            raise ValueError(f"expected {expected}, got {text!r} (unknown period {period!r})")
        try:
            return parse_count(amount) / RATE_PERIODS[period]
        except ValueError as exc:
            raise ValueError(f"expected {expected}, got {text!r} ({exc})") from None
    number, unit = _split(text, expected)
    parts = _words(unit).split(" ")
    if parts and parts[-1] in _PER_SECOND_WORDS:
        scale = " ".join(parts[:-1])
        if scale in COUNT_WORDS:
            return number * COUNT_WORDS[scale]
    if bare_per_second and _words(unit) in COUNT_WORDS:
        return number * COUNT_WORDS[_words(unit)]
    kind = _unit_kind(_words(unit))
    hint = f" ({unit!r} is a {kind} unit)" if kind else ""
    raise ValueError(f"expected {expected}, got {text!r}{hint}")


def parse_factor(text: object) -> float:
    """A multiplier: "4x", "2.5x", 4."""
    expected = "a factor like '4x'"
    number, unit = _split(text, expected)
    if _words(unit) not in {"", "x", "×", "times"}:
        raise ValueError(f"expected {expected}, got {text!r}")
    return number


def parse_fraction(text: object) -> float:
    """A share between 0 and 1: "10%", "99.9%", 0.2."""
    expected = "a share like '20%' or 0.2"
    number, unit = _split(text, expected)
    unit = _words(unit)
    if unit in {"%", "percent"}:
        value = number / 100
    elif unit == "":
        value = number
    else:
        raise ValueError(f"expected {expected}, got {text!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"expected a share between 0% and 100%, got {text!r}")
    return value


def parse_ratio(text: object) -> tuple[float, float]:
    """A read:write ratio "100:1" as (reads, writes); "0:1" means every request writes."""
    expected = "a read:write ratio like '100:1' or '0:1'"
    if not isinstance(text, str):
        raise ValueError(f"expected {expected} (quote it in YAML), got {text!r}")
    _short(text, expected)
    match = re.match(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$", text)
    if not match:
        raise ValueError(f"expected {expected}, got {text!r}")
    reads, writes = (_finite(float(g.replace(",", "")), text) for g in match.groups())
    if reads < 0 or writes < 0 or reads + writes == 0:
        raise ValueError(f"expected {expected} with non-negative parts not both zero, got {text!r}")
    return reads, writes


def _unit_kind(unit: str) -> str | None:
    """Name the kind of a unit written in the wrong place, for a better error."""
    key = unit.replace(" ", "")
    if key in SIZE_UNITS:
        return "size"
    if unit in DURATION_UNITS:
        return "duration"
    if "/" in unit or " per " in f" {unit} " or unit.split(" ")[-1:] and unit.split(" ")[-1] in _PER_SECOND_WORDS:
        return "rate"
    if unit in {"%", "percent"}:
        return "percentage"
    return None


# --- saying numbers the way people say them -------------------------------------------

def _whole(value: float, separator: str = "") -> str:
    """A float rounded to a whole number, in plain digits and no more of them than the float holds:
    4.6e87 -> '46' and 86 zeros, not the 88 digits of its binary value ('...0343371...')."""
    if abs(value) < 1e15:
        return f"{value:{separator}.0f}"
    return format(Decimal(repr(float(value))), f"{separator}.0f")


def _two_sig(value: float) -> str:
    """Two significant figures, no trailing zeros: 11.574 -> '12', 0.913 -> '0.91'."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞" if value < 0 else "?"   # never a traceback in a sentence
    digits = 2 - int(math.floor(math.log10(abs(value)))) - 1
    rounded = round(value, digits)
    if abs(rounded) >= 10:
        return _whole(rounded)
    text = f"{rounded:.{max(digits, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(value: float, units: list[tuple[float, str]]) -> str:
    """Pick the largest unit in which the value is at least 0.9, say two figures in it."""
    if value == 0:
        return f"0{units[0][1]}"
    if not math.isfinite(value):
        return f"{_two_sig(value)}{units[0][1]}"
    chosen = units[0]
    for scale, suffix in units:
        if abs(value) >= 0.9 * scale:
            chosen = (scale, suffix)
    mantissa = float(_two_sig(value / chosen[0]))
    # Rounding can carry into the next unit (999.6 -> 1000): say it there instead.
    index = units.index(chosen)
    if abs(mantissa) >= 1000 and index + 1 < len(units):
        chosen = units[index + 1]
    return f"{_two_sig(value / chosen[0])}{chosen[1]}"


_SI = [(1.0, ""), (1e3, "K"), (1e6, "M"), (1e9, "B"), (1e12, "T")]
_WORDS = [(1.0, ""), (1e3, "K"), (1e6, " million"), (1e9, " billion"), (1e12, " trillion")]
_BYTES = [(1.0, " bytes"), (1e3, " KB"), (1e6, " MB"), (1e9, " GB"), (1e12, " TB"), (1e15, " PB"), (1e18, " EB")]


def say_count(value: float, *, approx: bool = True) -> str:
    """A count the way people say it: 1e8 -> '100 million', 11574 -> '~12K'."""
    text = _scaled(value, _WORDS)
    return f"~{text}" if approx and not _exact(value) else text


def say_qps(value: float, *, approx: bool = True) -> str:
    """A rate per second: 46296 -> '~46K', 3.8 -> '~3.8'."""
    text = _scaled(value, _SI)
    return f"~{text}" if approx and not _exact(value) else text


def _plain(value: float, figures: int = 2) -> str:
    """value to `figures` significant figures in plain decimals (never '1.4e-09'), no trailing zeros."""
    if value == 0 or not math.isfinite(value):
        return _two_sig(value)
    places = max(0, figures - 1 - int(math.floor(math.log10(abs(value)))))
    text = f"{round(value, places):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def say_bytes(value: float, *, approx: bool = True) -> str:
    """A size in decimal units: 5e11 -> '~500 GB', 9.13e14 -> '~0.91 PB'; under a byte: '< 1 byte'."""
    if 0 < value < 1:
        return "< 1 byte"      # bytes are whole: never '0.5 bytes'
    if 1 <= value < 999.5:     # ... nor "1.5 bytes"
        whole = round(value)
        text = f"{whole} byte{'s' if whole != 1 else ''}"
        return f"~{text}" if approx and whole != value else text
    text = _scaled(value, _BYTES)
    if text.startswith("1 bytes"):
        text = "1 byte"
    return f"~{text}" if approx and not _exact(value) else text


def say_bandwidth(bytes_per_second: float) -> str:
    """Bytes per second as people say network bandwidth: '~5.8 MB/s'."""
    return f"{say_bytes(bytes_per_second)}/s"


def say_days(days: float) -> str:
    """A duration: 1826.25 -> '5 years', 30 -> '30 days', 2 minutes -> '2 minutes'."""
    if not math.isfinite(days):
        return f"{_two_sig(days)} days"
    if days < 1:
        seconds = days * DAY_SECONDS
        for unit, size in (("hour", 3600.0), ("minute", 60.0), ("second", 1.0)):
            if seconds >= size * 0.99:
                text = _two_sig(seconds / size)
                return f"{text} {unit}{'s' if text != '1' else ''}"
        return f"{_two_sig(seconds)} seconds"
    years = days / YEAR_DAYS
    if days >= YEAR_DAYS * 0.99 and abs(years - round(years)) < 0.01:
        n = _whole(years)
        return f"{n} year{'s' if n != '1' else ''}"
    months = days / MONTH_DAYS
    if days >= MONTH_DAYS * 0.99 and abs(months - round(months)) < 0.01:
        n = _whole(months)
        return f"{n} month{'s' if n != '1' else ''}"
    text = _two_sig(days) if days < 100 else _whole(days)
    return f"{text} day{'s' if text != '1' else ''}"


def say_percent(fraction: float) -> str:
    """A share: 0.999 -> '99.9%', 0.2 -> '20%', 0.999999 -> '99.9999%'."""
    percent = fraction * 100
    for places in range(0, 7):
        text = f"{percent:.{places}f}"
        if abs(float(text) - percent) < 1e-9 * max(1.0, percent) or places == 6:
            return f"{text}%"
    return f"{percent}%"  # pragma: no cover


def say_seconds(seconds: float) -> str:
    """A short duration: 45 -> '45 s', 90 -> '1.5 min', 7200 -> '2 h'."""
    if seconds < 60:
        return f"{_two_sig(seconds)} s"
    if seconds < 3600:
        return f"{_two_sig(seconds / 60)} min"
    if seconds < DAY_SECONDS:
        return f"{_two_sig(seconds / 3600)} h"
    return f"{_two_sig(seconds / DAY_SECONDS)} days"


def say_share(fraction: float) -> str:
    """A utilization or share: 0.643 -> '64%', 0.046 -> '4.6%', 45.66 -> '4,566%', 1e-9 -> '< 0.01%'.
    Only all of it is '100%': 0.9971 -> '99.7%' (not all requests), 1.003 -> '100.3%' (over capacity)."""
    percent = fraction * 100
    if percent == 0:
        return "0%"
    if percent < 0.01:
        return "< 0.01%"
    if percent >= 9.5:
        said = _whole(percent, ",")
        if said != "100" or percent == 100:
            return f"{said}%"
        for places in range(1, 5):        # as many decimals as it takes to say which side of 100 it is
            said = f"{percent:.{places}f}".rstrip("0")
            if float(said) != 100:
                return f"{said}%"
        return "just under 100%" if percent < 100 else "just over 100%"
    return f"{percent:.2g}%"


def say_times(multiplier: float) -> str:
    """A multiple of today: 0.432 -> '0.43x', 18.2 -> '18x', 4512 -> '4,500x', 1.5e-06 -> '< 0.01x'."""
    if 0 < multiplier < 0.01:
        return "< 0.01x"
    rounded = float(f"{multiplier:.2g}")
    return f"{_whole(rounded, ',')}x" if rounded >= 1000 else f"{_plain(rounded)}x"


MAX_NINES = 6  # no availability is known better than 99.9999%: say "> 99.9999%" past it


def say_availability(fraction: float) -> str:
    """An availability with enough nines to show its first non-9: 0.99980001 -> '99.98%'.

    Past six nines the figure is false precision: 0.999999999985 -> '> 99.9999%'.
    """
    if math.isnan(fraction):
        return "?%"
    down = 1.0 - fraction
    if down < 10.0 ** -MAX_NINES:
        return f"> {100 - 10.0 ** (2 - MAX_NINES):.{MAX_NINES - 2}f}%"
    if fraction <= 0:
        return "0%"
    places = max(0, math.ceil(-math.log10(down * 100))) + 1
    text = f"{fraction * 100:.{places}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def say_duration(seconds: float) -> str:
    """Short times too: 2e-05 -> '20 µs', 0.00093 -> '0.93 ms', 45 -> '45 s'."""
    if seconds == 0:
        return "0 s"
    if math.isinf(seconds):
        return "unbounded"
    if seconds < 1:   # the unit in which it reads 0.9 or more: 0.00093 -> '0.93 ms', not '0.93K µs'
        return _scaled(seconds, [(1e-6, " µs"), (1e-3, " ms"), (1.0, " s")])
    return say_seconds(seconds)


def say_minutes(minutes: float) -> str:
    """A downtime: 52.6 -> '53 min', 0.53 -> '32 s'."""
    return say_duration(minutes * 60)


PERIOD_WORDS = {YEAR_DAYS: "year", MONTH_DAYS: "month", 7.0: "week", 1.0: "day"}


def say_downtime(minutes: float, period_days: float) -> str:
    """Downtime within a period, never longer than it and never finer than a second.

    0.0078 min -> '< 1 s'; a whole year down -> 'all year'; 52.6 -> '53 min'.
    """
    period = period_days * 1440.0
    if minutes * 60 < 1:
        return "< 1 s"
    if minutes >= period * 0.995:
        return f"all {PERIOD_WORDS.get(period_days, say_days(period_days))}"
    text = say_minutes(minutes)
    # two figures can round up past the period itself (365 days -> '370 days'): say it in days
    if minutes >= period * 0.9:
        text = f"{minutes / 1440.0:.0f} days"
    return text


def _exact(value: float) -> bool:
    """True when the spoken form loses nothing, so no '~' is needed."""
    if value == 0 or not math.isfinite(value):
        return True
    digits = 2 - int(math.floor(math.log10(abs(value)))) - 1
    return math.isclose(round(value, digits), value, rel_tol=1e-12, abs_tol=0)


def say_exact(value: float) -> str:
    """A number in full, for when two figures are not enough: 46481.5 -> '46,482', 3.804 -> '3.8'."""
    if abs(value) >= 100:
        return _whole(value, ",")
    return _plain(value, 3)


def say_bytes_in(value: float, unit: str) -> str:
    """A size in a unit the writer picks: (9.13e14, 'TB') -> '~910 TB'."""
    key = unit.strip().lower()
    if key not in SIZE_UNITS:
        raise ValueError(f"expected a size unit like 'GB', 'TB' or 'PiB', got {unit!r}")
    amount = value / SIZE_UNITS[key]
    text = f"{_two_sig(amount)} {unit.strip()}"
    return text if _exact(amount) else f"~{text}"


# --- money (US dollars: the price table and the monthly bill) ------------------------------

def parse_dollars(text: object) -> float:
    """A non-negative amount of US dollars: 0.096, '$0.096', '$1,200', '1200 USD'."""
    expected = "an amount of US dollars like '$0.096' or '1,200'"
    if isinstance(text, str):
        _short(text, expected)
        text = re.sub(r"^\s*(?:US)?\$\s*", "", text, flags=re.IGNORECASE)
    number, unit = _split(text, expected)
    if _words(unit) not in ("", "usd", "dollars", "dollar"):
        raise ValueError(f"expected {expected}, got {text!r}")
    if number < 0:
        raise ValueError(f"expected zero or more dollars, got {text!r}")
    return number


def say_dollars(amount: float) -> str:
    """Dollars as a bill says them: 123456.7 -> '$123,457', 42.5 -> '$42.50', 0.0963 -> '$0.096'."""
    if amount >= 100:
        return f"${_whole(amount, ',')}"
    if amount >= 1:
        return f"${amount:,.2f}"
    if amount == 0:
        return "$0"
    if amount < 0.0001:
        return "< $0.0001"     # a ten-thousandth of a dollar: finer than any price is quoted
    return f"${_plain(amount)}"
