"""Median wall time of `designkit estimate reference` next to `python -c pass` (target <= 0.3 s)."""

import statistics
import subprocess
import sys
import time

RUNS = 15


def median_seconds(argv: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    floor = median_seconds([sys.executable, "-c", "pass"])
    estimate = median_seconds([sys.executable, "-m", "designkit", "estimate", "reference"])
    print(f"python -c pass:               median {floor * 1000:6.0f} ms")
    print(f"designkit estimate reference: median {estimate * 1000:6.0f} ms  "
          f"(ratio {estimate / floor:.1f}x, target <= 300 ms: {'ok' if estimate <= 0.3 else 'MISSED'})")
