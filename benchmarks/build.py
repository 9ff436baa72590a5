"""Build speed: median wall time of `build("reference")` against a floor measured in the same run.

The floor is the same 9 notebooks with their code cells emptied, run with the same warm-kernel
pool and parallelism: what kernel start-up and papermill cost before any designkit work.
Target: build / floor <= 1.3.  Run: python3 benchmarks/build.py [runs]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from designkit.run.build import build, default_pool_size, execute_sections, notebook_paths


def emptied_copies(folder: Path) -> list[Path]:
    """The section notebooks with every code cell emptied (the parameters cell kept, so papermill injects)."""
    paths = []
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                cell.source = ""
        target = folder / path.name
        nbformat.write(nb, target)
        paths.append(target)
    return paths


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = emptied_copies(tmp)
        params = {"spec": "reference", "overrides": {}, "interactive": False}
        builds, floors = [], []
        for i in range(runs):  # interleave, so drift in machine load hits both alike
            floors.append(timed(lambda: execute_sections(empty, params, tmp / f"floor-{i}")))
            builds.append(timed(lambda: build("reference", tmp / f"build-{i}")))
        b, f = statistics.median(builds), statistics.median(floors)
        print(f"pool size {default_pool_size(9)}, {runs} runs each")
        print(f"build (9 notebooks, article, handout): median {b:5.2f} s  runs {[round(x, 2) for x in builds]}")
        print(f"floor (same notebooks, code emptied):  median {f:5.2f} s  runs {[round(x, 2) for x in floors]}")
        print(f"ratio build / floor: {b / f:.2f}  (target <= 1.3: {'ok' if b / f <= 1.3 else 'MISSED'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
