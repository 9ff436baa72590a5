"""`designkit lab`: a working copy of the section notebooks with one spec selected, opened in JupyterLab.

The committed notebooks in ``notebooks/`` stay clean: the copies go to ``build/lab/<slug>/`` (or
``--dir``) with the ``spec`` default of each ``parameters`` cell set to the spec's absolute path,
so "Run All" in class shows that system and its live sliders.  ``--present`` starts the server
with ``DESIGNKIT_PRESENT=1``, so each panel opens in presentation mode (large text, sharp charts),
and with JupyterLab's own settings and workspace for a projector (``run.present``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from ..assets import NOTEBOOKS_DIR
from ..sections import SECTIONS
from ..errors import DesignkitError
from ..model.spec import load_spec, resolve

SPEC_LINE = re.compile(r"^spec\s*=.*$", re.MULTILINE)


def default_dir(slug: str) -> Path:
    """build/lab/<slug>/ under the current folder."""
    return Path("build") / "lab" / slug


def working_copy(spec_ref: str, dest: Path | None = None, *, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Copy the section notebooks into ``dest`` with ``spec`` set to this spec's absolute path.

    The copies are overwritten each time (they are scratch copies for class); outputs are
    dropped so each run starts clean.  Returns the copies, in section order.
    """
    import nbformat

    spec = load_spec(spec_ref)                     # refuse a bad spec before copying anything
    spec_path = resolve(spec_ref).resolve()
    dest = Path(dest) if dest is not None else default_dir(spec.slug)
    sources = [notebooks_dir / s.filename for s in SECTIONS]
    sources = [path for path in sources if path.is_file()]
    if not sources:
        raise DesignkitError(f"no section notebooks in {notebooks_dir}")
    dest.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sources:
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
        target = dest / source.name
        nbformat.write(nb, target)
        copies.append(target)
    return copies


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
