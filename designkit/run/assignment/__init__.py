"""`designkit assignment`: practice questions as an nbgrader or otter-grader assignment.

``write_assignment`` picks the questions a student can answer without any other giving the answer
away (``sheet.asked``), writes the teacher's source in the tool's own format (``nbgrader``,
``otter``) and records, in each hidden test, the spec (overrides applied), seed and question, never
the answer: grading recomputes it (``record``).  The output folder is handled like a build's: checked
first, written in a staging folder, swapped in whole, only our own files ever replaced.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from ...errors import SpecError
from ...model.practice import bank
from ...model.questions import Question
from ...model.source import read_raw, resolve
from ...model.spec import apply_overrides, load_spec, source_name
from .. import outdir
from .record import spec_text
from .sheet import asked

FORMATS = ("nbgrader", "otter")   # each a module here with write(); imported when used (nbformat is slow
                                  # to import, and hidden tests import this package to grade)
OUTPUTS = {"nbgrader": ("nbgrader_config.py", "source"), "otter": None}   # otter: the notebook, requirements
POINTS = 1.0   # a question's points; tiers give 1, 1/2, 1/4 of them (answers.POINTS)


@dataclass(frozen=True)
class Assignment:
    """What ``write_assignment`` wrote: the folder, the assignment's name, its files and questions."""

    out: Path
    name: str
    fmt: str
    files: tuple[str, ...]
    questions: tuple[Question, ...]
    left_out: tuple[Question, ...]


def assignment_name(slug: str, seed: int | None) -> str:
    """The assignment's name, as nbgrader and otter spell it: 'url-shortener', 'url-shortener-seed-7'."""
    return slug if seed is None else f"{slug}-seed-{seed}"


def outputs(fmt: str, name: str) -> tuple[str, ...]:
    """The top-level names a format writes in its output folder (and may replace there)."""
    return OUTPUTS[fmt] or (f"{name}.ipynb", "requirements.txt")


def write_assignment(spec_ref: str | Path, fmt: str, out: str | Path | None = None, *,
                     seed: int | None = None, overrides: dict | None = None) -> Assignment:
    """Write an assignment for ``fmt`` ('nbgrader' or 'otter') into ``out``
    (default build/assignment/<name>-<fmt>/); SpecError (exit 2) on bad input, nothing written."""
    if fmt not in FORMATS:
        raise SpecError("--format", f"expected one of {', '.join(FORMATS)}, got {fmt!r}")
    overrides = dict(overrides or {})
    spec = load_spec(spec_ref, overrides)
    source = source_name(spec_ref, overrides)
    recorded = spec_text(apply_overrides(read_raw(resolve(spec_ref)), overrides), seed, source)
    questions = bank(spec, seed=seed)
    chosen = asked(questions)
    if not chosen:
        raise SpecError(source, "gives no practice questions to make an assignment of")
    name = assignment_name(spec.slug, seed)
    out = Path(out) if out is not None else Path("build") / "assignment" / f"{name}-{fmt}"
    names = outputs(fmt, name)
    created = outdir.preflight(out, outputs=names)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise outdir.OutputError(out, f"cannot be created: {exc.strerror or exc}") from None
    staging = outdir.staging_dir(out)
    published = False
    try:
        writer = importlib.import_module(f"{__name__}.{fmt}")
        files = writer.write(staging, name, spec.name, chosen, recorded, source, seed, POINTS)
        outdir.write_manifest(staging, files)
        outdir.publish(staging, out, last=files[-1] if files else "")
        published = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not published:
            with contextlib.suppress(OSError):
                out.rmdir()
    left_out = tuple(x for x in questions.questions if x not in chosen)
    return Assignment(out, name, fmt, tuple(files), chosen, left_out)
