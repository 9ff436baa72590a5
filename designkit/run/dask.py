"""Batch items on a Dask cluster: one task per item, built on each worker's warm kernel pool."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import re
import socket
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from .. import __version__
from .build import build
from ..errors import BuildError

from .items import Failure, Job, Outcome, batch_pool, BatchUsageError


ADDRESS = re.compile(r"^(?:(?:tcp|tls|inproc|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)"
                     r"(?::\d{1,5})?/?$")


def check_address(address: str) -> None:
    """Refuse at once what cannot be a scheduler address (no 23 s wait for a connect to fail)."""
    if not ADDRESS.match(address or ""):
        raise BatchUsageError(f"--dask {address!r} is not a scheduler address; expected host:port or "
                              "tcp://host:port, e.g. tcp://10.0.0.5:8786")
    port = address.rstrip("/").rsplit(":", 1)[-1]
    if port.isdigit() and not 0 < int(port) < 65536:
        raise BatchUsageError(f"--dask {address!r}: port {port} is not between 1 and 65535")


HANDSHAKE_SECONDS = 10.0   # to connect, and for the scheduler's first bytes (it speaks first)


def probe(address: str, seconds: float = HANDSHAKE_SECONDS) -> None:
    """Refuse a tcp:// address that does not answer as a Dask scheduler within ``seconds``.

    A scheduler writes its handshake as soon as a connection is accepted; distributed's client
    waits for it without a time limit, so a dashboard (HTTP) port or a silent service would hang
    the batch.  Other transports (tls://, ucx://...) are left to distributed's own timeout.
    """
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rstrip("/").rpartition(":")
    if not port.isdigit():
        return
    host = host.strip("[]") or "localhost"
    try:
        with socket.create_connection((host, int(port)), timeout=seconds) as conn:
            conn.settimeout(seconds)
            first = conn.recv(16)
    except TimeoutError:
        raise BatchUsageError(f"--dask {address!r} accepted a connection but sent nothing within {seconds:g} s: "
                              "not a Dask scheduler (a dashboard or another service?); the scheduler's "
                              "address is usually tcp://host:8786") from None
    except OSError as error:
        raise BatchUsageError(f"cannot reach a Dask scheduler at {address!r}: {error.strerror or error}") from None
    if not first or first[:5] in (b"HTTP/", b"SSH-2") or first[:1] == b"<":
        raise BatchUsageError(f"--dask {address!r} answers, but not as a Dask scheduler; the scheduler's "
                              "address is usually tcp://host:8786")


def connect(address: str):
    """A distributed.Client for the scheduler at address; BatchUsageError when that cannot be."""
    check_address(address)
    try:
        import distributed
    except ImportError:
        raise BatchUsageError("--dask needs the 'distributed' package: pip install 'designkit[dask]'") from None
    probe(address)
    try:
        return distributed.Client(address, timeout=HANDSHAKE_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchUsageError(f"cannot reach a Dask scheduler at {address!r}: {error}") from None


def run_dask(client, job: Job, todo: list[int], jobs: int | None,
              finish: Callable[[int, Outcome], None]) -> None:
    """One task per item on the cluster; each returns its files, written here and published like a local one."""
    import distributed

    notebooks = {path.name: path.read_bytes() for path in job.notebooks}
    [shared] = client.scatter([{"dir": str(job.notebooks_dir.resolve()), "files": notebooks}], hash=False)
    waiting = list(todo)
    futures: dict = {}

    def submit() -> Any:
        index = waiting.pop(0)
        item = job.items[index]
        task = {"version": __version__, "spec_path": str(item.path.resolve()), "spec_name": item.path.name,
                "spec_bytes": job.spec_bytes[item.path], "overrides": item.override_dict()}
        future = client.submit(remote_build, task, shared, pure=False,
                               key=f"designkit-batch-{index}-{os.urandom(4).hex()}")
        futures[future] = index
        return future

    first = [submit() for _ in range(min(jobs or len(waiting), len(waiting)))]
    running = distributed.as_completed(first, loop=client.loop)  # this client's loop: it is not the default
    try:
        for future in running:
            index = futures.pop(future)
            if waiting:
                running.add(submit())
            try:
                reply = future.result()
                if reply.get("failure"):
                    outcome = Outcome(reply.get("seconds", 0.0), failure=Failure(**reply["failure"]))
                else:
                    built = job.stage / str(index)
                    _write_files(built, reply["files"])
                    job.publish(index, built)
                    outcome = Outcome(reply["seconds"], tuple(reply["warnings"]))
            except Exception as error:  # noqa: BLE001 - a lost worker or a bad reply fails this item only
                outcome = Outcome(0.0, failure=Failure.of(error))
            finish(index, outcome)
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        with contextlib.suppress(Exception):
            client.run(_release_worker_pool_async)  # idle workers shut their kernels down


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write a worker's files under folder; refuses any name that would leave it."""
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or not relative.parts or any(p in ("", ".", "..") for p in relative.parts):
            raise BuildError("all", name, "a worker returned a file name outside the item folder")
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _holds(path: Path, data: bytes) -> bool:
    """True when path is a file with exactly these bytes (the worker shares the client's file system)."""
    try:
        return path.is_file() and path.read_bytes() == data
    except OSError:
        return False


def remote_build(task: dict, notebooks: dict) -> dict:
    """On a Dask worker: build one item on the worker's warm pool; return its files or its failure."""
    started = time.perf_counter()
    if task["version"] != __version__:
        return {"seconds": 0.0, "failure": asdict(Failure(
            f"the worker has designkit {__version__} but the client {task['version']}: install the same version"))}
    with tempfile.TemporaryDirectory(prefix="designkit-batch-") as tmp:
        tmp = Path(tmp)
        # Use the client's files where the worker sees the same bytes (executed notebooks then name the
        # real spec path, as a local build does); otherwise build from copies of what the client sent.
        spec = Path(task["spec_path"])
        if not _holds(spec, task["spec_bytes"]):
            spec = tmp / "spec" / Path(task["spec_name"]).name
            spec.parent.mkdir()
            spec.write_bytes(task["spec_bytes"])
        notebooks_dir = Path(notebooks["dir"])
        if not all(_holds(notebooks_dir / name, data) for name, data in notebooks["files"].items()):
            notebooks_dir = tmp / "notebooks"
            notebooks_dir.mkdir()
            for name, data in notebooks["files"].items():
                (notebooks_dir / Path(name).name).write_bytes(data)
        out = tmp / "out"
        try:
            with _worker_pool() as pool:
                result = build(spec, out, task["overrides"], notebooks_dir=notebooks_dir, pool=pool)
        except Exception as error:  # noqa: BLE001 - reported as the item's failure, never raised to Dask
            return {"seconds": time.perf_counter() - started, "failure": asdict(Failure.of(error))}
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        return {"seconds": result.seconds, "warnings": list(result.warnings), "files": files}


_WORKER: dict[str, Any] = {"pool": None, "active": 0, "atexit": False}
_WORKER_LOCK = threading.Lock()


@contextlib.contextmanager
def _worker_pool():
    """The worker process's shared KernelPool(reuse=True), started by its first item."""
    with _WORKER_LOCK:
        if _WORKER["pool"] is None:
            _WORKER["pool"] = batch_pool()
            if not _WORKER["atexit"]:
                _WORKER["atexit"] = atexit.register(release_worker_pool) is not None
        _WORKER["active"] += 1
        pool = _WORKER["pool"]
    try:
        yield pool
    finally:
        with _WORKER_LOCK:
            _WORKER["active"] -= 1


def release_worker_pool() -> bool:
    """Shut the worker's kernels down unless an item is running on them; True if they were shut down."""
    with _WORKER_LOCK:
        if _WORKER["active"] or _WORKER["pool"] is None:
            return False
        pool, _WORKER["pool"] = _WORKER["pool"], None
    pool.close()
    return True


async def _release_worker_pool_async() -> bool:
    """release_worker_pool() off the worker's event loop (closing kernels takes a second)."""
    return await asyncio.to_thread(release_worker_pool)
