"""KernelPool executes real notebooks like papermill, on warm kernels, and leaks nothing between them."""

from __future__ import annotations

import os
import time

import nbformat
import papermill
import pytest
from nbclient.exceptions import CellTimeoutError
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from designkit.run import kernels
from designkit.run.kernels import KernelPool, KernelStartError, normalize

pytestmark = pytest.mark.slow

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def make_notebook(path, params: str, *sources: str) -> str:
    """A notebook whose first cell is tagged `parameters`, followed by one code cell per source."""
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    nb.cells = [new_code_cell(params, metadata={"tags": ["parameters"]})]
    nb.cells += [new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return str(path)


def stdout(nb) -> str:
    return "".join(out.text for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream" and out.name == "stdout")


def kernel_pids(pool: KernelPool) -> list[int]:
    """PIDs of this pool's kernel processes: their command line names a connection file in its dir."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except OSError:
            continue
        if pool._files in cmdline:
            pids.append(int(entry))
    return pids


def wait_for_kernels(pool: KernelPool, count: int) -> list[int]:
    deadline = time.monotonic() + 30
    while len(pids := kernel_pids(pool)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def assert_gone(pids: list[int]) -> None:
    """Not running and reaped (a zombie would still have a /proc entry)."""
    assert pids
    assert [pid for pid in pids if os.path.exists(f"/proc/{pid}")] == []


@pytest.fixture(scope="module")
def fresh_pool():
    with KernelPool(2) as pool:
        yield pool


@pytest.fixture(scope="module")
def reuse_start(tmp_path_factory):
    return tmp_path_factory.mktemp("reuse-cwd")


@pytest.fixture(scope="module")
def reuse_pool(reuse_start):
    with KernelPool(1, reuse=True, cwd=reuse_start) as pool:
        yield pool


@pytest.fixture
def greet(tmp_path):
    return make_notebook(tmp_path / "greet.ipynb", 'x = 1\nname = "default"', "print(x * 2, name)")


def test_parameters_are_injected_after_the_parameters_cell(fresh_pool, greet, tmp_path):
    out = tmp_path / "out.ipynb"
    nb = fresh_pool.run(greet, {"x": 21, "name": "zz"}, out)

    assert stdout(nb) == "42 zz\n"
    assert nb.cells[1].metadata.tags == ["injected-parameters"]
    assert nb.metadata.papermill.parameters == {"x": 21, "name": "zz"}
    assert nbformat.writes(nbformat.read(out, as_version=4)) == nbformat.writes(nb)


def test_same_cells_and_outputs_as_plain_papermill(fresh_pool, greet, tmp_path):
    ours = fresh_pool.run(greet, {"x": 5, "name": "pm"})
    theirs = normalize(papermill.execute_notebook(greet, None, {"x": 5, "name": "pm"}, progress_bar=False))

    assert [dict(cell) for cell in ours.cells] == [dict(cell) for cell in theirs.cells]
    assert ours.metadata.papermill == theirs.metadata.papermill


def test_failing_cell_raises_papermill_error_and_writes_the_notebook(fresh_pool, tmp_path):
    path = make_notebook(tmp_path / "fail.ipynb", 'name = "default"',
                         "a = 1", 'raise ValueError(f"boom {name}")', 'print("never")')
    out = tmp_path / "fail-out.ipynb"

    with pytest.raises(PapermillExecutionError) as caught:
        fresh_pool.run(path, {"name": "zz"}, out)

    error = caught.value
    # cells: parameters, injected-parameters, a = 1, raise, print
    assert (error.cell_index, error.exec_count) == (3, 4)
    assert (error.ename, error.evalue) == ("ValueError", "boom zz")
    assert "raise ValueError" in error.source and error.traceback
    written = nbformat.read(out, as_version=4)
    assert "papermill-error-cell-tag" in written.cells[0].metadata.tags  # papermill's own error banner
    failed = next(cell for cell in written.cells if "raise ValueError" in cell.source)
    assert failed.outputs[0].ename == "ValueError"
    assert next(cell for cell in written.cells if "never" in cell.source).execution_count is None
    assert "start_time" not in out.read_text()


def test_stop_on_error_runs_no_job_after_the_first_failure(reuse_pool, greet, tmp_path):
    # A build stops at its first failing section: the notebooks not started are never run (one
    # kernel here, so the order is known), and the pool goes on serving the next map.
    from concurrent.futures import CancelledError
    failing = make_notebook(tmp_path / "fail.ipynb", 'name = "default"', 'raise ValueError("boom")')
    jobs = [(failing, {}, tmp_path / "out-0.ipynb")] + [(greet, {"x": i}, tmp_path / f"out-{i}.ipynb")
                                                      for i in (1, 2, 3)]
    done = []
    results = reuse_pool.map(jobs, on_done=lambda index, result: done.append(index), stop_on_error=True)
    assert isinstance(results[0], PapermillExecutionError) and results[0].evalue == "boom"
    started = [i for i in (1, 2, 3) if not isinstance(results[i], CancelledError)]
    assert len(started) <= 1 and done == [0, *started]           # the one already taken at most
    assert not any((tmp_path / f"out-{i}.ipynb").exists() for i in (1, 2, 3) if i not in started)
    again = reuse_pool.map(jobs[1:])                                 # the pool still works
    assert [stdout(nb) for nb in again] == ["2 default\n", "4 default\n", "6 default\n"]


BARRIER = """\
import pathlib, time
pathlib.Path(rendezvous, tag).touch()
deadline = time.monotonic() + 30
while not pathlib.Path(rendezvous, other).exists():  # only passes if both notebooks run at once
    assert time.monotonic() < deadline, "the other notebook never ran alongside"
    time.sleep(0.02)
time.sleep(delay)
print(tag)
"""


def test_map_runs_in_parallel_and_returns_results_in_job_order(fresh_pool, tmp_path, monkeypatch):
    barrier = make_notebook(tmp_path / "barrier.ipynb", 'rendezvous = tag = other = ""\ndelay = 0.0', BARRIER)
    failing = make_notebook(tmp_path / "failing.ipynb", "x = 1", "1 / 0")
    meet = {"rendezvous": str(tmp_path)}
    done = []

    def no_chdir(path):
        raise AssertionError("os.chdir called in the parent process")

    monkeypatch.setattr(os, "chdir", no_chdir)
    results = fresh_pool.map(
        [(barrier, {**meet, "tag": "slow", "other": "quick", "delay": 1.0}, None),
         (barrier, {**meet, "tag": "quick", "other": "slow", "delay": 0.0}, None),
         (failing, {}, tmp_path / "failing-out.ipynb")],
        on_done=lambda index, result: done.append((index, result)))

    assert [stdout(result) for result in results[:2]] == ["slow\n", "quick\n"]
    assert isinstance(results[2], PapermillExecutionError) and results[2].ename == "ZeroDivisionError"
    assert (tmp_path / "failing-out.ipynb").exists()
    assert sorted(index for index, _ in done) == [0, 1, 2]
    assert all(result is results[index] for index, result in done)
    order = [index for index, _ in done]
    assert order.index(1) < order.index(0)  # reported as they finish, not in job order


LEAKER = """\
import logging, os, sys, warnings
import matplotlib, matplotlib.pyplot as plt
leaked = 42
matplotlib.rcParams["lines.linewidth"] = 7
plt.figure()
os.environ["DESIGNKIT_LEAK"] = "1"
os.environ.pop("MPLBACKEND", None)
os.chdir(elsewhere)
sys.argv.append("--leak")
sys.path.insert(0, "/leak")
warnings.simplefilter("error")
logging.basicConfig(level=logging.DEBUG)
print(os.getpid())
"""

CHECKER = """\
import logging, os, sys, warnings
import matplotlib, matplotlib.pyplot as plt
try:
    leaked
except NameError:
    pass
else:
    raise AssertionError("variable leaked")
assert matplotlib.rcParams["lines.linewidth"] == matplotlib.rcParamsOrig["lines.linewidth"]
assert plt.get_fignums() == []
assert "DESIGNKIT_LEAK" not in os.environ and os.environ["MPLBACKEND"] == "agg"
assert os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] == "1" and matplotlib.get_backend() == "agg"
assert os.getcwd() == start_cwd, os.getcwd()
assert "--leak" not in sys.argv and "/leak" not in sys.path
warnings.warn("only a warning")
assert logging.root.level == logging.WARNING and not logging.root.handlers
print(os.getpid())
"""


def test_reuse_mode_leaks_nothing_into_the_next_notebook(reuse_pool, reuse_start, fresh_pool, tmp_path,
                                                         monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    leaker = make_notebook(tmp_path / "a.ipynb", 'elsewhere = ""', LEAKER)
    checker = make_notebook(tmp_path / "b.ipynb", 'start_cwd = ""', CHECKER)
    a_params, b_params = {"elsewhere": str(elsewhere)}, {"start_cwd": str(reuse_start)}
    assert stdout(fresh_pool.run(checker, {"start_cwd": fresh_pool.cwd}))  # the checks hold on a fresh kernel

    # Without the reset the checker does see notebook A's state, so it can tell.
    monkeypatch.setattr(kernels, "_KERNEL_RESET", "pass")
    reuse_pool.run(leaker, a_params)
    with pytest.raises(PapermillExecutionError):
        reuse_pool.run(checker, b_params)
    monkeypatch.undo()

    a = reuse_pool.run(leaker, a_params)
    b = reuse_pool.run(checker, b_params)

    assert stdout(a) == stdout(b)  # same kernel process
    assert b.cells[0].execution_count == 1  # counting starts again too


def test_normalize_makes_runs_byte_identical(fresh_pool, reuse_pool, tmp_path):
    path = make_notebook(tmp_path / "fig.ipynb", "n = 2",
                         "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\n"
                         "ax.plot(range(n))\ndisplay(fig)\nplt.close(fig)",
                         "print(n)")
    out = tmp_path / "fig-out.ipynb"
    texts = []
    for pool in (fresh_pool, fresh_pool, reuse_pool):
        pool.run(path, {"n": 3}, out)
        texts.append(out.read_text())

    assert texts[0] == texts[1] == texts[2]
    nb = nbformat.reads(texts[0], as_version=4)
    assert [cell.id for cell in nb.cells] == ["cell-0", "cell-1", "cell-2", "cell-3"]
    assert "image/png" in nb.cells[2].outputs[0].data
    for key in ("start_time", "end_time", "duration", "iopub.execute_input", "shell.execute_reply"):
        assert key not in texts[0]


def test_normalize_copies_before_changing():
    nb = new_notebook(metadata={"papermill": {"start_time": "t0", "parameters": {}}})
    nb.cells = [new_code_cell("1", metadata={"papermill": {"duration": 0.1}, "execution": {"x": "t"}})]
    original = nbformat.writes(nb)

    clean = normalize(nb)

    assert nbformat.writes(nb) == original
    assert clean.metadata.papermill == {"parameters": {}}
    assert (clean.cells[0].id, clean.cells[0].metadata) == ("cell-0", {"papermill": {}})


def test_close_after_an_error_leaves_no_kernel_process(greet):
    with pytest.raises(RuntimeError):
        with KernelPool(2, reuse=True) as pool:
            pool.map([(greet, {}, None)] * 2)  # both kernels up, idle again afterwards
            managers = [kernel.km for kernel in pool._kernels]
            pids = kernel_pids(pool)
            raise RuntimeError("build failed")

    assert len(managers) == len(pids) == 2
    assert_gone(pids)
    assert not any(km.is_alive() for km in managers)
    assert not os.path.exists(pool._files)


def test_close_while_kernels_are_still_starting_leaves_no_kernel_process():
    pool = KernelPool(2)
    pids = wait_for_kernels(pool, 2)
    pool.close()

    assert len(pids) == 2
    assert_gone(pids)


def test_interrupted_map_kills_the_busy_kernel_and_closes(tmp_path):
    timed = make_notebook(tmp_path / "sleep.ipynb", "delay = 0", "import time\ntime.sleep(delay)")
    pids, interrupted = [], []
    with KernelPool(2) as pool:

        def interrupt(index, result):
            pids.extend(kernel_pids(pool))
            interrupted.append(time.monotonic())
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            pool.map([(timed, {"delay": 0}, None), (timed, {"delay": 60}, None)], on_done=interrupt)
        stopped = time.monotonic() - interrupted[0]

        assert stopped < 30  # the 60 s cell was not waited for (kernel start-up not counted)
        assert_gone(pids)
        with pytest.raises(kernels.KernelPoolClosed):
            pool.run(timed)


def test_preload_failure_is_a_clear_error(greet):
    with KernelPool(1, preload="import designkit_no_such_module") as pool:
        with pytest.raises(KernelStartError, match=r"preload failed.*ModuleNotFound.*designkit_no_such_module"):
            pool.run(greet)
        with pytest.raises(KernelStartError):  # not one error per job: nothing can run
            pool.map([(greet, {}, None)] * 3)


def test_a_shared_pool_that_fails_ends_every_waiting_build(greet):
    """Batch shares one pool among builds: when it closes, more threads wait than it has kernels."""
    import threading

    outcomes = []
    with KernelPool(1, reuse=True, preload="import designkit_no_such_module") as pool:

        def build():
            try:
                pool.map([(greet, {}, None)] * 4)
            except (KernelStartError, kernels.KernelPoolClosed) as error:
                outcomes.append(type(error).__name__)

        builds = [threading.Thread(target=build, daemon=True) for _ in range(3)]
        for thread in builds:
            thread.start()
        for thread in builds:
            thread.join(timeout=90)
        assert not any(thread.is_alive() for thread in builds), "a build still waits for a kernel"

    assert len(outcomes) == 3 and "KernelStartError" in outcomes


def test_cell_timeout_stops_the_notebook(tmp_path):
    path = make_notebook(tmp_path / "hang.ipynb", "x = 1", 'print("started")', "import time\ntime.sleep(60)")
    out = tmp_path / "hang-out.ipynb"
    start = time.monotonic()
    with KernelPool(1, timeout=1) as pool:
        with pytest.raises(CellTimeoutError):
            pool.run(path, None, out)

    assert time.monotonic() - start < 45  # well short of the 60 s cell, kernel start-up included
    assert stdout(nbformat.read(out, as_version=4)) == "started\n"  # written as far as it got
