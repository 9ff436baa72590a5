"""The classroom path in a real browser: JupyterLab on a `designkit lab` working copy, headless Chromium.

Run the requirements notebook, move the users slider with the keyboard, and check the peak-QPS
readout says what `designkit estimate` says for the new scale and that the chart image changed.
The server runs on a free loopback port with a random token, with no network calls (no news, no
update check, no build check), and is always stopped, test failed or not.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from _browser import chromium_page
from playwright.sync_api import expect
from designkit.model import quantities as q
from designkit.run.lab import working_copy

pytestmark = pytest.mark.browser

NOTEBOOK = "01_requirements.ipynb"
SERVER_CONFIG = {
    "ServerApp": {"tornado_settings": {"page_config_data": {"buildCheck": False, "buildAvailable": False}}},
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
               "extension_manager": "readonly"},
}
# Pre-answer JupyterLab's "get notified about news?" question: no toast, no fetch.
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                {"fetchNews": "false", "checkForUpdates": False}}


# Every code cell has run: a number in each prompt, none waiting ("[*]") or unrun ("[ ]").
ALL_CELLS_RAN = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(proc, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc) -> None:
    """Stop the server and whatever it started (its kernels share its process group)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
    try:
        os.killpg(proc.pid, signal.SIGKILL)       # the group this test created, kernels included
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on the reference working copy: yields (base URL, token, runtime dir)."""
    root = tmp_path / "notebooks"
    working_copy("reference", root)
    config = tmp_path / "jupyter-config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    for name, values in LAB_SETTINGS.items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    runtime = tmp_path / "runtime"
    port, token = free_port(), secrets.token_hex(24)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(runtime),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="agg")
    env.pop("JUPYTER_PATH", None)
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
             "--allow-root", "--ServerApp.port_retries=0"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(proc, f"{base}/api/status?token={token}", log)
        yield base, token, runtime
    finally:
        stop(proc)


def kernel_value(base: str, token: str, runtime: Path, code: str):
    """Run ``code`` in the notebook's kernel (as a second client) and return what it prints, as JSON."""
    from jupyter_client import BlockingKernelClient
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as response:
        kernel_id = json.load(response)[0]["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        printed = []
        reply = client.execute_interactive(code, timeout=30, output_hook=lambda m: printed.append(
            m["content"]["text"]) if m["msg_type"] == "stream" and m["content"]["name"] == "stdout" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return json.loads("".join(printed))
    finally:
        client.stop_channels()


def settled_users(base, token, runtime, timeout: float = 30.0) -> float:
    """The users slider's value in the kernel, once key presses have stopped arriving."""
    code = ("import json\nfrom ipywidgets.widgets import widget\n"
            "s = [w for w in list(widget._instances.values()) if 'dk-users' in getattr(w, '_dom_classes', ())]\n"
            "print(json.dumps(s[-1].value))")
    deadline = time.monotonic() + timeout
    last = kernel_value(base, token, runtime, code)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = kernel_value(base, token, runtime, code)
        if now == last and now > 1e8:
            return now
        last = now
    return last


def expected_qps_peak(users: float) -> str:
    """What `designkit estimate` says for the reference at ``users`` (its 10% daily share kept)."""
    out = subprocess.run([sys.executable, "-m", "designkit", "estimate", "reference", "--json",
                          "-p", f"users={users!r}", "-p", f"daily_active_users={users / 10!r}"],
                         capture_output=True, text=True, check=True)
    return q.say_qps(json.loads(out.stdout)["qps_peak"])


def test_users_slider_moves_the_qps_readout_and_the_chart(lab):
    base, token, runtime = lab
    with chromium_page(viewport={"width": 1400, "height": 1300}) as page:
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
            page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=60_000)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")

            page.wait_for_function(ALL_CELLS_RAN, timeout=90_000)   # else running cells take the focus
            readout = page.locator(".dk-qps-peak")
            page.locator(".dk-panel").scroll_into_view_if_needed()
            expect(readout).to_have_text(expected_qps_peak(1e8), timeout=30_000)     # "~46K"
            chart = page.locator("img.dk-chart-capacity")
            before = chart.get_attribute("src")

            handle = page.locator(".dk-users .noUi-handle")
            handle.focus()
            expect(handle).to_be_focused()
            for _ in range(6):
                page.keyboard.press("ArrowRight")
            expect(readout).not_to_have_text("~46K", timeout=30_000)
            users = settled_users(base, token, runtime)
            assert users > 1e8 * 1.1                                  # up to six steps of 10^0.05 up
            expect(readout).to_have_text(expected_qps_peak(users), timeout=30_000)
            expect(page.locator(".dk-readout-users")).to_have_text(q.say_count(users))
            expect(chart).not_to_have_attribute("src", before, timeout=30_000)
            page.locator(".dk-live").first.screenshot(path=str(runtime.parent / "live.png"))
        except Exception:
            page.screenshot(path=str(runtime.parent / "failure.png"))
            raise
