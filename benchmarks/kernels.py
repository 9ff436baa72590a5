"""Median wall time of 9 tiny section notebooks: plain papermill vs designkit's KernelPool.

Each figure is end to end: pool created, 9 notebooks run, pool closed. In brackets: a second
map() of the same 9 notebooks on the still open pool (the steady state of a batch run).
Kernel CPU (user + system seconds of the kernel processes, per notebook) does not depend on
what else the machine is running; wall times do.
"""

import contextlib
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_notebook

from designkit.run.kernels import KernelPool

RUNS = 3
SECTIONS = 9
CELLS = [
    "import matplotlib.pyplot as plt",
    "fig, ax = plt.subplots(figsize=(2, 1.5))\nax.plot(range(n))\nax.set_title(title)",
    "display(fig)\nplt.close(fig)",
]


def write_notebooks(folder: Path, empty: bool = False) -> list[str]:
    """SECTIONS notebooks: a parameters cell and three cells that draw and display a tiny figure.

    empty=True: the same parameters cell (so papermill injects the same parameters) and empty cells.
    """
    folder.mkdir()
    paths = []
    for index in range(SECTIONS):
        nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                   "language": "python"}})
        nb.cells = [new_code_cell('title = ""\nn = 2', metadata={"tags": ["parameters"]})]
        nb.cells += [new_code_cell("" if empty else source) for source in CELLS]
        paths.append(str(folder / f"{index + 1:02d}_section.ipynb"))
        nbformat.write(nb, paths[-1])
    return paths


def jobs(paths: list[str], out: Path) -> list[tuple]:
    return [(path, {"title": f"section {index}", "n": index + 2}, str(out / Path(path).name))
            for index, path in enumerate(paths)]


@contextlib.contextmanager
def quiet_stderr():
    """Silence kernel processes' stderr (ipykernel warns about plain TCP once per kernel)."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def plain_papermill(paths: list[str], out: Path) -> None:
    with quiet_stderr():
        for path, parameters, output in jobs(paths, out):
            papermill.execute_notebook(path, output, parameters, progress_bar=False)


def pool_build(paths: list[str], out: Path, **options) -> tuple[float, float]:
    """Seconds for create + map + close of a pool, and for a second map() while it is open."""
    start = time.perf_counter()
    pool = KernelPool(2, **options)
    try:
        check(pool.map(jobs(paths, out)))
        first = time.perf_counter() - start
        start = time.perf_counter()
        check(pool.map(jobs(paths, out)))
        again = time.perf_counter() - start
    finally:
        start = time.perf_counter()
        pool.close()
        closing = time.perf_counter() - start
    return first + closing, again


def check(results: list) -> None:
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise errors[0]


def plain_build(paths: list[str], out: Path) -> tuple[float, None]:
    start = time.perf_counter()
    plain_papermill(paths, out)
    return time.perf_counter() - start, None


def children_cpu() -> float:
    """CPU seconds of finished child processes: kernels, once shut down and reaped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tiny, empty = write_notebooks(tmp / "tiny"), write_notebooks(tmp / "empty", empty=True)
        out = tmp / "out"
        out.mkdir()
        cases = {
            "plain papermill, sequential": lambda: plain_build(tiny, out),
            "KernelPool(2), fresh kernels": lambda: pool_build(tiny, out),
            "KernelPool(2, reuse=True)": lambda: pool_build(tiny, out, reuse=True),
            "floor: fresh kernels, empty cells": lambda: pool_build(empty, out),
        }
        print(f"{SECTIONS} notebooks, median of {RUNS} runs (cases interleaved), {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} before")
        runs: dict[str, list] = {name: [] for name in cases}
        for _ in range(RUNS):  # interleaved, so that load from other processes hits every case alike
            for name, build in cases.items():
                cpu = children_cpu()
                total, again = build()
                notebooks = SECTIONS if again is None else 2 * SECTIONS
                runs[name].append((total, again, (children_cpu() - cpu) / notebooks))
        baseline = statistics.median(run[0] for run in runs["plain papermill, sequential"])
        for name, results in runs.items():
            total = statistics.median(run[0] for run in results)
            cpu = statistics.median(run[2] for run in results)
            again = [run[1] for run in results if run[1] is not None]
            warm = f"  [second map {statistics.median(again):5.2f} s]" if again else ""
            print(f"{name:34s} {total:6.2f} s  {baseline / total:4.1f}x papermill's speed  "
                  f"kernel CPU {cpu:4.2f} s/notebook{warm}")
        print(f"load average {os.getloadavg()[0]:.1f} after")
