"""Planning a batch: sweeps, items and their safe folders, inputs records for --resume, and outcomes."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from .build import section_pool
from ..errors import BuildError, DesignkitError, SpecError
from ..model.source import MAX_OVERRIDE_CHARS, canonical_field, parse_override, read_raw, resolve, signature
from ..model.spec import slugify

INPUTS_FILE = ".designkit-inputs.json"  # written last into an item: resume trusts only items that have it
STAGING_PREFIX = ".batch-"               # DIR/.batch-*/: items being built; never read as output
CHARTS_DIR = "_sweeps"                   # DIR/_sweeps/<field>.svg; slugs never start with '_'
BASE_POINT = "base"                      # the folder of an item when nothing is swept
DEFAULT_JOBS = 2                         # items built at once on the local pool
REQUIRED = ("article.md", "handout.html")
MAX_POINT_NAME = 120
MAX_ITEMS = 100                          # articles one batch may build (specs x sweep points)


_PUBLISHING = threading.Lock()           # items publishing at once make their parent folders one at a time

batch_pool = section_pool
"""One pool shared by every item of a batch: the pool a single build makes for itself."""


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
    if len(text) > MAX_OVERRIDE_CHARS:
        raise SpecError("--sweep", [(text[:40] + "...", f"{len(text):,} characters; a --sweep is at most "
                                                        f"{MAX_OVERRIDE_CHARS:,}")])
    if "=" not in text or not text.split("=", 1)[0].strip():
        raise SpecError("--sweep", [(text, "expected field=value1,value2,..., e.g. users=1M,10M,100M,1B")])
    field, values = (part.strip() for part in text.split("=", 1))
    grouped = re.fullmatch(r"\s*(\d{1,3}),(\d{3})((?:,\d{3})*)\s*", values)  # 5,100 or 1,000,000: a number?
    if grouped:
        one, two = grouped.group(1), grouped.group(2) + grouped.group(3).replace(",", "")
        raise SpecError("--sweep", [(field, f"{values!r} is ambiguous: it may be the number "
                                            f"{one}{two} or the list {values.strip().replace(',', ', ')}; commas "
                                            f"separate values, so write {one}{two} for one value, or put a "
                                            f"space after each comma for a list: "
                                            f"'{field}={values.strip().replace(',', ', ')}'")])
    texts = tuple(value.strip() for value in values.split(","))
    if len(texts) > MAX_ITEMS:
        raise SpecError("--sweep", [(field, f"{len(texts)} values; a batch builds at most {MAX_ITEMS} articles")])
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
    from ..model.spec import Scale
    fields = [canonical_field(s.field, Scale.model_fields) for s in sweeps]
    fixed_fields = {canonical_field(k, Scale.model_fields): k for k in fixed}
    for sweep, field in zip(sweeps, fields):
        if fields.count(field) > 1:
            same = " and ".join(dict.fromkeys(s.field for s, f in zip(sweeps, fields) if f == field))
            raise SpecError("--sweep", [(sweep.field, f"swept twice ({same} name the same field); give all its "
                                                      "values in one --sweep")])
        if field in fixed_fields:
            raise SpecError("--sweep", [(sweep.field, f"both fixed with -p and swept with --sweep "
                                                      f"(-p {fixed_fields[field]}=...); keep one")])
    total = len(specs)
    for sweep in sweeps:
        total *= len(sweep.texts)
    if total > MAX_ITEMS:
        raise SpecError("--sweep", [("", f"{total:,} items ({len(specs)} specs x the sweeps' cross product); "
                                         f"a batch builds at most {MAX_ITEMS} articles: sweep fewer values "
                                         "or run several batches")])
    points = list(itertools.product(*[list(zip(s.texts, s.values)) for s in sweeps]))
    items: list[Item] = []
    seen: set[Path] = set()
    slugs: set[str] = set()
    for ref in specs:
        path = resolve(ref)
        if path.exists() and not path.is_dir() and signature(path) is None:
            raise SpecError(ref, "is a pipe or a device; a batch reads each spec more than once (to plan, "
                                 "check and build it): save it to a file first")
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


def check(items: list[Item]) -> tuple[list[Metrics], list[str]]:
    """Load every item's spec with its overrides: (metrics per item, warnings), or SweepSpecError."""
    from ..model.analysis import analyze
    from ..model.capacity import estimate
    from ..model.spec import load_spec, source_name
    from ..views.prose.templating import render_spec

    metrics: list[Metrics] = []
    failures: list[tuple[Item, SpecError]] = []
    advice: list[str] = []
    for item in items:     # a swept users keeps the spec's daily-active share (model.spec): no advice
        try:
            spec = load_spec(item.path, item.override_dict())
            render_spec(spec, source_name(item.path, item.override_dict()))  # bad {{ figures }} too
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
    """True when folder holds a complete item built from inputs with this digest, each file of it
    still as designkit wrote it (its state files read bounded, never through a FIFO or symlink)."""
    from . import outdir
    try:
        record = json.loads(outdir.read_state(folder / INPUTS_FILE, 100_000))
        listed = outdir.read_manifest(folder)
    except (OSError, ValueError, SpecError):
        return False
    return (isinstance(record, dict) and record.get("digest") == digest and listed is not None
            and all(outdir.unchanged(folder, name, listed) for name in (*REQUIRED, INPUTS_FILE)))


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


@dataclass(frozen=True)
class Job:
    """What every item of a run shares: the plan, input records, spec bytes, notebooks, staging and DIR."""

    items: list[Item]
    records: list[dict]
    spec_bytes: dict[Path, bytes]
    notebooks: list[Path]
    notebooks_dir: Path
    stage: Path
    out: Path

    def publish(self, index: int, built: Path) -> None:
        """Move the complete item into its folder file by file like a build (its figures, then its
        handout and article in one step each), the inputs record last; a user's file in the item
        folder stays, and one in the way refuses the item (outdir.publish)."""
        from . import outdir
        record = built / INPUTS_FILE
        record.write_text(json.dumps(self.records[index], indent=2, sort_keys=True) + "\n", encoding="utf-8")
        files = outdir.read_manifest(built) or {}
        outdir.write_manifest(built, {**files, INPUTS_FILE: (outdir.digest(record),)})
        folder = self.items[index].folder
        outdir.safe_path(self.out, f"{folder}/{INPUTS_FILE}")
        target = self.out / folder
        with _PUBLISHING:
            target.mkdir(parents=True, exist_ok=True)
            outdir.safe_path(self.out, f"{folder}/{INPUTS_FILE}")
        outdir.publish(built, target, last=(*outdir.ENTRY_POINTS, INPUTS_FILE), keep_previous=True)
