"""Median CPU time of the tail-latency and cost models in one analysis (the live views redo it per slider move).

Prints, per bundled example, the median of ``analyze`` with both paths' crossings (everything a
live update asks for), of the latency model with the crossings (bisection on the traffic
multiplier) and of a bill, and their share of the whole.  CPU time (``process_time``), not wall
time, so that other work on a shared machine counts less.  Target: latency + bill <= 30 ms.

    python3 benchmarks/latency.py [--runs N]
"""

import argparse
import statistics
import time

from designkit.model import analyze, estimate, load_spec, scaling
from designkit.model import cost, latency
from designkit.model.spec import example_names

TARGET_MS = 30.0


def median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def tail_and_crossings(spec, loads, cap):
    result = latency.latency(spec, loads, cap)
    return [path.crossing_multiplier for path in result.paths]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"{'example':22} {'analyze':>9} {'latency':>9} {'bills':>9} {'share':>7}")
    worst = 0.0
    for name in example_names():
        spec = load_spec(name)
        cap = estimate(spec.scale)
        loads = scaling.loads(spec, cap)
        whole = median_ms(lambda: [p.crossing_multiplier for p in analyze(spec, cap).latency.paths], runs)
        tail = median_ms(lambda: tail_and_crossings(spec, loads, cap), runs)
        bills = median_ms(lambda: cost.bill(spec, cap, loads), runs)
        worst = max(worst, tail + bills)
        print(f"{name:22} {whole:7.1f}ms {tail:7.1f}ms {bills:7.2f}ms {(tail + bills) / whole:6.0%}")
    print(f"worst latency + bills: {worst:.1f} ms (target <= {TARGET_MS:.0f} ms: "
          f"{'ok' if worst <= TARGET_MS else 'MISSED'})")
