"""The article build: run the 9 section notebooks headless, assemble article.md and handout.html.

Everything is built in a staging folder inside the output folder and swapped in only when
every section produced what the article needs, so a failed build never touches the last good
article; what the build may touch in the output folder is ``outdir``'s to say.  Same spec and same designkit version give byte-identical article and handout.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import outdir
from ..errors import BuildError, SpecError
from ..model.spec import load_spec, resolve, source_name
from .pinned import pin_spec
from ..views.prose.templating import render_spec
from ..assets import NOTEBOOKS_DIR
from ..sections import SECTIONS, TITLES

PARAMETERS = ("spec", "overrides", "interactive")
SLOW_FIRST = ("06_scalability.ipynb", "01_requirements.ipynb", "07_reliability.ipynb")
"""The notebooks that draw the article's figures, slowest first (most of a notebook's time is its figures)."""
FIGURE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIGURE_REF = re.compile(r"(!\[[^\]\n]*\]\(figures/)([^)\s]+)\)")  # images only: prose cannot make one
FIGURE_FILE = re.compile(r"(\]\(figures/[a-z0-9][a-z0-9-]{0,63})\.[0-9a-f]{8}(\.svg\))")
HASH_DIGITS = 8


@dataclass(frozen=True)
class BuildResult:
    """Where a build put its files, and what it warned about."""

    out_dir: Path
    article: Path
    handout: Path
    warnings: tuple[str, ...]
    seconds: float


def default_out_dir(slug: str) -> Path:
    """build/<slug>/ under the current folder."""
    return Path("build") / slug


def notebook_paths(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The 9 section notebooks, in article order."""
    paths = [notebooks_dir / s.filename for s in SECTIONS]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise BuildError("all", str(notebooks_dir), f"section notebooks missing: {', '.join(missing)}")
    return paths


def check_parameters(paths: list[Path]) -> None:
    """Refuse notebooks whose `parameters` cell lacks what the build passes (papermill only warns)."""
    import papermill
    for number, path in enumerate(paths, 1):
        declared = set(papermill.inspect_notebook(str(path)))
        missing = [name for name in PARAMETERS if name not in declared]
        if missing:
            raise BuildError(TITLES[number - 1], path.name,
                             f"its parameters cell does not declare {', '.join(missing)}")


def spec_warnings(spec) -> list[str]:
    """Placeholders left in a spec, prose the article needs but the spec lacks, frozen figures, and
    components over capacity at the spec's own scale: what a build warns and ``validate`` reports."""
    from ..views.pages import article
    from ..views.prose.literal_numbers import frozen_figures
    warnings = [f"{field}: still a placeholder; the article shows it as written"
                for field in article.placeholders(spec)]
    warnings += [f"{field}: empty; its part of the article stays thin" for field in article.missing_prose(spec)]
    return warnings + frozen_figures(spec) + over_capacity(spec)


def over_capacity(spec) -> list[str]:
    """Components whose peak load at the spec's own scale is over what their nodes sustain or hold."""
    from ..model import analyze, estimate
    from ..model.quantities import say_share, say_times
    from ..views.rows.scaling import METRIC_WORDS
    warnings = []
    for load in analyze(spec, estimate(spec.scale)).loads:
        over = [lim for lim in load.limits if lim.load > 0 and lim.utilization > 1]
        if not over:
            continue
        lim = max(over, key=lambda each: each.utilization)
        one = lim.servers == 1
        nodes = f"{lim.servers} node{'' if one else 's'}"
        size = f"{say_share(lim.utilization)} of" if lim.utilization < 2 else say_times(lim.utilization)
        hold, sustain = ("holds", "sustains") if one else ("hold", "sustain")
        what = {"storage_bytes": f"its data is {size} what its {nodes} {hold}",
                "memory_bytes": f"its hot set is {size} what its {nodes} {hold}"}.get(
            lim.metric, f"its peak {METRIC_WORDS[lim.metric]} are {size} what its {nodes} {sustain}")
        warnings.append(f"components.{load.name}: over capacity at the spec's own scale: {what} "
                        f"(next step: {lim.step})")
    return warnings


def execute_sections(paths: list[Path], parameters: dict[str, Any], out_dir: Path, *, pool=None,
                     progress: Callable[[str], None] | None = None) -> list:
    """Execute the notebooks in parallel on warm kernels, reset between notebooks (a kernel start is
    most of a notebook's cost); executed copies go to out_dir."""

    out_dir.mkdir(parents=True, exist_ok=True)
    own = section_pool(default_pool_size(len(paths))) if pool is None else None
    pool = pool or own
    # On more than one kernel the slowest notebooks start first, so none of them is left to run alone at the end.
    order = sorted(range(len(paths)), key=lambda i: SLOW_FIRST.index(paths[i].name)
                   if getattr(pool, "size", 1) > 1 and paths[i].name in SLOW_FIRST else len(SLOW_FIRST))
    jobs = [(paths[i], parameters, out_dir / paths[i].name) for i in order]
    started = time.perf_counter()
    done = [0]

    def on_done(job, result):
        done[0] += 1
        if progress:
            index = order[job]
            status = "ok" if not isinstance(result, BaseException) else "FAILED"
            progress(f"[{done[0]}/{len(jobs)}] {index + 1}. {TITLES[index]:<24} {status:<6} "
                     f"{time.perf_counter() - started:5.1f} s")

    # A failed section fails the build: the notebooks not started yet are not run.
    try:
        ran = pool.map(jobs, on_done=on_done, stop_on_error=True)
    finally:
        if own is not None:
            own.close()
    results: list = [None] * len(paths)
    for job, result in enumerate(ran):
        results[order[job]] = result
    for index, result in enumerate(results):
        if isinstance(result, BaseException) and not isinstance(result, CancelledError):
            raise _section_error(index, paths[index], result)
    return results


def section_pool(size: int | None = None):
    """The KernelPool section notebooks run on: reused kernels, reset between notebooks. One build
    makes its own; `build --all-examples`, `batch` and Dask workers share one (charts apply their style)."""
    from .kernels import KernelPool
    return KernelPool(size or default_pool_size(len(SECTIONS)), reuse=True)


def default_pool_size(jobs: int) -> int:
    """One warm kernel per core but one, never more than there are notebooks: the build's own
    process keeps a core busy (the handout's grid), kernels are reused, and a second kernel's start
    (over a CPU second) cost a 2-core machine more than running the nine notebooks on one kernel."""
    return max(1, min(jobs, (os.cpu_count() or 1) - 1))


def _section_error(index: int, path: Path, error: BaseException) -> BuildError:
    section = TITLES[index]
    if hasattr(error, "ename"):  # papermill.PapermillExecutionError
        cell = _source_cell(path, getattr(error, "cell_index", None))
        first = (getattr(error, "source", "") or "").strip().splitlines()[:1]
        where = f"a cell failed ({first[0][:80]!r})" if first else "a cell failed"
        return BuildError(section, path.name, where, cell=cell, ename=error.ename, evalue=error.evalue)
    return BuildError(section, path.name, f"could not run: {type(error).__name__}: {error}")


def _source_cell(path: Path, executed_index: int | None) -> int | None:
    """The failing cell's index in the committed notebook (papermill inserts one cell of parameters)."""
    if executed_index is None:
        return None
    import nbformat
    cells = nbformat.read(path, as_version=4).cells
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    return executed_index - 1 if tagged and executed_index > tagged[0] else executed_index


def assemble(executed: list, paths: list[Path]) -> tuple[str, dict[str, str]]:
    """article.md text and the figures (file name -> SVG text), from the executed notebooks' fragments."""
    from .fragments import collect

    pieces: list[tuple[int, int, str]] = []
    figures: dict[str, Any] = {}
    for number, (nb, path) in enumerate(zip(executed, paths), 1):
        fragments, figs = collect(nb)
        section = TITLES[number - 1]
        if not any(f.section == number for f in fragments):
            raise BuildError(section, path.name, "the notebook ran but emitted no article fragment for its "
                                                 "section (did a cell swallow an error?)")
        for order, fragment in enumerate(fragments):
            pieces.append((fragment.section, number * 1000 + order, fragment.markdown))
        for fig in figs:
            if not FIGURE_NAME.match(fig.name):
                raise BuildError(section, path.name, f"figure name {fig.name!r} is not a safe file name")
            figures[fig.name] = fig
    if not any(p[0] == 0 for p in pieces):
        raise BuildError(TITLES[0], paths[0].name, "no front matter fragment was emitted")
    markdown = "\n\n".join(text.strip() for _, _, text in sorted(pieces)) + "\n"
    for _, name in FIGURE_REF.findall(markdown):
        stem = name.removesuffix(".svg")
        if not name.endswith(".svg") or stem not in figures:
            raise BuildError("all", "article.md", f"the article refers to figures/{name}, which no notebook drew")
    files = {name: figure_file(name, fig.svg) for name, fig in figures.items()}
    markdown = FIGURE_REF.sub(lambda m: f"{m.group(1)}{files[m.group(2).removesuffix('.svg')]})", markdown)
    return markdown, {files[name]: figures[name].svg for name in sorted(figures)}


def figure_file(name: str, svg: str) -> str:
    """'capacity.1a2b3c4d.svg': a figure's file name holds the hash of its bytes, so a build's new
    figures never take the names of the ones the article in place shows (they are published first,
    then the article in one step), and the same spec gives the same names."""
    return f"{name}.{hashlib.sha256(svg.encode('utf-8')).hexdigest()[:HASH_DIGITS]}.svg"


def plain_figures(markdown: str) -> str:
    """article.md with its figures named as the notebooks name them ('figures/capacity.svg'): the
    article the model writes in-process (``views.pages.full_article.article_at``), byte for byte."""
    return FIGURE_FILE.sub(r"\1\2", markdown)


def build(spec_ref: str | Path = "reference", out_dir: str | Path | None = None,
          overrides: dict[str, Any] | None = None, *, notebooks_dir: Path = NOTEBOOKS_DIR, pool=None,
          progress: Callable[[str], None] | None = None, moving: bool = True) -> BuildResult:
    """Build article.md, handout.html, figures/ and notebooks/ for one spec into out_dir.

    ``moving`` adds the handout's scale control (the article precomputed on a grid of traffic).
    """
    started = time.perf_counter()
    pinned = pin_spec(spec_ref)   # one reading: a pipe is copied once; a file is checked again before publishing
    spec_ref = pinned.ref
    spec = load_spec(spec_ref, overrides)
    render_spec(spec, source_name(spec_ref, overrides))   # every {{ figure }} checked before anything runs
    spec_path = resolve(spec_ref).resolve()
    out = Path(out_dir) if out_dir is not None else default_out_dir(spec.slug)
    outdir.clean_kernel_dirs()
    paths = notebook_paths(notebooks_dir)
    expect = ["article.md", "handout.html"] + [f"notebooks/{path.name}" for path in paths]
    created = outdir.preflight(out, expect=expect)  # inputs and the output folder: before any notebook runs
    # Started as soon as the inputs are known good, so they overlap everything below: the kernels
    # (the longest chain: a start, then nine notebooks) and the handout's grid, while matplotlib and
    # papermill are imported and the notebooks are read.  Forked grid workers must exist before
    # any pool thread does, so with them the grid comes first.
    grid, own_pool, staging, published, closing = None, None, None, False, None
    try:
        workers = grid_workers() if moving else 0
        if workers > 1:
            grid = _grid(spec, spec_ref, overrides, workers)
        if pool is None:
            own_pool = section_pool()
        if moving and grid is None:
            grid = _grid(spec, spec_ref, overrides, workers)
        from ..model.practice import bank
        from ..views.pages.handout import render_handout
        check_parameters(paths)
        warnings = spec_warnings(spec)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise outdir.OutputError(out, f"cannot be created: {exc.strerror or exc}") from None
        staging = outdir.staging_dir(out)
        parameters = {"spec": str(spec_path), "overrides": dict(overrides or {}), "interactive": False}
        executed = execute_sections(paths, parameters, staging / "notebooks", pool=pool or own_pool,
                                    progress=progress)
        if own_pool is not None:   # its kernels shut down while the article and the handout are put together
            closing = threading.Thread(target=own_pool.close, name="designkit-pool-close")
            closing.start()
        markdown, figures = assemble(executed, paths)
        (staging / "figures").mkdir()
        for name, svg in figures.items():
            (staging / "figures" / name).write_text(svg, encoding="utf-8")
        (staging / "article.md").write_text(markdown, encoding="utf-8")
        try:
            parts = [grid.parts()] if grid is not None else []
            practice = grid.practice() if grid is not None else bank(spec)   # it follows the scale control
            page = render_handout(markdown, assets_dir=staging, parts=parts, practice=practice)
        except ValueError as exc:
            raise BuildError("all", "handout.html", str(exc)) from None
        (staging / "handout.html").write_text(page, encoding="utf-8")
        if not pinned.still():
            raise SpecError(str(spec_ref), "the spec file changed while the build ran, so its sections may "
                                           "describe two versions; nothing was published: build again")
        written = [p.relative_to(staging).as_posix() for p in sorted(staging.rglob("*"))
                   if p.is_file() and p.name != outdir.MARK]
        outdir.write_manifest(staging, written)
        outdir.publish(staging, out, keep_previous=True)
        published = True
    finally:
        pinned.close()
        if grid is not None:
            grid.close()
        if closing is not None:
            closing.join()
        elif own_pool is not None:
            own_pool.close()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not published:
            with contextlib.suppress(OSError):
                out.rmdir()  # a first build that failed leaves no empty folder behind
    return BuildResult(out, out / "article.md", out / "handout.html", tuple(warnings),
                       time.perf_counter() - started)


def grid_workers() -> int:
    """Forked processes for the handout's grid: two on more than 2 cores when this process has no
    other thread yet (forking with threads is unsafe), else none (1: a thread draws it)."""
    one = threading.active_count() == 1 and hasattr(os, "fork")
    return 2 if (os.cpu_count() or 1) > 2 and one else 1


def _grid(spec, spec_ref, overrides, workers: int):
    from ..views.pages.scaled_handout import MovingGrid   # matplotlib: imported here, while the kernels start
    return MovingGrid(spec, spec_ref, overrides, workers=workers)


def print_progress(line: str) -> None:
    """Progress lines go to stderr, so stdout stays the result."""
    print(line, file=sys.stderr, flush=True)
