"""The handout that moves: the whole article precomputed on a 1-2-5 grid of traffic, embedded compactly.

Each grid point is the spec with its traffic multiplied (``scale=10x``, as ``-p scale=10x``
means), estimated, analysed and written by ``full_article.article_at``, then rendered by the handout
renderer (which escapes spec text) into top-level elements.  The page stores each distinct block
(paragraph, list item, table row, code block) once, each point as a list of element ids, and
each point's four figures as ids into a pool of distinct SVG lines; a small inline script
(``scale_slider``) swaps in the elements that differ.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import signal
import threading
import time
from dataclasses import dataclass

from ...errors import SpecError
from ...model import analyze, estimate
from ...model import quantities as q
from ...model.practice import Bank, bank_at
from ...model.source import read_raw, resolve
from ...model.spec import apply_overrides, scale_traffic, validate
from . import scale_slider as moving_page
from . import practice_appendix as practice_page
from .handout import PageParts, render_elements
from .scaled_figures import GridFigures
from .full_article import article_at

GRID: tuple[float, ...] = tuple(round(m * 10.0 ** e, 6) for e in range(-2, 2) for m in (1, 2, 5)) + (100.0,)
"""Traffic as multiples of the spec's own: 0.01, 0.02, 0.05, 0.1, ... 50, 100 (1-2-5 per decade)."""

_SPLIT = re.compile(r"(?=<tr>|<li>|</tbody>|</ul>|</ol>)")


@dataclass(frozen=True)
class Point:
    """One grid position: the multiple, how the control says it, the article's Markdown and figures,
    and the practice bank at that traffic."""

    factor: float
    scale: str          # '10x': the URL fragment's and -p scale=...'s spelling
    label: str          # what the control shows: '×10 · ~1 billion users'
    markdown: str
    figures: dict[str, str]
    practice: Bank | None = None   # the practice questions at this point (the handout's appendix follows)


def scale_name(factor: float) -> str:
    """'0.01x', '2x', '100x': a grid factor as ``-p scale=`` and ``#scale=`` spell it."""
    return f"{round(factor, 6):g}x"


def scaled_specs(spec, spec_ref, overrides=None, grid=GRID):
    """(factor, spec) for each grid factor whose scaled spec is valid; 1x is the spec itself."""
    data = apply_overrides(read_raw(resolve(spec_ref)), overrides)
    for factor in grid:
        if math.isclose(factor, 1.0):
            yield 1.0, spec
            continue
        try:
            yield factor, validate(scale_traffic(copy.deepcopy(data), factor), str(spec_ref))
        except SpecError:
            continue   # e.g. a count that no longer makes sense at a hundredth: that point is left out


def point_label(factor: float, cap) -> str:
    """'×10 · ~1 billion users', or '×10 · ~460K peak QPS' for a spec that gives totals."""
    who = f"{q.say_count(cap.users)} users" if cap.users is not None else f"{q.say_qps(cap.qps_peak)} peak QPS"
    return f"×{round(factor, 6):g} · {who}"


class MovingGrid:
    """The grid, computing from the moment it is made: ``build`` makes it before the notebooks run, so
    its forked workers overlap them, and reads ``parts()`` after.

    Figures dominate the cost, so a single-threaded process on more than 2 cores forks ``workers``
    (default 2) to share the points.  Otherwise (and always in a threaded caller: a batch builds
    items in threads and cannot fork safely) one background thread draws them while the notebooks
    run: on 2 cores, busy with the kernels, two forked workers cost a build about 5 s more CPU
    than the thread (a second chart layout, forked memory) and finished no sooner.
    """

    def __init__(self, spec, spec_ref, overrides=None, grid=GRID, *, workers: int | None = None):
        self.args = (spec, spec_ref, overrides, tuple(grid))
        if workers is None:
            workers = 2 if (os.cpu_count() or 1) > 2 and threading.active_count() == 1 and hasattr(os, "fork") else 1
        self.pool, self.futures, self.workers = None, [], []
        self.thread, self.result, self.data, self.stop = None, None, None, threading.Event()
        if workers <= 1:
            # A threaded caller (a batch, --all-examples) cannot fork: draw in a thread instead, which
            # overlaps the notebooks (they run in kernels; this process mostly waits on them).  Its
            # kernel pool never imports IPython (see run.kernels), so no figure made here meets a
            # half-imported one.
            self.thread = threading.Thread(target=self._compute, daemon=True, name="designkit-grid")
            self.thread.start()
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            size = -(-len(grid) // workers)   # contiguous shares: neighbours often draw the same figure (cached)
            shares = [tuple(grid)[i:i + size] for i in range(0, len(grid), size)]
            before = set(multiprocessing.active_children())
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_grid_worker, initargs=(os.getpid(),))
            self.futures = [self.pool.submit(_points, spec, spec_ref, overrides, share) for share in shares]
            self.workers = [p for p in multiprocessing.active_children() if p not in before]

    def _compute(self) -> None:
        try:
            self.result = _points(*self.args, stop=self.stop)
            self.data = payload(self.result)   # the page's data too, while the notebooks still run
        except BaseException as error:     # handed to points(), in the build's own thread
            self.result = error

    def points(self) -> list[Point]:
        """Every valid grid point, in grid order (waits for the workers or the thread)."""
        if self.thread is not None:
            self.thread.join()
            if isinstance(self.result, BaseException):
                raise self.result
            return self.result
        try:
            return sorted((p for future in self.futures for p in future.result()), key=lambda p: p.factor)
        finally:
            self.close()

    def parts(self) -> PageParts:
        """The handout's scale control, its data and its script, for ``render_handout(parts=[...])``."""
        points = self.points()
        data = self.data if self.data is not None else payload(points)
        return PageParts(before=moving_page.control(len(points), data["start"], points[data["start"]].label),
                         after=json_script(data, moving_page.DATA_ID), css=moving_page.CSS,
                         scripts=(moving_page.SCRIPT,))

    def practice(self) -> practice_page.Scaled:
        """The practice at every grid point, for ``render_handout(practice=...)``: it follows the control."""
        points = self.points()
        start = next((i for i, p in enumerate(points) if math.isclose(p.factor, 1.0)), 0)
        return practice_page.Scaled(tuple((p.scale, p.label, p.practice) for p in points), start)

    def close(self) -> None:
        """Stop the workers (idempotent): a failed or interrupted build stops them at once, not after their share."""
        self.stop.set()                   # a drawing thread stops at its next point
        if self.pool is None:
            return
        unfinished = not all(future.done() for future in self.futures)
        self.pool.shutdown(wait=not unfinished, cancel_futures=True)
        if unfinished:
            for worker in self.workers:
                worker.terminate()
            for worker in self.workers:
                worker.join(5)
        self.pool, self.workers = None, []


def _grid_worker(parent: int) -> None:
    """Set up a grid worker: Ctrl-C (it reaches the whole process group) is the build's to handle, so
    it prints one line and no traceback per worker; and a worker whose build was killed exits too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGKILL)   # at once: no exit handlers, no traceback

    threading.Thread(target=watch, daemon=True, name="designkit-grid-watch").start()


def grid_points(spec, spec_ref, overrides=None, grid=GRID, *, workers: int | None = None) -> list[Point]:
    """The article and its four figures at every grid point, from the model (no notebook)."""
    return MovingGrid(spec, spec_ref, overrides, grid, workers=workers).points()


def _points(spec, spec_ref, overrides, grid: tuple[float, ...], stop: threading.Event | None = None) -> list[Point]:
    """The points of one share of the grid, drawn on one set of charts laid out at the spec's own scale."""
    figures = GridFigures(spec, analyze(spec, estimate(spec.scale)))
    points = []
    for factor, scaled in scaled_specs(spec, spec_ref, overrides, grid):
        if stop is not None and stop.is_set():
            break
        cap = estimate(scaled.scale)
        analysis = analyze(scaled, cap)
        points.append(Point(factor, scale_name(factor), point_label(factor, cap),
                            article_at(scaled, cap, analysis), figures.draw(analysis, scaled),
                            bank_at(scaled, cap, analysis)))
    return points


class _Pool:
    """Distinct strings, each stored once, by first-seen id."""

    def __init__(self):
        self.ids: dict = {}

    def id(self, item) -> int:
        return self.ids.setdefault(item, len(self.ids))

    def items(self) -> list:
        return list(self.ids)


def payload(points: list[Point]) -> dict:
    """The grid as the page embeds it: blocks and SVG lines stored once, points as lists of ids."""
    blocks, elements, lines = _Pool(), _Pool(), _Pool()
    rows = []
    for point in points:
        body = [elements.id(tuple(blocks.id(b) for b in _SPLIT.split(element) if b))
                for element in render_elements(point.markdown)]
        figs = {name: [lines.id(line) for line in svg.split("\n")] for name, svg in point.figures.items()}
        rows.append({"scale": point.scale, "label": point.label, "body": body, "figures": figs})
    start = next((i for i, p in enumerate(points) if math.isclose(p.factor, 1.0)), 0)
    return {"start": start, "points": rows, "elements": [list(e) for e in elements.items()],
            "blocks": blocks.items(), "lines": lines.items()}


def json_script(data: dict, element_id: str) -> str:
    """Data as <script type="application/json">: '<', '>' and '&' escaped so no text can close or open a tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{element_id}">{text}</script>\n'


def moving_parts(spec, spec_ref, overrides=None, grid=GRID) -> PageParts:
    """The handout's scale control, its data and its script, computed now."""
    return MovingGrid(spec, spec_ref, overrides, grid).parts()
