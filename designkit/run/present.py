"""`designkit lab --present`: JupyterLab set up for a projector, through its own settings and workspace.

A 1280x720 projector has room for the panel and one live view, not for JupyterLab's chrome.  For
that lab session only, this writes (under the working copy's ``.designkit-present/``, passed to
JupyterLab as ``--LabApp.user_settings_dir`` and ``--LabApp.workspaces_dir``): user settings that
raise JupyterLab's content, code and UI fonts to 18-20 px, hide the status bar and turn the news
toast and update check off; a default workspace with the left sidebar collapsed and the right one
hidden.  In the working copy's notebooks every code cell gets ``jupyter.source_hidden`` (the
narrative and outputs stay; a click on the cell's blue bar shows its code).  All of it is
JupyterLab's public settings schema and workspace format; no CSS of JupyterLab's is patched, and
the committed notebooks and the teacher's own JupyterLab settings are not touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..sections import SECTIONS

PRESENT_DIR = ".designkit-present"      # inside the working copy; hidden from JupyterLab's file browser

# Text sizes on the projector: the narrative at 20 px, outputs, tables and the UI at 18 px at least.
SETTINGS = {
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {
        "overrides": {"content-font-size1": "20px", "code-font-size": "18px", "ui-font-size1": "18px"}},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/statusbar-extension/plugin.jupyterlab-settings": {"visible": False},
}
WORKSPACE_ID = "default"                # the workspace /lab/tree/<notebook> opens in
LAYOUT = {"left": {"collapsed": True, "visible": True}, "right": {"collapsed": True, "visible": False}}


def hide_code(notebook: Path) -> None:
    """Collapse every code cell's source with the notebook's own ``jupyter.source_hidden`` metadata."""
    import nbformat
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.write(nb, notebook)


def write_settings(folder: Path) -> tuple[Path, Path]:
    """Write the present-mode user settings and default workspace under ``folder``; returns
    (settings dir, workspaces dir).  Written afresh each time: nothing a lesson changed carries over."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager
    root = Path(folder) / PRESENT_DIR
    settings, workspaces = root / "user-settings", root / "workspaces"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=1) + "\n", encoding="utf-8")
    workspace = {"data": {"layout-restorer:data": LAYOUT}, "metadata": {"id": WORKSPACE_ID}}
    WorkspacesManager(str(workspaces)).save(WORKSPACE_ID, json.dumps(workspace, indent=1))
    return settings, workspaces


def present_mode(folder: Path, argv: list[str]) -> list[str]:
    """Set the working copy in ``folder`` up for a projector (its section notebooks' code hidden, the
    lab's settings and workspace written); returns ``argv``, the JupyterLab command line, with the
    lab's settings and workspaces dirs pointed at what was written."""
    folder = Path(folder)
    for section in SECTIONS:
        if (folder / section.filename).is_file():
            hide_code(folder / section.filename)
    settings, workspaces = write_settings(folder)
    return [*argv, f"--LabApp.user_settings_dir={settings.resolve()}",
            f"--LabApp.workspaces_dir={workspaces.resolve()}"]
