"""Batch speed: wall time of an N-item sweep (`designkit batch`) against N sequential `designkit build` runs.

Both are end to end, as a user runs them (subprocesses, interpreter start-up included), with the
same spec and overrides; the sequential builds are split around the batch so drift in machine load
hits both alike.  Target: batch / sequential <= 0.5.
Run: python3 benchmarks/batch.py [N=20] [JOBS]
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = "reference"
FIXED = ["-p", "daily_active_users=null", "-p", "daily_active_fraction=10%"]  # daily users follow users


def users(n: int) -> list[str]:
    """N sweep values: 10M, 20M, ... (distinct articles, every one valid)."""
    return [f"{10 * (i + 1)}M" for i in range(n)]


def designkit(*args: str) -> float:
    """Run `python -m designkit ARGS`; its wall time in seconds (fails loudly if the command does)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "designkit", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"designkit {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def main(n: int = 20, jobs: str | None = None) -> None:
    values = users(n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        builds = []
        half = n // 2
        for i, value in enumerate(values[:half]):
            builds.append(designkit("build", SPEC, "-p", f"users={value}", *FIXED, "-o", str(tmp / "seq" / str(i))))
        extra = ["-j", jobs] if jobs else []
        batch = designkit("batch", SPEC, "--sweep", "users=" + ",".join(values), *FIXED, *extra,
                          "-o", str(tmp / "batch"))
        for i, value in enumerate(values[half:], half):
            builds.append(designkit("build", SPEC, "-p", f"users={value}", *FIXED, "-o", str(tmp / "seq" / str(i))))
        articles = len(list((tmp / "batch").glob("*/*/article.md")))
        assert articles == n, f"the batch wrote {articles} articles, expected {n}"
        sequential = sum(builds)
        print(f"{n} items, {SPEC} swept over users={values[0]}..{values[-1]}" + (f", -j {jobs}" if jobs else ""))
        print(f"designkit batch (shared warm pool):  {batch:6.1f} s  ({batch / n:.2f} s per item)")
        print(f"{n} x designkit build (sequential):   {sequential:6.1f} s  ({sequential / n:.2f} s per build; "
              f"min {min(builds):.1f}, max {max(builds):.1f})")
        ratio = batch / sequential
        print(f"ratio batch / sequential: {ratio:.2f}  (target <= 0.5: {'ok' if ratio <= 0.5 else 'MISSED'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, sys.argv[2] if len(sys.argv) > 2 else None)
