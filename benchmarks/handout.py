"""The moving handout's budgets: page size, build time with and without the control, ms per step.

Budgets: handout <= 1.5 MB with the default grid; build with the control / without <= 1.25;
one step of the control <= 16 ms median in Chromium (script, style and layout of the step).
Run: python3 benchmarks/handout.py [runs]   (builds the reference 2 x runs times)
"""

import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from designkit.run.build import build

SIZE_BUDGET = 1.5e6
RATIO_BUDGET = 1.25
STEP_BUDGET_MS = 16.0

STEPS = """() => {
  const m = window.designkitMoving, times = [];
  for (let round = 0; round < 5; round++) {
    const order = [...Array(m.count).keys()];
    if (round % 2) order.reverse();
    for (const i of order) {
      const start = performance.now();
      m.go(i);
      document.body.getBoundingClientRect();   // the step's style and layout, as the next frame needs them
      times.push(performance.now() - start);
    }
  }
  return times;
}"""


def step_times(handout: Path) -> list[float]:
    """Milliseconds per step over five sweeps of the control (the first sweep warms caches)."""
    from _browser import chromium_page
    with chromium_page() as page:
        page.goto(handout.resolve().as_uri())
        times = page.evaluate(STEPS)
    return times[len(times) // 5:]


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children (kernels, grid workers): steadier than wall time
    on a shared machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        seconds, cpu = {True: [], False: []}, {True: [], False: []}
        for run in range(runs):
            for moving in (False, True):   # alternate, so load on the machine hits both alike
                out = Path(tmp) / f"{'moving' if moving else 'static'}-{run}"
                before = cpu_seconds()
                seconds[moving].append(build("reference", out, moving=moving).seconds)
                cpu[moving].append(cpu_seconds() - before)
        moving_page, static_page = Path(tmp) / "moving-0" / "handout.html", Path(tmp) / "static-0" / "handout.html"
        size, static = moving_page.stat().st_size, static_page.stat().st_size
        times = sorted(step_times(moving_page))
    with_control, without = statistics.median(seconds[True]), statistics.median(seconds[False])
    cpu_with, cpu_without = statistics.median(cpu[True]), statistics.median(cpu[False])
    median, p95 = statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"handout size:     {size / 1e6:.2f} MB with the control ({static / 1e6:.2f} MB without); "
          f"budget {SIZE_BUDGET / 1e6:.1f} MB  {'ok' if size <= SIZE_BUDGET else 'OVER'}")
    print(f"build time:       {with_control:.1f} s with the control, {without:.1f} s without (medians of {runs}); "
          f"ratio {with_control / without:.2f}, budget {RATIO_BUDGET}  "
          f"{'ok' if with_control / without <= RATIO_BUDGET else 'OVER'}")
    print(f"build CPU time:   {cpu_with:.1f} s with the control, {cpu_without:.1f} s without; "
          f"ratio {cpu_with / cpu_without:.2f} (all processes; the wall ratio is what the budget counts)")
    print(f"one step:         median {median:.1f} ms, p95 {p95:.1f} ms over {len(times)} steps; "
          f"budget {STEP_BUDGET_MS:g} ms median  {'ok' if median <= STEP_BUDGET_MS else 'OVER'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
