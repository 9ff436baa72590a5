"""Median wall time of 9 tiny section notebooks: plain papermill vs designkit's KernelPool.

Each figure is end to end: pool created, 9 notebooks run, pool closed. In brackets: a second
map() of the same 9 notebooks on the still open pool (the steady state of a batch run).
"""

import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_notebook

from designkit.kernels import KernelPool

RUNS = 3
SECTIONS = 9
CELLS = [
    "import matplotlib.pyplot as plt",
    "fig, ax = plt.subplots(figsize=(2, 1.5))\nax.plot(range(n))\nax.set_title(title)",
    "display(fig)\nplt.close(fig)",
]


def write_notebooks(folder: Path, empty: bool = False) -> list[str]:
    """SECTIONS notebooks: a parameters cell and three cells that draw and display a tiny figure."""
    folder.mkdir()
    paths = []
    for index in range(SECTIONS):
        nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                   "language": "python"}})
        nb.cells = [new_code_cell("" if empty else 'title = ""\nn = 2', metadata={"tags": ["parameters"]})]
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


def median_seconds(build) -> tuple[float, float | None]:
    runs = [build() for _ in range(RUNS)]
    again = [run[1] for run in runs if run[1] is not None]
    return statistics.median(run[0] for run in runs), statistics.median(again) if again else None


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tiny, empty, out = write_notebooks(tmp / "tiny"), write_notebooks(tmp / "empty", empty=True), tmp / "out"
        out.mkdir()
        print(f"{SECTIONS} notebooks, median of {RUNS} runs, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} before")
        cases = {
            "plain papermill, sequential": lambda: plain_build(tiny, out),
            "KernelPool(2), fresh kernels": lambda: pool_build(tiny, out),
            "KernelPool(2, reuse=True)": lambda: pool_build(tiny, out, reuse=True),
            "floor: fresh kernels, empty cells": lambda: pool_build(empty, out),
        }
        baseline = None
        for name, build in cases.items():
            total, inner = median_seconds(build)
            baseline = baseline or total
            warm = f"  [second map {inner:5.2f} s]" if inner is not None else ""
            print(f"{name:34s} {total:6.2f} s  {baseline / total:4.1f}x faster than papermill{warm}")
        print(f"load average {os.getloadavg()[0]:.1f} after")
