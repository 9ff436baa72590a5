"""Build speed: `designkit build reference` (9 notebooks, article, handout) against plain papermill
running ONE of its notebooks with a fresh kernel, side by side in one run, both as a user runs them.

    python3 -m designkit build reference -o DIR
    papermill designkit/notebooks/06_scalability.ipynb OUT.ipynb -p spec reference

Runs alternate, so drift in machine load hits both alike.  Prints the median wall time of each, the
ratio build / papermill (target <= 1.0, then <= 0.5), the ratio within each round (the two runs of a
round saw about the same load), each one's CPU time (its processes and their children: the work
itself, whatever else the machine runs) and the load average before and after.
Run: python3 benchmarks/build.py [runs]   (default 3)
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from designkit.assets import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "06_scalability.ipynb"


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(runs: int = 3) -> None:
    builds, papermills = [], []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            papermills.append(timed([sys.executable, "-m", "papermill", str(NOTEBOOK), f"{tmp}/out-{i}.ipynb",
                                     "-p", "spec", "reference", "--no-progress-bar"]))
            builds.append(timed([sys.executable, "-m", "designkit", "build", "reference", "-o", f"{tmp}/build-{i}"]))
    b = statistics.median(w for w, _ in builds)
    p = statistics.median(w for w, _ in papermills)
    cpu_b = statistics.median(c for _, c in builds)
    cpu_p = statistics.median(c for _, c in papermills)
    rounds = [round(bw / pw, 2) for (bw, _), (pw, _) in zip(builds, papermills)]
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"{runs} runs each, {os.cpu_count()} cores, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after; bytecode cache {bytecode}")
    print(f"designkit build reference (9 notebooks, article, handout): median {b:5.2f} s  CPU {cpu_b:5.2f} s  "
          f"runs {[round(w, 2) for w, _ in builds]}")
    print(f"papermill 06_scalability.ipynb (one notebook, fresh kernel): median {p:5.2f} s  CPU {cpu_p:5.2f} s  "
          f"runs {[round(w, 2) for w, _ in papermills]}")
    verdict = "ok" if b / p <= 1.0 else "MISSED"
    print(f"ratio build / papermill: {b / p:.2f}  (target <= 1.0: {verdict}; then <= 0.5)  "
          f"each round: {rounds}, median {statistics.median(rounds):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
