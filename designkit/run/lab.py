"""`designkit lab`: a working copy of the section notebooks with one spec selected, opened in JupyterLab.

The committed notebooks in ``notebooks/`` stay clean: the copies go to ``build/lab/<slug>/`` (or
``--dir``) with the ``spec`` default of each ``parameters`` cell set to the spec's absolute path,
so "Run All" in class shows that system and its live sliders.  ``--present`` starts the server
with ``DESIGNKIT_PRESENT=1``, so each panel opens in presentation mode (large text, sharp charts),
and with JupyterLab's own settings and workspace for a projector (``run.present``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path

from . import outdir
from ..assets import NOTEBOOKS_DIR
from ..sections import SECTIONS
from ..errors import DesignkitError, SpecError
from ..model.source import signature
from ..model.spec import load_spec, resolve

SPEC_LINE = re.compile(r"^spec\s*=.*$", re.MULTILINE)


def default_dir(slug: str) -> Path:
    """build/lab/<slug>/ under the current folder."""
    return Path("build") / "lab" / slug


def working_copy(spec_ref: str, dest: Path | None = None, *, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Copy the section notebooks into ``dest`` with ``spec`` set to this spec's absolute path.

    A copy designkit wrote earlier and nobody changed since is written again; one saved since (a
    class's work) is kept as it is; a notebook of the same name that designkit did not write, the
    committed notebooks themselves, the home folder and root are refused (``outdir``'s rules, with the
    folder's manifest).  Outputs are dropped so each run starts clean.  Returns the copies, in order.
    """
    import nbformat

    spec = load_spec(spec_ref)                     # refuse a bad spec before copying anything
    spec_path = resolve(spec_ref).resolve()
    if signature(spec_path) is None:
        raise SpecError(str(spec_ref), "is a pipe or a device; the lab's notebooks read the spec each time "
                                       "they run: save it to a file first")
    dest = Path(dest) if dest is not None else default_dir(spec.slug)
    sources = [notebooks_dir / s.filename for s in SECTIONS]
    sources = [path for path in sources if path.is_file()]
    if not sources:
        raise DesignkitError(f"no section notebooks in {notebooks_dir}")
    _refuse_originals(dest, notebooks_dir)
    names = [source.name for source in sources]
    listed = outdir.read_manifest(dest) if dest.is_dir() and not dest.is_symlink() else None
    outdir.preflight(dest, outputs=tuple(names), expect=[n for n in names if not _kept(dest, n, listed)])
    listed = outdir.read_manifest(dest) or {} if dest.is_dir() else {}
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise outdir.OutputError(dest, f"cannot be created: {exc.strerror or exc}") from None
    copies, written = [], {}
    for source in sources:
        target = dest / source.name
        if _kept(dest, source.name, listed):
            copies.append(target)          # saved since designkit wrote it: the class's work stays
            continue
        nb = nbformat.read(source, as_version=4)
        cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])),
                    None)
        if cell is None or not SPEC_LINE.search(cell.source):
            raise DesignkitError(f"{source.name}: no `parameters` cell assigning `spec`")
        line = f"spec = {json.dumps(str(spec_path))}  # selected by `designkit lab`"
        cell.source = SPEC_LINE.sub(lambda _: line, cell.source, count=1)
        for c in nb.cells:
            if c.cell_type == "code":
                c.outputs, c.execution_count = [], None
        text = nbformat.writes(nb)
        outdir.write_file(target, text if text.endswith("\n") else text + "\n")
        written[source.name] = (outdir.digest(target),)
        copies.append(target)
    outdir.write_manifest(dest, {**{k: v for k, v in listed.items() if k not in written}, **written})
    return copies


def _kept(dest: Path, name: str, listed) -> bool:
    """A copy the manifest lists whose bytes changed since: someone's work, never overwritten."""
    return bool(listed) and name in listed and (dest / name).is_file() and not (dest / name).is_symlink() \
        and not outdir.unchanged(dest, name, listed)


def _refuse_originals(dest: Path, notebooks_dir: Path) -> None:
    """The committed section notebooks (and the package's copy of them) are never a working copy."""
    target = outdir.real(dest)
    for folder in {Path(notebooks_dir), NOTEBOOKS_DIR}:
        with contextlib.suppress(OSError, RuntimeError):
            if target == folder.resolve():
                raise outdir.OutputError(dest, "is the folder of designkit's own section notebooks; "
                                               "choose another, e.g. --dir build/lab/mine")


def lab_command(folder: Path, first: Path, *, port: int | None = None, browser: bool = True) -> list[str]:
    """The JupyterLab command line that serves ``folder`` and opens ``first``."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder.resolve()}"]
    if port is not None:
        argv.append(f"--ServerApp.port={port}")
    if not browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")   # classroom containers often run as root; Jupyter refuses by default
    argv.append(first.name)
    return argv


def lab_environment(present: bool = False, environ: dict | None = None) -> dict:
    """The environment JupyterLab (and so every kernel it starts) runs with: ``--present`` sets
    ``DESIGNKIT_PRESENT=1``, which opens every panel in presentation mode."""
    from ..live.style import PRESENT_ENV
    env = dict(os.environ if environ is None else environ)
    if present:
        env[PRESENT_ENV] = "1"
    else:
        env.pop(PRESENT_ENV, None)
    return env


def run_lab(argv: list[str], folder: Path, *, present: bool = False) -> None:
    """Replace this process with JupyterLab (so Ctrl-C reaches it directly); never returns."""
    if present:                             # JupyterLab's own settings and workspace, for a projector
        from .present import present_mode
        argv = present_mode(folder, argv)
    os.chdir(folder)
    os.execvpe(argv[0], argv, lab_environment(present))
