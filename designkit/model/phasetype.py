"""The exact response-time distribution of a path: a sum of independent M/M/c hops is phase-type.

One M/M/c hop's response time is an exponential service (rate mu), followed, with probability C
(Erlang C), by an exponential wait (rate c mu - lambda): a phase-type distribution with at most
two phases.  A request on a path passes its hops one after another, so the path's time is the
phase-type distribution that chains them: phase "service of hop 1", then "wait at hop 1" with
probability C1, then "service of hop 2", ... until it leaves after the last hop.

With the phases' sub-generator Q (rates on the diagonal, negated; the moves between phases off
it) and the start vector alpha (the first phase), the path's tail is

    P(T > t) = alpha exp(Q t) 1        and its density  f(t) = alpha exp(Q t) q,   q = -Q 1

which this module evaluates with a matrix exponential (scaling and squaring of a Taylor series:
Q has non-negative entries off the diagonal, so nothing cancels badly) and inverts for the
percentiles.  A path of n hops has at most 2n phases: a fraction of a millisecond per point.

It assumes the hops' times are independent, as they are for M/M/1 stations in series (a
tandem Jackson network: Reich, 1957); for c > 1 servers it is the standard approximation.
NumPy is imported when a path is first solved, not when designkit is imported: the quick
commands (``estimate``) never pay for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import queueing

TAYLOR_TERMS = 14            # terms of exp(A) once ||A|| <= 1/2: error below 1e-17
PERCENTILE_ITERATIONS = 200  # root-finding steps at most
PERCENTILE_TOLERANCE = 1e-9  # relative: far finer than the two figures the article prints


@dataclass(frozen=True)
class Hop:
    """One M/M/c hop: service rate mu, drain rate c mu - lambda, and the chance C of waiting."""

    mu: float
    drain: float
    waits: float

    @classmethod
    def of(cls, servers: int, service_seconds: float, utilization: float) -> Hop | None:
        """The hop at ``utilization``; None when it is at or past saturation (its queue grows forever)."""
        if utilization >= 1:
            return None
        mu = 1 / service_seconds
        return cls(mu, servers * (1 - utilization) * mu, queueing.erlang_c(servers, utilization * servers))


class Path:
    """The phase-type distribution of the sum of ``hops`` (independent), ready to evaluate.

    Every hop keeps its wait phase even when it never waits (C = 0), so paths of the same hops
    at different loads share one shape and can be evaluated together (``tails_of``).
    """

    def __init__(self, hops: list[Hop]):
        import numpy as np

        size = 2 * len(hops)
        generator = np.zeros((size, size))
        for i, hop in enumerate(hops):
            service, wait, after = 2 * i, 2 * i + 1, 2 * i + 2
            generator[service, service] = -hop.mu
            generator[wait, wait] = -hop.drain
            generator[service, wait] = hop.mu * hop.waits
            if after < size:                   # the moves out of the last hop leave the path
                generator[service, after] = hop.mu * (1 - hop.waits)
                generator[wait, after] = hop.drain
        self._np = np
        self.generator = generator
        self.exits = -generator.sum(axis=1)    # rate of leaving the path from each phase
        self.hops = tuple(hops)

    def tails(self, seconds):
        """(P(T > t), density of T at t) for each t of ``seconds`` (arrays; every t > 0)."""
        np = self._np
        times = np.asarray(seconds, dtype=float)
        rows = _first_rows(np, self.generator[None] * times[:, None, None])
        return np.clip(rows.sum(axis=1), 0.0, 1.0), np.maximum(rows @ self.exits, 0.0)

    def tail(self, seconds: float) -> float:
        """P(T > seconds): the share of requests on the path slower than ``seconds``."""
        if not self.hops:
            return 0.0 if seconds >= 0 else 1.0
        return 1.0 if seconds <= 0 else float(self.tails([seconds])[0][0])

    def mean(self) -> float:
        """The mean time on the path: the sum of the hops' means."""
        return math.fsum(1 / h.mu + h.waits / h.drain for h in self.hops)

    def percentiles(self, percentiles) -> tuple[float, ...]:
        """The times each of ``percentiles`` (0.99 for p99) of requests stay within.

        A grid of times a factor 2 apart, from 2^-10 to 2^10 times the mean (Markov's inequality
        puts p99.9 below 1,000 means), costs one matrix exponential and a squaring per point
        (exp(2Qt) = exp(Qt)^2) and brackets each answer; then Newton steps on the log of the
        tail, which is nearly straight past the bulk (a phase-type tail decays exponentially),
        all percentiles at once, each kept inside its bracket, to a relative
        ``PERCENTILE_TOLERANCE``.
        """
        if not self.hops:
            return tuple(0.0 for _ in percentiles)
        np = self._np
        goals = np.log1p(-np.asarray(percentiles, dtype=float))         # log(1 - p)
        grid = self.mean() * 2.0 ** np.arange(-10, 11)
        power = _exponential(np, self.generator[None] * grid[0])[0]
        rows = [power[0]]
        for _ in grid[1:]:
            power = power @ power
            rows.append(power[0])
        tails = np.clip(np.sum(rows, axis=1), 0.0, 1.0)
        logs = np.log(np.maximum(tails, 1e-300))
        above = (logs[None, :] > goals[:, None]).sum(axis=1)           # grid points still too fast
        low = np.where(above > 0, grid[np.maximum(above - 1, 0)], 0.0)
        high = np.where(above < len(grid), grid[np.minimum(above, len(grid) - 1)], np.inf)
        guess = np.where(np.isfinite(high), high, grid[-1] * 2)
        inside = (above > 0) & (above < len(grid))
        if inside.any():                                                  # log-linear interpolation
            i = np.maximum(above - 1, 0)[inside]
            j = i + 1
            fraction = (logs[i] - goals[inside]) / np.maximum(logs[i] - logs[j], 1e-300)
            guess[inside] = grid[i] * (grid[j] / grid[i]) ** np.clip(fraction, 0.0, 1.0)
        for _ in range(PERCENTILE_ITERATIONS):
            tails, densities = self.tails(guess)
            excess = np.log(np.maximum(tails, 1e-300)) - goals
            low = np.where(excess > 0, guess, low)
            high = np.where(excess > 0, high, guess)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = guess + excess * tails / densities
            bisect = (low + high) / 2
            step = np.where((step > low) & (step < high), step,
                            np.where(np.isfinite(high), bisect, guess * 2))
            done = np.abs(step - guess) <= PERCENTILE_TOLERANCE * guess
            guess = step
            if done.all():
                break
        return tuple(float(t) for t in guess)


def tails_of(paths: list[Path], seconds: float):
    """P(T > seconds) for each of ``paths`` (one shape: the same hops at different loads)."""
    import numpy as np
    stacked = np.stack([p.generator for p in paths]) * seconds
    return np.clip(_first_rows(np, stacked).sum(axis=1), 0.0, 1.0)


def _first_rows(np, matrices):
    """The first row of exp(M) for each M of ``matrices`` (scaled sub-generators, shape (B, k, k))."""
    return _exponential(np, matrices)[:, 0, :]


def _exponential(np, matrices):
    """exp(M) for each M of ``matrices`` (scaled sub-generators, shape (B, k, k)).

    Scaling and squaring of a Taylor series: every matrix is divided by one power of two that
    brings the largest norm under 1/2, its series summed to ``TAYLOR_TERMS`` terms, then squared
    back.  The scaled matrices have no negative entry off the diagonal and a diagonal above -1,
    so their powers' sums do not cancel, and the squarings lose little.
    """
    norm = float(np.abs(matrices).sum(axis=2).max()) if matrices.size else 0.0
    squarings = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    scaled = matrices / (2.0 ** squarings)
    result = np.eye(matrices.shape[-1]) + scaled
    term = scaled
    for k in range(2, TAYLOR_TERMS + 1):
        term = term @ scaled / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result
