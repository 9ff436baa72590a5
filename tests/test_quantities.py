"""Quantities as people write them, and said back the way people say them."""

import math

import pytest
from hypothesis import example, given, strategies as st

from designkit.model import quantities as q


@pytest.mark.parametrize("text, value", [
    ("100 million", 1e8), ("1.2 billion", 1.2e9), ("10K", 1e4), ("10k", 1e4), ("1,000", 1e3),
    (250, 250.0), ("3 trillion", 3e12), ("2.5M", 2.5e6), ("1e6", 1e6),
])
def test_counts(text, value):
    assert q.parse_count(text) == pytest.approx(value)


@pytest.mark.parametrize("text, value", [
    ("500 bytes", 500), (500, 500), ("1.27 KB", 1270), ("2 MiB", 2 * 1024**2), ("1 GB", 1e9),
    ("1 GiB", 2**30), ("5 TB", 5e12), ("1 PB", 1e15), ("64 kib", 65536), ("1 byte", 1),
])
def test_sizes_decimal_and_binary(text, value):
    assert q.parse_size(text) == pytest.approx(value)


@pytest.mark.parametrize("text, days", [
    ("5 years", 5 * 365.25), ("1 month", 30.4375), ("90 days", 90), ("2 weeks", 14), ("12 hours", 0.5),
])
def test_durations(text, days):
    assert q.parse_duration_days(text) == pytest.approx(days)


@pytest.mark.parametrize("text, per_second", [
    ("400/s", 400), ("10 million/month", 1e7 / (30.4375 * 86400)), ("500 million/day", 5e8 / 86400),
    ("500 million per day", 5e8 / 86400), ("10K QPS", 1e4), ("60/min", 1), ("3600 per hour", 1),
    ("1 billion/year", 1e9 / (365.25 * 86400)),
])
def test_rates(text, per_second):
    assert q.parse_rate(text) == pytest.approx(per_second)


def test_bare_rate_only_where_the_field_says_per_second():
    assert q.parse_rate(1000, bare_per_second=True) == 1000
    assert q.parse_rate("5K", bare_per_second=True) == 5000
    with pytest.raises(ValueError, match="per what"):
        q.parse_rate(1000)


def test_factor_share_ratio():
    assert q.parse_factor("4x") == 4 and q.parse_factor(2.5) == 2.5
    assert q.parse_fraction("10%") == pytest.approx(0.1)
    assert q.parse_fraction("99.9%") == pytest.approx(0.999)
    assert q.parse_fraction(0.2) == 0.2
    assert q.parse_ratio("100:1") == (100, 1) and q.parse_ratio("0:1") == (0, 1)


@pytest.mark.parametrize("parse, text, message", [
    (q.parse_rate, "5 GB", "size unit"),
    (q.parse_size, "5 years", "duration unit"),
    (q.parse_size, "400/s", "expected a size"),
    (q.parse_count, "lots", "expected a count"),
    (q.parse_count, "nan", "finite"),
    (q.parse_count, float("inf"), "finite"),
    (q.parse_fraction, "120%", "between 0% and 100%"),
    (q.parse_fraction, 20, "between 0% and 100%"),
    (q.parse_ratio, "100", "ratio"),
    (q.parse_ratio, "0:0", "not both zero"),
    (q.parse_factor, "four", "factor"),
    (q.parse_rate, "5/fortnight", "unknown period"),
])
def test_bad_quantities_say_what_was_expected(parse, text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)


@pytest.mark.parametrize("value, spoken", [
    (11574.07, "~12K"), (46296.3, "~46K"), (1e9, "1B"), (3.8025, "~3.8"), (0, "0"), (999_600, "~1M"),
])
def test_say_qps(value, spoken):
    assert q.say_qps(value) == spoken


@pytest.mark.parametrize("value, spoken", [
    (1e8, "100 million"), (1e7, "10 million"), (1e9, "1 billion"), (1.2e9, "1.2 billion"), (11574, "~12K"),
])
def test_say_count(value, spoken):
    assert q.say_count(value) == spoken


@pytest.mark.parametrize("value, spoken", [
    (5e11, "500 GB"), (9.13125e14, "~0.91 PB"), (1e15, "1 PB"), (500, "500 bytes"), (1.27e10, "~13 GB"),
    (5.787e6, "~5.8 MB"),
])
def test_say_bytes(value, spoken):
    assert q.say_bytes(value) == spoken


def test_say_days_percent_seconds():
    assert q.say_days(5 * 365.25) == "5 years"
    assert q.say_days(30.4375 * 6) == "6 months"
    assert q.say_days(90) == "90 days"
    assert q.say_percent(0.999999) == "99.9999%"
    assert q.say_percent(0.2) == "20%"
    assert q.say_seconds(45) == "45 s" and q.say_seconds(90) == "1.5 min"


# --- properties ------------------------------------------------------------------------

numbers = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)


@given(numbers, st.sampled_from(["", "K", " million", " billion"]))
def test_count_roundtrip(value, word):
    text = f"{value!r}{word}"
    assert q.parse_count(text) == pytest.approx(value * q.COUNT_WORDS[word.strip().lower()])


@given(numbers, st.sampled_from(sorted(q.SIZE_UNITS)))
def test_size_units_scale_linearly(value, unit):
    assert q.parse_size(f"{value!r} {unit}") == pytest.approx(value * q.SIZE_UNITS[unit])


@given(numbers, st.sampled_from(["s", "min", "hour", "day", "month", "year"]))
def test_rate_is_count_over_period(value, period):
    assert q.parse_rate(f"{value!r}/{period}") == pytest.approx(value / q.RATE_PERIODS[period])


@given(st.floats(min_value=1e-2, max_value=1e17, allow_nan=False))
def test_spoken_numbers_read_back_within_rounding(value):
    """Two significant figures: what we say parses back to within 5% of the truth."""
    assert math.isclose(q.parse_count(q.say_qps(value).lstrip("~")), value, rel_tol=0.05)
    said = q.say_bytes(value)
    if value < 1:
        assert said == "< 1 byte"                   # bytes are whole
    else:
        assert math.isclose(q.parse_size(said.lstrip("~")), value, rel_tol=0.05, abs_tol=0.5)
    assert math.isclose(q.parse_count(q.say_count(value).lstrip("~")), value, rel_tol=0.05)


@given(st.text(max_size=20))
def test_parsers_raise_value_error_or_return_a_finite_number(text):
    for parse in (q.parse_count, q.parse_size, q.parse_rate, q.parse_duration_days, q.parse_fraction):
        try:
            value = parse(text)
        except ValueError:
            continue
        assert math.isfinite(value)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_no_say_function_raises_on_a_number_that_is_not_finite(value):
    """A sentence never becomes a traceback: limits keep such numbers out, and saying one is still text."""
    sayers = [f for name, f in vars(q).items() if name.startswith("say_") and callable(f)]
    assert len(sayers) >= 8
    for say in sayers:
        try:
            said = say(value)
        except TypeError:
            continue          # takes more than a number
        assert isinstance(said, str) and said, say.__name__


@given(st.floats(min_value=0.5, max_value=2.0, allow_nan=False))
@example(0.9971)        # a failure row at 1000x said "100% already fail" of 99.71%
@example(1.003)         # a component 0.3% over capacity is over it, not at it
@example(0.9999999)
@example(1.0)
def test_a_share_is_all_of_it_only_when_it_is(fraction):
    said = q.say_share(fraction)
    if said.startswith("just"):
        assert ("under" in said) == (fraction < 1) and fraction != 1
        return
    number = float(said.rstrip("%").replace(",", ""))
    assert (said == "100%") == (fraction == 1), (fraction, said)
    assert (number < 100) == (fraction < 1) and (number > 100) == (fraction > 1), (fraction, said)
    assert abs(number - 100 * fraction) <= max(0.5, 5e-3 * 100 * fraction)     # still the value, rounded
