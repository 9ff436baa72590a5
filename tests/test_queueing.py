"""Erlang B/C and M/M/c response times against hand-worked and published values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designkit.model.queueing import (erlang_b, erlang_c, operating_point, response_curve,
                                response_time)


def erlang_c_textbook(c: int, a: float) -> float:
    """The closed form as printed in textbooks, summed directly (fine for small c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_erlang_c_two_servers_one_erlang_is_one_third():
    # M/M/2 closed form (Gross & Harris, Fundamentals of Queueing Theory, M/M/c with c=2):
    # P(wait) = 2 rho^2 / (1 + rho); A = 1 Erlang on 2 servers -> rho = 0.5 -> 0.5 / 1.5 = 1/3.
    # By hand through Erlang B: B(1) = 1/2, B(2) = 1*0.5 / (2 + 0.5) = 0.2,
    # C = c*B / (c - A(1 - B)) = 0.4 / (2 - 0.8) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-12)


def test_erlang_b_matches_the_published_table_for_ten_trunks():
    # Standard Erlang B table, N = 10 trunks: 3.09 E at 0.1% blocking, 4.46 E at 1%,
    # 5.08 E at 2%, 6.22 E at 5% (printed to three significant figures).
    assert erlang_b(10, 3.09) == pytest.approx(0.001, abs=2e-5)
    assert erlang_b(10, 4.46) == pytest.approx(0.01, abs=1e-4)
    assert erlang_b(10, 5.08) == pytest.approx(0.02, abs=2e-4)
    assert erlang_b(10, 6.22) == pytest.approx(0.05, abs=3e-4)


def test_erlang_c_single_server_is_the_utilization():
    # M/M/1: an arrival waits exactly when the server is busy, which is rho of the time.
    for rho in (0.1, 0.5, 0.9):
        assert erlang_c(1, rho) == pytest.approx(rho)


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 13, 21])
@pytest.mark.parametrize("rho", [0.05, 0.5, 0.8, 0.99])
def test_erlang_c_recurrence_matches_the_textbook_sum(c, rho):
    assert erlang_c(c, rho * c) == pytest.approx(erlang_c_textbook(c, rho * c), rel=1e-9)


def test_erlang_c_saturated_means_everyone_waits():
    assert erlang_c(4, 4.0) == 1.0
    assert erlang_c(4, 9.0) == 1.0


def test_erlang_c_stays_finite_for_thousands_of_servers():
    # The direct sum would overflow (4900^5000 / 5000!); the recurrence does not.
    value = erlang_c(5000, 4900.0)
    assert 0 < value < 1


def test_mm1_at_half_utilization_takes_twice_the_service_time():
    # M/M/1: W = S / (1 - rho) = S / 0.5 = 2 S.
    assert response_time(1, 0.010, 0.5) == pytest.approx(0.020)


def test_mm1_response_time_formula():
    for rho in (0.0, 0.25, 0.75, 0.9):
        assert response_time(1, 1.0, rho) == pytest.approx(1 / (1 - rho))


def test_mm2_response_time_by_hand():
    # c = 2, rho = 0.5: W = S (1 + C / (c (1 - rho))) = S (1 + (1/3) / 1) = 4/3 S.
    assert response_time(2, 3.0, 0.5) == pytest.approx(4.0)


def test_overloaded_response_time_is_unbounded():
    assert response_time(3, 1.0, 1.0) == math.inf
    assert response_time(3, 1.0, 1.5) == math.inf


def test_response_curve_shape():
    utils, times = response_curve(4, 0.002, points=20, max_utilization=0.9)
    assert len(utils) == len(times) == 20
    assert utils[0] == 0 and utils[-1] == pytest.approx(0.9)
    assert times[0] == pytest.approx(0.002)  # no load: no queueing
    assert all(b > a for a, b in zip(times, times[1:]))  # strictly rising to the knee


def test_response_curve_rejects_bad_arguments():
    with pytest.raises(ValueError):
        response_curve(2, 1.0, points=1)
    with pytest.raises(ValueError):
        response_curve(2, 1.0, max_utilization=1.0)


def test_operating_point_by_hand():
    # 1500 requests/s on 2 servers of 1000/s each: rho = 0.75, A = 1.5 Erlangs.
    # Erlang B: B(1) = 1.5/2.5 = 0.6, B(2) = 1.5*0.6/(2 + 0.9) = 0.9/2.9;
    # C = 2B / (2 - 1.5(1 - B)) = 0.6207 / (2 - 1.5*0.6897) = 0.6207/0.9655 = 0.6429 (= 9/14).
    # W = 1 ms * (1 + C / (2 * 0.25)) = 1 ms * (1 + 1.2857) = 2.2857 ms.
    point = operating_point(2, 0.001, 1500.0)
    assert point.utilization == pytest.approx(0.75)
    assert point.wait_probability == pytest.approx(9 / 14)
    assert point.response_seconds == pytest.approx(0.001 * (1 + 9 / 7))
    assert point.stable and point.slowdown == pytest.approx(1 + 9 / 7)


def test_operating_point_overloaded():
    point = operating_point(1, 0.001, 2000.0)
    assert point.utilization == pytest.approx(2.0)
    assert not point.stable and point.response_seconds == math.inf


@given(st.integers(1, 60), st.floats(0, 0.98), st.floats(0, 0.98))
def test_response_time_never_falls_as_utilization_rises(c, u1, u2):
    low, high = sorted((u1, u2))
    assert response_time(c, 1.0, high) >= response_time(c, 1.0, low) * (1 - 1e-12)


@given(st.integers(1, 60), st.floats(0, 0.98))
def test_pooling_more_servers_at_the_same_utilization_never_waits_longer(c, rho):
    assert response_time(c + 1, 1.0, rho) <= response_time(c, 1.0, rho) * (1 + 1e-12)
