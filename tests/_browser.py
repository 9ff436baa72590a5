"""Headless Chromium for browser tests: Debian's chromium driven by Playwright, never a download.

Chromium is /usr/bin/chromium, or DESIGNKIT_CHROMIUM, or `chromium` on PATH.  Where it is missing the
browser tests skip with one line saying what to install, unless CI is set: there (.ci/run installs
it) they are required and fail.  DESIGNKIT_SKIP_BROWSER=1 skips them explicitly.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest


def _find_chromium() -> Path | None:
    if os.environ.get("DESIGNKIT_CHROMIUM"):
        return Path(os.environ["DESIGNKIT_CHROMIUM"])
    if Path("/usr/bin/chromium").is_file():
        return Path("/usr/bin/chromium")
    found = shutil.which("chromium")
    return Path(found) if found else None


CHROMIUM = _find_chromium()
INSTALL = "apt-get install chromium, or set DESIGNKIT_CHROMIUM to a Chromium binary"


def skip_reason() -> str | None:
    """Why browser tests cannot run here and may skip, or None: they run (or, with CI set, must run)."""
    if os.environ.get("DESIGNKIT_SKIP_BROWSER") == "1":
        return "DESIGNKIT_SKIP_BROWSER=1"
    if (CHROMIUM is None or not CHROMIUM.is_file()) and not os.environ.get("CI"):
        return f"browser test skipped: no Chromium ({INSTALL})"
    return None


CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@contextmanager
def chromium_page(**context_options):
    """Yield a Playwright page in a fresh headless Chromium; the browser is closed however it ends."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    if CHROMIUM is None or not CHROMIUM.is_file():
        pytest.fail(f"CI is set and browser tests need Chromium, found none at {CHROMIUM or '/usr/bin/chromium'} "
                    f"or on PATH: {INSTALL}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(**context_options).new_page()
        finally:
            browser.close()


# --- JupyterLab on a working copy, for the classroom test and benchmarks/lab_browser.py ----------

SERVER_CONFIG = {
    "ServerApp": {"tornado_settings": {"page_config_data": {"buildCheck": False, "buildAvailable": False}}},
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
               "extension_manager": "readonly",
               "expose_app_in_browser": True},     # window.jupyterapp: open_and_run's next notebook, no reload
}
# Pre-answer JupyterLab's "get notified about news?" question (no toast, no fetch), and draw every
# cell (no windowing), so a test sees every output of a notebook.
TRACKER = "@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    TRACKER: {"windowingMode": "none"},
}

# Every code cell of the visible notebook has run: a number in each prompt, none waiting or unrun.
# With the code hidden (present mode: no prompt numbers), the toolbar's execution indicator says
# it: idle, "Executed N cells" with no "n/N" left.
ALL_CELLS_RAN = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea .jp-InputPrompt')];
  if (prompts.length) return prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
  const tip = document.querySelector('.jp-Notebook-ExecutionIndicator-tooltip');
  return !!panel.querySelector('.jp-Notebook-ExecutionIndicator[data-status=idle]') && !!tip &&
         /Executed [1-9]\\d* cells/.test(tip.textContent);
}"""


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(proc, url: str, log: Path, timeout: float = 90) -> None:
    import time
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc) -> None:
    """Stop the server and whatever it started (its kernels share its process group)."""
    import signal
    import subprocess
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
    try:
        os.killpg(proc.pid, signal.SIGKILL)       # the group this server started in, kernels included
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def jupyterlab(root: Path, scratch: Path, env: dict | None = None, settings: dict | None = None,
               argv: tuple[str, ...] = ()):
    """A JupyterLab server on ``root`` (loopback, free port, random token, no network calls); yields
    (base URL, token).  Config, runtime and data dirs live in ``scratch``; always stopped.
    ``settings``: the lab's user settings (default ``LAB_SETTINGS``); ``argv``: more options."""
    import json
    import secrets
    import subprocess
    import sys
    config = scratch / "jupyter-config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    for name, values in (LAB_SETTINGS if settings is None else settings).items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(24)
    environ = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
                   JUPYTER_DATA_DIR=str(scratch / "data"), JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="agg",
                   **(env or {}))
    environ.pop("JUPYTER_PATH", None)
    log = scratch / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
             "--allow-root", "--ServerApp.port_retries=0", *argv],
            env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(proc, f"{base}/api/status?token={token}", log)
        yield base, token
    finally:
        _stop(proc)


def shut_down_kernels(base: str, token: str) -> None:
    """End every session (and its kernel) of the server: one notebook's kernel at a time on 2 cores."""
    import json
    import urllib.request
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def _wait_for_workspace(url: str, timeout: float = 60) -> None:
    """Wait until the lab has saved the workspace at ``url`` (its layout is in it)."""
    import json
    import time
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=10) as response:
            if "layout-restorer:data" in json.load(response).get("data", {}):
                return
        time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not save the cloned workspace within {timeout:.0f} s")


# The next notebook in a lab the page already shows, as a reader opens a file and closes the other
# tabs: JupyterLab's own commands, no page load (a load costs about 5 s and 6 CPU seconds on 2 cores).
# Opened first, so the main area is never empty (JupyterLab would open a Launcher tab); the tabs left
# were run, not edited: marked clean, they close without asking to save.
OPEN_ALONE = """async (path) => {
  const app = window.jupyterapp;
  const opened = await app.commands.execute('docmanager:open', {path});
  for (const widget of [...app.shell.widgets('main')]) {
    if (widget === opened) continue;
    if (widget.context) widget.context.model.dirty = false;
    widget.close();
  }
}"""


def open_and_run(page, base: str, token: str, notebook: str, timeout_ms: int = 180_000, clone: bool = False) -> None:
    """Open ``notebook`` alone in JupyterLab (a reset workspace; with ``clone``, a workspace of its own
    cloned from the default one, as a lab's settings laid it out), Run All Cells, wait until every cell ran.
    A page that already shows this lab keeps it (and its workspace) and opens the notebook alone in it."""
    if page.url.startswith(f"{base}/lab") and page.evaluate("() => !!window.jupyterapp"):
        page.evaluate(OPEN_ALONE, notebook)
    elif clone:             # JupyterLab drops the path when it clones, so: clone, then open
        workspace = f"{base}/lab/workspaces/{notebook.split('.')[0]}"
        page.goto(f"{workspace}?clone=default&token={token}")
        _wait_for_workspace(f"{base}/lab/api/workspaces/{notebook.split('.')[0]}?token={token}")
        page.goto(f"{workspace}/tree/{notebook}?token={token}")
    else:
        page.goto(f"{base}/lab/tree/{notebook}?reset&token={token}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden)", timeout=60_000)
    page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", state="attached",   # hidden: present
                           timeout=90_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    page.wait_for_function(ALL_CELLS_RAN, timeout=timeout_ms)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .dk-live", timeout=60_000)
