"""Batch runs and parameter sweeps: every spec x sweep point built into its own folder under DIR.

``plan`` is pure (specs, sweeps and fixed overrides in; Items with safe folder names out), and
``check`` validates every item before anything runs.  ``run_batch`` then skips unchanged items
(``resume``: a content hash of spec bytes, overrides, notebooks and designkit version, written last
into each item), builds the rest on one pool of warm reusable kernels (or on a Dask cluster),
publishes each item folder with a rename only when it is complete, and writes DIR/index.html.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable

from ..model import quantities as q
from ..assets import NOTEBOOKS_DIR
from . import outdir
from .build import build, check_parameters, notebook_paths
from ..errors import SpecError
from ..model.spec import slugify
from .dask import check_address, connect, run_dask
from .items import (BatchResult, BatchUsageError, CHARTS_DIR, DEFAULT_JOBS, INPUTS_FILE, Failure, Item, Job, Metrics,
                    Outcome, Row, STAGING_PREFIX, Sweep, batch_pool, check, inputs_record, is_current,
                    notebooks_digest, parse_sweep, plan)

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
    if dask is not None:
        check_address(dask)
    items = plan(specs, [parse_sweep(s) if isinstance(s, str) else s for s in sweeps], overrides)
    metrics, warnings = check(items)
    out = Path(out_dir)
    charts = [f"{CHARTS_DIR}/{slugify(field)}.svg" for field, _ in _sweeps_of(items)]
    outdir.preflight(out, outputs=(CHARTS_DIR,), expect=["index.html", *charts], prefix=STAGING_PREFIX)
    for item in items:  # before any notebook runs: no item folder is a symlink or in the way
        check_item_folder(out, item.folder)
    paths = notebook_paths(Path(notebooks_dir))
    spec_bytes = {path: path.read_bytes() for path in {item.path for item in items}}
    nb_sha = notebooks_digest(paths)
    records = [inputs_record(spec_bytes[item.path], item.override_dict(), nb_sha) for item in items]
    todo = [i for i, item in enumerate(items) if not (resume and is_current(out / item.folder, records[i]["digest"]))]
    if todo:  # papermill's import alone is most of a resumed run with nothing left to do
        check_parameters(paths)
    client = connect(dask) if dask and todo else None  # a bad address is bad input: nothing written yet
    outcomes: dict[int, Outcome] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        if outdir.read_manifest(out) is None:
            outdir.write_manifest(out, {})  # DIR is designkit's from now on, even if this run is killed
        with _Reporter(len(items), progress) as report:
            report.skipped(len(items) - len(todo))
            for warning in warnings:
                report.say(f"warning: {warning}")

            def finish(index: int, outcome: Outcome) -> None:
                outcomes[index] = outcome
                report.done(items[index], outcome)

            if todo:
                stage = outdir.make_staging(out, STAGING_PREFIX)
                try:
                    job = Job(items, records, spec_bytes, paths, Path(notebooks_dir), stage, out)
                    if client is not None:
                        run_dask(client, job, todo, jobs, finish)
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


def check_item_folder(out: Path, folder: str) -> None:
    """An item folder may be new, or a real folder with a manifest of its own (a user's folder of that
    name is refused); no folder on the way from DIR is a symlink."""
    path = outdir.safe_path(out, f"{folder}/{INPUTS_FILE}").parent
    if os.path.lexists(path) and not path.is_symlink() and path.is_dir() and any(path.iterdir()) \
            and outdir.read_manifest(path) is None:
        raise outdir.OutputError(path, "holds files designkit did not write and no manifest of a designkit "
                                       "build; move them out or choose another output folder")
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        raise outdir.OutputError(path, "is a symlink or a file where designkit writes an item folder")


def _run_local(job: Job, todo: list[int], jobs: int, pool, finish: Callable[[int, Outcome], None]) -> None:
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


def _build_local(job: Job, index: int, pool) -> Outcome:
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
    """DIR/_sweeps/<field>.svg per swept field and DIR/index.html, each written whole (mode 0644), and
    DIR's manifest; a file in the way that designkit did not write (or that changed) is refused."""
    from ..views.charts.style import svg
    from ..views.pages.batch_index import render_index, sweep_figure

    listed = outdir.read_manifest(out) or {}
    texts: dict[str, str] = {}
    figures = []
    for field, values in sweeps:
        text = svg(sweep_figure(field, values, sweep_series(rows, field, values)))
        figures.append((field, text))
        texts[f"{CHARTS_DIR}/{slugify(field)}.svg"] = text
    texts["index.html"] = render_index(rows, figures)
    outdir.check_targets(out, texts, listed)
    written = {}
    for rel, text in texts.items():
        path = outdir.safe_path(out, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        outdir.safe_path(out, rel)
        outdir.write_file(path, text)
        written[rel] = (outdir.digest(path),)
    for rel in listed:   # sweep charts of an earlier run, unchanged since: removed
        if rel not in written and rel.startswith(f"{CHARTS_DIR}/") and outdir.unchanged(out, rel, listed):
            with contextlib.suppress(OSError):
                outdir.safe_path(out, rel).unlink()
    outdir.write_manifest(out, written)
    return out / "index.html", tuple(out / rel for rel in texts if rel != "index.html")
