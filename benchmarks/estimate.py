"""Median wall time of `designkit estimate reference` next to `python -c pass` (target <= 0.3 s).

Runs alternate, so drift in machine load hits both alike; CPU time (user + sys) is printed beside
the wall time, and the load average before and after.  The main figure is as this environment
runs Python.  Where bytecode is not cached (PYTHONDONTWRITEBYTECODE is set, as in some sandboxes
and containers), every run compiles designkit's modules again, which an installed package never
does: a second line then shows the same runs with bytecode cached in a temporary folder
(PYTHONPYCACHEPREFIX), as after `pip install`.
Run: python3 benchmarks/estimate.py [runs]   (default 15)
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ESTIMATE = [sys.executable, "-m", "designkit", "estimate", "reference"]
FLOOR = [sys.executable, "-c", "pass"]


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(env: dict, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """((wall, CPU) of python -c pass, (wall, CPU) of designkit estimate), medians of alternating runs."""
    floor, estimate = [], []
    for _ in range(runs):
        floor.append(timed(FLOOR, env))
        estimate.append(timed(ESTIMATE, env))
    return tuple(tuple(statistics.median(x[i] for x in found) for i in (0, 1)) for found in (floor, estimate))


def report(label: str, found) -> None:
    (floor, floor_cpu), (estimate, estimate_cpu) = found
    print(f"{label}\n  python -c pass:               median {floor * 1000:6.0f} ms  CPU {floor_cpu * 1000:5.0f} ms")
    print(f"  designkit estimate reference: median {estimate * 1000:6.0f} ms  CPU {estimate_cpu * 1000:5.0f} ms  "
          f"(ratio {estimate / floor:.1f}x, target <= 300 ms: {'ok' if estimate <= 0.3 else 'MISSED'})")


def main(runs: int = 15) -> None:
    load = os.getloadavg()[0]
    env = dict(os.environ)
    found = medians(env, runs)
    cached = None
    if env.get("PYTHONDONTWRITEBYTECODE"):
        with tempfile.TemporaryDirectory() as prefix:
            env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = prefix
            subprocess.run(ESTIMATE, check=True, stdout=subprocess.DEVNULL, env=env)   # writes the bytecode
            cached = medians(env, runs)
    print(f"{runs} runs each, {os.cpu_count()} cores, load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    report("as this environment runs Python" + (" (no bytecode cache: PYTHONDONTWRITEBYTECODE)" if cached else ""),
           found)
    if cached:
        report("bytecode cached, as after pip install (PYTHONPYCACHEPREFIX)", cached)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
