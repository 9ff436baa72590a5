"""Execute notebooks the papermill way, on kernels started and warmed up ahead of time.

papermill starts a fresh kernel per notebook (1-2 s here); a KernelPool keeps preloaded kernels
ready and runs each notebook through `papermill.execute_notebook` with a registered engine
(`designkit-warm`) that hands papermill's own client the warm kernel (`km=`), so parameters,
metadata and `PapermillExecutionError` are exactly papermill's. Public APIs only.
"""

from __future__ import annotations

import copy
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from jupyter_client import AsyncKernelClient, KernelManager, protocol_version_info
from jupyter_client.kernelspec import KernelSpecManager, jupyter_path  # jupyter_core's, as jupyter_client uses it

from ..errors import DesignkitError

if TYPE_CHECKING:
    import nbformat

# IPython is never imported in the pool's process.  jupyter_client would import all of it (a third
# of a CPU second, prompt_toolkit and jedi included) only to find ~/.ipython/kernels, from the
# threads that start kernels, where two threads importing its circular modules at once (a batch's
# items) see it half-initialized, and so would a matplotlib figure made meanwhile (the handout's
# grid thread), which peeks at sys.modules["IPython"].  So the pool hands its kernel managers a
# KernelSpecManager told the same folders (``kernel_dirs()``).
# papermill and nbformat (a second of imports) are imported by the first notebook run, in
# ``engine``: a pool's kernels start without waiting for them.

PRELOAD = """\
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot
import designkit
import designkit.model.analysis, designkit.views.pages.article, designkit.views.charts.capacity, designkit.views.charts.scaling, designkit.views.charts.latency, designkit.views.charts.availability, designkit.views.rows.as_markdown, designkit.run.fragments
import matplotlib_inline.backend_inline
matplotlib_inline.backend_inline.set_matplotlib_formats("png")  # display(fig) gives a PNG, as inline does
"""
"""Code every kernel runs before each notebook (imports are paid once per kernel); extend freely."""

KERNEL_ENV = {"MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
KERNEL_NAME = "python3"
logger = logging.getLogger("papermill")  # papermill's logger: kernel messages read like papermill's own

Job = tuple[str | os.PathLike, dict | None, str | os.PathLike | None]  # notebook, parameters, output

# Runs first in every kernel: a build killed with SIGKILL takes its kernels with it, busy or not (the
# kernel's own parent poller needs the GIL, which a long regular expression holds).  Linux only.
_DIE_WITH_BUILD = '''
import ctypes as _c, os as _o, signal as _s
try:
    _c.CDLL(None, use_errno=True).prctl(1, int(_s.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if _o.getppid() != {parent}:
    _o._exit(0)
del _c, _o, _s
'''

# Runs once in a kernel after the preload: remembers process state that reset() puts back.
_KERNEL_SETUP = '''
def _designkit_setup():
    import logging, os, random, sys, types, warnings
    import matplotlib, matplotlib.pyplot
    from IPython import get_ipython

    state = types.ModuleType("_designkit_kernel")
    state.cwd, state.environ = os.getcwd(), dict(os.environ)
    state.argv, state.path = list(sys.argv), list(sys.path)
    state.filters, state.showwarning = list(warnings.filters), warnings.showwarning
    state.log_handlers, state.log_level = list(logging.root.handlers), logging.root.level

    def reset():
        get_ipython().reset(new_session=True)  # %reset -f, plus In/Out and execution count
        matplotlib.pyplot.close("all")
        matplotlib.rc_file_defaults()  # rcdefaults(), but honouring a matplotlibrc like a fresh kernel
        os.chdir(state.cwd)
        os.environ.clear()
        os.environ.update(state.environ)
        sys.argv[:], sys.path[:] = state.argv, state.path
        warnings.resetwarnings()  # also forgets "once"/"default" warnings already shown
        warnings.filters[:], warnings.showwarning = state.filters, state.showwarning
        warnings.onceregistry.clear()
        logging.root.handlers[:] = state.log_handlers
        logging.root.setLevel(state.log_level)
        random.seed()
        fragments = sys.modules.get("designkit.run.fragments")
        if fragments is not None:
            fragments.forget()  # the figures the last notebook emitted

    state.reset = reset
    sys.modules[state.__name__] = state

_designkit_setup()
del _designkit_setup
'''
_KERNEL_RESET = '__import__("sys").modules["_designkit_kernel"].reset()'


def kernel_dirs() -> list[str]:
    """Where jupyter_client looks for kernel specs: Jupyter's kernel folders, then IPython's own
    (``$IPYTHONDIR/kernels``, default ``~/.ipython/kernels``), found without importing IPython."""
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return [*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")]


class KernelStartError(DesignkitError):
    """A kernel could not be started or its preload code failed: nothing can run."""


class KernelPoolClosed(DesignkitError):
    """The pool was closed (or aborted) before a kernel was handed out."""


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of an executed notebook without timings and with ids cell-0, cell-1...: diffable output."""
    nb = copy.deepcopy(nb)
    for key in ("start_time", "end_time", "duration"):
        nb.metadata.get("papermill", {}).pop(key, None)
    for index, cell in enumerate(nb.cells):
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
        cell.metadata.pop("execution", None)  # nbclient's iopub/shell timestamps
        if "id" in cell:
            cell.id = f"cell-{index}"
    return nb


class _KernelClient(AsyncKernelClient):
    """nbclient's kernel client, minus the 0.2 s IOPub flush that ends jupyter_client's wait_for_ready().

    The flush only drops stale IOPub messages; nbclient ignores messages of other requests anyway.
    Written on the client's public API: kernel_info(), the channels' get_msg(), is_alive(), session.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            msg_id = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["parent_header"].get("msg_id") == msg_id:
                    await self.iopub_channel.get_msg(timeout=0.2)  # IOPub subscribed: welcome or status
                    major = int(reply["content"]["protocol_version"].split(".")[0])
                    if major != protocol_version_info[0]:  # an older kernel: talk its protocol
                        self.session.adapt_version = major
                    return
            except queue.Empty:
                pass
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


class _Kernel:
    """One kernel process and its manager; shutdown() is idempotent and safe from any thread."""

    def __init__(self, km: KernelManager, log: str):
        self.km = km
        self.log = log    # the kernel process's own stdout and stderr
        self.busy = False  # running a notebook: close() kills it rather than asking it to exit
        self._lock = threading.Lock()
        self._down = False

    def last_words(self, lines: int = 3) -> str:
        """'; it said: ...' with the last lines the kernel process wrote itself, or ''."""
        try:
            with open(self.log, "rb") as log:
                tail = log.read()[-4000:].decode("utf-8", "replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return f"; it said: {' / '.join(line.strip() for line in tail)}" if tail else ""

    def execute(self, code: str, timeout: float, what: str) -> None:
        """Run code outside any notebook (no history, output dropped); KernelStartError if it fails.

        Talks over the shell channel only: the execute_reply carries the status, and skipping IOPub
        avoids the 0.2 s settle time of a new client's wait_for_ready().
        """
        kc = self.km.blocking_client()
        kc.start_channels(iopub=False, stdin=False, hb=False, control=False)
        try:
            msg_id = kc.execute(code, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    reply = kc.get_shell_msg(timeout=1)
                except queue.Empty:
                    if not self.km.is_alive():
                        raise KernelStartError(f"{what}: the kernel died{self.last_words()}") from None
                    if time.monotonic() > deadline:
                        raise KernelStartError(f"{what}: no answer within {timeout:g} s") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content["status"] != "ok":
            code = "\n".join("    " + line for line in code.strip().splitlines())
            raise KernelStartError(f"{what} failed in the kernel: {content['ename']}: {content['evalue']}\n"
                                   f"  {what} code:\n{code}")

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel: kill it (now=True, e.g. mid-cell) or ask it to exit, then free its files.

        The polite path skips KernelManager.shutdown_kernel()'s SIGINT, which can hit an idle
        ipykernel between handlers and stall its exit for the full 2.5 s grace period.
        """
        with self._lock:
            if self._down:
                return
            self._down = True
            try:
                if now:
                    self.km.shutdown_kernel(now=True)
                else:
                    self.km.request_shutdown()
                    self.km.finish_shutdown()  # SIGTERM, then SIGKILL if it does not exit
                    self.km.cleanup_resources()
            except Exception:  # noqa: BLE001 - e.g. half-started or already dead: make sure it is gone
                logger.debug("kernel shutdown failed, killing it", exc_info=True)
                if self.km.has_kernel:
                    try:
                        self.km.shutdown_kernel(now=True)  # SIGKILL, wait for the process, free files
                    except Exception:  # noqa: BLE001 - nothing more can be done from here
                        logger.warning("could not stop a kernel", exc_info=True)


def _load_engine() -> None:
    """Import papermill, nbformat and the warm-kernel engine (once; later calls cost nothing)."""
    from . import engine  # noqa: F401


def _done(value) -> Future:
    future: Future = Future()
    if isinstance(value, BaseException):
        future.set_exception(value)
    else:
        future.set_result(value)
    return future


class KernelPool:
    """`size` warm kernels that execute notebooks like papermill; close() shuts every kernel down.

    reuse=False: a kernel runs one notebook, then a replacement is warmed up in the background.
    reuse=True: a kernel runs many notebooks and is reset in between (namespace, figures, rcParams,
    cwd, environment, argv, sys.path, warnings, root logger, random seed).
    """

    def __init__(self, size: int, *, preload: str = PRELOAD, reuse: bool = False,
                 cwd: str | os.PathLike | None = None, timeout: float = 600, start_timeout: float = 60):
        if size < 1:
            raise ValueError("a KernelPool needs at least one kernel")
        self.size, self.preload, self.reuse = size, preload, reuse
        self.timeout, self.start_timeout = timeout, start_timeout
        # connection files and IPC sockets; named for this process, so a killed run's are cleaned later
        self._files = tempfile.mkdtemp(prefix=f"designkit-kernels-{os.getpid()}-")
        self._specs = KernelSpecManager(kernel_dirs=kernel_dirs())   # see IPython above
        self.cwd = str(Path(cwd).resolve()) if cwd is not None else self._files
        self._lock = threading.Lock()
        self._closed = False
        self._kernels: set[_Kernel] = set()  # every started kernel not yet shut down
        self._supply: queue.SimpleQueue[Future] = queue.SimpleQueue()  # warm (or warming) kernels
        self._demand = 0  # jobs announced that have not taken a kernel yet (fresh mode tops up to it)
        # Starts and shutdowns: at most `size` of each at once, so a shutdown never delays a start.
        self._background = ThreadPoolExecutor(2 * size, thread_name_prefix="designkit-kernel-bg")
        self._workers = ThreadPoolExecutor(size, thread_name_prefix="designkit-kernel-run")
        for _ in range(size):
            self._supply.put(self._background.submit(self._start))

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- running notebooks ---------------------------------------------------------------------

    def run(self, notebook_path, parameters: dict | None = None, output_path=None) -> nbformat.NotebookNode:
        """Execute one notebook like papermill.execute_notebook, on a warm kernel; return it normalized.

        A failing cell raises PapermillExecutionError; the notebook is written to output_path anyway.
        """
        self._expect(1)
        _load_engine()
        return self._run(notebook_path, parameters, output_path)

    def map(self, jobs: Iterable[Job], on_done: Callable[[int, object], None] | None = None, *,
            stop_on_error: bool = False) -> list:
        """Run (notebook_path, parameters, output_path) jobs in parallel, one thread per kernel.

        Returns one result per job, in job order: the executed notebook or the exception it raised
        (``stop_on_error``: after the first failure the jobs not yet started are not run, and their
        result is a ``CancelledError``).  on_done(index, result) is called in the calling thread as
        each job finishes. A kernel that cannot start raises KernelStartError; an exception (or
        KeyboardInterrupt) in here closes the pool.
        """
        jobs = list(jobs)
        self._expect(len(jobs))
        _load_engine()   # in this thread, not in the workers (one import at a time); the kernels start meanwhile
        results: list = [None] * len(jobs)
        futures = {self._workers.submit(self._run, *job): index for index, job in enumerate(jobs)}
        try:
            for future in as_completed(futures):
                index = futures[future]
                if future.cancelled():
                    results[index] = CancelledError()
                    continue
                error = future.exception()
                if isinstance(error, (KernelStartError, KernelPoolClosed)):
                    raise error
                results[index] = error if error is not None else future.result()
                if on_done is not None:
                    on_done(index, results[index])
                if error is not None and stop_on_error:
                    for pending in futures:
                        if pending.cancel():        # not started: it will not take a kernel
                            with self._lock:
                                self._demand -= 1
        except BaseException:
            for future in futures:
                future.cancel()
            self.close()
            raise
        return results

    def _run(self, notebook_path, parameters, output_path) -> nbformat.NotebookNode:
        import nbformat
        import papermill

        from .engine import ENGINE_NAME
        input_path = str(Path(notebook_path).resolve())
        output_path = str(Path(output_path).resolve()) if output_path is not None else None
        try:
            # papermill gets the notebook read, and no output path: its file handler os.chdir()s
            # around every read and write (nteract/papermill#473), and this runs in threads.
            source = nbformat.read(input_path, as_version=4)
        except BaseException:
            with self._lock:
                self._demand -= 1  # this job will not take a kernel
            raise
        kernel = self._acquire()
        executed: list[nbformat.NotebookNode] = []  # the notebook papermill runs, once it starts

        def keep(nb: nbformat.NotebookNode) -> None:
            nb.metadata.papermill.update(input_path=input_path, output_path=output_path)  # as from paths
            executed.append(nb)

        clean = False  # did the kernel end up idle (notebook finished or stopped at a failing cell)?
        try:
            papermill.execute_notebook(
                source, None, parameters, engine_name=ENGINE_NAME, kernel_name=KERNEL_NAME,
                progress_bar=False, start_timeout=self.start_timeout,
                km=kernel.km, timeout=self.timeout, keep=keep)  # engine arguments
            clean = True
        except papermill.PapermillExecutionError:
            clean = True  # papermill marked the failing cell up in executed[0] and raised, as it does
            raise
        finally:
            clean = clean or not executed  # failed before any cell ran: the kernel was not used
            try:
                if executed:
                    nb = normalize(executed[0])
                    if output_path is not None:
                        nbformat.write(nb, output_path)
            finally:
                self._release(kernel, clean)
        return nb

    # -- kernel supply -------------------------------------------------------------------------

    def _start(self) -> _Kernel:
        """Start one kernel in the pool's cwd and run the preload (in a background thread)."""
        # IPC sockets: no TCP port races between concurrent starts, no "TCP without encryption" warning.
        name = os.path.join(self._files, f"kernel-{uuid.uuid4().hex[:12]}")
        km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=name, connection_file=name + ".json",
                           client_factory=_KernelClient, kernel_spec_manager=self._specs)
        kernel = _Kernel(km, name + ".log")
        try:
            # The kernel's own stdout and stderr (its log, a crash) go to a file, not the user's
            # terminal: a kernel stopped mid-shutdown can print a traceback of its own.
            with open(kernel.log, "wb") as log:
                km.start_kernel(cwd=self.cwd, env={**os.environ, **KERNEL_ENV}, stdout=log, stderr=log,
                                extra_arguments=["--HistoryManager.hist_file=:memory:"])
            kernel.execute(_DIE_WITH_BUILD.format(parent=os.getpid()), self.start_timeout, "parent-death signal")
            kernel.execute(self.preload, self.start_timeout, "preload")
            kernel.execute(_KERNEL_SETUP, self.start_timeout, "kernel setup")
        except KernelStartError:
            kernel.shutdown(now=True)
            raise
        except Exception as error:
            kernel.shutdown(now=True)
            raise KernelStartError(f"could not start a {KERNEL_NAME} kernel: {error}") from error
        with self._lock:
            if not self._closed:
                self._kernels.add(kernel)
                return kernel
        kernel.shutdown(now=True)  # the pool was closed while this kernel started
        raise KernelPoolClosed("kernel pool is closed")

    def _retire(self, kernel: _Kernel, now: bool = False) -> None:
        kernel.shutdown(now=now or kernel.busy)
        with self._lock:
            self._kernels.discard(kernel)

    def _expect(self, jobs: int) -> None:
        """Announce jobs; fresh mode makes sure min(size, waiting jobs) kernels are warm or warming."""
        with self._lock:
            if self._closed:
                raise KernelPoolClosed("kernel pool is closed")
            self._demand += jobs
            while self._wants_kernel():
                self._supply.put(self._background.submit(self._start))

    def _wants_kernel(self) -> bool:
        return not self.reuse and not self._closed and self._supply.qsize() < min(self.size, self._demand)

    def _acquire(self) -> _Kernel:
        future = self._supply.get()  # in reuse mode: blocks while every kernel is busy
        try:
            kernel = future.result()
        except KernelPoolClosed:
            self._supply.put(future)  # pass the word on: however many threads wait, each one wakes
            raise
        finally:
            with self._lock:
                self._demand -= 1
                # One successor per kernel put to work, started only now: kernels still warming
                # up do not compete for the CPU with their own successors.
                if self._wants_kernel():
                    self._supply.put(self._background.submit(self._start))
        kernel.busy = True
        return kernel

    def _release(self, kernel: _Kernel, clean: bool) -> None:
        """Reset a reusable kernel and put it back; otherwise shut it down (in the background)."""
        kernel.busy = not clean  # after a timeout or an interrupt it may still be running a cell
        if self.reuse and clean and not self._closed:
            try:
                kernel.execute(_KERNEL_RESET, self.start_timeout, "kernel reset")
                kernel.execute(self.preload, self.start_timeout, "preload")
            except KernelStartError as exc:
                if self._closed:    # close() killed it mid-reset (Ctrl-C, a failed build): nothing to report
                    return
                logger.warning("kernel reset failed (%s); replacing the kernel", exc)
            else:
                self._supply.put(_done(kernel))
                return
        with self._lock:
            if self._closed:  # close() shuts it down
                return
            self._background.submit(self._retire, kernel)
            if self.reuse:
                self._supply.put(self._background.submit(self._start))

    # -- closing -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every kernel, wait for the pool's threads, remove its files.

        Kernels are killed, idle or busy: nothing in one needs saving once the pool is done with it
        (no history file, every notebook written), and asking an idle kernel to exit made the build
        wait 0.5 to 2.5 s for its interpreter to wind down."""
        with self._lock:
            already_closed, self._closed = self._closed, True
            kernels = list(self._kernels)
        if not already_closed:
            for _ in range(self.size):  # wake threads waiting for a kernel
                self._supply.put(_done(KernelPoolClosed("kernel pool is closed")))
        try:
            if kernels:
                with ThreadPoolExecutor(len(kernels)) as stopper:
                    stopper.map(lambda kernel: self._retire(kernel, now=True), kernels)
        finally:
            # Starts still running shut their kernel down themselves once they see the pool closed.
            self._background.shutdown(wait=True, cancel_futures=True)
            # Queued jobs are not cancelled: a cancelled future never wakes as_completed() in another
            # build's map(). They run instead, and end at once with KernelPoolClosed from _acquire().
            self._workers.shutdown(wait=True)
            shutil.rmtree(self._files, ignore_errors=True)
