"""Batch runs and parameter sweeps: every spec x sweep point built into its own folder under DIR.

``plan`` is pure (specs, sweeps and fixed overrides in; Items with safe folder names out), and
``check`` validates every item before anything runs.  ``run_batch`` then skips unchanged items
(``resume``: a content hash of spec bytes, overrides, notebooks and designkit version, written last
into each item), builds the rest on one pool of warm reusable kernels (or on a Dask cluster),
publishes each item folder with a rename only when it is complete, and writes DIR/index.html.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable

from . import __version__
from . import quantities as q
from .build import NOTEBOOKS, NOTEBOOKS_DIR, build, check_parameters, default_pool_size, notebook_paths
from .errors import BuildError, DesignkitError, SpecError
from .spec import parse_override, read_raw, resolve, slugify

INPUTS_FILE = ".designkit-inputs.json"  # written last into an item: resume trusts only items that have it
STAGING_PREFIX = ".batch-"               # DIR/.batch-*/: items being built; never read as output
CHARTS_DIR = "_sweeps"                   # DIR/_sweeps/<field>.svg; slugs never start with '_'
BASE_POINT = "base"                      # the folder of an item when nothing is swept
DEFAULT_JOBS = 2                         # items built at once on the local pool
REQUIRED = ("article.md", "handout.html")
MAX_POINT_NAME = 120


def batch_pool(size: int | None = None):
    """One KernelPool(reuse=True) shared by every item of a batch (charts apply their own style)."""
    from .kernels import KernelPool
    return KernelPool(size or default_pool_size(len(NOTEBOOKS)), reuse=True)


class BatchUsageError(DesignkitError):
    """Bad batch options (no specs, -j 0, a --dask scheduler that cannot be used): exit status 2."""

    exit_code = 2


# --- planning (pure) ----------------------------------------------------------------------

@dataclass(frozen=True)
class Sweep:
    """One --sweep flag: a field and its values, parsed like -p values and kept as written for labels."""

    field: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Item:
    """One article to build: a spec file, one sweep point's overrides, and its safe output folder."""

    spec: str                                # as given on the command line
    path: Path                               # the spec file it resolved to
    point: tuple[tuple[str, str], ...]       # swept (field, value as written), in --sweep order
    overrides: tuple[tuple[str, Any], ...]   # fixed -p overrides, then the point's, parsed
    folder: str                              # "<spec slug>/<point slug>": only [a-z0-9-], never spec text

    @property
    def label(self) -> str:
        """The sweep point as people wrote it: 'users=1M, peak_factor=3x' ('base' when nothing is swept)."""
        return ", ".join(f"{field}={text}" for field, text in self.point) or BASE_POINT

    def override_dict(self) -> dict[str, Any]:
        """The overrides as build() and load_spec() take them."""
        return dict(self.overrides)


def parse_sweep(text: str) -> Sweep:
    """'users=1M,10M,1B' -> Sweep('users', ...); values are YAML scalars, as with -p."""
    if "=" not in text or not text.split("=", 1)[0].strip():
        raise SpecError("--sweep", [(text, "expected field=value1,value2,..., e.g. users=1M,10M,100M,1B")])
    field, values = (part.strip() for part in text.split("=", 1))
    if re.search(r"\d,\d{3}(?!\d)", values):
        raise SpecError("--sweep", [(field, f"{values!r}: commas separate values; write 1000000 or 1M, "
                                            f"not 1,000,000")])
    texts = tuple(value.strip() for value in values.split(","))
    if not all(texts):
        raise SpecError("--sweep", [(field, f"{values!r} has an empty value")])
    repeated = sorted({t for t in texts if texts.count(t) > 1})
    if repeated:
        raise SpecError("--sweep", [(field, f"value {repeated[0]!r} given twice")])
    return Sweep(field, texts, tuple(parse_override(f"{field}={t}")[1] for t in texts))


def point_name(point: tuple[tuple[str, str], ...]) -> str:
    """A safe folder name for a sweep point: 'users-1m--peak-factor-3x' (slugify only, '--' between fields)."""
    name = "--".join(slugify(f"{field}-{text}") for field, text in point) or BASE_POINT
    if len(name) > MAX_POINT_NAME:
        digest = hashlib.sha256(repr(point).encode()).hexdigest()[:8]
        name = f"{name[:MAX_POINT_NAME - 9].rstrip('-')}-{digest}"
    return name


def _unique(name: str, taken: set[str]) -> str:
    """name, or name-2, name-3... so two items never share a folder."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def _spec_slug(path: Path) -> str:
    name = read_raw(path).get("name")
    return slugify(name if isinstance(name, str) and name.strip() else path.stem)


def plan(specs: Iterable[str | Path], sweeps: Iterable[Sweep] = (), overrides: dict[str, Any] | None = None
         ) -> list[Item]:
    """Every spec x every point of the sweeps' cross product, with -p overrides applied to all.

    Reads spec files only for their names (the folder slug); raises SpecError for conflicting flags.
    """
    specs, sweeps, fixed = [str(s) for s in specs], list(sweeps), dict(overrides or {})
    if not specs:
        raise BatchUsageError("no spec given: name spec files or bundled examples, e.g. `designkit batch reference`")
    fields = [s.field for s in sweeps]
    for field in fields:
        if fields.count(field) > 1:
            raise SpecError("--sweep", [(field, "swept twice; give all its values in one --sweep")])
        if field in fixed:
            raise SpecError("--sweep", [(field, "both fixed with -p and swept with --sweep; keep one")])
    points = list(itertools.product(*[list(zip(s.texts, s.values)) for s in sweeps]))
    items: list[Item] = []
    seen: set[Path] = set()
    slugs: set[str] = set()
    for ref in specs:
        path = resolve(ref)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        slug = _unique(_spec_slug(path), slugs)
        folders: set[str] = set()
        for point in points:
            named = tuple((s.field, text) for s, (text, _) in zip(sweeps, point))
            values = tuple((s.field, value) for s, (_, value) in zip(sweeps, point))
            folder = f"{slug}/{_unique(point_name(named), folders)}"
            items.append(Item(ref, path, named, tuple(fixed.items()) + values, folder))
    return items


# --- checking every item before anything runs --------------------------------------------

@dataclass(frozen=True)
class Metrics:
    """An item's headline numbers, from estimate() and analyze() directly (no notebook needed)."""

    name: str
    peak_qps: float
    storage_bytes: float      # over the spec's retention, one copy: what the article's estimate says
    servers: int
    first_to_break: str | None  # at 10x today's traffic; None: nothing breaks


class SweepSpecError(SpecError):
    """Some items' specs are invalid; every problem is listed with its spec and sweep point (exit 2)."""

    def __init__(self, failures: list[tuple[Item, SpecError]], hints: list[str], total: int):
        groups: dict[tuple[str, str, str], list[str]] = {}
        for item, error in failures:
            for field, what in error.problems:
                groups.setdefault((error.source, field, what), []).append(item.label)
        lines = [f"{len(failures)} of {total} items have spec errors; nothing was built or written:"]
        for (source, field, what), labels in groups.items():
            where = f"[{labels[0]}]" if len(labels) == 1 else f"[{len(labels)} points: {', '.join(labels)}]"
            lines.append(f"{source} {where}: {field}: {what}" if field else f"{source} {where}: {what}")
        lines += [f"hint: {hint}" for hint in hints]
        self.failures, self.hints = failures, hints
        self.source = "batch"
        self.problems = [(field, what) for (_, field, what) in groups]
        DesignkitError.__init__(self, "\n".join(lines))


def _swept_users(item: Item) -> bool:
    return any(field in ("users", "scale.users") for field, _ in item.point)


def _dau_advice(item: Item) -> str | None:
    """When users is swept on a spec that fixes daily_active_users: how to make daily users follow users."""
    if not _swept_users(item) or any(k.split(".")[-1].startswith("daily_active") for k, _ in item.overrides):
        return None
    scale = read_raw(item.path).get("scale") or {}
    if not isinstance(scale, dict) or scale.get("daily_active_users") is None:
        return None
    try:
        share = q.say_percent(q.parse_count(scale["daily_active_users"]) / q.parse_count(scale["users"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        share = "10%"
    return (f"{item.path.name} fixes daily_active_users, so sweeping users leaves daily traffic unchanged "
            f"and a point below daily_active_users is invalid; let daily users follow users with "
            f"-p daily_active_users=null -p daily_active_fraction={share}, or sweep daily_active_users too")


def check(items: list[Item]) -> tuple[list[Metrics], list[str]]:
    """Load every item's spec with its overrides: (metrics per item, warnings), or SweepSpecError."""
    from .analysis import analyze
    from .capacity import estimate
    from .spec import load_spec

    metrics: list[Metrics] = []
    failures: list[tuple[Item, SpecError]] = []
    advice: list[str] = []
    for item in items:
        tip = _dau_advice(item)
        if tip and tip not in advice:
            advice.append(tip)
        try:
            spec = load_spec(item.path, item.override_dict())
        except SpecError as error:
            failures.append((item, error))
            continue
        cap = estimate(spec.scale)
        metrics.append(Metrics(spec.name, cap.qps_peak, cap.storage_total_bytes, cap.servers_needed,
                               analyze(spec, cap).first_to_break(10)))
    if failures:
        raise SweepSpecError(failures, advice, len(items))
    return metrics, advice


# --- inputs and their hash -----------------------------------------------------------------

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces (YAML dates and the like as text)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def notebooks_digest(paths: list[Path]) -> str:
    """The hash of the section notebooks an item is built with (names and bytes)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + _sha256(path.read_bytes()).encode() + b"\n")
    return digest.hexdigest()


def inputs_record(spec_bytes: bytes, overrides: dict[str, Any], notebooks_sha256: str,
                  version: str = __version__) -> dict:
    """What an item was built from, and its digest: equal digests mean the same article."""
    record = {"designkit": version, "spec_sha256": _sha256(spec_bytes),
              "overrides": json.loads(canonical_json(overrides)), "notebooks_sha256": notebooks_sha256}
    record["digest"] = _sha256(canonical_json(record).encode())
    return record


def is_current(folder: Path, digest: str) -> bool:
    """True when folder holds a complete item built from inputs with this digest."""
    try:
        record = json.loads((folder / INPUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(record, dict) and record.get("digest") == digest
            and all((folder / name).is_file() for name in REQUIRED))


# --- results -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Failure:
    """Why an item failed: a BuildError's section, notebook, cell and error, or any other error."""

    message: str
    section: str = ""
    notebook: str = ""
    cell: int | None = None
    ename: str = ""
    evalue: str = ""

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        if isinstance(error, BuildError):
            return cls(str(error), error.section, error.notebook, error.cell, error.ename, error.evalue)
        if isinstance(error, DesignkitError):
            return cls(str(error))
        return cls(f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class Outcome:
    """What running one item gave: seconds, build warnings, and a Failure if it failed."""

    seconds: float
    warnings: tuple[str, ...] = ()
    failure: Failure | None = None


@dataclass(frozen=True)
class Row:
    """One item of a batch: its numbers and status, 'built', 'skipped' (unchanged) or 'failed'."""

    item: Item
    metrics: Metrics
    status: str
    seconds: float
    failure: Failure | None = None


@dataclass(frozen=True)
class BatchResult:
    """Where a batch put its files, each item's row, and what it warned about."""

    out_dir: Path
    index: Path
    charts: tuple[Path, ...]
    rows: tuple[Row, ...]
    warnings: tuple[str, ...]
    seconds: float

    @property
    def failed(self) -> tuple[Row, ...]:
        """The rows of items that failed (exit status 1 when any)."""
        return tuple(row for row in self.rows if row.status == "failed")


# --- running -------------------------------------------------------------------------------

def run_batch(specs: Iterable[str | Path], sweeps: Iterable[Sweep | str] = (), overrides: dict | None = None,
              out_dir: str | Path = "build/batch", *, jobs: int | None = None, resume: bool = False,
              dask: str | None = None, notebooks_dir: Path = NOTEBOOKS_DIR, pool=None,
              progress: bool = False) -> BatchResult:
    """Build every spec x sweep point into out_dir/<slug>/<point>/, then out_dir/index.html.

    A spec error in any item raises before anything is written; a failing item is reported in its
    row and never stops the others.  pool: a batch_pool() to use (else one is made and closed);
    dask: a scheduler address to build on instead.  progress: a tqdm bar and failures on stderr.
    """
    started = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise BatchUsageError(f"-j must be at least 1, got {jobs}")
    items = plan(specs, [parse_sweep(s) if isinstance(s, str) else s for s in sweeps], overrides)
    metrics, warnings = check(items)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpecError(str(out), "output path exists and is not a folder")
    paths = notebook_paths(Path(notebooks_dir))
    spec_bytes = {path: path.read_bytes() for path in {item.path for item in items}}
    nb_sha = notebooks_digest(paths)
    records = [inputs_record(spec_bytes[item.path], item.override_dict(), nb_sha) for item in items]
    todo = [i for i, item in enumerate(items) if not (resume and is_current(out / item.folder, records[i]["digest"]))]
    if todo:  # papermill's import alone is most of a resumed run with nothing left to do
        check_parameters(paths)
    client = _connect(dask) if dask and todo else None  # a bad address is bad input: nothing written yet
    outcomes: dict[int, Outcome] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        with _Reporter(len(items), progress) as report:
            report.skipped(len(items) - len(todo))
            for warning in warnings:
                report.say(f"warning: {warning}")

            def finish(index: int, outcome: Outcome) -> None:
                outcomes[index] = outcome
                report.done(items[index], outcome)

            if todo:
                stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
                try:
                    job = _Job(items, records, spec_bytes, paths, Path(notebooks_dir), stage, out)
                    if client is not None:
                        _run_dask(client, job, todo, jobs, finish)
                    else:
                        _run_local(job, todo, jobs or DEFAULT_JOBS, pool, finish)
                finally:
                    shutil.rmtree(stage, ignore_errors=True)
    finally:
        if client is not None:
            client.close()
    rows = []
    for index, (item, numbers) in enumerate(zip(items, metrics)):
        outcome = outcomes.get(index)
        if outcome is None:
            rows.append(Row(item, numbers, "skipped", 0.0))
        else:
            status = "failed" if outcome.failure else "built"
            rows.append(Row(item, numbers, status, outcome.seconds, outcome.failure))
            warnings += [w for w in outcome.warnings if w not in warnings]
    index_path, charts = write_index(out, rows, _sweeps_of(items))
    return BatchResult(out, index_path, charts, tuple(rows), tuple(warnings), time.perf_counter() - started)


@dataclass(frozen=True)
class _Job:
    """What every item of a run shares: the plan, input records, spec bytes, notebooks, staging and DIR."""

    items: list[Item]
    records: list[dict]
    spec_bytes: dict[Path, bytes]
    notebooks: list[Path]
    notebooks_dir: Path
    stage: Path
    out: Path

    def publish(self, index: int, built: Path) -> None:
        """Write the inputs record last, then move the complete item into place (old one out first)."""
        (built / INPUTS_FILE).write_text(json.dumps(self.records[index], indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
        target = self.out / self.items[index].folder
        target.parent.mkdir(parents=True, exist_ok=True)
        trash = self.stage / f"old-{index}"
        if target.exists() or target.is_symlink():
            os.rename(target, trash)
        os.rename(built, target)
        shutil.rmtree(trash, ignore_errors=True)


def _run_local(job: _Job, todo: list[int], jobs: int, pool, finish: Callable[[int, Outcome], None]) -> None:
    """Build items `jobs` at a time on one shared pool of warm kernels that are reset between notebooks."""
    own = pool is None
    if own:
        pool = batch_pool()
    executor = ThreadPoolExecutor(min(jobs, len(todo)), thread_name_prefix="designkit-batch")
    try:
        futures = {executor.submit(_build_local, job, index, pool): index for index in todo}
        for future in as_completed(futures):
            finish(futures[future], future.result())
    except BaseException:
        if own:
            pool.close()  # kills running kernels, so the builds in flight end now
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if own:
            pool.close()


def _build_local(job: _Job, index: int, pool) -> Outcome:
    """Build one item into its staging folder and publish it; any error becomes the item's Failure."""
    item = job.items[index]
    started = time.perf_counter()
    built = job.stage / str(index)
    try:
        result = build(item.path, built, item.override_dict(), notebooks_dir=job.notebooks_dir, pool=pool)
        if item.path.read_bytes() != job.spec_bytes[item.path]:
            raise SpecError(str(item.path), "the spec file changed while the batch ran; run it again")
        job.publish(index, built)
    except Exception as error:  # noqa: BLE001 - one item's failure never stops the others
        return Outcome(time.perf_counter() - started, failure=Failure.of(error))
    return Outcome(time.perf_counter() - started, result.warnings)


# --- Dask ------------------------------------------------------------------------------------

def _connect(address: str):
    """A distributed.Client for the scheduler at address; BatchUsageError when that cannot be."""
    try:
        import distributed
    except ImportError:
        raise BatchUsageError("--dask needs the 'distributed' package: pip install 'designkit[dask]'") from None
    try:
        return distributed.Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchUsageError(f"cannot reach a Dask scheduler at {address!r}: {error}") from None


def _run_dask(client, job: _Job, todo: list[int], jobs: int | None,
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


# --- reporting -------------------------------------------------------------------------------

class _Reporter:
    """The tqdm bar over items on stderr, and a line for each failure and new warning as it happens."""

    def __init__(self, total: int, enabled: bool):
        self.enabled = enabled
        self.seen: set[str] = set()
        self.bar = None
        if enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="item", desc="batch", file=sys.stderr, dynamic_ncols=True)

    def __enter__(self) -> _Reporter:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.close()

    def say(self, line: str) -> None:
        if self.bar is not None and line not in self.seen:
            self.seen.add(line)
            self.bar.write(f"designkit batch: {line}", file=sys.stderr)

    def skipped(self, count: int) -> None:
        if self.bar is not None and count:
            self.bar.update(count)
            self.bar.set_postfix_str(f"{count} unchanged", refresh=False)

    def done(self, item: Item, outcome: Outcome) -> None:
        if self.bar is None:
            return
        if outcome.failure is not None:
            self.say(f"FAILED {item.spec} [{item.label}]: {outcome.failure.message}")
        for warning in outcome.warnings:
            self.say(f"warning: {item.spec}: {warning}")
        self.bar.update(1)


COLUMNS = ("spec", "sweep point", "status", "peak QPS", "storage", "servers", "breaks first at 10x", "seconds")


def _cells(row: Row) -> tuple[str, ...]:
    m = row.metrics
    seconds = f"{row.seconds:.1f}" if row.status != "skipped" else "-"
    return (m.name, row.item.label, row.status, q.say_qps(m.peak_qps), q.say_bytes(m.storage_bytes),
            f"{m.servers:,}", m.first_to_break or "nothing", seconds)


def summary(result: BatchResult) -> str:
    """The table printed at the end: one line per item, totals, and each failure in full."""
    table = [COLUMNS] + [_cells(row) for row in result.rows]
    widths = [min(32, max(len(line[c]) for line in table)) for c in range(len(COLUMNS))]
    right = {3, 4, 5, 7}

    def fit(text: str, width: int, column: int) -> str:
        text = text if len(text) <= width else text[:width - 1] + "…"
        return text.rjust(width) if column in right else text.ljust(width)

    lines = ["  ".join(fit(cell, w, c) for c, (cell, w) in enumerate(zip(line, widths))).rstrip()
             for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = {status: sum(1 for row in result.rows if row.status == status)
              for status in ("built", "skipped", "failed")}
    lines.append("")
    lines.append(f"{len(result.rows)} items: {counts['built']} built, {counts['skipped']} unchanged, "
                 f"{counts['failed']} failed in {result.seconds:.1f} s; index: {result.index}")
    for row in result.failed:
        lines.append(f"FAILED {row.item.spec} [{row.item.label}] ({row.item.folder}): {row.failure.message}")
    return "\n".join(lines)


# --- index page and sweep charts ---------------------------------------------------------------

def _sweeps_of(items: list[Item]) -> list[tuple[str, list[str]]]:
    """The swept fields and their values as written, in --sweep order."""
    fields: dict[str, list[str]] = {}
    for item in items:
        for field, text in item.point:
            values = fields.setdefault(field, [])
            if text not in values:
                values.append(text)
    return list(fields.items())


def sweep_series(rows: list[Row], field: str, values: list[str]) -> list[tuple[str, list[tuple[int, Metrics]]]]:
    """The lines of one field's chart: one per spec and point of the other swept fields."""
    series: dict[tuple[str, str], list[tuple[int, Metrics]]] = {}
    for row in rows:
        point = dict(row.item.point)
        others = ", ".join(f"{f}={t}" for f, t in row.item.point if f != field)
        key = (row.item.folder.split("/")[0], f"{row.metrics.name}" + (f" [{others}]" if others else ""))
        series.setdefault(key, []).append((values.index(point[field]), row.metrics))
    return [(label, sorted(points, key=lambda p: p[0])) for (_, label), points in series.items()]


def write_index(out: Path, rows: list[Row], sweeps: list[tuple[str, list[str]]]) -> tuple[Path, tuple[Path, ...]]:
    """DIR/_sweeps/<field>.svg per swept field and DIR/index.html, each written whole (replace)."""
    from .charts import svg
    from .index_page import render_index, sweep_figure

    figures, paths = [], []
    for field, values in sweeps:
        text = svg(sweep_figure(field, values, sweep_series(rows, field, values)))
        figures.append((field, text))
        path = out / CHARTS_DIR / f"{slugify(field)}.svg"
        _write_atomic(path, text)
        paths.append(path)
    index = out / "index.html"
    _write_atomic(index, render_index(rows, figures))
    return index, tuple(paths)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
